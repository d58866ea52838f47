package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// clockSkew is the leeway allowed between the tool's clock and ours.
const clockSkew = time.Minute

// verifyToolJWT checks a JWT a tool signed: RS256 only, signed by a key
// from the tool's jwks_uri, issued by the tool's client_id (the tool is
// found by its iss), meant for aud, unexpired, with iat. It returns the
// tool and the token's claims.
func (e *Emulator) verifyToolJWT(ctx context.Context, raw,
	aud string) (Tool, map[string]any, error) {
	msg, err := jws.Parse([]byte(raw))
	if err != nil {
		return Tool{}, nil, fmt.Errorf("parse jws: %w", err)
	}
	if len(msg.Signatures()) != 1 {
		return Tool{}, nil, errors.New("jws must have exactly one signature")
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	if alg := hdr.Algorithm(); alg != jwa.RS256 {
		return Tool{}, nil, fmt.Errorf("alg %q is not allowed, only RS256", alg)
	}
	var claims map[string]any
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		return Tool{}, nil, fmt.Errorf("decode claims: %w", err)
	}
	iss, _ := claims["iss"].(string)
	t, err := e.tool(iss)
	if iss == "" || err != nil {
		return Tool{}, nil, fmt.Errorf("iss %q is not a registered client_id", iss)
	}
	key, err := e.toolKey(ctx, t, hdr.KeyID())
	if err != nil {
		return Tool{}, nil, err
	}
	if _, err := jws.Verify([]byte(raw), jws.WithKey(jwa.RS256, key)); err != nil {
		return Tool{}, nil, fmt.Errorf("verify signature: %w", err)
	}
	_, err = jwt.Parse([]byte(raw), jwt.WithVerify(false), jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(e.now)), jwt.WithAcceptableSkew(clockSkew),
		jwt.WithIssuer(t.ClientID), jwt.WithAudience(aud),
		jwt.WithRequiredClaim(jwt.ExpirationKey), jwt.WithRequiredClaim(jwt.IssuedAtKey))
	if err != nil {
		return Tool{}, nil, fmt.Errorf("validate claims: %w", err)
	}
	return t, claims, nil
}

// toolKey fetches the tool's key set and picks the key named by kid, or
// the only key when the token names none.
func (e *Emulator) toolKey(ctx context.Context, t Tool, kid string) (jwk.Key, error) {
	set, err := e.fetchKeySet(ctx, t.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("tool key set: %w", err)
	}
	if kid != "" {
		key, ok := set.LookupKeyID(kid)
		if !ok {
			return nil, fmt.Errorf("no key with kid %q in the tool's key set", kid)
		}
		return key, nil
	}
	if set.Len() != 1 {
		return nil, errors.New("token has no kid and the tool's key set has several keys")
	}
	key, _ := set.Key(0)
	return key, nil
}

// fetchKeySet reads a JWKS over HTTP. Keys are not cached, so a tool's
// key rotation is seen at once.
func (e *Emulator) fetchKeySet(ctx context.Context, u string) (jwk.Set, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse key set: %w", err)
	}
	return set, nil
}
