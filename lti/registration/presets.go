package registration

import (
	"fmt"
	"strings"
)

// Endpoints are what a tool must know about a platform to accept its
// launches and call its services.
type Endpoints struct {
	// Issuer is the iss value in the platform's launches.
	Issuer string
	// AuthURL is the OIDC authentication request endpoint.
	AuthURL string
	// TokenURL is the OAuth 2 client-credentials token endpoint.
	TokenURL string
	// JWKSURL is where the platform publishes its signing keys.
	JWKSURL string
	// TokenAudience is the aud of token requests; usually TokenURL.
	TokenAudience string
	// ProductFamily names the LMS, e.g. "canvas" or "moodle".
	ProductFamily string
}

// CanvasPreset returns the endpoints shared by every Instructure-hosted
// Canvas account in an environment: "" or "production", "beta" or "test".
// Canvas documents the issuer per environment and moved the authentication
// and key endpoints to sso.canvaslms.com; the token endpoint lives there too
// and checks that aud is its own address. Self-hosted Canvas has its own
// values and needs manual entry.
func CanvasPreset(env string) (Endpoints, error) {
	var issuerHost, ssoHost string
	switch strings.ToLower(strings.TrimSpace(env)) {
	case "", "production", "prod":
		issuerHost, ssoHost = "canvas.instructure.com", "sso.canvaslms.com"
	case "beta":
		issuerHost, ssoHost = "canvas.beta.instructure.com", "sso.beta.canvaslms.com"
	case "test":
		issuerHost, ssoHost = "canvas.test.instructure.com", "sso.test.canvaslms.com"
	default:
		return Endpoints{}, fmt.Errorf("%w %q: use production, beta or test",
			ErrUnknownEnvironment, env)
	}
	sso := "https://" + ssoHost
	return Endpoints{
		Issuer:        "https://" + issuerHost,
		AuthURL:       sso + "/api/lti/authorize_redirect",
		TokenURL:      sso + "/login/oauth2/token",
		JWKSURL:       sso + "/api/lti/security/jwks",
		TokenAudience: sso + "/login/oauth2/token",
		ProductFamily: "canvas",
	}, nil
}

// MoodlePreset derives a Moodle site's endpoints from its address, the
// value Moodle calls wwwroot. Moodle uses wwwroot, which never ends in a
// slash, as its issuer, and serves LTI from mod/lti under it, so a site in a
// sub-path such as https://example.edu/moodle keeps that path.
func MoodlePreset(siteURL string) (Endpoints, error) {
	u, why := checkWebURL(siteURL)
	if why == "" && (u.RawQuery != "" || u.ForceQuery) {
		why = "must not contain a ?query"
	}
	if why != "" {
		return Endpoints{}, fmt.Errorf("%w: %q %s; give the address of the site's front page",
			ErrInvalidSiteURL, siteURL, why)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return moodleEndpoints(u.String()), nil
}

// moodleEndpoints lays out Moodle's LTI endpoints under a site root given
// without a trailing slash.
func moodleEndpoints(root string) Endpoints {
	return Endpoints{
		Issuer:        root,
		AuthURL:       root + "/mod/lti/auth.php",
		TokenURL:      root + "/mod/lti/token.php",
		JWKSURL:       root + "/mod/lti/certs.php",
		TokenAudience: root + "/mod/lti/token.php",
		ProductFamily: "moodle",
	}
}
