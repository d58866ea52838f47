// Package launch validates the id_token of an LTI 1.3 launch, as strictly as the
// 1EdTech Security Framework asks, and keeps a record of refused launches for
// administrators.
package launch

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"aesop/lti"
	"aesop/lti/login"
	"aesop/lti/platform"
)

// DefaultLeeway is the clock skew allowed on exp, iat and nbf. Real platforms'
// clocks drift, and Moodle's id_tokens live only 60 seconds.
const DefaultLeeway = 60 * time.Second

// maxTokenSize bounds the id_token accepted, well above any real launch.
const maxTokenSize = 64 << 10

// Validator checks id_tokens.
type Validator struct {
	Platforms *platform.Store
	Keys      *platform.KeyCache
	// ToolHost is the host target_link_uri must name.
	ToolHost string
	Leeway   time.Duration
	Now      func() time.Time
}

// Validate checks an id_token against the login state it answers and returns
// the launch. Every refusal is an *lti.Refusal.
func (v *Validator) Validate(ctx context.Context, idToken string, st *login.State) (
	*lti.Launch, *platform.Platform, error) {
	plat, err := v.Platforms.Get(ctx, st.PlatformID)
	if errors.Is(err, platform.ErrNotFound) {
		return nil, nil, lti.Refuse(lti.ReasonUnknownPlatform, "platform",
			"The LMS that started this launch was removed from Aesop during the launch.")
	}
	if err != nil {
		return nil, nil, err
	}
	claims, err := v.verify(ctx, idToken, plat)
	if err != nil {
		return nil, plat, tag(err, plat, "")
	}
	l, err := v.checkClaims(ctx, claims, plat, st)
	if err != nil {
		return nil, plat, tag(err, plat, claims.str(lti.ClaimDeploymentID))
	}
	return l, plat, nil
}

func tag(err error, p *platform.Platform, deployment string) error {
	if r, ok := lti.AsRefusal(err); ok {
		r.Issuer, r.ClientID, r.DeploymentID = p.Issuer, p.ClientID, deployment
	}
	return err
}

// verify checks the JWT's form, algorithm and signature and returns its claims.
func (v *Validator) verify(ctx context.Context, idToken string, p *platform.Platform) (
	claimSet, error) {
	if len(idToken) > maxTokenSize {
		return nil, notJWT("the id_token is larger than any launch should be")
	}
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return nil, notJWT("the id_token is not a signed JWT (header.payload.signature)")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodePart(parts[0], &hdr); err != nil {
		return nil, notJWT("the id_token header is not valid JSON")
	}
	// The algorithm is fixed before any key is used: "none", and HS256 keyed
	// with the platform's public key, must never verify.
	if hdr.Alg != jwa.RS256.String() {
		return nil, lti.Refuse(lti.ReasonAlgorithm, "alg", "The id_token is signed with %q; "+
			"LTI 1.3 launches must be signed with RS256.", hdr.Alg)
	}
	if hdr.Kid == "" {
		return nil, lti.Refuse(lti.ReasonNoKID, "kid", "The id_token header names no signing "+
			"key (kid), so it cannot be checked against the LMS's key set.")
	}
	var claims claimSet
	if err := decodePart(parts[1], &claims); err != nil {
		return nil, notJWT("the id_token payload is not a JSON object")
	}
	if iss := claims.str("iss"); iss != p.Issuer {
		return nil, lti.Refuse(lti.ReasonBadIssuer, "iss", "The id_token was issued by %q, "+
			"but the login started with %q.", iss, p.Issuer)
	}
	key, err := v.Keys.Key(ctx, p.JWKSURL, hdr.Kid)
	switch {
	case errors.Is(err, platform.ErrUnknownKID):
		return nil, lti.Refuse(lti.ReasonUnknownKID, "kid", "The id_token is signed with key "+
			"%q, which is not in the LMS's key set at %s.", hdr.Kid, p.JWKSURL)
	case err != nil:
		return nil, lti.Refuse(lti.ReasonPlatformKeys, "jwks", "Aesop could not fetch the "+
			"LMS's public keys from %s. Check that the JWKS URL is right and reachable.",
			p.JWKSURL).Wrap(err)
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := verifyRS256(parts, key); err != nil {
		return nil, lti.Refuse(lti.ReasonBadSignature, "signature", "The id_token's "+
			"signature does not match the LMS's key %q: it was altered or signed by "+
			"someone else.", hdr.Kid).Wrap(err)
	}
	if hasNUL(map[string]any(claims)) {
		return nil, badClaim("claims", "The id_token has a claim with a NUL character, "+
			"which no LTI launch carries.")
	}
	return claims, nil
}

// verifyRS256 checks the RS256 signature over the token's signing input. The
// algorithm and the key's type are already fixed, so this is what jws.Verify
// would check, without parsing and re-encoding the token a second time: that
// came to a tenth of what the whole launch allocated.
func verifyRS256(parts []string, key jwk.Key) error {
	var pub rsa.PublicKey
	if err := key.Raw(&pub); err != nil {
		return fmt.Errorf("read the platform's rsa key: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("decode signature: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(parts[0]))
	h.Write([]byte{'.'})
	h.Write([]byte(parts[1]))
	if err := rsa.VerifyPKCS1v15(&pub, crypto.SHA256, h.Sum(nil), sig); err != nil {
		return fmt.Errorf("verify rs256 signature: %w", err)
	}
	return nil
}

func checkKey(key jwk.Key) error {
	if key.KeyType() != "RSA" {
		return lti.Refuse(lti.ReasonAlgorithm, "kty", "The LMS's key %q is not an RSA key, so "+
			"it cannot verify an RS256 signature.", key.KeyID())
	}
	if a := key.Algorithm().String(); a != "" && a != jwa.RS256.String() {
		return lti.Refuse(lti.ReasonAlgorithm, "alg", "The LMS's key %q is meant for %s, not "+
			"RS256.", key.KeyID(), a)
	}
	return nil
}

func notJWT(why string) error {
	return lti.Refuse(lti.ReasonNotJWT, "jwt", "This is not an LTI launch: %s.", why)
}

func decodePart(part string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
	if err != nil {
		return fmt.Errorf("decode jwt part: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("parse jwt part: %w", err)
	}
	if into, ok := into.(*claimSet); ok && *into == nil {
		return errors.New("payload is null")
	}
	return nil
}
