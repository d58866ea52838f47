package registration

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRegisterRefusals(t *testing.T) {
	reply := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	tests := []struct {
		name   string
		canvas bool
		tool   *Tool
		// setup breaks the platform and may return a replacement config URL.
		setup    func(f *fakePlatform) string
		ctx      func() (context.Context, context.CancelFunc)
		wantErr  error
		wantText []string
	}{
		{name: "invalid tool", tool: &Tool{Name: "Aesop", BaseURL: "http://aesop.example"},
			wantErr: ErrInvalidTool},
		{name: "config URL not https",
			setup: func(*fakePlatform) string {
				return "http://lms.example.edu/mod/lti/openid-configuration.php"
			},
			wantErr: ErrConfigURL, wantText: []string{"https"}},
		{name: "config unreachable",
			setup: func(f *fakePlatform) string {
				u := f.configURL()
				f.srv.Close()
				return u
			},
			wantErr: ErrConfigUnreachable},
		{name: "config 404",
			setup: func(f *fakePlatform) string {
				f.configReply = http.NotFound
				return ""
			},
			wantErr: ErrConfigStatus, wantText: []string{"404", "Dynamic Registration"}},
		{name: "config 401 on canvas", canvas: true,
			setup: func(f *fakePlatform) string {
				f.configReply = reply(http.StatusUnauthorized, "token "+secretToken)
				return ""
			},
			wantErr: ErrConfigStatus, wantText: []string{"401", "expired"}},
		{name: "config not JSON",
			setup: func(f *fakePlatform) string {
				f.configReply = reply(http.StatusOK, "<html>login</html>")
				return ""
			},
			wantErr: ErrConfigInvalid, wantText: []string{"JSON"}},
		{name: "config too large",
			setup: func(f *fakePlatform) string {
				f.configReply = reply(http.StatusOK, strings.Repeat(" ", maxConfigBytes+1))
				return ""
			},
			wantErr: ErrConfigInvalid, wantText: []string{"larger"}},
		{name: "config without registration endpoint",
			setup: func(f *fakePlatform) string {
				f.editConfig = func(doc map[string]any) {
					delete(doc, "registration_endpoint")
					delete(doc, "jwks_uri")
				}
				return ""
			},
			wantErr: ErrConfigIncomplete, wantText: []string{"jwks_uri, registration_endpoint"}},
		{name: "endpoint not https",
			setup: func(f *fakePlatform) string {
				f.editConfig = func(doc map[string]any) {
					doc["token_endpoint"] = "http://moodle.example.edu/mod/lti/token.php"
				}
				return ""
			},
			wantErr: ErrConfigIncomplete, wantText: []string{"token_endpoint", "https"}},
		{name: "issuer on another host", canvas: true,
			setup: func(f *fakePlatform) string {
				f.editConfig = func(doc map[string]any) {
					doc["issuer"] = "https://canvas.instructure.com"
				}
				return ""
			},
			wantErr: ErrIssuerMismatch, wantText: []string{`"https://canvas.instructure.com"`}},
		{name: "registration token refused", canvas: true,
			setup: func(f *fakePlatform) string {
				f.registerReply = reply(http.StatusUnauthorized, `{"error":"invalid_token",`+
					`"error_description":"token `+secretToken+` has expired"}`)
				return ""
			},
			wantErr: ErrRegistrationRefused,
			wantText: []string{"401", "token [registration token] has expired",
				"start the registration again"}},
		{name: "registration refused with a page",
			setup: func(f *fakePlatform) string {
				f.registerReply = reply(http.StatusInternalServerError,
					"<!DOCTYPE html><p>Oops</p>")
				return ""
			},
			wantErr: ErrRegistrationRefused, wantText: []string{"500 Internal Server Error"}},
		{name: "registration answer not JSON",
			setup: func(f *fakePlatform) string {
				f.registerReply = reply(http.StatusOK, "registered!")
				return ""
			},
			wantErr: ErrRegistrationInvalid},
		{name: "no client_id",
			setup: func(f *fakePlatform) string {
				f.registerReply = reply(http.StatusCreated, `{"client_name":"Aesop"}`)
				return ""
			},
			wantErr: ErrNoClientID},
		{name: "registration times out",
			setup: func(f *fakePlatform) string {
				f.registerReply = func(w http.ResponseWriter, r *http.Request) {
					<-r.Context().Done()
				}
				return ""
			},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 200*time.Millisecond)
			},
			wantErr: ErrRegistrationUnreachable, wantText: []string{"deadline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePlatform(t, tt.canvas)
			configURL := f.configURL()
			if tt.setup != nil {
				if u := tt.setup(f); u != "" {
					configURL = u
				}
			}
			tool := testTool()
			if tt.tool != nil {
				tool = *tt.tool
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			_, err := tool.Register(ctx, f.srv.Client(), configURL, secretToken)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Register() error = %v, want %v", err, tt.wantErr)
			}
			msg := err.Error()
			for _, w := range tt.wantText {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if strings.Contains(msg, secretToken) {
				t.Errorf("error reveals the registration token: %q", msg)
			}
			if strings.Contains(msg, "<") && tt.wantErr == ErrRegistrationRefused {
				t.Errorf("error repeats an HTML page: %q", msg)
			}
		})
	}
}

func TestFetchPlatformConfig(t *testing.T) {
	f := newFakePlatform(t, false)
	got, err := FetchPlatformConfig(context.Background(), f.srv.Client(), f.configURL())
	if err != nil {
		t.Fatalf("FetchPlatformConfig() error: %v", err)
	}
	if f.configAuth != "" {
		t.Errorf("Authorization = %q, want none", f.configAuth)
	}
	if got.Issuer != f.root() || got.IsCanvas() || got.LTI.ProductFamilyCode != "moodle" {
		t.Errorf("FetchPlatformConfig() = issuer %q, family %q", got.Issuer,
			got.LTI.ProductFamilyCode)
	}
}
