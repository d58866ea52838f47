package registration

import (
	"encoding/json"
	"strings"
	"testing"
)

// testTool is the tool description shared by the tests.
func testTool() Tool {
	return Tool{
		Name:         "Aesop",
		Description:  "Socratic tutoring for course activities.",
		BaseURL:      "https://aesop.example.edu",
		LogoURL:      "https://aesop.example.edu/static/logo.svg",
		ContactEmail: "lti-admin@example.edu",
	}
}

// allScopes is the scope list Aesop asks for, in request order.
var allScopes = []string{
	ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly, ScopeScore, ScopeMembership,
}

// moodleConfigDoc is an OpenID configuration shaped like Moodle's, with the
// bare-string messages_supported older Moodle versions send.
func moodleConfigDoc(site string) map[string]any {
	return map[string]any{
		"issuer":                                site,
		"token_endpoint":                        site + "/mod/lti/token.php",
		"jwks_uri":                              site + "/mod/lti/certs.php",
		"authorization_endpoint":                site + "/mod/lti/auth.php",
		"registration_endpoint":                 site + "/mod/lti/openid-registration.php",
		"token_endpoint_auth_methods_supported": []any{"private_key_jwt"},
		"scopes_supported": []any{
			"https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome",
			ScopeLineItemReadOnly, ScopeResultReadOnly, ScopeScore, ScopeLineItem,
			ScopeMembership, "openid",
		},
		"response_types_supported": []any{"id_token"},
		"claims_supported": []any{"sub", "iss", "name", "given_name", "family_name",
			"email"},
		"https://purl.imsglobal.org/spec/lti-platform-configuration": map[string]any{
			"product_family_code": "moodle",
			"version":             "4.5.1 (Build: 20241209)",
			"messages_supported":  []any{"LtiResourceLinkRequest", "LtiDeepLinkingRequest"},
			"variables":           []any{"Context.id.history", "ResourceLink.id"},
		},
	}
}

// canvasConfigDoc is an OpenID configuration shaped like Canvas's, where
// the issuer and the configuration share a host and messages list
// placements.
func canvasConfigDoc(root string) map[string]any {
	return map[string]any{
		"issuer":                 root,
		"authorization_endpoint": root + "/api/lti/authorize_redirect",
		"registration_endpoint":  root + "/api/lti/registrations",
		"jwks_uri":               root + "/api/lti/security/jwks",
		"token_endpoint":         root + "/login/oauth2/token",
		"scopes_supported": append([]any{}, ScopeLineItem, ScopeLineItemReadOnly,
			ScopeResultReadOnly, ScopeScore, ScopeMembership,
			"https://canvas.instructure.com/lti/public_jwk/scope/update"),
		"authorization_server": root + "/login/oauth2/token",
		"https://purl.imsglobal.org/spec/lti-platform-configuration": map[string]any{
			"product_family_code": "canvas",
			"version":             "vCloud",
			"messages_supported": []any{
				map[string]any{"type": "LtiResourceLinkRequest",
					"placements": []any{"course_navigation", "link_selection"}},
				map[string]any{"type": "LtiDeepLinkingRequest",
					"placements": []any{"assignment_selection", "link_selection",
						"editor_button"}},
			},
			"variables": []any{"ResourceLink.id", "Canvas.user.id"},
			"https://canvas.instructure.com/lti/account_name": "Test University",
		},
	}
}

// parseConfig turns a configuration document into a PlatformConfig the
// way FetchPlatformConfig does.
func parseConfig(t *testing.T, doc map[string]any) PlatformConfig {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var p PlatformConfig
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("parsing platform configuration: %v", err)
	}
	return p
}

// decode parses JSON into generic values for comparison with go-cmp.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, b)
	}
	return m
}

// splitSpace splits a space-separated scope string.
func splitSpace(s string) []string { return strings.Fields(s) }
