package oauth

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"unicode"
)

// MaxMessage bounds, in characters, the platform text kept on an error.
const MaxMessage = 300

// answerMessage finds the platform's own explanation in an answer: a JSON
// error body as Canvas, Moodle or an OAuth server writes it, a short text
// body, an HTML page's title, or a reason phrase other than the standard one
// (Moodle puts its reason in the status line).
func answerMessage(resp *http.Response, body []byte) string {
	if m := jsonMessage(body); m != "" {
		return Sanitize(m)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(string(body))
	switch {
	case mt == "text/html" || strings.HasPrefix(trimmed, "<"):
		if m := Sanitize(htmlText(trimmed)); m != "" {
			return m
		}
	case mt == "" || strings.HasPrefix(mt, "text/"):
		if m := Sanitize(trimmed); m != "" {
			return m
		}
	}
	return reasonPhrase(resp)
}

// reasonPhrase returns the status line's text when it is not the standard
// text for the code.
func reasonPhrase(resp *http.Response) string {
	_, reason, _ := strings.Cut(resp.Status, " ")
	if reason == "" || strings.EqualFold(reason, http.StatusText(resp.StatusCode)) {
		return ""
	}
	return Sanitize(reason)
}

// jsonMessage reads the explanation out of the JSON error bodies platforms
// send: {"errors": {"message"}} or {"errors": [{"message"}]} (Canvas),
// {"reason"} (Moodle), {"error_description"} and {"error"} (OAuth 2), and
// {"message"} or {"detail"} elsewhere.
func jsonMessage(body []byte) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	for _, k := range []string{"errors", "error_description", "reason", "message",
		"detail", "error", "title"} {
		if m := messageIn(doc[k]); m != "" {
			return m
		}
	}
	return ""
}

// messageIn returns the text of a string, of an object's message, or of the
// messages of a list, joined.
func messageIn(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		for _, k := range []string{"message", "description", "reason", "detail"} {
			if s, ok := v[k].(string); ok && s != "" {
				return s
			}
		}
	case []any:
		var parts []string
		for _, it := range v {
			if m := messageIn(it); m != "" {
				parts = append(parts, m)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// htmlText returns an HTML page's title, or its text without tags.
func htmlText(s string) string {
	lower := strings.ToLower(s)
	if i := strings.Index(lower, "<title>"); i >= 0 {
		rest := s[i+len("<title>"):]
		if j := strings.Index(strings.ToLower(rest), "</title>"); j >= 0 {
			return rest[:j]
		}
	}
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
			b.WriteByte(' ')
		case !inTag:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Sanitize makes platform text safe to keep and show: valid UTF-8, no
// control or formatting characters (which could reorder what is shown), runs
// of white space collapsed, and at most MaxMessage characters.
func Sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			space = b.Len() > 0
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if n+need > MaxMessage {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
