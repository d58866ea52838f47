package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// serviceTester calls the emulator's services as a tool granted every
// service scope.
type serviceTester struct {
	t    *testing.T
	e    *Emulator
	ft   *fakeTool
	tool Tool
}

// newServiceTester registers a fake tool with every service scope.
func newServiceTester(t *testing.T, cfg Config) *serviceTester {
	t.Helper()
	e, _ := newTestEmulator(t, cfg)
	ft, tool := registerFakeTool(t, e)
	tool.Scopes = slices.Clone(serviceScopes)
	e.AddTool(tool)
	return &serviceTester{t: t, e: e, ft: ft, tool: tool}
}

// token gets an access token for the scopes from the token endpoint.
func (st *serviceTester) token(scopes ...string) string {
	st.t.Helper()
	jti := "svc-" + randomToken()
	status, out := requestToken(st.t, st.e.Issuer(),
		tokenForm(st.ft.sign(assertion(st.e, st.tool, jti), nil), strings.Join(scopes, " ")))
	if status != http.StatusOK {
		st.t.Fatalf("token: %d %v", status, out)
	}
	return out["access_token"].(string)
}

// call sends a service request; a non-nil body is sent as JSON of ctype.
func (st *serviceTester) call(method, url, tok, ctype string, body any) (*http.Response, string) {
	st.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		st.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	return resp, readAll(st.t, resp)
}

// items returns the demo course's line item container URL.
func (st *serviceTester) items() string {
	return st.e.courseServiceURL(DefaultContext(), "/line_items")
}

// create makes a line item and returns its URL.
func (st *serviceTester) create(tok string, item map[string]any) string {
	st.t.Helper()
	resp, body := st.call(http.MethodPost, st.items(), tok, MediaLineItem, item)
	if resp.StatusCode != http.StatusCreated {
		st.t.Fatalf("create line item: %d %s", resp.StatusCode, body)
	}
	var out map[string]any
	_ = json.Unmarshal([]byte(body), &out)
	return out["id"].(string)
}

func TestServiceFaults(t *testing.T) {
	st := newServiceTester(t, Config{})
	tok := st.token(ScopeLineItem)
	st.e.FailNext(1, Fault{Status: http.StatusServiceUnavailable,
		RetryAfter: 1500 * time.Millisecond, Message: "down for maintenance"})
	st.e.InjectFaults(func(r *http.Request) (Fault, bool) {
		return Fault{Status: http.StatusTooManyRequests}, r.URL.Query().Get("tag") == "busy"
	})

	tests := []struct {
		name, url  string
		status     int
		retryAfter string
		body       string
	}{
		{"fail next", st.items(), 503, "2", "down for maintenance"},
		{"served again", st.items(), 200, "", "[]"},
		{"injected", st.items() + "?tag=busy", 429, "", "Too Many Requests"},
		{"not injected", st.items() + "?tag=calm", 200, "", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.call(http.MethodGet, tt.url, tok, "", nil)
			if resp.StatusCode != tt.status || resp.Header.Get("Retry-After") != tt.retryAfter ||
				!strings.Contains(body, tt.body) {
				t.Errorf("got %d (Retry-After %q) %s, want %d (%q) with %q", resp.StatusCode,
					resp.Header.Get("Retry-After"), body, tt.status, tt.retryAfter, tt.body)
			}
		})
	}
	want := []string{"GET /api/lti/courses/" + DefaultContext().ID + "/line_items?tag=calm"}
	if got := st.e.ServiceRequests(); !slices.Equal(got[len(got)-1:], want) {
		t.Errorf("last request %v, want %v", got[len(got)-1:], want)
	}
}

func TestServiceFaultDelay(t *testing.T) {
	st := newServiceTester(t, Config{})
	tok := st.token(ScopeLineItem)
	st.e.FailNext(1, Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	resp, _ := st.call(http.MethodGet, st.items(), tok, "", nil)
	if resp.StatusCode != http.StatusOK || time.Since(start) < 50*time.Millisecond {
		t.Errorf("status %d after %s, want 200 after the delay",
			resp.StatusCode, time.Since(start))
	}
}

func TestServiceAuth(t *testing.T) {
	tests := []struct {
		family string
		scope  string
		status int
		body   string
	}{
		{FamilyEmulator, ScopeScore, 403, "insufficient_scope"},
		{FamilyCanvas, ScopeScore, 401, `"message":"Insufficient permissions"`},
		{FamilyMoodle, ScopeScore, 401, `"reason":"Insufficient permissions"`},
		{FamilyEmulator, ScopeLineItemReadOnly, 200, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.family+" "+tt.scope[strings.LastIndex(tt.scope, "/")+1:], func(t *testing.T) {
			st := newServiceTester(t, Config{ProductFamily: tt.family})
			resp, body := st.call(http.MethodGet, st.items(), st.token(tt.scope), "", nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) {
				t.Errorf("got %d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.body)
			}
		})
	}

	st := newServiceTester(t, Config{})
	tok := st.token(ScopeLineItem)
	st.e.ExpireAccessTokens()
	if resp, _ := st.call(http.MethodGet, st.items(), tok, "", nil); resp.StatusCode != 401 ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("expired token: status %d, want 401 invalid_token", resp.StatusCode)
	}
}
