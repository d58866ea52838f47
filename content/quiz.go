package content

import (
	"fmt"
	"math"
)

// Quiz is a set of questions: a lesson quiz (Kind KindQuiz) or a module
// test (Kind KindTest).
type Quiz struct {
	ID       string
	Kind     Kind
	ModuleID string
	// LessonID is the lesson a quiz belongs to; "" for a module test.
	LessonID string
	Title    string
	Subtitle string
	// PassMark is the module's pass mark on a module test, 0 on a quiz.
	PassMark  float64
	Questions []*Question
}

// Summary returns the line shown under the quiz title, as the author's
// course shows it: "Constitutional AI · 4 questions", and for a test
// "How Models Generate Training Data · 15 questions · 80% to pass".
func (q *Quiz) Summary() string {
	s := fmt.Sprintf("%s · %d questions", q.Subtitle, len(q.Questions))
	if q.Kind == KindTest && q.PassMark > 0 {
		s += fmt.Sprintf(" · %d%% to pass", int(math.Round(q.PassMark*100)))
	}
	return s
}

// Question returns the question with the given id.
func (q *Quiz) Question(id string) (*Question, bool) {
	for _, qu := range q.Questions {
		if qu.ID == id {
			return qu, true
		}
	}
	return nil, false
}

// Question is one multiple-choice question with exactly one correct
// option. Options are in the author's order; use ShuffledOptions to show
// them.
type Question struct {
	// ID is unique across the pack, so an answer can be stored by it alone.
	ID       string
	Prompt   string
	Options  []Option
	Feedback Feedback
}

// Option is one answer a learner may choose. ID is unique within its
// question and stays the same whatever order the options are shown in.
type Option struct {
	ID      string
	Text    string
	Correct bool
}

// Feedback holds the author's text shown after an answer, served verbatim.
type Feedback struct {
	Right string // shown after a correct answer, "Correct. …"
	Wrong string // shown after a wrong answer, "Not quite. …"
}

// Correct reports whether the option with the given id is the correct one.
// An unknown id is not correct.
func (q *Question) Correct(optionID string) bool {
	for _, o := range q.Options {
		if o.ID == optionID {
			return o.Correct
		}
	}
	return false
}

// CorrectOption returns the question's correct option.
func (q *Question) CorrectOption() Option {
	for _, o := range q.Options {
		if o.Correct {
			return o
		}
	}
	return Option{}
}
