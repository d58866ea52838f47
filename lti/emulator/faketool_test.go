package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// testKeys caches RSA keys, which are slow to make, across tests.
var testKeys = struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}{}

// testKey returns the i-th cached test key.
func testKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	testKeys.Lock()
	defer testKeys.Unlock()
	for len(testKeys.keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatalf("generate key: %v", err)
		}
		testKeys.keys = append(testKeys.keys, k)
	}
	return testKeys.keys[i]
}

// newTestEmulator serves an emulator on a local test server.
func newTestEmulator(t *testing.T, cfg Config) (*Emulator, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.Config.Handler = e.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return e, srv
}

// fakeTool is a tiny LTI tool: a registration page, a key set, a login
// initiation endpoint and a launch endpoint that records what it got.
type fakeTool struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string
	// editRegistration may change the registration request before it is sent.
	editRegistration func(map[string]any)

	mu           sync.Mutex
	regResponse  map[string]any
	regStatus    int
	logins       []url.Values
	idTokens     []string
	launchStates []string
}

// newFakeTool starts a fake tool on its own test server.
func newFakeTool(t *testing.T) *fakeTool {
	t.Helper()
	ft := &fakeTool{t: t, key: testKey(t, 0), kid: "tool-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /register", ft.handleRegister)
	mux.HandleFunc("GET /jwks", ft.handleJWKS)
	mux.HandleFunc("/login", ft.handleLogin)
	mux.HandleFunc("POST /launch", ft.handleLaunch)
	ft.srv = httptest.NewServer(mux)
	t.Cleanup(ft.srv.Close)
	return ft
}

// url returns the absolute URL of a fake tool path.
func (ft *fakeTool) url(path string) string { return ft.srv.URL + path }

// registration returns a valid Dynamic Registration request.
func (ft *fakeTool) registration() map[string]any {
	return map[string]any{
		"application_type":           "web",
		"response_types":             []any{"id_token"},
		"grant_types":                []any{"implicit", "client_credentials"},
		"initiate_login_uri":         ft.url("/login"),
		"redirect_uris":              []any{ft.url("/launch")},
		"client_name":                "Fake tool",
		"jwks_uri":                   ft.url("/jwks"),
		"token_endpoint_auth_method": "private_key_jwt",
		"scope": ScopeScore + " " + ScopeMemberships +
			" https://example.com/unknown",
		toolConfigKey: map[string]any{
			"domain":            ft.srv.Listener.Addr().String(),
			"target_link_uri":   ft.url("/launch"),
			"custom_parameters": map[string]any{"course": "$Context.id"},
			"claims":            []any{"iss", "sub", "name", "email"},
			"messages": []any{
				map[string]any{"type": "LtiResourceLinkRequest"},
				map[string]any{"type": "LtiDeepLinkingRequest", "target_link_uri": ft.url("/launch?dl=1")},
			},
		},
	}
}

// handleRegister does what a tool's registration page does: read the
// platform configuration, register, and close the dialog.
func (ft *fakeTool) handleRegister(w http.ResponseWriter, r *http.Request) {
	cfgURL := r.URL.Query().Get("openid_configuration")
	resp, err := http.Get(cfgURL)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var cfg map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	body := ft.registration()
	if ft.editRegistration != nil {
		ft.editRegistration(body)
	}
	buf, _ := json.Marshal(body)
	endpoint, _ := cfg["registration_endpoint"].(string)
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.URL.Query().Get("registration_token"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	ft.mu.Lock()
	ft.regResponse, ft.regStatus = out, resp.StatusCode
	ft.mu.Unlock()
	if resp.StatusCode != http.StatusOK {
		http.Error(w, "registration failed", http.StatusBadGateway)
		return
	}
	fmt.Fprint(w, `<script>(window.opener || window.parent).postMessage(`+
		`{subject: "org.imsglobal.lti.close"}, "*");</script>`)
}

// publicSet returns the tool's public key set.
func (ft *fakeTool) publicSet() jwk.Set {
	k, _ := jwk.FromRaw(&ft.key.PublicKey)
	_ = k.Set(jwk.KeyIDKey, ft.kid)
	_ = k.Set(jwk.AlgorithmKey, jwa.RS256)
	set := jwk.NewSet()
	_ = set.AddKey(k)
	return set
}

// handleJWKS serves the tool's public keys.
func (ft *fakeTool) handleJWKS(w http.ResponseWriter, r *http.Request) {
	_ = json.NewEncoder(w).Encode(ft.publicSet())
}

// handleLogin answers a login initiation with a redirect to the platform.
func (ft *fakeTool) handleLogin(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ft.mu.Lock()
	ft.logins = append(ft.logins, r.Form)
	ft.mu.Unlock()
	if r.Form.Get("iss") == "" {
		http.Error(w, "no iss", http.StatusBadRequest)
		return
	}
	state := randomToken()
	http.SetCookie(w, &http.Cookie{Name: "state", Value: state, Path: "/"})
	q := url.Values{
		"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"},
		"prompt": {"none"}, "client_id": {r.Form.Get("client_id")},
		"redirect_uri": {ft.url("/launch")}, "login_hint": {r.Form.Get("login_hint")},
		"lti_message_hint": {r.Form.Get("lti_message_hint")},
		"state":            {state}, "nonce": {"nonce-" + state},
	}
	http.Redirect(w, r, r.Form.Get("iss")+"/auth?"+q.Encode(), http.StatusFound)
}

// handleLaunch records the id_token if the state matches its cookie.
func (ft *fakeTool) handleLaunch(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("state")
	if err != nil || c.Value != r.PostFormValue("state") {
		http.Error(w, "state mismatch", http.StatusForbidden)
		return
	}
	ft.mu.Lock()
	ft.idTokens = append(ft.idTokens, r.PostFormValue("id_token"))
	ft.launchStates = append(ft.launchStates, r.PostFormValue("state"))
	ft.mu.Unlock()
	fmt.Fprint(w, "launched")
}

// lastIDToken returns the id_token of the latest launch.
func (ft *fakeTool) lastIDToken() string {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if len(ft.idTokens) == 0 {
		ft.t.Fatal("the tool saw no launch")
	}
	return ft.idTokens[len(ft.idTokens)-1]
}

// sign signs claims with the tool's key (or another) using RS256.
func (ft *fakeTool) sign(claims map[string]any, key *rsa.PrivateKey) string {
	ft.t.Helper()
	if key == nil {
		key = ft.key
	}
	payload, _ := json.Marshal(claims)
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, ft.kid)
	_ = h.Set(jws.TypeKey, "JWT")
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		ft.t.Fatalf("sign: %v", err)
	}
	return string(out)
}

// registerFakeTool registers a fresh fake tool with e by Dynamic Registration.
func registerFakeTool(t *testing.T, e *Emulator) (*fakeTool, Tool) {
	t.Helper()
	ft := newFakeTool(t)
	tool, err := e.Register(t.Context(), http.DefaultClient, ft.url("/register"))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return ft, tool
}

// readAll reads a response body and closes it.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// fixedClock returns a clock that tests can move.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock forward.
func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
