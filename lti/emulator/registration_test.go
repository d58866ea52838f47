package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRegister(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)

	want := Tool{
		ClientID:         tool.ClientID,
		DeploymentID:     tool.DeploymentID,
		Name:             "Fake tool",
		InitiateLoginURI: ft.url("/login"),
		RedirectURIs:     []string{ft.url("/launch")},
		JWKSURI:          ft.url("/jwks"),
		TargetLinkURI:    ft.url("/launch"),
		Domain:           ft.srv.Listener.Addr().String(),
		Scopes:           []string{ScopeScore, ScopeMemberships},
		Messages: []ToolMessage{
			{Type: MessageResourceLink},
			{Type: MessageDeepLinking, TargetLinkURI: ft.url("/launch?dl=1")},
		},
		Custom: map[string]string{"course": "$Context.id"},
	}
	if tool.ClientID == "" || tool.DeploymentID == "" {
		t.Fatalf("ids not assigned: %+v", tool)
	}
	if diff := cmp.Diff(want, tool, cmpIgnoreRaw); diff != "" {
		t.Errorf("registered tool (-want +got):\n%s", diff)
	}
	if len(tool.Registration) == 0 {
		t.Error("raw registration not kept")
	}
	if got := e.Tools(); len(got) != 1 || got[0].ClientID != tool.ClientID {
		t.Errorf("Tools() = %+v", got)
	}

	ft.mu.Lock()
	resp := ft.regResponse
	ft.mu.Unlock()
	if resp["client_id"] != tool.ClientID {
		t.Errorf("response client_id = %v, want %v", resp["client_id"], tool.ClientID)
	}
	tc, _ := resp[toolConfigKey].(map[string]any)
	if tc["deployment_id"] != tool.DeploymentID {
		t.Errorf("response deployment_id = %v", tc["deployment_id"])
	}
	if resp["client_name"] != "Fake tool" || resp["scope"] != ScopeScore+" "+ScopeMemberships {
		t.Errorf("response does not echo the request: %v", resp)
	}
}

// cmpIgnoreRaw leaves the raw registration out of tool comparisons.
var cmpIgnoreRaw = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".Registration"
}, cmp.Ignore())

func TestRegisterToolFailures(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft := newFakeTool(t)
	ft.editRegistration = func(m map[string]any) { m["application_type"] = "native" }
	_, err := e.Register(t.Context(), http.DefaultClient, ft.url("/register"))
	if !errors.Is(err, ErrToolResponse) {
		t.Fatalf("Register with refused registration: err = %v, want ErrToolResponse", err)
	}
	ft.mu.Lock()
	status := ft.regStatus
	ft.mu.Unlock()
	if status != http.StatusBadRequest {
		t.Errorf("platform answered %d, want 400", status)
	}
	if n := len(e.Tools()); n != 0 {
		t.Errorf("%d tools registered, want 0", n)
	}
}

