package registration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const secretToken = "tok-secret-123"

// fakePlatform is an httptest LMS speaking Dynamic Registration, shaped
// like Moodle (in a sub-path) or Canvas. Hooks let a test break one step.
type fakePlatform struct {
	srv    *httptest.Server
	canvas bool

	// editConfig changes the configuration document before it is served.
	editConfig func(doc map[string]any)
	// configReply and registerReply replace the normal answers when set.
	configReply   http.HandlerFunc
	registerReply http.HandlerFunc

	mu         sync.Mutex
	configAuth string
	regAuth    string
	regType    string
	regBody    map[string]any
}

func newFakePlatform(t *testing.T, canvas bool) *fakePlatform {
	t.Helper()
	f := &fakePlatform{canvas: canvas}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+f.configPath(), f.serveConfig)
	mux.HandleFunc("POST "+f.registerPath(), f.serveRegister)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// root is the platform's issuer: wwwroot for Moodle, the server for Canvas.
func (f *fakePlatform) root() string {
	if f.canvas {
		return f.srv.URL
	}
	return f.srv.URL + "/moodle"
}

func (f *fakePlatform) configPath() string {
	if f.canvas {
		return "/api/lti/security/openid-configuration"
	}
	return "/moodle/mod/lti/openid-configuration.php"
}

func (f *fakePlatform) registerPath() string {
	if f.canvas {
		return "/api/lti/registrations"
	}
	return "/moodle/mod/lti/openid-registration.php"
}

// configURL is the openid_configuration value the platform hands out;
// Canvas puts the registration token in its query.
func (f *fakePlatform) configURL() string {
	if f.canvas {
		return f.srv.URL + f.configPath() + "?registration_token=" + secretToken
	}
	return f.srv.URL + f.configPath()
}

func (f *fakePlatform) serveConfig(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.configAuth = r.Header.Get("Authorization")
	f.mu.Unlock()
	if f.configReply != nil {
		f.configReply(w, r)
		return
	}
	doc := moodleConfigDoc(f.root())
	if f.canvas {
		doc = canvasConfigDoc(f.root())
	}
	if f.editConfig != nil {
		f.editConfig(doc)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func (f *fakePlatform) serveRegister(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &body)
	f.mu.Lock()
	f.regAuth = r.Header.Get("Authorization")
	f.regType = r.Header.Get("Content-Type")
	f.regBody = body
	f.mu.Unlock()
	if f.registerReply != nil {
		f.registerReply(w, r)
		return
	}
	// The answer echoes the request, as Moodle and Canvas do, plus ids.
	var answer map[string]any
	json.Unmarshal(b, &answer)
	tc, _ := answer[toolConfigKey].(map[string]any)
	if f.canvas {
		answer["client_id"] = "10000000000001"
		tc["https://canvas.instructure.com/lti/registration_config_url"] = f.srv.URL + "/x"
	} else {
		answer["client_id"] = "fYQt5KS4vCinujE"
		answer["application_type"] = []any{"web"}
		answer["scope"] = ScopeScore + " " + ScopeResultReadOnly
		tc["deployment_id"] = "119"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(answer)
}

func TestRegisterHappyPath(t *testing.T) {
	tests := []struct {
		name   string
		canvas bool
		token  string
		want   func(f *fakePlatform) Result
	}{
		{"moodle in a sub-path", false, secretToken, func(f *fakePlatform) Result {
			root := f.root()
			return Result{
				Issuer: root, ClientID: "fYQt5KS4vCinujE", DeploymentID: "119",
				AuthURL: root + "/mod/lti/auth.php", TokenURL: root + "/mod/lti/token.php",
				TokenAudience: root + "/mod/lti/token.php",
				JWKSURL:       root + "/mod/lti/certs.php",
				ProductFamily: "moodle",
				PlatformName:  "moodle (" + strings.TrimPrefix(f.srv.URL, "http://") + ")",
				Scopes:        []string{ScopeScore, ScopeResultReadOnly},
			}
		}},
		{"canvas", true, secretToken, func(f *fakePlatform) Result {
			root := f.root()
			return Result{
				Issuer: root, ClientID: "10000000000001",
				AuthURL:       root + "/api/lti/authorize_redirect",
				TokenURL:      root + "/login/oauth2/token",
				TokenAudience: root + "/login/oauth2/token",
				JWKSURL:       root + "/api/lti/security/jwks",
				ProductFamily: "canvas", PlatformName: "Test University",
				Scopes: allScopes,
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePlatform(t, tt.canvas)
			got, err := testTool().Register(context.Background(), f.srv.Client(),
				f.configURL(), tt.token)
			if err != nil {
				t.Fatalf("Register() error: %v", err)
			}
			want := tt.want(f)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Register() mismatch (-want +got):\n%s", diff)
			}
			wantEndpoints := Endpoints{Issuer: want.Issuer, AuthURL: want.AuthURL,
				TokenURL: want.TokenURL, JWKSURL: want.JWKSURL,
				TokenAudience: want.TokenAudience, ProductFamily: want.ProductFamily}
			if diff := cmp.Diff(wantEndpoints, got.Endpoints()); diff != "" {
				t.Errorf("Result.Endpoints() mismatch (-want +got):\n%s", diff)
			}
			wantAuth := "Bearer " + tt.token
			if f.configAuth != wantAuth || f.regAuth != wantAuth {
				t.Errorf("Authorization = %q (config), %q (registration), want %q",
					f.configAuth, f.regAuth, wantAuth)
			}
			if f.regType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", f.regType)
			}
			p := parseConfig(t, canvasConfigDoc(f.root()))
			if !tt.canvas {
				p = parseConfig(t, moodleConfigDoc(f.root()))
			}
			posted, _ := testTool().RegistrationRequest(p)
			if diff := cmp.Diff(decode(t, posted), f.regBody); diff != "" {
				t.Errorf("posted request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegisterWithoutToken(t *testing.T) {
	f := newFakePlatform(t, false)
	_, err := testTool().Register(context.Background(), f.srv.Client(), f.configURL(), "")
	if err != nil {
		t.Fatalf("Register() error: %v", err)
	}
	if f.configAuth != "" || f.regAuth != "" {
		t.Errorf("Authorization sent without a token: %q, %q", f.configAuth, f.regAuth)
	}
}

func TestRegisterReadsNumericIDs(t *testing.T) {
	f := newFakePlatform(t, false)
	f.registerReply = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"client_id": 10000000000042,
			"https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": 7}}`)
	}
	got, err := testTool().Register(context.Background(), f.srv.Client(), f.configURL(), "t")
	if err != nil {
		t.Fatalf("Register() error: %v", err)
	}
	if got.ClientID != "10000000000042" || got.DeploymentID != "7" {
		t.Errorf("ClientID, DeploymentID = %q, %q; want 10000000000042, 7",
			got.ClientID, got.DeploymentID)
	}
}
