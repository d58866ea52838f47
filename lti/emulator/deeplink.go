package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Claim names of a deep linking response.
const (
	ClaimContentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
	ClaimDLData       = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
	ClaimDLMsg        = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
	ClaimDLErrorMsg   = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"
)

// deepLinkTTL is how long an instructor may spend picking content.
const deepLinkTTL = time.Hour

// deepLinkSession is a deep linking request waiting for the tool's
// response, found again by the opaque data the tool must echo.
type deepLinkSession struct {
	clientID     string
	deploymentID string
	context      Context
	expires      time.Time
}

// deepLinkSettings opens a deep linking session and returns the settings
// claim that describes it to the tool.
func (e *Emulator) deepLinkSettings(p *pendingLaunch) map[string]any {
	data := randomToken()
	e.mu.Lock()
	e.deepLinks[data] = &deepLinkSession{
		clientID:     p.tool.ClientID,
		deploymentID: p.req.DeploymentID,
		context:      p.req.Context,
		expires:      e.now().Add(deepLinkTTL),
	}
	e.mu.Unlock()
	return map[string]any{
		"deep_link_return_url":                 e.URL("/deep-link-return"),
		"accept_types":                         []string{"ltiResourceLink"},
		"accept_presentation_document_targets": []string{"iframe", "window"},
		"accept_multiple":                      true,
		"accept_lineitem":                      true,
		"auto_create":                          true,
		"title":                                "New activity",
		"text":                                 "Added to " + p.req.Context.Title,
		"data":                                 data,
	}
}

// deepLinkResult is what the return page shows.
type deepLinkResult struct {
	Links    []ResourceLink
	Msg      string
	ErrorMsg string
}

// handleDeepLinkReturn serves POST /deep-link-return, where the tool's
// LtiDeepLinkingResponse arrives in the JWT form field.
func (e *Emulator) handleDeepLinkReturn(w http.ResponseWriter, r *http.Request) {
	res, err := e.acceptDeepLinkResponse(r)
	if err != nil {
		e.log.Info("deep linking response refused", "reason", err.Error())
		e.renderError(w, http.StatusBadRequest, "Content not added", err.Error())
		return
	}
	e.renderPage(w, http.StatusOK, "deeplink.html", struct {
		deepLinkResult
		Home string
	}{res, e.URL("/")})
}

// acceptDeepLinkResponse verifies the response, closes its session and
// records the returned links in the course.
func (e *Emulator) acceptDeepLinkResponse(r *http.Request) (deepLinkResult, error) {
	if err := r.ParseForm(); err != nil {
		return deepLinkResult{}, errors.New("unreadable form")
	}
	raw := r.PostForm.Get("JWT")
	if raw == "" {
		return deepLinkResult{}, errors.New("the JWT form field is missing")
	}
	t, claims, err := e.verifyToolJWT(r.Context(), raw, e.Issuer())
	if err != nil {
		return deepLinkResult{}, err
	}
	if err := checkDeepLinkClaims(claims); err != nil {
		return deepLinkResult{}, err
	}
	links, err := contentItems(claims[ClaimContentItems], t.ClientID)
	if err != nil {
		return deepLinkResult{}, err
	}
	if err := e.closeDeepLink(claims, t); err != nil {
		return deepLinkResult{}, err
	}
	for i := range links {
		links[i].ID = randomToken()[:16]
		if links[i].LineItem != nil {
			links[i].LineItem.ID = e.nextID("lineitem")
		}
	}
	e.mu.Lock()
	e.links = append(e.links, links...)
	e.mu.Unlock()
	res := deepLinkResult{Links: links}
	res.Msg, _ = claims[ClaimDLMsg].(string)
	res.ErrorMsg, _ = claims[ClaimDLErrorMsg].(string)
	return res, nil
}

// checkDeepLinkClaims checks the message claims of a deep linking response.
func checkDeepLinkClaims(claims map[string]any) error {
	want := map[string]string{
		ClaimMessageType: "LtiDeepLinkingResponse",
		ClaimVersion:     "1.3.0",
	}
	for k, v := range want {
		if got, _ := claims[k].(string); got != v {
			return fmt.Errorf("%s must be %q", k, v)
		}
	}
	if n, _ := claims["nonce"].(string); n == "" {
		return errors.New("nonce is required")
	}
	return nil
}

// closeDeepLink checks the echoed data and deployment against the open
// session and ends that session, so a response counts only once.
func (e *Emulator) closeDeepLink(claims map[string]any, t Tool) error {
	data, _ := claims[ClaimDLData].(string)
	dep, _ := claims[ClaimDeploymentID].(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.deepLinks[data]
	switch {
	case !ok || !e.now().Before(s.expires):
		return errors.New("data does not echo an open deep linking request")
	case s.clientID != t.ClientID:
		return errors.New("data belongs to a request sent to another tool")
	case dep != s.deploymentID:
		return fmt.Errorf("deployment_id must be %q", s.deploymentID)
	}
	delete(e.deepLinks, data)
	return nil
}
