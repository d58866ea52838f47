package emulator

import (
	"fmt"
	"maps"
	"net/url"
	"time"
)

// Message types the platform sends.
const (
	MessageResourceLink = "LtiResourceLinkRequest"
	MessageDeepLinking  = "LtiDeepLinkingRequest"
)

// launchTTL is how long a started launch waits for the tool to come to
// the authorization endpoint.
const launchTTL = 10 * time.Minute

// LaunchRequest describes one launch: who opens what, and how tests want
// the message spoiled. Zero fields take the demo course's defaults.
type LaunchRequest struct {
	// ClientID picks the tool; the only registered one when empty.
	ClientID string
	// DeploymentID is the tool's own when empty; another value makes a
	// launch for a deployment the tool does not know.
	DeploymentID string
	// MessageType is LtiResourceLinkRequest (the default) or
	// LtiDeepLinkingRequest.
	MessageType string
	// User launches; Alice when Sub is empty.
	User User
	// Context is the course; the demo course when ID is empty.
	Context Context
	// ResourceLink is the activity of a resource link launch; the default
	// activity when ID is empty.
	ResourceLink ResourceLink
	// TargetLinkURI is where the tool should land; the link's or the
	// tool's URL when empty.
	TargetLinkURI string
	// Custom parameters are added to the tool's and the link's.
	Custom map[string]string
	// LoginMethod is GET (the default) or POST for the login initiation.
	LoginMethod string
	// StorageTarget, when set, is sent as lti_storage_target.
	StorageTarget string
	// Mutate may change the id_token claims before they are signed.
	Mutate func(claims map[string]any)
	// SignHeader adds or replaces JWS header fields (nil removes one).
	SignHeader map[string]any
	// Sign, when set, replaces signing entirely (alg none, HS256 and so on).
	Sign func(claims map[string]any) (string, error)
	// Follow makes Launch follow redirects after the final POST.
	Follow bool
}

// pendingLaunch is a launch the platform started and expects the tool to
// complete at the authorization endpoint.
type pendingLaunch struct {
	tool      Tool
	req       LaunchRequest
	loginHint string
	expires   time.Time
}

// prepareLaunch fills in a request's defaults and checks it.
func (e *Emulator) prepareLaunch(req LaunchRequest) (LaunchRequest, Tool, error) {
	t, err := e.tool(req.ClientID)
	if err != nil {
		return req, t, err
	}
	req.ClientID = t.ClientID
	if req.DeploymentID == "" {
		req.DeploymentID = t.DeploymentID
	}
	switch req.MessageType {
	case "":
		req.MessageType = MessageResourceLink
	case MessageResourceLink, MessageDeepLinking:
	default:
		return req, t, fmt.Errorf("%w: unknown message type %q", ErrBadRequest, req.MessageType)
	}
	if req.User.Sub == "" {
		req.User = Alice()
	}
	req.Context = req.Context.withDefaults()
	if req.MessageType == MessageResourceLink && req.ResourceLink.ID == "" {
		req.ResourceLink = DefaultResourceLink()
	}
	if req.TargetLinkURI == "" {
		req.TargetLinkURI = targetFor(t, req)
	}
	custom := maps.Clone(t.Custom)
	if m, ok := t.message(req.MessageType); ok {
		custom = merge(custom, m.Custom)
	}
	if req.MessageType == MessageResourceLink {
		custom = merge(custom, req.ResourceLink.Custom)
	}
	req.Custom = merge(custom, req.Custom)
	return req, t, nil
}

// targetFor picks the target_link_uri: the link's own, then the one the
// tool gave for the message type, then the tool's main one.
func targetFor(t Tool, req LaunchRequest) string {
	if req.MessageType == MessageResourceLink && req.ResourceLink.URL != "" {
		return req.ResourceLink.URL
	}
	if m, ok := t.message(req.MessageType); ok && m.TargetLinkURI != "" {
		return m.TargetLinkURI
	}
	return t.TargetLinkURI
}

// merge returns a copy of a with b's entries added over it.
func merge(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// startLaunch records a pending launch and returns the login initiation
// parameters the platform sends to the tool.
func (e *Emulator) startLaunch(req LaunchRequest, storageTarget string) (Tool, url.Values, error) {
	req, t, err := e.prepareLaunch(req)
	if err != nil {
		return t, nil, err
	}
	hint := randomToken()
	p := &pendingLaunch{tool: t, req: req, loginHint: req.User.Sub,
		expires: e.now().Add(launchTTL)}
	e.mu.Lock()
	e.dropExpiredLocked()
	e.launches[hint] = p
	e.mu.Unlock()

	v := url.Values{
		"iss":              {e.Issuer()},
		"login_hint":       {p.loginHint},
		"target_link_uri":  {req.TargetLinkURI},
		"lti_message_hint": {hint},
		"client_id":        {t.ClientID},
	}
	if e.cfg.ProductFamily == FamilyCanvas {
		// Canvas names the deployment without the lti_ prefix and tells
		// which of its environments sent the login.
		v.Set("deployment_id", req.DeploymentID)
		v.Set("canvas_environment", "prod")
	} else {
		v.Set("lti_deployment_id", req.DeploymentID)
	}
	if storageTarget != "" {
		v.Set("lti_storage_target", storageTarget)
	}
	return t, v, nil
}

// takeLaunch removes and returns the pending launch for a message hint.
func (e *Emulator) takeLaunch(hint string) (*pendingLaunch, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.launches[hint]
	if !ok || !e.now().Before(p.expires) {
		return nil, false
	}
	delete(e.launches, hint)
	return p, true
}

// peekLaunch returns the pending launch for a message hint, if still valid.
func (e *Emulator) peekLaunch(hint string) (*pendingLaunch, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.launches[hint]
	if !ok || !e.now().Before(p.expires) {
		return nil, false
	}
	return p, true
}

// dropExpiredLocked forgets expired launches, deep linking sessions and
// assertion ids; e.mu must be held.
func (e *Emulator) dropExpiredLocked() {
	now := e.now()
	for k, p := range e.launches {
		if !now.Before(p.expires) {
			delete(e.launches, k)
		}
	}
	for k, d := range e.deepLinks {
		if !now.Before(d.expires) {
			delete(e.deepLinks, k)
		}
	}
	for k, exp := range e.usedJTIs {
		if now.After(exp.Add(time.Minute)) {
			delete(e.usedJTIs, k)
		}
	}
}

// storageTarget is the frame name the course page handles postMessage
// storage in, or "" when it offers none.
func (e *Emulator) storageTarget() string {
	switch {
	case !e.cfg.PostMessageStorage:
		return ""
	case e.cfg.ProductFamily == FamilyCanvas:
		return canvasStorageFrame
	}
	return "_parent"
}

// canvasStorageFrame is the name of the hidden frame in which Canvas
// answers storage messages.
const canvasStorageFrame = "post_message_forwarding"
