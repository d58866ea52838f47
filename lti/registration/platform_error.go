package registration

import (
	"encoding/json"
	"strings"
)

// maxErrorText bounds how much of a platform's error text is repeated.
const maxErrorText = 300

// platformErrorText extracts the platform's own explanation from an error
// answer, formatted as ": explanation", or returns "" when there is none.
// OAuth-style error fields are preferred; an HTML page is not repeated. Any
// occurrence of the registration token is removed.
func platformErrorText(body []byte, token string) string {
	text := strings.TrimSpace(string(body))
	var fields map[string]any
	if json.Unmarshal(body, &fields) == nil {
		for _, k := range []string{"error_description", "errorMessage", "message", "error"} {
			if s, ok := fields[k].(string); ok && strings.TrimSpace(s) != "" {
				text = s
				break
			}
		}
	}
	if strings.HasPrefix(text, "<") {
		return ""
	}
	if token != "" {
		text = strings.ReplaceAll(text, token, "[registration token]")
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > maxErrorText {
		text = string(r[:maxErrorText]) + "…"
	}
	if text == "" {
		return ""
	}
	return ": " + text
}
