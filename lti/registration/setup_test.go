package registration

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldValues maps the labels of fields to their values.
func fieldValues(fields []Field) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Label] = f.Value
	}
	return m
}

// section returns the section named platform or fails the test.
func section(t *testing.T, secs []Section, platform string) Section {
	t.Helper()
	for _, s := range secs {
		if s.Platform == platform {
			return s
		}
	}
	t.Fatalf("no section %q", platform)
	return Section{}
}

func TestSetupInfoLabels(t *testing.T) {
	tests := []struct {
		platform  string
		fields    []string
		bringBack []string
	}{
		{"Moodle (manual)",
			[]string{"Tool name", "Tool URL", "Tool description", "LTI version",
				"Public key type", "Public keyset", "Initiate login URL",
				"Redirection URI(s)", "Custom parameters", "Tool configuration usage",
				"Supports Deep Linking (Content-Item Message)", "Content Selection URL",
				"IMS LTI Assignment and Grade Services",
				"IMS LTI Names and Role Provisioning", "Tool Settings",
				"Share launcher's name with tool", "Share launcher's email with tool",
				"Accept grades from the tool"},
			[]string{"Platform ID", "Client ID", "Deployment ID", "Public keyset URL",
				"Access token URL", "Authentication request URL"}},
		{"Canvas (manual developer key)",
			[]string{"Key Name", "Redirect URIs", "Method", "Title", "Description",
				"Target Link URI", "OpenID Connect Initiation Url", "JWK Method",
				"Public JWK URL", "LTI Advantage Services", "Domain", "Privacy Level",
				"Placements", "Link Selection > Target Link URI",
				"Link Selection > Select Message Type",
				"Assignment Selection > Target Link URI",
				"Assignment Selection > Select Message Type"},
			[]string{"Client ID", "Deployment ID", "Issuer", "Authentication URL",
				"Token URL", "Keyset URL"}},
	}
	secs := testTool().SetupInfo()
	if len(secs) != len(tests) {
		t.Errorf("SetupInfo() has %d sections, want %d", len(secs), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			s := section(t, secs, tt.platform)
			var fields, back []string
			for _, f := range s.Fields {
				fields = append(fields, f.Label)
			}
			for _, f := range s.BringBack {
				back = append(back, f.Label)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("form labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.bringBack, back); diff != "" {
				t.Errorf("bring-back labels (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(s.Command, "aesop platform add") {
				t.Errorf("Command = %q, want an aesop platform add line", s.Command)
			}
		})
	}
}

// TestSetupInfoMatchesRegistration checks that the values typed by hand are
// the values Dynamic Registration would send.
func TestSetupInfoMatchesRegistration(t *testing.T) {
	tool := testTool()
	secs := tool.SetupInfo()
	b, err := tool.RegistrationRequest(parseConfig(t, canvasConfigDoc("https://c.example")))
	if err != nil {
		t.Fatal(err)
	}
	r := decode(t, b)
	tc := r[toolConfigKey].(map[string]any)
	deepLink := tc["messages"].([]any)[1].(map[string]any)
	var redirects []string
	for _, u := range r["redirect_uris"].([]any) {
		redirects = append(redirects, u.(string))
	}
	redirectText := strings.Join(redirects, "\n")
	placements := deepLink["placements"].([]any)
	scopeLines := strings.ReplaceAll(r["scope"].(string), " ", "\n")

	tests := []struct {
		platform string
		want     map[string]string
	}{
		{"Moodle (manual)", map[string]string{
			"Tool name":             r["client_name"].(string),
			"Tool URL":              tc["target_link_uri"].(string),
			"Tool description":      tc["description"].(string),
			"Public keyset":         r["jwks_uri"].(string),
			"Initiate login URL":    r["initiate_login_uri"].(string),
			"Redirection URI(s)":    redirectText,
			"Content Selection URL": deepLink["target_link_uri"].(string),
		}},
		{"Canvas (manual developer key)", map[string]string{
			"Key Name":                               r["client_name"].(string),
			"Title":                                  r["client_name"].(string),
			"Description":                            tc["description"].(string),
			"Redirect URIs":                          redirectText,
			"Target Link URI":                        tc["target_link_uri"].(string),
			"OpenID Connect Initiation Url":          r["initiate_login_uri"].(string),
			"Public JWK URL":                         r["jwks_uri"].(string),
			"LTI Advantage Services":                 scopeLines,
			"Domain":                                 tc["domain"].(string),
			"Placements":                             placementNames(placements),
			"Link Selection > Target Link URI":       deepLink["target_link_uri"].(string),
			"Link Selection > Select Message Type":   deepLink["type"].(string),
			"Assignment Selection > Target Link URI": deepLink["target_link_uri"].(string),
			"Assignment Selection > Select Message Type": deepLink["type"].(string),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			got := fieldValues(section(t, secs, tt.platform).Fields)
			for label, want := range tt.want {
				if got[label] != want {
					t.Errorf("%s = %q, want %q", label, got[label], want)
				}
			}
		})
	}
}

// placementNames turns placement ids from a registration request into the
// lines of the Placements field.
func placementNames(ids []any) string {
	var names []string
	for _, id := range ids {
		names = append(names, canvasPlacementNames[id.(string)])
	}
	return strings.Join(names, "\n")
}

func TestSetupInfoBringBackMatchesPresets(t *testing.T) {
	secs := testTool().SetupInfo()
	canvas, _ := CanvasPreset("")
	tests := []struct {
		platform string
		want     map[string]string
	}{
		{"Moodle (manual)", map[string]string{
			"Platform ID":                placeholderMoodleSite,
			"Client ID":                  placeholderClientID,
			"Deployment ID":              placeholderDeploymentID,
			"Public keyset URL":          placeholderMoodleSite + "/mod/lti/certs.php",
			"Access token URL":           placeholderMoodleSite + "/mod/lti/token.php",
			"Authentication request URL": placeholderMoodleSite + "/mod/lti/auth.php",
		}},
		{"Canvas (manual developer key)", map[string]string{
			"Client ID":          placeholderClientID,
			"Deployment ID":      placeholderDeploymentID,
			"Issuer":             canvas.Issuer,
			"Authentication URL": canvas.AuthURL,
			"Token URL":          canvas.TokenURL,
			"Keyset URL":         canvas.JWKSURL,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			s := section(t, secs, tt.platform)
			if diff := cmp.Diff(tt.want, fieldValues(s.BringBack)); diff != "" {
				t.Errorf("bring-back values (-want +got):\n%s", diff)
			}
			for _, v := range tt.want {
				if !strings.Contains(s.Command, v) {
					t.Errorf("command does not carry %q:\n%s", v, s.Command)
				}
			}
		})
	}
}

func TestAddCommand(t *testing.T) {
	canvas, _ := CanvasPreset("beta")
	tests := []struct {
		name      string
		endpoints Endpoints
		client    string
		deploy    string
		want      string
	}{
		{"canvas beta", canvas, "10000000000042", "12:abc",
			"aesop platform add \\\n" +
				"  --issuer https://canvas.beta.instructure.com \\\n" +
				"  --client-id 10000000000042 \\\n" +
				"  --deployment-id 12:abc \\\n" +
				"  --auth-url https://sso.beta.canvaslms.com/api/lti/authorize_redirect \\\n" +
				"  --token-url https://sso.beta.canvaslms.com/login/oauth2/token \\\n" +
				"  --jwks-url https://sso.beta.canvaslms.com/api/lti/security/jwks \\\n" +
				"  --product-family canvas"},
		{"placeholders and audience", Endpoints{Issuer: "https://lms.example",
			AuthURL: "https://lms.example/auth", TokenURL: "https://lms.example/token",
			JWKSURL: "https://lms.example/jwks", TokenAudience: "lms.example"},
			"<CLIENT_ID>", "it's",
			"aesop platform add \\\n" +
				"  --issuer https://lms.example \\\n" +
				"  --client-id '<CLIENT_ID>' \\\n" +
				"  --deployment-id 'it'\\''s' \\\n" +
				"  --auth-url https://lms.example/auth \\\n" +
				"  --token-url https://lms.example/token \\\n" +
				"  --jwks-url https://lms.example/jwks \\\n" +
				"  --token-audience lms.example"},
		{"empty value", Endpoints{}, "", "",
			"aesop platform add \\\n  --issuer '' \\\n  --client-id '' \\\n" +
				"  --deployment-id '' \\\n  --auth-url '' \\\n  --token-url '' \\\n" +
				"  --jwks-url ''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddCommand(tt.endpoints, tt.client, tt.deploy)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AddCommand() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteSetupInfo(t *testing.T) {
	secs := testTool().SetupInfo()
	var buf bytes.Buffer
	if err := WriteSetupInfo(&buf, secs); err != nil {
		t.Fatalf("WriteSetupInfo() error: %v", err)
	}
	out := buf.String()
	for _, s := range secs {
		t.Run(s.Platform, func(t *testing.T) {
			wants := []string{s.Platform}
			for _, line := range strings.Split(s.Command, "\n") {
				wants = append(wants, "    "+line+"\n")
			}
			for _, f := range append(append([]Field{}, s.Fields...), s.BringBack...) {
				wants = append(wants, "  "+f.Label+"\n")
				if f.Value == "" {
					wants = append(wants, "  "+f.Label+"\n      (leave empty)\n")
				}
				for _, line := range strings.Split(f.Value, "\n") {
					if line != "" {
						wants = append(wants, "      "+line+"\n")
					}
				}
			}
			for _, w := range wants {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
		})
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 100 && !strings.Contains(line, "://") {
			t.Errorf("line longer than 100 columns: %q", line)
		}
	}
}
