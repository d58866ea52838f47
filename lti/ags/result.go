package ags

import (
	"context"
	"fmt"
	"net/url"

	"aesop/lti"
	"aesop/lti/oauth"
)

// Result is the gradebook's current grade for one user on a line item: the
// tool's last score, or what an instructor entered in the LMS since.
// ResultScore is nil when there is no grade yet.
type Result struct {
	ID            string   `json:"id"`
	ScoreOf       string   `json:"scoreOf"`
	UserID        string   `json:"userId"`
	ResultScore   *float64 `json:"resultScore,omitempty"`
	ResultMaximum *float64 `json:"resultMaximum,omitempty"`
	Comment       string   `json:"comment,omitempty"`
	ScoringUserID string   `json:"scoringUserId,omitempty"`
}

// Results reads a line item's results, all pages of them; a non-empty
// userID asks for that user's only.
func (s *Service) Results(ctx context.Context, lineItemURL, userID string) ([]Result, error) {
	const opName = "get results"
	if !s.granted(lti.ScopeResultReadOnly) {
		return nil, fmt.Errorf("%s: %w: no result.readonly scope", opName, ErrNotGranted)
	}
	u, err := ServiceURL(lineItemURL, "results")
	if err == nil && userID != "" {
		u, err = withQuery(u, url.Values{"user_id": {userID}})
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opName, err)
	}
	var out []Result
	req := oauth.Request{Op: opName, URL: u, Accept: MediaResultContainer, Scopes: s.scopes}
	for resp, err := range s.client.Pages(ctx, s.ep, req) {
		if err != nil {
			return nil, classify(opResults, err)
		}
		var page []Result
		if err := decode(opName, resp.Body, &page); err != nil {
			return nil, err
		}
		for _, r := range page {
			if userID == "" || r.UserID == userID {
				out = append(out, r)
			}
		}
	}
	return out, nil
}
