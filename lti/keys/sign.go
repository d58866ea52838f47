package keys

import (
	"context"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Sign signs a JWT with the active key (RS256, with its kid in the header).
func (s *Store) Sign(ctx context.Context, tok jwt.Token) (string, error) {
	k, err := s.Active(ctx)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	hdr.Set(jws.TypeKey, "JWT")
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, k.JWK, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return string(b), nil
}
