// Package ags is the tool's side of LTI Assignment and Grade Services 2.0:
// it finds or creates the gradebook column (line item) for an activity,
// posts learners' scores to it and reads the results back.
//
// It speaks only the protocol. Tokens, pacing and the reading of platform
// errors come from package oauth; what to send when, and what to remember,
// is for the caller. Every failure is classified so the caller can act on it:
// ErrSuperseded, ErrNotGradable, ErrLineItemGone, ErrNoLineItemPermission,
// the oauth sentinels, or a *RetryableError; oauth.PlatformMessage gives the
// platform's own explanation for an instructor.
package ags

import (
	"slices"
	"strings"

	"aesop/lti"
	"aesop/lti/oauth"
)

// Media types of the Assignment and Grade Services.
const (
	MediaLineItem          = "application/vnd.ims.lis.v2.lineitem+json"
	MediaLineItemContainer = "application/vnd.ims.lis.v2.lineitemcontainer+json"
	MediaScore             = "application/vnd.ims.lis.v1.score+json"
	MediaResultContainer   = "application/vnd.ims.lis.v2.resultcontainer+json"
)

// scopePrefix starts every AGS scope.
const scopePrefix = "https://purl.imsglobal.org/spec/lti-ags/scope/"

// Service calls one platform's grade services as a launch offered them.
type Service struct {
	client *oauth.Client
	ep     oauth.Endpoint
	claim  lti.AGSEndpoint
	scopes []string
}

// New returns the grade services of the AGS endpoint claim a launch carried,
// on the platform ep names. Tokens are requested for the AGS scopes the
// claim granted, and no others.
func New(c *oauth.Client, ep oauth.Endpoint, claim lti.AGSEndpoint) *Service {
	var scopes []string
	for _, s := range claim.Scope {
		if strings.HasPrefix(s, scopePrefix) {
			scopes = append(scopes, s)
		}
	}
	return &Service{client: c, ep: ep, claim: claim, scopes: scopes}
}

// granted reports whether the launch granted any of the scopes.
func (s *Service) granted(scopes ...string) bool {
	for _, sc := range scopes {
		if slices.Contains(s.scopes, sc) {
			return true
		}
	}
	return false
}

// LineItemsURL returns the line item container URL the launch gave, if any.
func (s *Service) LineItemsURL() string { return s.claim.LineItems }

// LineItemURL returns the launch's own line item URL, if it gave one.
func (s *Service) LineItemURL() string { return s.claim.LineItem }

// CanManageLineItems reports whether the launch granted the scope needed to
// create and change line items; Moodle's "grade synchronization only"
// setting, for one, withholds it.
func (s *Service) CanManageLineItems() bool { return s.granted(lti.ScopeLineItem) }
