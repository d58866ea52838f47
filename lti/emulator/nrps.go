package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// MediaMembershipContainer is the media type of an NRPS roster page.
const MediaMembershipContainer = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

// ExtraLearners returns learners enrolled in the demo course who never
// launch the tool; they appear only in the roster.
func ExtraLearners() []User {
	learner := func(sub, given, family string) User {
		return User{Sub: sub, Name: given + " " + family, GivenName: given, FamilyName: family,
			Email: strings.ToLower(given+"."+family) + "@students.example.edu",
			Roles: LearnerRoles(), Label: given + " (learner)"}
	}
	return []User{
		learner("0a6d2c4e-8f13-4b57-9c2e-5d7f1a3b8c05", "Chloe", "Martin"),
		learner("1b7e3d5f-9a24-4c68-8d3f-6e8a2b4c9d06", "Dmitri", "Volkov"),
		learner("2c8f4e6a-0b35-4d79-9e4a-7f9b3c5d0e07", "Emeka", "Obi"),
		learner("3d9a5f7b-1c46-4e8a-8f5b-8a0c4d6e1f08", "Farah", "Haddad"),
		learner("4e0b6a8c-2d57-4f9b-9a6c-9b1d5e7f2a09", "Grace", "Kim"),
	}
}

// Roster returns everyone enrolled in the demo course: the demo users and
// the extra learners, seven learners in all.
func Roster() []User {
	return append(DemoUsers(), ExtraLearners()...)
}

// gradable reports whether a user id names a learner of the course, the
// only people a gradebook holds grades for.
func gradable(sub string) bool {
	i := slices.IndexFunc(Roster(), func(u User) bool { return u.Sub == sub })
	return i >= 0 && slices.Contains(Roster()[i].Roles, RoleLearner)
}

// memberJSON is one member of an NRPS roster.
type memberJSON struct {
	Status     string   `json:"status"`
	Name       string   `json:"name,omitempty"`
	GivenName  string   `json:"given_name,omitempty"`
	FamilyName string   `json:"family_name,omitempty"`
	Email      string   `json:"email,omitempty"`
	UserID     string   `json:"user_id"`
	Roles      []string `json:"roles"`
}

// handleMemberships serves the course's roster (NRPS context memberships)
// in pages, optionally only the members with a role.
func (e *Emulator) handleMemberships(w http.ResponseWriter, r *http.Request) {
	if _, ok := e.serviceClient(w, r, ScopeMemberships); !ok {
		return
	}
	members := []memberJSON{}
	role := r.URL.Query().Get("role")
	for _, u := range Roster() {
		if role != "" && !hasRole(u.Roles, role) {
			continue
		}
		members = append(members, memberJSON{Status: "Active", Name: u.Name,
			GivenName: u.GivenName, FamilyName: u.FamilyName, Email: u.Email,
			UserID: u.Sub, Roles: u.Roles})
	}
	start, limit, page := pageBounds(r, servicePageSize)
	if start+limit < len(members) {
		e.setNextLink(w, r, page)
	}
	ctx := Context{ID: r.PathValue("course")}
	if ctx.ID == DefaultContext().ID {
		ctx = DefaultContext()
	}
	writeMedia(w, http.StatusOK, MediaMembershipContainer, map[string]any{
		"id": e.URL(r.URL.RequestURI()),
		"context": map[string]string{"id": ctx.ID, "label": ctx.Label,
			"title": ctx.Title},
		"members": members[min(start, len(members)):min(start+limit, len(members))],
	})
}

// hasRole matches a role filter, given as a full URI or as its short name
// such as "Learner", against a member's roles.
func hasRole(roles []string, want string) bool {
	for _, r := range roles {
		if r == want || strings.HasSuffix(r, "#"+want) {
			return true
		}
	}
	return false
}
