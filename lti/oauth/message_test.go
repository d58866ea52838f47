package oauth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAnswerMessage(t *testing.T) {
	long := strings.Repeat("é", MaxMessage+10)
	tests := []struct {
		name   string
		status string
		ctype  string
		body   string
		want   string
	}{
		{"canvas object", "422 Unprocessable Entity", "application/json",
			`{"errors":{"type":"unprocessable_entity","message":"User is not a student"}}`,
			"User is not a student"},
		{"canvas list", "404 Not Found", "application/json",
			`{"errors":[{"message":"The specified resource does not exist."},{"message":"Gone"}]}`,
			"The specified resource does not exist.; Gone"},
		{"moodle", "409 Conflict", "application/json",
			`{"status":409,"reason":"Refusing score with an earlier timestamp","request":{}}`,
			"Refusing score with an earlier timestamp"},
		{"oauth", "400 Bad Request", "application/json",
			`{"error":"invalid_grant","error_description":"assertion expired"}`,
			"assertion expired"},
		{"oauth code only", "400 Bad Request", "application/json", `{"error":"invalid_scope"}`,
			"invalid_scope"},
		{"plain text", "403 Forbidden", "text/plain", "course\tconcluded\n", "course concluded"},
		{"html title", "502 Bad Gateway", "text/html",
			"<html><head><title>502 Proxy Error</title></head><body>x</body></html>",
			"502 Proxy Error"},
		{"html text", "500 Internal Server Error", "text/html", "<p>Oops <b>broke</b></p>",
			"Oops broke"},
		{"moodle reason phrase", "409 Refusing score with an earlier timestamp", "", "",
			"Refusing score with an earlier timestamp"},
		{"standard reason phrase", "404 Not Found", "", "", ""},
		{"binary", "500 Internal Server Error", "application/octet-stream", "\x00\x01", ""},
		{"controls and bidi", "400 Bad Request", "text/plain", "bad\x1b[31m \u202ered",
			"bad [31m red"},
		{"bounded", "400 Bad Request", "text/plain", long, strings.Repeat("é", MaxMessage) + "…"},
		{"invalid utf-8", "400 Bad Request", "text/plain", "caf\xe9", "caf\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := 0
			for _, r := range tt.status[:3] {
				code = code*10 + int(r-'0')
			}
			resp := &http.Response{Status: tt.status, StatusCode: code,
				Header: http.Header{"Content-Type": {tt.ctype}}}
			if got := answerMessage(resp, []byte(tt.body)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"Mon, 04 May 2026 12:00:30 GMT", 30 * time.Second},
		{"Monday, 04-May-26 12:01:00 GMT", time.Minute},
		{"Mon, 04 May 2026 11:00:00 GMT", 0},
		{"999999999", MaxRetryAfter},
		{"Tue, 05 May 2026 12:00:00 GMT", MaxRetryAfter},
		{"soon", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		if got := RetryAfter(h, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
		}
	}
}
