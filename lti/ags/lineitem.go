package ags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"aesop/lti"
	"aesop/lti/oauth"
)

// LineItem is a gradebook column. ID is its URL, set by the platform.
// Dates are ISO 8601 strings as the platform sent them.
type LineItem struct {
	ID             string  `json:"id,omitempty"`
	Label          string  `json:"label"`
	ScoreMaximum   float64 `json:"scoreMaximum"`
	ResourceID     string  `json:"resourceId,omitempty"`
	ResourceLinkID string  `json:"resourceLinkId,omitempty"`
	Tag            string  `json:"tag,omitempty"`
	StartDateTime  string  `json:"startDateTime,omitempty"`
	EndDateTime    string  `json:"endDateTime,omitempty"`
	GradesReleased *bool   `json:"gradesReleased,omitempty"`
}

// Filter picks line items by the tool's own marks; empty fields match all.
type Filter struct {
	ResourceID     string
	ResourceLinkID string
	Tag            string
}

// query returns the filter as the container's query parameters.
func (f Filter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"resource_id": f.ResourceID,
		"resource_link_id": f.ResourceLinkID, "tag": f.Tag} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// match checks an item against the filter, for platforms that ignore the
// query parameters.
func (f Filter) match(li LineItem) bool {
	return (f.ResourceID == "" || f.ResourceID == li.ResourceID) &&
		(f.ResourceLinkID == "" || f.ResourceLinkID == li.ResourceLinkID) &&
		(f.Tag == "" || f.Tag == li.Tag)
}

// LineItems lists the tool's line items in the container the launch gave,
// all pages of them, keeping those that match the filter.
func (s *Service) LineItems(ctx context.Context, f Filter) ([]LineItem, error) {
	const opName = "list line items"
	if s.claim.LineItems == "" {
		return nil, fmt.Errorf("%s: %w: the launch gave no line items URL", opName, ErrNotGranted)
	}
	if !s.granted(lti.ScopeLineItem, lti.ScopeLineItemReadOnly) {
		return nil, fmt.Errorf("%s: %w: no lineitem scope", opName, ErrNotGranted)
	}
	u, err := withQuery(s.claim.LineItems, f.query())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opName, err)
	}
	var out []LineItem
	req := oauth.Request{Op: opName, URL: u, Accept: MediaLineItemContainer, Scopes: s.scopes}
	for resp, err := range s.client.Pages(ctx, s.ep, req) {
		if err != nil {
			return nil, classify(opList, err)
		}
		var page []LineItem
		if err := decode(opName, resp.Body, &page); err != nil {
			return nil, err
		}
		for _, li := range page {
			if f.match(li) {
				out = append(out, li)
			}
		}
	}
	return out, nil
}

// FindLineItem returns the first line item that matches a non-empty
// filter, or ErrNoLineItem.
func (s *Service) FindLineItem(ctx context.Context, f Filter) (LineItem, error) {
	if f == (Filter{}) {
		return LineItem{}, fmt.Errorf("find line item: %w: empty filter", ErrInvalid)
	}
	items, err := s.LineItems(ctx, f)
	if err != nil {
		return LineItem{}, err
	}
	if len(items) == 0 {
		return LineItem{}, ErrNoLineItem
	}
	return items[0], nil
}

// CreateLineItem adds a line item to the container the launch gave and
// returns it as the platform stored it, with its ID.
func (s *Service) CreateLineItem(ctx context.Context, li LineItem) (LineItem, error) {
	const opName = "create line item"
	if !s.granted(lti.ScopeLineItem) {
		return LineItem{}, fmt.Errorf("%s: %w: the launch granted no lineitem scope",
			opName, ErrNoLineItemPermission)
	}
	if s.claim.LineItems == "" {
		return LineItem{}, fmt.Errorf("%s: %w: the launch gave no line items URL",
			opName, ErrNotGranted)
	}
	li.ID = ""
	return s.sendLineItem(ctx, opName, opCreate, http.MethodPost, s.claim.LineItems, li)
}

