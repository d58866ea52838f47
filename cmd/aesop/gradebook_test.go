package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

// TestGradebook: after learners take the deep-linked test, the instructor's
// gradebook lists them with their grades and sync state, exports CSV and can
// sync again; a learner cannot reach it.
func TestGradebook(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	p := pack(t)
	testAct, _ := p.Activity("m3-test")
	link := emulator.ResourceLink{ID: "test-link", Title: "Module test",
		Custom: map[string]string{"activity": "m3-test", "graded": "true"}}
	for i, u := range []emulator.User{emulator.Alice(), emulator.Bob()} {
		c := browser()
		resp, _ := env.openAs(c, u, link, "")
		base := sessionBase(t, resp.Request.URL.String())
		body := env.takeTest(c, base, testAct.Quiz, i == 0)
		if !strings.Contains(body, "Submitted") {
			t.Fatalf("%s could not take the test", u.Name)
		}
	}
	prof := browser()
	resp, _ := env.openAs(prof, emulator.Instructor(), link, "")
	base := sessionBase(t, resp.Request.URL.String())
	resp, body := env.get(prof, base+"/gradebook")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gradebook: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"Alice Nguyen", "Bob", "15 / 15", "0 / 15", "<svg",
		"Discrimination", "Pending"} {
		if !strings.Contains(body, want) {
			t.Errorf("gradebook lacks %q", want)
		}
	}
	resp, course := env.get(prof, base+"/course-gradebook")
	if resp.StatusCode != 200 || !strings.Contains(course, "Module test") ||
		!strings.Contains(course, "Alice Nguyen") {
		t.Errorf("course gradebook %d:\n%s", resp.StatusCode, course)
	}
	resp, csv := env.get(prof, base+"/gradebook.csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "name,email,lti_user_id") ||
		!strings.Contains(csv, "Alice Nguyen") {
		t.Errorf("csv %d:\n%s", resp.StatusCode, csv)
	}
	resp, _ = env.post(prof, forms(t, body, "/gradebook/sync")[0], url.Values{})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("sync all: %d", resp.StatusCode)
	}

	alice := browser()
	resp, _ = env.openAs(alice, emulator.Alice(), link, "")
	aliceBase := sessionBase(t, resp.Request.URL.String())
	if resp, _ := env.get(alice, aliceBase+"/gradebook"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("learner reached the gradebook: %d", resp.StatusCode)
	}
}
