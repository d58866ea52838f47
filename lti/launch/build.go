package launch

import (
	"aesop/lti"
	"aesop/lti/login"
	"aesop/lti/platform"
)

// buildLaunch reads the message's claims into a Launch, refusing when a claim
// its message type requires is missing or malformed.
func (v *Validator) buildLaunch(c claimSet, p *platform.Platform) (*lti.Launch, error) {
	l := &lti.Launch{
		Issuer: p.Issuer, ClientID: p.ClientID,
		Subject:      c.str("sub"),
		DeploymentID: c.str(lti.ClaimDeploymentID),
		MessageType:  c.str(lti.ClaimMessageType),
		Name:         c.str("name"), GivenName: c.str("given_name"),
		FamilyName: c.str("family_name"), Email: c.str("email"),
		TargetLinkURI: c.str(lti.ClaimTargetLinkURI),
	}
	l.IssuedAt, _ = c.time("iat")
	l.ExpiresAt, _ = c.time("exp")
	if l.Subject == "" {
		return nil, missing("sub", "the user's identifier")
	}
	if l.DeploymentID == "" {
		return nil, missing(lti.ClaimDeploymentID, "the deployment id")
	}
	if _, ok := c[lti.ClaimRoles]; !ok {
		return nil, missing(lti.ClaimRoles, "the user's roles")
	}
	if err := c.decode(lti.ClaimRoles, &l.Roles); err != nil {
		return nil, badClaim(lti.ClaimRoles, "The launch's roles claim is not a list of roles.")
	}
	if err := v.readOptional(c, l); err != nil {
		return nil, err
	}
	switch l.MessageType {
	case lti.MessageResourceLink:
		return l, v.checkResourceLink(c, l)
	default:
		return l, checkDeepLinking(c, l)
	}
}

func (v *Validator) readOptional(c claimSet, l *lti.Launch) error {
	optional := []struct {
		claim string
		into  any
		ok    func() bool
	}{
		{lti.ClaimContext, &l.Context, func() bool { return l.Context == nil || l.Context.ID != "" }},
		{lti.ClaimCustom, &l.Custom, nil},
		{lti.ClaimToolPlatform, &l.Platform, nil},
		{lti.ClaimLaunchPresentation, &l.LaunchPresentation, nil},
		{lti.ClaimAGSEndpoint, &l.AGS, nil},
		{lti.ClaimNRPS, &l.NRPS, nil},
	}
	for _, o := range optional {
		if _, present := c[o.claim]; !present {
			continue
		}
		if err := c.decode(o.claim, o.into); err != nil {
			if o.claim == lti.ClaimCustom {
				// Custom values are strings by the spec, but platforms have sent
				// numbers; keep the launch and drop the odd values.
				l.Custom = stringsOnly(c[o.claim])
				continue
			}
			return badClaim(o.claim, "The launch's %s claim is malformed.", o.claim)
		}
		if o.ok != nil && !o.ok() {
			return missing(o.claim+"#id", "the course's id")
		}
	}
	return nil
}

func stringsOnly(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func (v *Validator) checkResourceLink(c claimSet, l *lti.Launch) error {
	if _, ok := c[lti.ClaimResourceLink]; !ok {
		return missing(lti.ClaimResourceLink, "the resource link")
	}
	if err := c.decode(lti.ClaimResourceLink, &l.ResourceLink); err != nil ||
		l.ResourceLink == nil || l.ResourceLink.ID == "" {
		return missing(lti.ClaimResourceLink+"#id", "the resource link's id")
	}
	if l.TargetLinkURI == "" {
		return missing(lti.ClaimTargetLinkURI, "the target link URI")
	}
	return login.CheckTarget(l.TargetLinkURI, v.ToolHost)
}

func checkDeepLinking(c claimSet, l *lti.Launch) error {
	if _, ok := c[lti.ClaimDeepLinkSettings]; !ok {
		return missing(lti.ClaimDeepLinkSettings, "the deep linking settings")
	}
	if err := c.decode(lti.ClaimDeepLinkSettings, &l.DeepLinking); err != nil ||
		l.DeepLinking == nil {
		return badClaim(lti.ClaimDeepLinkSettings, "The launch's deep linking settings are "+
			"malformed.")
	}
	if l.DeepLinking.ReturnURL == "" {
		return missing(lti.ClaimDeepLinkSettings+"#deep_link_return_url",
			"the deep linking return URL")
	}
	if len(l.DeepLinking.AcceptTypes) == 0 {
		return missing(lti.ClaimDeepLinkSettings+"#accept_types", "the accepted item types")
	}
	return nil
}
