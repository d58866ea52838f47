package registration

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		tool    Tool
		wantErr bool
	}{
		{"https", Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu"}, false},
		{"trailing slash", Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu/"}, false},
		{"sub-path", Tool{Name: "Aesop", BaseURL: "https://example.edu/aesop"}, false},
		{"localhost http", Tool{Name: "Aesop", BaseURL: "http://localhost:8080"}, false},
		{"ipv4 loopback http", Tool{Name: "Aesop", BaseURL: "http://127.0.0.1:8080"}, false},
		{"ipv6 loopback http", Tool{Name: "Aesop", BaseURL: "http://[::1]:8080"}, false},
		{"logo and contact", Tool{Name: "Aesop", BaseURL: "https://a.example",
			LogoURL: "https://a.example/logo.svg", ContactEmail: "it@example.edu"}, false},
		{"no name", Tool{BaseURL: "https://aesop.example.edu"}, true},
		{"empty base", Tool{Name: "Aesop"}, true},
		{"relative base", Tool{Name: "Aesop", BaseURL: "aesop.example.edu"}, true},
		{"plain http", Tool{Name: "Aesop", BaseURL: "http://aesop.example.edu"}, true},
		{"ftp", Tool{Name: "Aesop", BaseURL: "ftp://aesop.example.edu"}, true},
		{"query", Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu/?x=1"}, true},
		{"fragment", Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu/#top"}, true},
		{"double slash", Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu//"}, true},
		{"dot segment", Tool{Name: "Aesop", BaseURL: "https://example.edu/a/../b"}, true},
		{"user info", Tool{Name: "Aesop", BaseURL: "https://u:p@aesop.example.edu"}, true},
		{"bad logo", Tool{Name: "Aesop", BaseURL: "https://a.example",
			LogoURL: "http://cdn.example/logo.png"}, true},
		{"bad contact", Tool{Name: "Aesop", BaseURL: "https://a.example",
			ContactEmail: "nobody"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tool.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidTool) {
				t.Errorf("Validate() = %v, want it to wrap ErrInvalidTool", err)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	type endpoints struct {
		Login, Target, JWKS, Domain, Register, CanvasJSON string
		Redirects                                         []string
	}
	tests := []struct {
		base string
		want endpoints
	}{
		{"https://aesop.example.edu", endpoints{
			Login:      "https://aesop.example.edu/lti/login",
			Target:     "https://aesop.example.edu/lti/launch",
			JWKS:       "https://aesop.example.edu/.well-known/jwks.json",
			Domain:     "aesop.example.edu",
			Register:   "https://aesop.example.edu/lti/register/tok123",
			CanvasJSON: "https://aesop.example.edu/lti/canvas.json",
			Redirects:  []string{"https://aesop.example.edu/lti/launch"},
		}},
		{"https://Aesop.Example.edu/", endpoints{
			Login:      "https://Aesop.Example.edu/lti/login",
			Target:     "https://Aesop.Example.edu/lti/launch",
			JWKS:       "https://Aesop.Example.edu/.well-known/jwks.json",
			Domain:     "aesop.example.edu",
			Register:   "https://Aesop.Example.edu/lti/register/tok123",
			CanvasJSON: "https://Aesop.Example.edu/lti/canvas.json",
			Redirects:  []string{"https://Aesop.Example.edu/lti/launch"},
		}},
		{"http://localhost:8080", endpoints{
			Login:      "http://localhost:8080/lti/login",
			Target:     "http://localhost:8080/lti/launch",
			JWKS:       "http://localhost:8080/.well-known/jwks.json",
			Domain:     "localhost:8080",
			Register:   "http://localhost:8080/lti/register/tok123",
			CanvasJSON: "http://localhost:8080/lti/canvas.json",
			Redirects:  []string{"http://localhost:8080/lti/launch"},
		}},
		{"https://example.edu/aesop", endpoints{
			Login:      "https://example.edu/aesop/lti/login",
			Target:     "https://example.edu/aesop/lti/launch",
			JWKS:       "https://example.edu/aesop/.well-known/jwks.json",
			Domain:     "example.edu",
			Register:   "https://example.edu/aesop/lti/register/tok123",
			CanvasJSON: "https://example.edu/aesop/lti/canvas.json",
			Redirects:  []string{"https://example.edu/aesop/lti/launch"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			tool := Tool{Name: "Aesop", BaseURL: tt.base}
			got := endpoints{
				Login:      tool.LoginURL(),
				Target:     tool.TargetLinkURI(),
				JWKS:       tool.JWKSURL(),
				Domain:     tool.Domain(),
				Register:   tool.RegistrationURL("tok123"),
				CanvasJSON: tool.CanvasJSONURL(),
				Redirects:  tool.RedirectURIs(),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("endpoints mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistrationURLEscapesToken(t *testing.T) {
	tool := Tool{Name: "Aesop", BaseURL: "https://aesop.example.edu"}
	got := tool.RegistrationURL("a/b c")
	want := "https://aesop.example.edu/lti/register/a%2Fb%20c"
	if got != want {
		t.Errorf("RegistrationURL() = %q, want %q", got, want)
	}
}

func TestScopesAndClaims(t *testing.T) {
	tool := testTool()
	wantScopes := []string{
		"https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
		"https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
		"https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
		"https://purl.imsglobal.org/spec/lti-ags/scope/score",
		"https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
	}
	if diff := cmp.Diff(wantScopes, tool.Scopes()); diff != "" {
		t.Errorf("Scopes() mismatch (-want +got):\n%s", diff)
	}
	wantClaims := []string{"iss", "sub", "name", "given_name", "family_name", "email"}
	if diff := cmp.Diff(wantClaims, tool.Claims()); diff != "" {
		t.Errorf("Claims() mismatch (-want +got):\n%s", diff)
	}
}
