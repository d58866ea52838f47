package content

import "strings"

// passage is a piece of the author's text with where it is written, kept
// for the review notes. context is the title or question it belongs to,
// which names its subject when the text itself does not.
type passage struct {
	at      Place
	text    string
	context string
}

// passage records a non-empty piece of text for the review notes.
func (l *loader) passage(at Place, text, context string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	l.pack.passages = append(l.pack.passages, passage{at: at, text: text, context: context})
}

// sentences splits text at the end of each sentence: a stop, question or
// exclamation mark, perhaps inside closing quotes, followed by a space and
// a capital letter, a digit or a quote; or at a blank line.
func sentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		end := false
		switch {
		case rs[i] == '\n' && i+1 < len(rs) && rs[i+1] == '\n':
			end = true
		case strings.ContainsRune(".?!", rs[i]):
			for i+1 < len(rs) && strings.ContainsRune("\"”’)", rs[i+1]) {
				i++
			}
			end = i+2 < len(rs) && rs[i+1] == ' ' && startsSentence(rs[i+2])
		}
		if end {
			out = appendTrimmed(out, string(rs[start:i+1]))
			start = i + 1
		}
	}
	return appendTrimmed(out, string(rs[start:]))
}

// startsSentence reports whether r may open a sentence.
func startsSentence(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("\"“‘(", r)
}

// appendTrimmed appends s to out unless it is blank.
func appendTrimmed(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}
