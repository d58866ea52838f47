package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// assertion returns valid client assertion claims for the tool.
func assertion(e *Emulator, tool Tool, jti string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": tool.ClientID, "sub": tool.ClientID, "aud": e.URL("/token"),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": jti,
	}
}

// requestToken POSTs a client_credentials grant and decodes the answer.
func requestToken(t *testing.T, srvURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(srvURL+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token answer is not json: %v", err)
	}
	return resp.StatusCode, out
}

// tokenForm builds a token request around a signed assertion.
func tokenForm(jwt, scope string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {assertionType},
		"client_assertion":      {jwt},
		"scope":                 {scope},
	}
}

func TestToken(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)

	status, out := requestToken(t, srv.URL,
		tokenForm(ft.sign(assertion(e, tool, "jti-ok"), nil), ScopeScore+" "+ScopeLineItem))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, out)
	}
	if out["token_type"] != "Bearer" || out["expires_in"] != float64(3600) ||
		out["scope"] != ScopeScore || out["access_token"] == "" {
		t.Errorf("token answer = %v", out)
	}

	// The services check the token, then its scopes: this one may post
	// scores but not read line items.
	stub := e.URL("/api/lti/courses/x/line_items")
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer nope", 401}, {"Bearer " + out["access_token"].(string), 403}} {
		req, _ := http.NewRequest(http.MethodGet, stub, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("service with %q: status %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)
	used := ft.sign(assertion(e, tool, "jti-used"), nil)
	if status, out := requestToken(t, srv.URL, tokenForm(used, ScopeScore)); status != 200 {
		t.Fatalf("first use: %d %v", status, out)
	}
	hs256 := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
		"eyJpc3MiOiJ4Iiwic3ViIjoieCJ9.c2lnbmF0dXJl"

	tests := []struct {
		name   string
		form   func() url.Values
		status int
		code   string
	}{
		{"reused jti", func() url.Values { return tokenForm(used, ScopeScore) }, 401, "invalid_client"},
		{"wrong grant", func() url.Values {
			f := tokenForm(used, ScopeScore)
			f.Set("grant_type", "password")
			return f
		}, 400, "unsupported_grant_type"},
		{"wrong assertion type", func() url.Values {
			f := tokenForm(used, ScopeScore)
			f.Set("client_assertion_type", "jwt")
			return f
		}, 400, "invalid_request"},
		{"wrong aud", claimsCase(ft, e, tool, "aud", e.Issuer()), 401, "invalid_client"},
		{"wrong sub", claimsCase(ft, e, tool, "sub", "someone"), 401, "invalid_client"},
		{"unknown iss", claimsCase(ft, e, tool, "iss", "nope"), 401, "invalid_client"},
		{"expired", claimsCase(ft, e, tool, "exp", time.Now().Add(-time.Hour).Unix()),
			401, "invalid_client"},
		{"no exp", claimsCase(ft, e, tool, "exp", nil), 401, "invalid_client"},
		{"no jti", claimsCase(ft, e, tool, "jti", nil), 401, "invalid_client"},
		{"hs256", func() url.Values { return tokenForm(hs256, ScopeScore) }, 401, "invalid_client"},
		{"other key", func() url.Values {
			return tokenForm(ft.sign(assertion(e, tool, "jti-key"), testKey(t, 1)), ScopeScore)
		}, 401, "invalid_client"},
		{"unregistered scope", func() url.Values {
			return tokenForm(ft.sign(assertion(e, tool, "jti-scope"), nil), ScopeLineItem)
		}, 400, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := requestToken(t, srv.URL, tt.form())
			if status != tt.status || out["error"] != tt.code {
				t.Errorf("got %d %v, want %d %s", status, out, tt.status, tt.code)
			}
			if d, _ := out["error_description"].(string); strings.TrimSpace(d) == "" {
				t.Error("no error_description")
			}
		})
	}
}

// claimsCase makes a token request whose assertion has one claim changed
// (nil removes it).
func claimsCase(ft *fakeTool, e *Emulator, tool Tool, k string, v any) func() url.Values {
	return func() url.Values {
		c := assertion(e, tool, "jti-"+k)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return tokenForm(ft.sign(c, nil), ScopeScore)
	}
}
