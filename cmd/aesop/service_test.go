package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/lti"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestServiceEndpoints(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	c := &http.Client{}

	if resp, body := env.get(c, "/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	if resp, _ := env.get(c, "/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz = %d", resp.StatusCode)
	}

	resp, body := env.get(c, "/.well-known/jwks.json")
	var jwks struct{ Keys []map[string]any }
	if err := json.Unmarshal([]byte(body), &jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("jwks %d: %s", resp.StatusCode, body)
	}
	k := jwks.Keys[0]
	if k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] == nil || k["d"] != nil {
		t.Errorf("jwks key = %v", k)
	}

	resp, body = env.get(c, "/lti/canvas.json")
	if resp.StatusCode != 200 || !strings.Contains(body, env.toolURL+"/lti/login") {
		t.Errorf("canvas.json %d: %s", resp.StatusCode, body)
	}

	resp, body = env.get(c, "/no/such/page")
	if resp.StatusCode != 404 || !strings.Contains(body, "<h1>Not Found</h1>") {
		t.Errorf("404 page %d: %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no request id header")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp,
		"frame-ancestors *") {
		t.Errorf("error pages cannot be framed by an unregistered LMS: %q", csp)
	}
	resp, _ = env.get(c, "/healthz")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'self' "+env.emu.Issuer()) {
		t.Errorf("CSP does not let the registered platform frame the tool: %q", csp)
	}
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP allows foreign scripts: %q", csp)
	}

	_, metrics := env.get(c, "/metrics")
	for _, want := range []string{"aesop_http_request_duration_seconds_bucket",
		`aesop_launches_total{outcome="ok",reason="",step="registration"} 1`,
		`go_sql_wait_count_total{db_name="aesop"}`, `go_sql_in_use_connections{db_name="aesop"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !regexp.MustCompile(`"request_id":"[0-9a-f]{16}"`).MatchString(env.logs.String()) {
		t.Error("log lines carry no request id")
	}

	env.app.db.Close()
	if resp, _ := env.get(c, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed = %d, want 503", resp.StatusCode)
	}
}

func TestRegistrationLinks(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	c := &http.Client{}
	cfg := url.Values{"openid_configuration": {env.emu.URL("/.well-known/openid-configuration")},
		"registration_token": {env.emu.NewRegistrationToken()}}

	// The link a test env registered with is used up.
	used, _, _ := env.app.platforms.NewRegistrationToken(ctx, time.Hour)
	if _, err := env.emu.Register(ctx, c, env.app.tool.RegistrationURL(used)); err != nil {
		t.Fatal(err)
	}
	expired, _, _ := env.app.platforms.NewRegistrationToken(ctx, -time.Minute)
	fresh, _, _ := env.app.platforms.NewRegistrationToken(ctx, time.Hour)
	cases := []struct {
		name, token string
		query       url.Values
		status      int
		want        string
	}{
		{"used", used, cfg, 403, "already been used"},
		{"expired", expired, cfg, 403, "has expired"},
		{"unknown", "made-up", cfg, 403, "not valid"},
		{"opened in a browser", fresh, nil, 400, "Paste this address into your LMS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := env.app.tool.RegistrationURL(tc.token)
			if tc.query != nil {
				u += "?" + tc.query.Encode()
			}
			resp, body := env.get(c, u)
			if resp.StatusCode != tc.status || !strings.Contains(html.UnescapeString(body), tc.want) {
				t.Errorf("status %d, want %d with %q:\n%s", resp.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	// A registration the platform refuses releases the link for a retry.
	bad := url.Values{"openid_configuration": {env.emu.URL("/.well-known/openid-configuration")},
		"registration_token": {"wrong"}}
	resp, body := env.get(c, env.app.tool.RegistrationURL(fresh)+"?"+bad.Encode())
	if resp.StatusCode != 400 || !strings.Contains(body, string(lti.ReasonRegistrationFailed)) {
		t.Errorf("refused registration: %d\n%s", resp.StatusCode, body)
	}
	if _, err := env.emu.Register(ctx, c, env.app.tool.RegistrationURL(fresh)); err != nil {
		t.Errorf("link not usable after a failed registration: %v", err)
	}
}

// doubleClick sends every launch POST twice at once, as a double click does,
// and records both answers.
type doubleClick struct {
	mu       sync.Mutex
	statuses []int
}

func (d *doubleClick) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/lti/launch") {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	answers := make([]*http.Response, 2)
	errs := make([]error, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r2 := r.Clone(r.Context())
			r2.Body = io.NopCloser(bytes.NewReader(body))
			answers[i], errs[i] = http.DefaultTransport.RoundTrip(r2)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if errs[i] != nil {
			return nil, errs[i]
		}
		d.mu.Lock()
		d.statuses = append(d.statuses, a.StatusCode)
		d.mu.Unlock()
		if i > 0 {
			a.Body.Close()
		}
	}
	return answers[0], nil
}

// TestDoubleSubmittedLaunch posts one id_token and state twice at once:
// exactly one launch succeeds, the other is told to open the activity again.
func TestDoubleSubmittedLaunch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		for range 5 {
			d := &doubleClick{}
			c := browser()
			c.Transport = d
			resp, err := env.emu.Launch(context.Background(), c, emulator.LaunchRequest{})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			slices.Sort(d.statuses)
			if !slices.Equal(d.statuses, []int{303, 401}) {
				t.Fatalf("statuses of a double-submitted launch = %v, want one 303 and one 401",
					d.statuses)
			}
		}
	})
}
