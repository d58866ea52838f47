package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// authParams starts a launch and returns a valid authentication request
// for it.
func authParams(t *testing.T, e *Emulator, tool Tool) url.Values {
	t.Helper()
	_, login, err := e.startLaunch(LaunchRequest{ClientID: tool.ClientID}, "")
	if err != nil {
		t.Fatalf("startLaunch: %v", err)
	}
	return url.Values{
		"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"},
		"prompt": {"none"}, "client_id": {tool.ClientID}, "redirect_uri": {tool.RedirectURIs[0]},
		"login_hint": {login.Get("login_hint")}, "lti_message_hint": {login.Get("lti_message_hint")},
		"state": {"st"}, "nonce": {"n-1"},
	}
}

// authGet sends an authentication request to the handler.
func authGet(e *Emulator, v url.Values) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/auth?"+v.Encode(), nil))
	return rec
}

func TestAuthRefusals(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	tool := Tool{ClientID: "client-1", DeploymentID: "dep-1",
		InitiateLoginURI: "https://tool.example/login",
		RedirectURIs:     []string{"https://tool.example/launch", "https://tool.example/dl"},
		JWKSURI:          "https://tool.example/jwks", TargetLinkURI: "https://tool.example/launch"}
	e.AddTool(tool)
	e.AddTool(Tool{ClientID: "client-2", DeploymentID: "dep-2",
		RedirectURIs: []string{"https://other.example/launch"}})

	tests := []struct {
		name   string
		edit   func(v url.Values)
		reason string
	}{
		{"scope", setParam("scope", "openid profile"), "scope must be"},
		{"response_type", setParam("response_type", "code"), "response_type must be"},
		{"response_mode", setParam("response_mode", "query"), "response_mode must be"},
		{"prompt", setParam("prompt", "login"), "prompt must be"},
		{"no client", setParam("client_id", ""), "unknown client_id"},
		{"unknown client", setParam("client_id", "nope"), "unknown client_id"},
		{"trailing slash", setParam("redirect_uri", "https://tool.example/launch/"),
			"is not registered"},
		{"other host", setParam("redirect_uri", "https://evil.example/launch"),
			"is not registered"},
		{"no nonce", setParam("nonce", ""), "nonce is required"},
		{"unknown hint", setParam("lti_message_hint", "forged"), "lti_message_hint is unknown"},
		{"other client's hint", func(v url.Values) {
			v.Set("client_id", "client-2")
			v.Set("redirect_uri", "https://other.example/launch")
		}, "issued to another client"},
		{"wrong user", setParam("login_hint", Bob().Sub), "login_hint does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := authParams(t, e, tool)
			tt.edit(v)
			rec := authGet(e, v)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", rec.Code)
			}
			if got := pageReason(rec.Body.Bytes()); !strings.Contains(got, tt.reason) {
				t.Errorf("reason = %q, want it to mention %q", got, tt.reason)
			}
		})
	}
}

func TestAuthAcceptsOnceAndExpires(t *testing.T) {
	clock := &fixedClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	e, _ := newTestEmulator(t, Config{Now: clock.Now})
	tool := Tool{ClientID: "client-1", RedirectURIs: []string{"https://tool.example/launch"},
		TargetLinkURI: "https://tool.example/launch"}
	e.AddTool(tool)
	tool = e.Tools()[0]

	v := authParams(t, e, tool)
	v.Del("state")
	rec := authGet(e, v)
	if rec.Code != http.StatusOK {
		t.Fatalf("first use: status %d: %s", rec.Code, rec.Body)
	}
	action, fields, err := parseFormPost(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if action != "https://tool.example/launch" || fields.Get("id_token") == "" ||
		fields.Has("state") {
		t.Errorf("form_post page: action %q fields %v", action, fields)
	}
	body := rec.Body.String()
	for _, want := range []string{`<button type="submit">`, "document.forms[0].submit()"} {
		if !strings.Contains(body, want) {
			t.Errorf("form_post page lacks %q", want)
		}
	}
	if rec := authGet(e, v); rec.Code != http.StatusBadRequest {
		t.Errorf("replayed hint: status %d, want 400", rec.Code)
	}

	v = authParams(t, e, tool)
	clock.Add(launchTTL + time.Second)
	if rec := authGet(e, v); rec.Code != http.StatusBadRequest {
		t.Errorf("expired hint: status %d, want 400", rec.Code)
	}
}

func TestAuthPost(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	e.AddTool(Tool{ClientID: "c", RedirectURIs: []string{"https://t.example/l"},
		TargetLinkURI: "https://t.example/l"})
	v := authParams(t, e, e.Tools()[0])
	r := httptest.NewRequest(http.MethodPost, "/auth", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /auth: status %d: %s", rec.Code, rec.Body)
	}
	if _, f, _ := parseFormPost(rec.Body.Bytes()); f.Get("state") != "st" {
		t.Errorf("state not echoed: %v", f)
	}
}

// setParam returns an edit that sets an authentication request parameter.
func setParam(k, v string) func(url.Values) {
	return func(p url.Values) { p.Set(k, v) }
}
