package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// platformKey is one RSA signing key of the platform with its key id.
type platformKey struct {
	kid     string
	private *rsa.PrivateKey
	public  jwk.Key
}

// newPlatformKey makes an RSA-2048 key whose kid is its JWK thumbprint.
func newPlatformKey() (platformKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return platformKey{}, fmt.Errorf("generate rsa key: %w", err)
	}
	pub, err := jwk.FromRaw(&priv.PublicKey)
	if err != nil {
		return platformKey{}, fmt.Errorf("wrap public key: %w", err)
	}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return platformKey{}, fmt.Errorf("thumbprint public key: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	for k, v := range map[string]any{
		jwk.KeyIDKey:     kid,
		jwk.AlgorithmKey: jwa.RS256,
		jwk.KeyUsageKey:  jwk.ForSignature,
	} {
		if err := pub.Set(k, v); err != nil {
			return platformKey{}, fmt.Errorf("set %s on public key: %w", k, err)
		}
	}
	return platformKey{kid: kid, private: priv, public: pub}, nil
}

// SignJWT signs claims with the platform's current key using RS256. The
// header carries typ JWT and the key's kid; entries of hdr are added or
// replace them, and an entry whose value is nil removes that header. The
// algorithm cannot be changed here: tests that need another one sign the
// token themselves (LaunchRequest.Sign).
func (e *Emulator) SignJWT(claims map[string]any, hdr map[string]any) (string, error) {
	e.mu.Lock()
	key := e.keys[len(e.keys)-1]
	e.mu.Unlock()

	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	h := jws.NewHeaders()
	fields := map[string]any{jws.TypeKey: "JWT", jws.KeyIDKey: key.kid}
	for k, v := range hdr {
		fields[k] = v
	}
	for k, v := range fields {
		if v == nil {
			continue
		}
		if err := h.Set(k, v); err != nil {
			return "", fmt.Errorf("set header %s: %w", k, err)
		}
	}
	// The raw RSA key is used rather than the JWK so that jwx does not put
	// the kid back into a header a test asked to go without one.
	signed, err := jws.Sign(payload,
		jws.WithKey(jwa.RS256, key.private, jws.WithProtectedHeaders(h)))
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return string(signed), nil
}

// PublicJWKS returns the platform's public keys, the current one last and
// rotated-out ones before it, as /jwks serves them.
func (e *Emulator) PublicJWKS() jwk.Set {
	e.mu.Lock()
	defer e.mu.Unlock()
	set := jwk.NewSet()
	for _, k := range e.keys {
		// AddKey only fails on duplicates, which distinct kids rule out.
		_ = set.AddKey(k.public)
	}
	return set
}

// RotateKey makes a new signing key with a new kid. Old keys stay in the
// key set so tokens signed before the rotation still verify.
func (e *Emulator) RotateKey() error {
	k, err := newPlatformKey()
	if err != nil {
		return fmt.Errorf("rotate key: %w", err)
	}
	e.mu.Lock()
	e.keys = append(e.keys, k)
	e.mu.Unlock()
	return nil
}

// currentKID returns the kid new tokens are signed with.
func (e *Emulator) currentKID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.keys[len(e.keys)-1].kid
}
