// Package oauthtest helps test code that calls LTI Advantage services: a
// tool key that signs client assertions and serves its key set, and an LMS
// emulator with that tool registered.
package oauthtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"aesop/lti/emulator"
	"aesop/lti/oauth"
)

// sharedKey is made once per test binary: RSA keys are slow to make.
var sharedKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// Signer is a tool key for tests. It implements oauth.Signer.
type Signer struct {
	KID     string
	private jwk.Key
	public  jwk.Key
}

// NewSigner returns a signer with a shared test key.
func NewSigner(t testing.TB) *Signer {
	t.Helper()
	raw, err := sharedKey()
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	s := &Signer{KID: "test-tool-key"}
	if s.private, err = jwk.FromRaw(raw); err != nil {
		t.Fatalf("private jwk: %v", err)
	}
	if s.public, err = jwk.FromRaw(&raw.PublicKey); err != nil {
		t.Fatalf("public jwk: %v", err)
	}
	for _, k := range []jwk.Key{s.private, s.public} {
		_ = k.Set(jwk.KeyIDKey, s.KID)
		_ = k.Set(jwk.AlgorithmKey, jwa.RS256)
	}
	return s
}

// Sign signs tok with RS256 and the key's kid.
func (s *Signer) Sign(_ context.Context, tok jwt.Token) (string, error) {
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, s.private, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return string(b), nil
}

// Verify checks a JWT's signature with the key and returns its claims,
// without validating them.
func (s *Signer) Verify(raw string) (jwt.Token, error) {
	return jwt.Parse([]byte(raw), jwt.WithKey(jwa.RS256, s.public), jwt.WithValidate(false))
}

// ServeJWKS serves the public key set until the test ends and returns its URL.
func (s *Signer) ServeJWKS(t testing.TB) string {
	t.Helper()
	set := jwk.NewSet()
	_ = set.AddKey(s.public)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// LMS is an emulated platform with one tool registered, ready for service
// calls.
type LMS struct {
	*emulator.Emulator
	Server   *httptest.Server
	Signer   *Signer
	Client   *oauth.Client
	Endpoint oauth.Endpoint
	Tool     emulator.Tool
}

// NewLMS serves an emulator (cfg's BaseURL is set to the test server) and
// registers a tool granted the scopes. wrap, when not nil, wraps the
// emulator's handler, for tests that count or alter requests.
func NewLMS(t testing.TB, cfg emulator.Config, wrap func(http.Handler) http.Handler,
	scopes ...string) *LMS {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	h := e.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)

	s := NewSigner(t)
	e.AddTool(emulator.Tool{ClientID: "tool-1", Name: "Aesop", JWKSURI: s.ServeJWKS(t),
		Scopes: scopes})
	tool := e.Tools()[0]
	return &LMS{
		Emulator: e, Server: srv, Signer: s, Tool: tool,
		Client: oauth.New(s, oauth.Options{Rate: oauth.Rate{PerSecond: 1000, Burst: 1000}}),
		Endpoint: oauth.Endpoint{Platform: "lms-1", ClientID: tool.ClientID,
			TokenURL: e.URL("/token")},
	}
}
