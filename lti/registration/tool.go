package registration

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// Paths of Aesop's LTI endpoints, relative to the public base URL. They are
// fixed so that every generated configuration names the same addresses.
const (
	loginPath      = "/lti/login"
	launchPath     = "/lti/launch"
	jwksPath       = "/.well-known/jwks.json"
	registerPath   = "/lti/register/"
	canvasJSONPath = "/lti/canvas.json"
)

// Scope prefixes of LTI Assignment and Grade Services and of Names and
// Role Provisioning Services.
const (
	agsScope  = "https://purl.imsglobal.org/spec/lti-ags/scope/"
	nrpsScope = "https://purl.imsglobal.org/spec/lti-nrps/scope/"
)

// LTI Advantage scopes Aesop asks for: grade passback with its own columns
// (AGS) and the class roster (NRPS).
const (
	ScopeLineItem         = agsScope + "lineitem"
	ScopeLineItemReadOnly = agsScope + "lineitem.readonly"
	ScopeResultReadOnly   = agsScope + "result.readonly"
	ScopeScore            = agsScope + "score"
	ScopeMembership       = nrpsScope + "contextmembership.readonly"
)

// LTI message types Aesop accepts.
const (
	MessageResourceLink = "LtiResourceLinkRequest"
	MessageDeepLinking  = "LtiDeepLinkingRequest"
)

// Tool is the one description of Aesop from which every platform
// configuration is generated. Only BaseURL and Name are required.
type Tool struct {
	// Name is shown to administrators and on placements, e.g. "Aesop".
	Name string
	// Description is a sentence about the tool shown in platform listings.
	Description string
	// BaseURL is the public address Aesop is served from, such as
	// https://aesop.example.edu or http://localhost:8080 in development.
	BaseURL string
	// LogoURL is an optional absolute address of an icon.
	LogoURL string
	// ContactEmail is an optional address for platform administrators.
	ContactEmail string
}

// Validate reports whether t can describe a reachable tool: a name, and a
// base URL that is absolute, https (except on loopback hosts) and free of
// query, fragment or odd path segments, since every endpoint is built on it.
func (t Tool) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return fmt.Errorf("%w: the tool needs a name", ErrInvalidTool)
	}
	u, why := checkWebURL(t.BaseURL)
	if why != "" {
		return fmt.Errorf("%w: base URL %q %s", ErrInvalidTool, t.BaseURL, why)
	}
	if why := basePathProblem(u); why != "" {
		return fmt.Errorf("%w: base URL %q %s", ErrInvalidTool, t.BaseURL, why)
	}
	if t.LogoURL != "" {
		if _, why := checkWebURL(t.LogoURL); why != "" {
			return fmt.Errorf("%w: logo URL %q %s", ErrInvalidTool, t.LogoURL, why)
		}
	}
	if t.ContactEmail != "" {
		if _, err := mail.ParseAddress(t.ContactEmail); err != nil {
			return fmt.Errorf("%w: contact email %q is not an email address",
				ErrInvalidTool, t.ContactEmail)
		}
	}
	return nil
}

// basePathProblem explains what is wrong with the path of a base URL, or
// returns "" when endpoints can simply be appended to it.
func basePathProblem(u *url.URL) string {
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		return "must not contain a ?query"
	case strings.Contains(u.Path, "//"):
		return "must not contain an empty path segment (//)"
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "must not contain . or .. path segments"
		}
	}
	return ""
}

// base is the base URL without surrounding spaces or a trailing slash.
func (t Tool) base() string {
	return strings.TrimSuffix(strings.TrimSpace(t.BaseURL), "/")
}

// LoginURL is the OIDC login initiation endpoint (GET and POST).
func (t Tool) LoginURL() string { return t.base() + loginPath }

// RedirectURIs lists every address the platform may post a launch to. Aesop
// has exactly one, and platforms compare it character for character.
func (t Tool) RedirectURIs() []string { return []string{t.base() + launchPath} }

// TargetLinkURI is the default launch address, also used for deep linking.
func (t Tool) TargetLinkURI() string { return t.base() + launchPath }

// JWKSURL is where platforms fetch Aesop's public signing keys.
func (t Tool) JWKSURL() string { return t.base() + jwksPath }

// RegistrationURL is the Dynamic Registration start address for one
// administrator, carrying a one-time token.
func (t Tool) RegistrationURL(token string) string {
	return t.base() + registerPath + url.PathEscape(token)
}

// CanvasJSONURL is where Canvas can read the developer key JSON ("Enter URL").
func (t Tool) CanvasJSONURL() string { return t.base() + canvasJSONPath }

// Domain is the host (and port, if any) of the base URL, which platforms
// use to recognise links that belong to the tool.
func (t Tool) Domain() string {
	u, err := url.Parse(t.base())
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// Scopes lists the LTI Advantage scopes Aesop uses, in a stable order.
func (t Tool) Scopes() []string {
	return []string{
		ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly,
		ScopeScore, ScopeMembership,
	}
}

// Claims lists the identity claims Aesop needs in each launch.
func (t Tool) Claims() []string {
	return []string{"iss", "sub", "name", "given_name", "family_name", "email"}
}
