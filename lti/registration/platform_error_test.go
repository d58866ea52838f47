package registration

import (
	"strings"
	"testing"
)

func TestPlatformErrorText(t *testing.T) {
	long := strings.Repeat("x", maxErrorText+10)
	tests := []struct {
		name, body, want string
	}{
		{"oauth description", `{"error":"invalid_client_metadata",` +
			`"error_description":"redirect_uris must be https"}`,
			": redirect_uris must be https"},
		{"oauth code only", `{"error":"invalid_token"}`, ": invalid_token"},
		{"canvas message", `{"errorMessage":"JWT did not include expected contents"}`,
			": JWT did not include expected contents"},
		{"plain text", "  token\n  expired ", ": token expired"},
		{"token scrubbed", "bad token sekret", ": bad token [registration token]"},
		{"html page", "<html><body>500</body></html>", ""},
		{"empty", "", ""},
		{"long", long, ": " + long[:maxErrorText] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := platformErrorText([]byte(tt.body), "sekret"); got != tt.want {
				t.Errorf("platformErrorText() = %q, want %q", got, tt.want)
			}
		})
	}
}
