package registration

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCanvasJSON(t *testing.T) {
	base := "https://aesop.example.edu"
	placement := func(name string, icon bool) map[string]any {
		p := map[string]any{
			"placement":       name,
			"message_type":    "LtiDeepLinkingRequest",
			"target_link_uri": base + "/lti/launch",
			"text":            "Aesop",
		}
		if icon {
			p["icon_url"] = base + "/static/logo.svg"
		}
		return p
	}
	want := func(description string, icon bool) map[string]any {
		settings := map[string]any{
			"text": "Aesop",
			"placements": []any{
				placement("link_selection", icon), placement("assignment_selection", icon),
			},
		}
		if icon {
			settings["icon_url"] = base + "/static/logo.svg"
		}
		return map[string]any{
			"title":               "Aesop",
			"description":         description,
			"oidc_initiation_url": base + "/lti/login",
			"target_link_uri":     base + "/lti/launch",
			"public_jwk_url":      base + "/.well-known/jwks.json",
			"scopes": []any{ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly,
				ScopeScore, ScopeMembership},
			"extensions": []any{map[string]any{
				"domain":        "aesop.example.edu",
				"platform":      "canvas.instructure.com",
				"privacy_level": "public",
				"settings":      settings,
			}},
			"custom_fields": map[string]any{},
		}
	}
	tests := []struct {
		name string
		tool Tool
		want map[string]any
	}{
		{"full description", testTool(),
			want("Socratic tutoring for course activities.", true)},
		{"name stands in for description", Tool{Name: "Aesop", BaseURL: base},
			want("Aesop", false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.tool.CanvasJSON()
			if err != nil {
				t.Fatalf("CanvasJSON() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, decode(t, b)); diff != "" {
				t.Errorf("Canvas JSON mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCanvasJSONAgreesWithRegistration guards the promise of the package:
// the Canvas JSON and the Dynamic Registration request name the same
// addresses, scopes and placements.
func TestCanvasJSONAgreesWithRegistration(t *testing.T) {
	tool := testTool()
	cj, err := tool.CanvasJSON()
	if err != nil {
		t.Fatal(err)
	}
	platform := parseConfig(t, canvasConfigDoc("https://canvas.example.edu"))
	rr, err := tool.RegistrationRequest(platform)
	if err != nil {
		t.Fatal(err)
	}
	c, r := decode(t, cj), decode(t, rr)
	rtc := r[toolConfigKey].(map[string]any)
	ext := c["extensions"].([]any)[0].(map[string]any)
	var placements []any
	for _, p := range ext["settings"].(map[string]any)["placements"].([]any) {
		placements = append(placements, p.(map[string]any)["placement"])
	}
	pairs := []struct {
		name           string
		canvas, dynreg any
	}{
		{"login", c["oidc_initiation_url"], r["initiate_login_uri"]},
		{"target", c["target_link_uri"], rtc["target_link_uri"]},
		{"jwks", c["public_jwk_url"], r["jwks_uri"]},
		{"domain", ext["domain"], rtc["domain"]},
		{"privacy", ext["privacy_level"],
			rtc["https://canvas.instructure.com/lti/privacy_level"]},
		{"placements", placements, rtc["messages"].([]any)[1].(map[string]any)["placements"]},
		{"title", c["title"], r["client_name"]},
	}
	for _, p := range pairs {
		if diff := cmp.Diff(p.canvas, p.dynreg); diff != "" {
			t.Errorf("%s differs (-canvas +registration):\n%s", p.name, diff)
		}
	}
	var scopes []any
	for _, s := range splitSpace(r["scope"].(string)) {
		scopes = append(scopes, s)
	}
	if diff := cmp.Diff(c["scopes"], scopes); diff != "" {
		t.Errorf("scopes differ (-canvas +registration):\n%s", diff)
	}
}
