package emulator

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Claim names of LTI 1.3 Core, Deep Linking, AGS and NRPS.
const (
	claimPrefix             = "https://purl.imsglobal.org/spec/lti/claim/"
	ClaimMessageType        = claimPrefix + "message_type"
	ClaimVersion            = claimPrefix + "version"
	ClaimDeploymentID       = claimPrefix + "deployment_id"
	ClaimTargetLinkURI      = claimPrefix + "target_link_uri"
	ClaimResourceLink       = claimPrefix + "resource_link"
	ClaimRoles              = claimPrefix + "roles"
	ClaimContext            = claimPrefix + "context"
	ClaimToolPlatform       = claimPrefix + "tool_platform"
	ClaimLaunchPresentation = claimPrefix + "launch_presentation"
	ClaimCustom             = claimPrefix + "custom"
	ClaimLIS                = claimPrefix + "lis"
	ClaimAGSEndpoint        = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
	ClaimNRPS               = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
	ClaimDeepLinkSettings   = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
)

// idTokenTTL is how long an id_token is valid after it is issued.
const idTokenTTL = 5 * time.Minute

// idToken builds, lets the test spoil, and signs the id_token of a launch.
func (e *Emulator) idToken(p *pendingLaunch, nonce string) (string, error) {
	claims := e.launchClaims(p, nonce)
	if p.req.Mutate != nil {
		p.req.Mutate(claims)
	}
	if p.req.Sign != nil {
		return p.req.Sign(claims)
	}
	return e.SignJWT(claims, p.req.SignHeader)
}

// launchClaims returns every claim LTI 1.3 asks of the launch's message.
func (e *Emulator) launchClaims(p *pendingLaunch, nonce string) map[string]any {
	req, now := p.req, e.now()
	c := map[string]any{
		"iss":                   e.Issuer(),
		"aud":                   p.tool.ClientID,
		"azp":                   p.tool.ClientID,
		"sub":                   req.User.Sub,
		"iat":                   now.Unix(),
		"exp":                   now.Add(idTokenTTL).Unix(),
		"nonce":                 nonce,
		"locale":                "en-US",
		ClaimMessageType:        req.MessageType,
		ClaimVersion:            "1.3.0",
		ClaimDeploymentID:       req.DeploymentID,
		ClaimTargetLinkURI:      req.TargetLinkURI,
		ClaimRoles:              append([]string{}, req.User.Roles...),
		ClaimContext:            contextClaim(req.Context),
		ClaimToolPlatform:       e.toolPlatformClaim(),
		ClaimLaunchPresentation: e.presentationClaim(),
		ClaimLIS: map[string]any{
			"person_sourcedid":          req.User.Sub,
			"course_offering_sourcedid": req.Context.ID,
		},
	}
	for k, v := range map[string]string{
		"name": req.User.Name, "given_name": req.User.GivenName,
		"family_name": req.User.FamilyName, "email": req.User.Email,
	} {
		if v != "" {
			c[k] = v
		}
	}
	if len(req.Custom) > 0 {
		c[ClaimCustom] = substituteCustom(req)
	}
	if ags := e.agsClaim(p.tool, req); ags != nil {
		c[ClaimAGSEndpoint] = ags
	}
	if slices.Contains(p.tool.Scopes, ScopeMemberships) {
		c[ClaimNRPS] = map[string]any{
			"context_memberships_url": e.courseServiceURL(req.Context, "/names_and_roles"),
			"service_versions":        []string{"2.0"},
		}
	}
	if req.MessageType == MessageDeepLinking {
		c[ClaimDeepLinkSettings] = e.deepLinkSettings(p)
		return c
	}
	c[ClaimResourceLink] = map[string]any{
		"id":          req.ResourceLink.ID,
		"title":       req.ResourceLink.Title,
		"description": req.ResourceLink.Description,
	}
	return c
}

// contextClaim describes the course.
func contextClaim(ctx Context) map[string]any {
	return map[string]any{
		"id":    ctx.ID,
		"label": ctx.Label,
		"title": ctx.Title,
		"type":  []string{ctx.Type},
	}
}

// toolPlatformClaim describes this LMS instance.
func (e *Emulator) toolPlatformClaim() map[string]any {
	u, _ := url.Parse(e.cfg.BaseURL)
	return map[string]any{
		"guid":                u.Host,
		"name":                e.cfg.Name,
		"product_family_code": e.cfg.ProductFamily,
		"version":             platformVersion(e.cfg.ProductFamily),
	}
}

// presentationClaim says the tool is shown in an iframe of the course page.
func (e *Emulator) presentationClaim() map[string]any {
	return map[string]any{
		"document_target": "iframe",
		"return_url":      e.URL("/"),
		"locale":          "en-US",
	}
}

// agsClaim returns the grade service endpoint claim when the tool was
// granted any grade scope.
func (e *Emulator) agsClaim(t Tool, req LaunchRequest) map[string]any {
	var scopes []string
	for _, s := range t.Scopes {
		if strings.HasPrefix(s, agsScope) {
			scopes = append(scopes, s)
		}
	}
	if len(scopes) == 0 {
		return nil
	}
	items := e.courseServiceURL(req.Context, "/line_items")
	c := map[string]any{"scope": scopes, "lineitems": items}
	if li := req.ResourceLink.LineItem; req.MessageType == MessageResourceLink && li != nil {
		c["lineitem"] = items + "/" + url.PathEscape(li.ID)
	}
	return c
}

// courseServiceURL returns the URL of a course's service endpoint.
func (e *Emulator) courseServiceURL(ctx Context, path string) string {
	return e.URL("/api/lti/courses/" + url.PathEscape(ctx.ID) + path)
}

// substituteCustom replaces the substitution variables the platform
// advertises in custom parameter values; unknown ones stay as they are,
// as LTI asks.
func substituteCustom(req LaunchRequest) map[string]string {
	vars := map[string]string{
		"$Context.id":               req.Context.ID,
		"$Context.title":            req.Context.Title,
		"$Context.label":            req.Context.Label,
		"$ResourceLink.id":          req.ResourceLink.ID,
		"$ResourceLink.title":       req.ResourceLink.Title,
		"$ResourceLink.description": req.ResourceLink.Description,
		"$Person.name.full":         req.User.Name,
		"$Person.name.given":        req.User.GivenName,
		"$Person.name.family":       req.User.FamilyName,
		"$Person.email.primary":     req.User.Email,
		"$User.id":                  req.User.Sub,
		"$Membership.role":          strings.Join(req.User.Roles, ","),
		"$Message.locale":           "en-US",
	}
	out := make(map[string]string, len(req.Custom))
	for k, v := range req.Custom {
		if s, ok := vars[v]; ok && s != "" {
			v = s
		}
		out[k] = v
	}
	return out
}