func TestRegistrationURLKeepsQuery(t *testing.T) {
	got, err := registrationLaunchURL("https://tool.example/reg?tenant=a%20b&x=1",
		"https://lms.example/.well-known/openid-configuration", "tok")
	if err != nil {
		t.Fatal(err)
	}
	want := "https://tool.example/reg?tenant=a%20b&x=1&openid_configuration=" +
		"https%3A%2F%2Flms.example%2F.well-known%2Fopenid-configuration&registration_token=tok"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestRegisterEndpoint(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft := newFakeTool(t)
	used := e.NewRegistrationToken()
	if rec := postRegistration(e, used, ft.registration()); rec.Code != http.StatusOK {
		t.Fatalf("first use: status %d: %s", rec.Code, rec.Body)
	}

	tests := []struct {
		name   string
		token  string
		edit   func(m map[string]any)
		ctype  string
		status int
		code   string
	}{
		{name: "no token", token: "-", status: 401, code: "invalid_token"},
		{name: "unknown token", token: "nope", status: 401, code: "invalid_token"},
		{name: "reused token", token: used, status: 401, code: "invalid_token"},
		{name: "not json", ctype: "text/plain", status: 400, code: "invalid_client_metadata"},
		{name: "native app", edit: set("application_type", "native"), status: 400},
		{name: "code response", edit: set("response_types", []any{"code"}), status: 400},
		{name: "extra response type", edit: set("response_types", []any{"id_token", "code"}),
			status: 400},
		{name: "no client_credentials", edit: set("grant_types", []any{"implicit"}), status: 400},
		{name: "relative login uri", edit: set("initiate_login_uri", "/login"), status: 400},
		{name: "no redirect uris", edit: set("redirect_uris", []any{}), status: 400},
		{name: "redirect uri with fragment",
			edit: set("redirect_uris", []any{"https://t.example/l#x"}), status: 400},
		{name: "no jwks uri", edit: del("jwks_uri"), status: 400},
		{name: "client secret auth",
			edit: set("token_endpoint_auth_method", "client_secret_basic"), status: 400},
		{name: "scope list", edit: set("scope", []any{ScopeScore}), status: 400},
		{name: "no tool configuration", edit: del(toolConfigKey), status: 400},
		{name: "no domain", edit: editTC(func(tc map[string]any) { delete(tc, "domain") }),
			status: 400},
		{name: "relative target", edit: editTC(func(tc map[string]any) {
			tc["target_link_uri"] = "launch"
		}), status: 400},
		{name: "claims not list", edit: editTC(func(tc map[string]any) { tc["claims"] = "sub" }),
			status: 400},
		{name: "message without type", edit: editTC(func(tc map[string]any) {
			tc["messages"] = []any{map[string]any{"label": "x"}}
		}), status: 400},
		{name: "numeric custom", edit: editTC(func(tc map[string]any) {
			tc["custom_parameters"] = map[string]any{"n": 1}
		}), status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.token
			if tok == "" {
				tok = e.NewRegistrationToken()
			}
			body := ft.registration()
			if tt.edit != nil {
				tt.edit(body)
			}
			rec := postRegistrationType(e, tok, body, tt.ctype)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var out map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("error body is not json: %v", err)
			}
			code := tt.code
			if code == "" {
				code = "invalid_client_metadata"
			}
			if out["error"] != code || out["error_description"] == "" {
				t.Errorf("error body = %v, want error %q with a description", out, code)
			}
		})
	}
	if n := len(e.Tools()); n != 1 {
		t.Errorf("%d tools registered, want only the first", n)
	}
}

// postRegistration POSTs a registration request with a bearer token.
func postRegistration(e *Emulator, tok string, body map[string]any) *httptest.ResponseRecorder {
	return postRegistrationType(e, tok, body, "")
}

// postRegistrationType is postRegistration with a chosen content type.
func postRegistrationType(e *Emulator, tok string, body map[string]any,
	ctype string) *httptest.ResponseRecorder {
	buf, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "/register", bytes.NewReader(buf))
	if ctype == "" {
		ctype = "application/json; charset=utf-8"
	}
	r.Header.Set("Content-Type", ctype)
	if tok != "-" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, r)
	return rec
}

// set returns an edit that sets a registration field.
func set(k string, v any) func(map[string]any) {
	return func(m map[string]any) { m[k] = v }
}

// del returns an edit that removes a registration field.
func del(k string) func(map[string]any) {
	return func(m map[string]any) { delete(m, k) }
}

// editTC returns an edit of the tool configuration object.
func editTC(f func(map[string]any)) func(map[string]any) {
	return func(m map[string]any) { f(m[toolConfigKey].(map[string]any)) }
}

func TestOpenIDConfiguration(t *testing.T) {
	tests := []struct {
		family string
		want   string
	}{
		{"", FamilyEmulator},
		{FamilyCanvas, "canvas"},
		{FamilyMoodle, "moodle"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			e, srv := newTestEmulator(t, Config{ProductFamily: tt.family})
			resp, err := http.Get(srv.URL + "/.well-known/openid-configuration")
			if err != nil {
				t.Fatal(err)
			}
			var cfg map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&cfg); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for k, want := range map[string]string{
				"issuer":                 e.Issuer(),
				"authorization_endpoint": srv.URL + "/auth",
				"token_endpoint":         srv.URL + "/token",
				"jwks_uri":               srv.URL + "/jwks",
				"registration_endpoint":  srv.URL + "/register",
			} {
				if cfg[k] != want {
					t.Errorf("%s = %v, want %s", k, cfg[k], want)
				}
			}
			scopes, _ := json.Marshal(cfg["scopes_supported"])
			for _, s := range append([]string{"openid"}, serviceScopes...) {
				if !strings.Contains(string(scopes), `"`+s+`"`) {
					t.Errorf("scopes_supported lacks %s", s)
				}
			}
			pc, _ := cfg[platformConfigKey].(map[string]any)
			if pc["product_family_code"] != tt.want {
				t.Errorf("product_family_code = %v, want %s", pc["product_family_code"], tt.want)
			}
			msgs, _ := json.Marshal(pc["messages_supported"])
			if !strings.Contains(string(msgs), MessageDeepLinking) {
				t.Errorf("messages_supported = %s", msgs)
			}
		})
	}
}