// FindOrCreateLineItem returns the line item with want's resource id, tag
// and resource link id, creating it from want when there is none yet.
// created says which happened. Two callers racing may both create one; the
// caller must serialize calls for the same activity.
func (s *Service) FindOrCreateLineItem(ctx context.Context,
	want LineItem) (li LineItem, created bool, err error) {
	li, err = s.FindLineItem(ctx, Filter{ResourceID: want.ResourceID,
		ResourceLinkID: want.ResourceLinkID, Tag: want.Tag})
	if !errors.Is(err, ErrNoLineItem) {
		return li, false, err
	}
	li, err = s.CreateLineItem(ctx, want)
	return li, err == nil, err
}

// LineItem reads one line item.
func (s *Service) LineItem(ctx context.Context, lineItemURL string) (LineItem, error) {
	const opName = "get line item"
	if !s.granted(lti.ScopeLineItem, lti.ScopeLineItemReadOnly) {
		return LineItem{}, fmt.Errorf("%s: %w: no lineitem scope", opName, ErrNotGranted)
	}
	if _, err := serviceBase(lineItemURL); err != nil {
		return LineItem{}, fmt.Errorf("%s: %w", opName, err)
	}
	resp, err := s.client.Do(ctx, s.ep, oauth.Request{Op: opName, Method: http.MethodGet,
		URL: lineItemURL, Accept: MediaLineItem, Scopes: s.scopes})
	if err != nil {
		return LineItem{}, classify(opItem, err)
	}
	var li LineItem
	if err := decode(opName, resp.Body, &li); err != nil {
		return LineItem{}, err
	}
	if li.ID == "" {
		li.ID = lineItemURL
	}
	return li, nil
}

// UpdateLineItem replaces the line item at li.ID with li, for example when
// the activity's points change.
func (s *Service) UpdateLineItem(ctx context.Context, li LineItem) (LineItem, error) {
	const opName = "update line item"
	if !s.granted(lti.ScopeLineItem) {
		return LineItem{}, fmt.Errorf("%s: %w: the launch granted no lineitem scope",
			opName, ErrNoLineItemPermission)
	}
	return s.sendLineItem(ctx, opName, opUpdate, http.MethodPut, li.ID, li)
}

// sendLineItem POSTs or PUTs a line item and reads the platform's copy.
func (s *Service) sendLineItem(ctx context.Context, opName string, o op, method, u string,
	li LineItem) (LineItem, error) {
	if li.Label == "" || li.ScoreMaximum <= 0 {
		return LineItem{}, fmt.Errorf("%s: %w: a line item needs a label and a maximum above 0",
			opName, ErrInvalid)
	}
	if _, err := serviceBase(u); err != nil {
		return LineItem{}, fmt.Errorf("%s: %w", opName, err)
	}
	body, err := json.Marshal(li)
	if err != nil {
		return LineItem{}, fmt.Errorf("%s: encode: %w", opName, err)
	}
	resp, err := s.client.Do(ctx, s.ep, oauth.Request{Op: opName, Method: method, URL: u,
		Accept: MediaLineItem, ContentType: MediaLineItem, Body: body, Scopes: s.scopes})
	if err != nil {
		return LineItem{}, classify(o, err)
	}
	var out LineItem
	if err := decode(opName, resp.Body, &out); err != nil {
		return LineItem{}, err
	}
	if out.ID == "" && method == http.MethodPut {
		out.ID = u
	}
	if out.ID == "" {
		return LineItem{}, fmt.Errorf("%s: %w: the line item has no id",
			opName, oauth.ErrBadResponse)
	}
	return out, nil
}

// decode reads a JSON answer.
func decode(opName string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %w: %v", opName, oauth.ErrBadResponse, err)
	}
	return nil
}
