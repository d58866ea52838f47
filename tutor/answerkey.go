package tutor

import (
	"strings"
	"unicode"

	"aesop/content"
)

// The shortest texts the answer-key guard looks for: a shorter correct
// option ("Yes", "RLHF") or feedback sentence ("Correct.") is common
// language and would strike out half a lesson without giving anything away.
const (
	minOptionWords   = 3
	minFeedbackWords = 6
)

// answerKey holds the answers of every quiz and test of a pack as word
// strings: the correct options' texts and the sentences of the feedback,
// which restates the correct answer.
type answerKey struct {
	phrases []string // " word word … " with spaces at both ends
}

// newAnswerKey collects the answers of every quiz and module test of pack.
func newAnswerKey(pack *content.Pack) *answerKey {
	k := &answerKey{}
	for _, m := range pack.Modules {
		quizzes := append([]*content.Quiz{}, m.Quizzes...)
		if m.Test != nil {
			quizzes = append(quizzes, m.Test)
		}
		for _, q := range quizzes {
			for _, qu := range q.Questions {
				k.add(qu.CorrectOption().Text, minOptionWords)
				for _, s := range sentences(qu.Feedback.Right + " " + qu.Feedback.Wrong) {
					k.add(s, minFeedbackWords)
				}
			}
		}
	}
	return k
}

// add records text as a phrase when it has at least min words.
func (k *answerKey) add(text string, min int) {
	w := words(text)
	if len(w) >= min {
		k.phrases = append(k.phrases, " "+strings.Join(w, " ")+" ")
	}
}

// quoted reports whether text holds any phrase of the key, whatever its
// case, spacing or punctuation.
func (k *answerKey) quoted(text string) bool {
	hay := " " + strings.Join(words(text), " ") + " "
	for _, p := range k.phrases {
		if strings.Contains(hay, p) {
			return true
		}
	}
	return false
}

// words lowercases s and splits it into words without punctuation.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// sentences splits text after each ".", "!" or "?" that a space follows.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text)-1; i++ {
		switch text[i] {
		case '.', '!', '?':
			if unicode.IsSpace(rune(text[i+1])) {
				out = appendTrimmed(out, text[start:i+1])
				start = i + 1
			}
		}
	}
	return appendTrimmed(out, text[start:])
}

func appendTrimmed(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

// withoutAnswers returns text less the sentences that quote the key.
func (k *answerKey) withoutAnswers(text string) string {
	if !k.quoted(text) {
		return text
	}
	var kept []string
	for _, s := range sentences(text) {
		if !k.quoted(s) {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, " ")
}
