package registration

import (
	"fmt"
	"net/url"
	"strings"
)

// check verifies that p holds everything registration needs and that it
// really belongs to the platform behind configURL.
func (p PlatformConfig) check(configURL string) error {
	fields := []struct{ name, value string }{
		{"issuer", p.Issuer},
		{"authorization_endpoint", p.AuthorizationEndpoint},
		{"token_endpoint", p.TokenEndpoint},
		{"jwks_uri", p.JWKSURI},
		{"registration_endpoint", p.RegistrationEndpoint},
	}
	var missing []string
	for _, f := range fields {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: it does not give %s; the LMS may not support "+
			"LTI 1.3 Dynamic Registration", ErrConfigIncomplete, strings.Join(missing, ", "))
	}
	for _, f := range fields {
		if _, why := checkWebURL(f.value); why != "" {
			return fmt.Errorf("%w: its %s %q %s", ErrConfigIncomplete, f.name,
				redact(f.value), why)
		}
	}
	return p.checkIssuer(configURL)
}

// checkIssuer applies the rule of LTI Dynamic Registration 1.0 (section
// 3.5.1, "Issuer and OpenID Configuration URL Match"): the issuer's domain
// must be the domain the configuration was fetched from, otherwise a third
// party could hand the tool someone else's platform settings.
func (p PlatformConfig) checkIssuer(configURL string) error {
	iss, err := url.Parse(p.Issuer)
	if err != nil {
		return fmt.Errorf("%w: the issuer %q is not a web address", ErrConfigIncomplete, p.Issuer)
	}
	if iss.RawQuery != "" {
		return fmt.Errorf("%w: the issuer %q must not contain a ?query",
			ErrConfigIncomplete, p.Issuer)
	}
	cfg, err := url.Parse(configURL)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfigURL, err)
	}
	if !strings.EqualFold(iss.Hostname(), cfg.Hostname()) {
		return fmt.Errorf("%w: the issuer %q is not on %s, the host the configuration "+
			"came from; check the LMS's own site address setting (Moodle: wwwroot, "+
			"self-hosted Canvas: lti_iss) and start the registration again from that address",
			ErrIssuerMismatch, p.Issuer, cfg.Hostname())
	}
	return nil
}
