package emulator

import (
	"encoding/json"
	"net/http"
)

// Scopes of the LTI Advantage services the platform offers.
const (
	agsScope              = "https://purl.imsglobal.org/spec/lti-ags/scope/"
	ScopeLineItem         = agsScope + "lineitem"
	ScopeLineItemReadOnly = agsScope + "lineitem.readonly"
	ScopeResultReadOnly   = agsScope + "result.readonly"
	ScopeScore            = agsScope + "score"
	ScopeMemberships      = "https://purl.imsglobal.org/spec/lti-nrps/scope/" +
		"contextmembership.readonly"
)

// serviceScopes lists the scopes a tool may be granted.
var serviceScopes = []string{
	ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly, ScopeScore, ScopeMemberships,
}

// platformConfigKey names the LTI part of the OpenID configuration.
const platformConfigKey = "https://purl.imsglobal.org/spec/lti-platform-configuration"

// openIDConfig builds the platform configuration that Dynamic
// Registration tools read before they register.
func (e *Emulator) openIDConfig() map[string]any {
	return map[string]any{
		"issuer":                                e.Issuer(),
		"authorization_endpoint":                e.URL("/auth"),
		"token_endpoint":                        e.URL("/token"),
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256"},
		"jwks_uri":                              e.URL("/jwks"),
		"registration_endpoint":                 e.URL("/register"),
		"scopes_supported":                      append([]string{"openid"}, serviceScopes...),
		"response_types_supported":              []string{"id_token"},
		"response_modes_supported":              []string{"form_post"},
		"subject_types_supported":               []string{"public", "pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported": []string{
			"iss", "sub", "aud", "name", "given_name", "family_name", "email", "locale",
		},
		platformConfigKey: e.ltiPlatformConfig(),
	}
}

// ltiPlatformConfig describes the LMS product and the messages it sends,
// shaped like the product family being imitated.
func (e *Emulator) ltiPlatformConfig() map[string]any {
	cfg := map[string]any{
		"product_family_code": e.cfg.ProductFamily,
		"version":             platformVersion(e.cfg.ProductFamily),
		"variables": []string{
			"Context.id", "Context.title", "Context.label",
			"ResourceLink.id", "ResourceLink.title", "ResourceLink.description",
			"Person.name.full", "Person.name.given", "Person.name.family",
			"Person.email.primary", "User.id", "Membership.role", "Message.locale",
		},
	}
	if e.cfg.ProductFamily == FamilyCanvas {
		cfg["messages_supported"] = []map[string]any{
			{"type": "LtiResourceLinkRequest", "placements": []string{
				"https://canvas.instructure.com/lti/course_navigation", "link_selection",
			}},
			{"type": "LtiDeepLinkingRequest", "placements": []string{
				"assignment_selection", "link_selection", "editor_button",
			}},
		}
		cfg["https://canvas.instructure.com/lti/account_name"] = e.cfg.Name
		return cfg
	}
	cfg["messages_supported"] = []map[string]any{
		{"type": "LtiResourceLinkRequest"},
		{"type": "LtiDeepLinkingRequest", "placements": []string{"ContentArea"}},
	}
	return cfg
}

// platformVersion is the product version reported for a family.
func platformVersion(family string) string {
	switch family {
	case FamilyCanvas:
		return "cloud"
	case FamilyMoodle:
		return "4.5"
	}
	return "1.0.0"
}

// handleOpenIDConfig serves GET /.well-known/openid-configuration.
func (e *Emulator) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.openIDConfig())
}

// handleJWKS serves GET /jwks, the platform's public keys.
func (e *Emulator) handleJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.PublicJWKS())
}

// writeJSON answers with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeOAuthError answers with an OAuth 2 error body.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
