package content

import (
	"strings"
	"unicode"
)

// stopWords are words that say nothing about what a figure measures,
// including the hedges put in front of figures ("under", "roughly").
var stopWords = toSet(`a about above after again against all almost also am an and
any approximately are around as at be because been before being below between both
but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its just less like
many may me might more most much my nearly no nor not now of off on once only or
other our out over own per roughly same she should so some such than that the their
them then there these they this those through to too under until up upon very via
was we were what when where which while who whom why will with within would you
your ~`)

// toSet splits a list of words into a set.
func toSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// tokens splits text into words: runs of letters, digits, hyphens,
// apostrophes and inner dots, as "GPT-3.5" or "doesn't".
func tokens(text string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(text, func(r rune) bool {
		return !isWordRune(r) && !strings.ContainsRune("-'’.", r)
	}) {
		if t = strings.Trim(t, "-'’."); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// contentWord returns the stem of a word that carries meaning, or "" for
// stop words, numbers and names, which are compared as subjects instead.
func contentWord(t string, names map[string]bool) string {
	lower := strings.ToLower(t)
	if stopWords[lower] || names[t] || !unicode.IsLetter([]rune(t)[0]) {
		return ""
	}
	return stem(lower)
}

// contentWords returns the stems of the content words of a sentence.
func contentWords(s string, names map[string]bool) map[string]bool {
	set := map[string]bool{}
	for _, t := range tokens(s) {
		if w := contentWord(t, names); w != "" {
			set[w] = true
		}
	}
	return set
}

// nearWords returns the content words closest to a figure: the last one
// before it and the first one after it.
func nearWords(before, after string, names map[string]bool) map[string]bool {
	set := map[string]bool{}
	b := tokens(before)
	for i := len(b) - 1; i >= 0; i-- {
		if w := contentWord(b[i], names); w != "" {
			set[w] = true
			break
		}
	}
	for _, t := range tokens(after) {
		if w := contentWord(t, names); w != "" {
			set[w] = true
			break
		}
	}
	return set
}

// stem strips common English endings so that "cost" and "costs", or
// "generate" and "generated", compare equal.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s", "e"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 &&
			!(suf == "s" && strings.HasSuffix(w, "ss")) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// properNames finds the names used in the passages: words written with a
// capital letter other than at the start of a sentence, as "Alpaca".
func properNames(ps []passage) map[string]bool {
	names := map[string]bool{}
	for _, p := range ps {
		for _, s := range sentences(p.text) {
			for i, t := range tokens(s) {
				if isName(t, i == 0) {
					names[t] = true
				}
			}
		}
	}
	return names
}

// isName reports whether a token looks like a name. At the start of a
// sentence only tokens with a second capital or a digit count, as "GPT-4".
func isName(t string, first bool) bool {
	rs := []rune(t)
	if !unicode.IsUpper(rs[0]) || stopWords[strings.ToLower(t)] {
		return false
	}
	if !first {
		return true
	}
	for _, r := range rs[1:] {
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// subjects returns the names a passage speaks of, in its text or context.
func subjects(p passage, names map[string]bool) map[string]bool {
	set := map[string]bool{}
	for _, t := range tokens(p.text + " " + p.context) {
		if names[t] {
			set[t] = true
		}
	}
	return set
}
