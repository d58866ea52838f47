// Package nrps is the tool's side of LTI Names and Role Provisioning
// Services 2.0: it reads a course's roster, page by page, with a token from
// package oauth.
package nrps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"aesop/lti"
	"aesop/lti/oauth"
)

// MediaMembershipContainer is the media type of a roster page.
const MediaMembershipContainer = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

// Membership statuses. A member without a status is Active.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
	StatusDeleted  = "Deleted"
)

// ErrNotGranted means the launch offered no roster service, so no call was
// made.
var ErrNotGranted = errors.New("the platform did not grant the roster service")

// Member is one person enrolled in the context. UserID is the sub of that
// person's launches. Names and email are present only when the platform
// shares them.
type Member struct {
	UserID             string   `json:"user_id"`
	Status             string   `json:"status,omitempty"`
	Name               string   `json:"name,omitempty"`
	GivenName          string   `json:"given_name,omitempty"`
	FamilyName         string   `json:"family_name,omitempty"`
	MiddleName         string   `json:"middle_name,omitempty"`
	Email              string   `json:"email,omitempty"`
	Picture            string   `json:"picture,omitempty"`
	LISPersonSourcedID string   `json:"lis_person_sourcedid,omitempty"`
	Roles              []string `json:"roles"`
}

// container is one roster page.
type container struct {
	ID      string   `json:"id"`
	Members []Member `json:"members"`
}

// Query narrows the roster; zero fields ask for everyone.
type Query struct {
	// Role keeps the members with this role, a full URI or a short name
	// such as "Learner".
	Role string
	// Limit asks the platform for pages of at most this many members.
	Limit int
}

// Service reads one context's roster as a launch offered it.
type Service struct {
	client *oauth.Client
	ep     oauth.Endpoint
	claim  lti.NRPSEndpoint
}

// New returns the roster service of the NRPS claim a launch carried, on the
// platform ep names.
func New(c *oauth.Client, ep oauth.Endpoint, claim lti.NRPSEndpoint) *Service {
	return &Service{client: c, ep: ep, claim: claim}
}

// Members reads the whole roster, following the platform's next links.
// Members without a status get StatusActive.
func (s *Service) Members(ctx context.Context, q Query) ([]Member, error) {
	const op = "read roster"
	if s.claim.ContextMembershipsURL == "" {
		return nil, fmt.Errorf("%s: %w", op, ErrNotGranted)
	}
	u, err := rosterURL(s.claim.ContextMembershipsURL, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req := oauth.Request{Op: op, URL: u, Accept: MediaMembershipContainer,
		Scopes: []string{lti.ScopeContextMembership}}
	var out []Member
	for resp, err := range s.client.Pages(ctx, s.ep, req) {
		if err != nil {
			return nil, err
		}
		var page container
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return nil, fmt.Errorf("%s: %w: %v", op, oauth.ErrBadResponse, err)
		}
		for _, m := range page.Members {
			if m.Status == "" {
				m.Status = StatusActive
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// rosterURL adds the query's parameters to the memberships URL.
func rosterURL(raw string, q Query) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("memberships URL %q is not an absolute http(s) URL", raw)
	}
	v := u.Query()
	if q.Role != "" {
		v.Set("role", q.Role)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	u.RawQuery = v.Encode()
	return u.String(), nil
}
