package main

import (
	"net/http"
	"strings"
	"testing"

	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// TestLaunchEndToEnd drives the whole OIDC flow over HTTP with real signed
// JWTs: Dynamic Registration, login initiation, the emulator's authorization
// endpoint, the launch, and the first page of the session.
func TestLaunchEndToEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		for _, method := range []string{"GET", "POST"} {
			t.Run("login by "+method, func(t *testing.T) {
				c := browser()
				resp, body := env.launchWith(c, emulator.LaunchRequest{LoginMethod: method})
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("launch status %d, want 303; body:\n%s", resp.StatusCode, body)
				}
				loc := resp.Header.Get("Location")
				if !strings.HasPrefix(loc, "/s/") {
					t.Fatalf("launch redirects to %q, want a session page", loc)
				}
				page, body := env.get(c, loc)
				if page.StatusCode != http.StatusOK || !strings.Contains(body, "Alice Nguyen") {
					t.Fatalf("first page %d:\n%s", page.StatusCode, body)
				}
				// The session holds without cookies: a browser with none follows
				// the same link.
				if page, _ := env.get(&http.Client{}, loc); page.StatusCode != http.StatusOK {
					t.Errorf("session page without cookies: %d", page.StatusCode)
				}
			})
		}
	})
}
