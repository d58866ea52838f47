package registration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const toolConfigKey = "https://purl.imsglobal.org/spec/lti-tool-configuration"

// wantRequest is the generic registration request for testTool with the
// given scopes; callers adjust it for Canvas.
func wantRequest(scopes []string) map[string]any {
	base := "https://aesop.example.edu"
	return map[string]any{
		"application_type":           "web",
		"response_types":             []any{"id_token"},
		"grant_types":                []any{"implicit", "client_credentials"},
		"initiate_login_uri":         base + "/lti/login",
		"redirect_uris":              []any{base + "/lti/launch"},
		"client_name":                "Aesop",
		"jwks_uri":                   base + "/.well-known/jwks.json",
		"logo_uri":                   base + "/static/logo.svg",
		"token_endpoint_auth_method": "private_key_jwt",
		"scope":                      strings.Join(scopes, " "),
		"contacts":                   []any{"lti-admin@example.edu"},
		toolConfigKey: map[string]any{
			"domain":          "aesop.example.edu",
			"target_link_uri": base + "/lti/launch",
			"description":     "Socratic tutoring for course activities.",
			"claims": []any{"iss", "sub", "name", "given_name", "family_name",
				"email"},
			"messages": []any{
				map[string]any{"type": "LtiResourceLinkRequest",
					"target_link_uri": base + "/lti/launch"},
				map[string]any{"type": "LtiDeepLinkingRequest",
					"target_link_uri": base + "/lti/launch", "label": "Aesop",
					"icon_uri": base + "/static/logo.svg"},
			},
			"custom_parameters": map[string]any{},
		},
	}
}

// withCanvas adds what only Canvas receives: placements on the deep
// linking message and the privacy level.
func withCanvas(m map[string]any, placements ...string) map[string]any {
	tc := m[toolConfigKey].(map[string]any)
	tc["https://canvas.instructure.com/lti/privacy_level"] = "public"
	dl := tc["messages"].([]any)[1].(map[string]any)
	var ps []any
	for _, p := range placements {
		ps = append(ps, p)
	}
	dl["placements"] = ps
	return m
}

func TestRegistrationRequest(t *testing.T) {
	canvasNoLinkSelection := canvasConfigDoc("https://canvas.example.edu")
	lti := canvasNoLinkSelection["https://purl.imsglobal.org/spec/lti-platform-configuration"]
	lti.(map[string]any)["messages_supported"] = []any{
		map[string]any{"type": "LtiDeepLinkingRequest",
			"placements": []any{"assignment_selection"}},
	}
	moodleNoNRPS := moodleConfigDoc("https://moodle.example.edu")
	moodleNoNRPS["scopes_supported"] = []any{ScopeScore, ScopeResultReadOnly}

	tests := []struct {
		name     string
		platform PlatformConfig
		want     map[string]any
	}{
		{"unknown platform", PlatformConfig{}, wantRequest(allScopes)},
		{"moodle", parseConfig(t, moodleConfigDoc("https://moodle.example.edu")),
			wantRequest(allScopes)},
		{"moodle without roster or columns", parseConfig(t, moodleNoNRPS),
			wantRequest([]string{ScopeResultReadOnly, ScopeScore})},
		{"canvas", parseConfig(t, canvasConfigDoc("https://canvas.example.edu")),
			withCanvas(wantRequest(allScopes), "link_selection", "assignment_selection")},
		{"canvas offering one placement", parseConfig(t, canvasNoLinkSelection),
			withCanvas(wantRequest(allScopes), "assignment_selection")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := testTool().RegistrationRequest(tt.platform)
			if err != nil {
				t.Fatalf("RegistrationRequest() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, decode(t, b)); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistrationRequestOmitsOptionalFields(t *testing.T) {
	tool := Tool{Name: "Aesop", BaseURL: "http://localhost:8080"}
	b, err := tool.RegistrationRequest(PlatformConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, b)
	for _, key := range []string{"logo_uri", "contacts"} {
		if _, ok := got[key]; ok {
			t.Errorf("request has %q although the tool sets none", key)
		}
	}
	tc := got[toolConfigKey].(map[string]any)
	if _, ok := tc["description"]; ok {
		t.Errorf("tool configuration has a description although the tool sets none")
	}
	if tc["domain"] != "localhost:8080" {
		t.Errorf("domain = %v, want localhost:8080", tc["domain"])
	}
}

func TestRegistrationRequestInvalidTool(t *testing.T) {
	_, err := Tool{Name: "Aesop", BaseURL: "http://aesop.example.edu"}.
		RegistrationRequest(PlatformConfig{})
	if err == nil {
		t.Fatal("RegistrationRequest() succeeded for a plain-http public base URL")
	}
}

func TestPlatformConfigParsing(t *testing.T) {
	tests := []struct {
		name string
		json string
		want LTIPlatformConfig
	}{
		{"objects", `{"product_family_code":"canvas","version":"vCloud",
			"messages_supported":[{"type":"LtiDeepLinkingRequest",
			"placements":["link_selection"]}]}`,
			LTIPlatformConfig{ProductFamilyCode: "canvas", Version: "vCloud",
				MessagesSupported: []SupportedMessage{{Type: "LtiDeepLinkingRequest",
					Placements: []string{"link_selection"}}}}},
		{"bare strings", `{"product_family_code":"moodle",
			"messages_supported":["LtiResourceLink","LtiDeepLinkingRequest"]}`,
			LTIPlatformConfig{ProductFamilyCode: "moodle",
				MessagesSupported: []SupportedMessage{{Type: "LtiResourceLink"},
					{Type: "LtiDeepLinkingRequest"}}}},
		{"numeric version", `{"product_family_code":"x","version":4.5}`,
			LTIPlatformConfig{ProductFamilyCode: "x", Version: "4.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"https://purl.imsglobal.org/spec/lti-platform-configuration":` +
				tt.json + `}`
			var p PlatformConfig
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.LTI); diff != "" {
				t.Errorf("parsed mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
