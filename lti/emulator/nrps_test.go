package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestMemberships(t *testing.T) {
	st := newServiceTester(t, Config{})
	tok := st.token(ScopeMemberships)
	roster := st.e.courseServiceURL(DefaultContext(), "/names_and_roles")
	tests := []struct {
		name  string
		query string
		want  int
		next  bool
	}{
		{"first page", "", 3, true},
		{"last page", "?page=3", 3, false},
		{"past the end", "?page=9", 0, false},
		{"learners", "?role=Learner&limit=10", 7, false},
		{"instructors", "?role=" + url.QueryEscape(RoleInstructor), 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.call(http.MethodGet, roster+tt.query, tok, "", nil)
			var got struct {
				Context map[string]string `json:"context"`
				Members []memberJSON      `json:"members"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			if resp.Header.Get("Content-Type") != MediaMembershipContainer ||
				got.Context["title"] != DefaultContext().Title || got.Members == nil {
				t.Errorf("container: %s", body)
			}
			if len(got.Members) != tt.want || (resp.Header.Get("Link") != "") != tt.next {
				t.Errorf("got %d members, Link %q; want %d, next %v", len(got.Members),
					resp.Header.Get("Link"), tt.want, tt.next)
			}
		})
	}
	resp, _ := st.call(http.MethodGet, roster, st.token(ScopeScore), "", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("score token: %d, want 403", resp.StatusCode)
	}
}

func TestRoster(t *testing.T) {
	learners := 0
	for _, u := range Roster() {
		if gradable(u.Sub) {
			learners++
		}
		if u.Email == "" || !strings.Contains(u.Name, u.GivenName) {
			t.Errorf("incomplete user %+v", u)
		}
	}
	if learners != 7 || gradable(TA().Sub) || gradable("nobody") {
		t.Errorf("%d gradable learners, want 7 (and no TA or stranger)", learners)
	}
}
