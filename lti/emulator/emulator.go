// Package emulator is an in-process LMS: an LTI 1.3 platform that speaks
// only the protocol, so that the tool can be previewed (aesop demo) and
// tested (HTTP, fuzz and browser tests) without a real LMS.
//
// It serves OpenID discovery and LTI Dynamic Registration, the OIDC
// authorization endpoint that answers third-party-initiated logins with
// signed id_tokens, the client_credentials token endpoint, the deep
// linking return endpoint, and a small course page with the platform side
// of the client-side postMessage storage. It checks what tools send as
// strictly as a careful platform would. All state is kept in memory.
package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Emulator is one emulated platform with one course. It is safe for
// concurrent use.
type Emulator struct {
	cfg      Config
	log      *slog.Logger
	basePath string
	handler  http.Handler

	mu           sync.Mutex
	keys         []platformKey // the last one signs
	tools        []Tool
	regTokens    map[string]*registrationToken
	launches     map[string]*pendingLaunch   // by lti_message_hint
	deepLinks    map[string]*deepLinkSession // by deep linking data
	links        []ResourceLink
	usedJTIs     map[string]time.Time // client assertion jti to its expiry
	accessTokens map[string]accessToken
	seq          int
}

// New makes an emulator with a fresh RSA-2048 platform key.
func New(cfg Config) (*Emulator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	key, err := newPlatformKey()
	if err != nil {
		return nil, fmt.Errorf("platform key: %w", err)
	}
	u, _ := url.Parse(cfg.BaseURL) // already parsed by withDefaults
	e := &Emulator{
		cfg:          cfg,
		log:          cfg.Logger.With("component", "lms_emulator"),
		basePath:     strings.TrimRight(u.Path, "/"),
		keys:         []platformKey{key},
		regTokens:    map[string]*registrationToken{},
		launches:     map[string]*pendingLaunch{},
		deepLinks:    map[string]*deepLinkSession{},
		usedJTIs:     map[string]time.Time{},
		accessTokens: map[string]accessToken{},
	}
	e.handler = e.routes()
	return e, nil
}

// routes lists every platform endpoint, relative to the base URL.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	// Discovery, registration and keys.
	mux.HandleFunc("GET /.well-known/openid-configuration", e.handleOpenIDConfig)
	mux.HandleFunc("POST /register", e.handleRegister)
	mux.HandleFunc("GET /jwks", e.handleJWKS)
	// OIDC launch, services and deep linking.
	mux.HandleFunc("GET /auth", e.handleAuth)
	mux.HandleFunc("POST /auth", e.handleAuth)
	mux.HandleFunc("POST /token", e.handleToken)
	mux.HandleFunc("POST /deep-link-return", e.handleDeepLinkReturn)
	mux.HandleFunc("/api/lti/", e.handleServiceStub)
	// Pages a person sees.
	mux.HandleFunc("GET /{$}", e.handleCourse)
	mux.HandleFunc("GET /course/launch", e.handleCourseLaunch)
	mux.HandleFunc("GET /storage-frame", e.handleStorageFrame)
	mux.HandleFunc("GET /admin/register", e.handleAdminRegister)
	if e.basePath == "" {
		return mux
	}
	return http.StripPrefix(e.basePath, mux)
}

// Handler returns the handler serving all platform endpoints; mount it so
// that it answers at the configured base URL.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Issuer returns the platform's issuer identifier, its base URL.
func (e *Emulator) Issuer() string { return e.cfg.BaseURL }

// Config returns the configuration in force, defaults filled in.
func (e *Emulator) Config() Config { return e.cfg }

// URL returns the absolute URL of an emulator path such as "/auth".
func (e *Emulator) URL(path string) string { return e.cfg.BaseURL + path }

// now reads the configured clock.
func (e *Emulator) now() time.Time { return e.cfg.Now() }

// nextID returns a short id unique within this emulator, for line items
// and other records a person may see.
func (e *Emulator) nextID(prefix string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	return fmt.Sprintf("%s-%d", prefix, e.seq)
}

// randomToken returns 32 random bytes, base64url encoded, for hints,
// tokens and other values that must not be guessed.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
