// Package deeplink builds the tool's answer to an LTI Deep Linking 2.0
// request: a JWT signed with the tool's key that carries the chosen content
// items back to the platform and echoes the request's data.
package deeplink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"aesop/lti"
)

// TypeResourceLink is the only content item type the tool returns.
const TypeResourceLink = "ltiResourceLink"

// responseTTL is how long the platform may take to accept the response.
const responseTTL = 5 * time.Minute

// ErrNotAccepted reports a request whose platform does not accept resource
// links, the only kind of item the tool offers.
var ErrNotAccepted = errors.New("the LMS does not accept LTI resource links here")

// ErrOneItem reports several items chosen where the platform accepts one.
var ErrOneItem = errors.New("the LMS accepts one activity at a time here")

// Signer signs a JWT with the tool's active key.
type Signer interface {
	Sign(ctx context.Context, tok jwt.Token) (string, error)
}

// Item is one ltiResourceLink content item.
type Item struct {
	Title  string
	Text   string
	URL    string
	Custom map[string]string
	// LineItem asks the platform to make a gradebook column; nil for
	// ungraded items, so that no unwanted column appears.
	LineItem *LineItem
}

// LineItem is the gradebook column a graded item asks for.
type LineItem struct {
	ScoreMaximum float64
	Label        string
	ResourceID   string
	Tag          string
}

// Response is what the tool sends back.
type Response struct {
	// ClientID is the tool's client_id on the platform (the JWT's iss).
	ClientID string
	// Issuer is the platform's issuer (the JWT's aud).
	Issuer       string
	DeploymentID string
	Settings     *lti.DeepLinking
	Items        []Item
	// Msg is shown to the instructor by the platform when set.
	Msg string
}

// Check reports whether the settings allow the items.
func (r *Response) Check() error {
	if !slices.Contains(r.Settings.AcceptTypes, TypeResourceLink) {
		return ErrNotAccepted
	}
	if len(r.Items) > 1 && r.Settings.AcceptMultiple != nil && !*r.Settings.AcceptMultiple {
		return ErrOneItem
	}
	return nil
}

// Sign returns the signed response JWT, to be posted to the settings' return
// URL as the form field "JWT".
func (r *Response) Sign(ctx context.Context, s Signer) (string, error) {
	if err := r.Check(); err != nil {
		return "", err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("make nonce: %w", err)
	}
	now := time.Now()
	tok := jwt.New()
	claims := map[string]any{
		jwt.IssuerKey:          r.ClientID,
		jwt.AudienceKey:        []string{r.Issuer},
		jwt.IssuedAtKey:        now,
		jwt.ExpirationKey:      now.Add(responseTTL),
		"nonce":                base64.RawURLEncoding.EncodeToString(nonce),
		lti.ClaimMessageType:   lti.MessageDeepLinkResponse,
		lti.ClaimVersion:       lti.Version,
		lti.ClaimDeploymentID:  r.DeploymentID,
		lti.ClaimDeepLinkItems: r.items(),
	}
	if r.Settings.Data != "" {
		claims[lti.ClaimDeepLinkData] = r.Settings.Data
	}
	if r.Msg != "" {
		claims[lti.ClaimDeepLinkMsg] = r.Msg
	}
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			return "", fmt.Errorf("set claim %s: %w", k, err)
		}
	}
	return s.Sign(ctx, tok)
}

// items renders the content items, leaving out line items when the platform
// does not accept them.
func (r *Response) items() []map[string]any {
	acceptLineItem := r.Settings.AcceptLineItem == nil || *r.Settings.AcceptLineItem
	out := make([]map[string]any, 0, len(r.Items))
	for _, it := range r.Items {
		m := map[string]any{"type": TypeResourceLink, "title": it.Title, "url": it.URL}
		if it.Text != "" {
			m["text"] = it.Text
		}
		if len(it.Custom) > 0 {
			m["custom"] = it.Custom
		}
		if it.LineItem != nil && acceptLineItem {
			li := map[string]any{"scoreMaximum": it.LineItem.ScoreMaximum}
			if it.LineItem.Label != "" {
				li["label"] = it.LineItem.Label
			}
			if it.LineItem.ResourceID != "" {
				li["resourceId"] = it.LineItem.ResourceID
			}
			if it.LineItem.Tag != "" {
				li["tag"] = it.LineItem.Tag
			}
			m["lineItem"] = li
		}
		out = append(out, m)
	}
	return out
}
