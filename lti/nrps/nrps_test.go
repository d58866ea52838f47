package nrps_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"aesop/lti"
	"aesop/lti/emulator"
	"aesop/lti/nrps"
	"aesop/lti/oauth"
	"aesop/lti/oauth/oauthtest"
)

// setup serves an emulator of a family and returns its roster service for
// the demo course.
func setup(t *testing.T, family string) (*oauthtest.LMS, *nrps.Service) {
	return setupWrapped(t, family, nil)
}

// setupWrapped is setup with the emulator's handler wrapped.
func setupWrapped(t *testing.T, family string,
	wrap func(http.Handler) http.Handler) (*oauthtest.LMS, *nrps.Service) {
	t.Helper()
	lms := oauthtest.NewLMS(t, emulator.Config{ProductFamily: family}, wrap,
		lti.ScopeContextMembership, lti.ScopeScore)
	claim := lti.NRPSEndpoint{ContextMembershipsURL: lms.URL("/api/lti/courses/" +
		emulator.DefaultContext().ID + "/names_and_roles"), ServiceVersions: []string{"2.0"}}
	return lms, nrps.New(lms.Client, lms.Endpoint, claim)
}

func TestMembers(t *testing.T) {
	tests := []struct {
		name   string
		family string
		query  nrps.Query
		want   int
		pages  int
	}{
		{"everyone in pages", emulator.FamilyCanvas, nrps.Query{}, 9, 3},
		{"moodle links", emulator.FamilyMoodle, nrps.Query{}, 9, 3},
		{"learners", emulator.FamilyEmulator, nrps.Query{Role: "Learner"}, 7, 3},
		{"bigger pages", emulator.FamilyEmulator, nrps.Query{Limit: 4}, 9, 3},
		{"one page", emulator.FamilyEmulator, nrps.Query{Limit: 50}, 9, 1},
		{"instructors by URI", emulator.FamilyEmulator,
			nrps.Query{Role: emulator.RoleInstructor}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lms, svc := setup(t, tt.family)
			got, err := svc.Members(t.Context(), tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || len(lms.ServiceRequests()) != tt.pages {
				t.Errorf("%d members in %v; want %d in %d pages", len(got),
					lms.ServiceRequests(), tt.want, tt.pages)
			}
			seen := map[string]bool{}
			for _, m := range got {
				if seen[m.UserID] || m.Status != nrps.StatusActive || len(m.Roles) == 0 {
					t.Errorf("member %+v repeated or incomplete", m)
				}
				seen[m.UserID] = true
			}
		})
	}
}

func TestMemberFields(t *testing.T) {
	var mu sync.Mutex
	var scopes []string
	_, svc := setupWrapped(t, emulator.FamilyEmulator, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				mu.Lock()
				scopes = append(scopes, r.FormValue("scope"))
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	})
	got, err := svc.Members(t.Context(), nrps.Query{})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(scopes, []string{lti.ScopeContextMembership}) {
		t.Errorf("token requests for %q, want one for the roster scope only", scopes)
	}
	alice := emulator.Alice()
	i := slices.IndexFunc(got, func(m nrps.Member) bool { return m.UserID == alice.Sub })
	want := nrps.Member{UserID: alice.Sub, Status: "Active", Name: alice.Name,
		GivenName: alice.GivenName, FamilyName: alice.FamilyName, Email: alice.Email,
		Roles: alice.Roles}
	if i < 0 || !equalMembers(got[i], want) {
		t.Errorf("Alice = %+v, want %+v", got, want)
	}
}

// equalMembers compares two members field by field.
func equalMembers(a, b nrps.Member) bool {
	return slices.Equal(a.Roles, b.Roles) && strings.Join([]string{a.UserID, a.Status, a.Name,
		a.GivenName, a.FamilyName, a.Email}, "|") == strings.Join([]string{b.UserID, b.Status,
		b.Name, b.GivenName, b.FamilyName, b.Email}, "|")
}

func TestMembersFailures(t *testing.T) {
	lms, svc := setup(t, emulator.FamilyEmulator)
	lms.FailNext(1, emulator.Fault{Status: http.StatusServiceUnavailable})
	var re *oauth.RetryableError
	if _, err := svc.Members(t.Context(), nrps.Query{}); !errors.As(err, &re) {
		t.Errorf("unavailable: %v, want a RetryableError", err)
	}
	empty := nrps.New(lms.Client, lms.Endpoint, lti.NRPSEndpoint{})
	if _, err := empty.Members(t.Context(), nrps.Query{}); !errors.Is(err, nrps.ErrNotGranted) {
		t.Errorf("no URL: %v, want ErrNotGranted", err)
	}
}
