package registration

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCanvasPreset(t *testing.T) {
	canvas := func(issuer, sso string) Endpoints {
		return Endpoints{
			Issuer:        issuer,
			AuthURL:       sso + "/api/lti/authorize_redirect",
			TokenURL:      sso + "/login/oauth2/token",
			JWKSURL:       sso + "/api/lti/security/jwks",
			TokenAudience: sso + "/login/oauth2/token",
			ProductFamily: "canvas",
		}
	}
	prod := canvas("https://canvas.instructure.com", "https://sso.canvaslms.com")
	tests := []struct {
		env     string
		want    Endpoints
		wantErr error
	}{
		{"", prod, nil},
		{"production", prod, nil},
		{" Production ", prod, nil},
		{"beta", canvas("https://canvas.beta.instructure.com",
			"https://sso.beta.canvaslms.com"), nil},
		{"test", canvas("https://canvas.test.instructure.com",
			"https://sso.test.canvaslms.com"), nil},
		{"staging", Endpoints{}, ErrUnknownEnvironment},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got, err := CanvasPreset(tt.env)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CanvasPreset(%q) error = %v, want %v", tt.env, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CanvasPreset(%q) mismatch (-want +got):\n%s", tt.env, diff)
			}
		})
	}
}

func TestMoodlePreset(t *testing.T) {
	moodle := func(root string) Endpoints {
		return Endpoints{
			Issuer:        root,
			AuthURL:       root + "/mod/lti/auth.php",
			TokenURL:      root + "/mod/lti/token.php",
			JWKSURL:       root + "/mod/lti/certs.php",
			TokenAudience: root + "/mod/lti/token.php",
			ProductFamily: "moodle",
		}
	}
	tests := []struct {
		site    string
		want    Endpoints
		wantErr error
	}{
		{"https://moodle.example.edu", moodle("https://moodle.example.edu"), nil},
		{"https://moodle.example.edu/", moodle("https://moodle.example.edu"), nil},
		{"https://example.edu/moodle", moodle("https://example.edu/moodle"), nil},
		{"https://example.edu/moodle/", moodle("https://example.edu/moodle"), nil},
		{" https://example.edu/moodle// ", moodle("https://example.edu/moodle"), nil},
		{"https://moodle.example.edu:8443", moodle("https://moodle.example.edu:8443"), nil},
		{"http://localhost:8000", moodle("http://localhost:8000"), nil},
		{"http://moodle.example.edu", Endpoints{}, ErrInvalidSiteURL},
		{"moodle.example.edu", Endpoints{}, ErrInvalidSiteURL},
		{"https://moodle.example.edu/?lang=en", Endpoints{}, ErrInvalidSiteURL},
		{"", Endpoints{}, ErrInvalidSiteURL},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			got, err := MoodlePreset(tt.site)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MoodlePreset(%q) error = %v, want %v", tt.site, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MoodlePreset(%q) mismatch (-want +got):\n%s", tt.site, diff)
			}
		})
	}
}

// TestMoodlePresetMatchesDynamicRegistration checks that entering a Moodle
// site by hand gives the endpoints Moodle itself advertises.
func TestMoodlePresetMatchesDynamicRegistration(t *testing.T) {
	site := "https://example.edu/moodle"
	p := parseConfig(t, moodleConfigDoc(site))
	got, err := MoodlePreset(site + "/")
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoints{
		Issuer: p.Issuer, AuthURL: p.AuthorizationEndpoint, TokenURL: p.TokenEndpoint,
		JWKSURL: p.JWKSURI, TokenAudience: p.TokenAudience(),
		ProductFamily: p.LTI.ProductFamilyCode,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("preset differs from the advertised configuration (-want +got):\n%s", diff)
	}
}
