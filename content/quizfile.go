package content

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// quizDecl is a quiz or test as read, with the places needed to report
// references that do not resolve.
type quizDecl struct {
	quiz   *Quiz
	at     Place // where its id is written
	lesson idAt  // the lesson named by a quiz; empty for a test
}

// loadQuiz reads a lesson quiz or a module test.
func (l *loader) loadQuiz(ml *moduleLoad, yf *yamlFile, m *fields, kind Kind) {
	q := &Quiz{Kind: kind, ModuleID: ml.mod.ID}
	q.ID = m.str("id")
	m.what = string(kind)
	if q.ID != "" {
		m.what = fmt.Sprintf("%s %s", kind, q.ID)
	}
	d := quizDecl{quiz: q, at: m.place("id")}
	if kind == KindQuiz {
		d.lesson = idAt{id: m.str("lesson"), at: m.place("lesson")}
	}
	q.Title = m.str("title")
	q.Subtitle = m.str("subtitle")
	for i, n := range m.list("questions") {
		if qu := l.loadQuestion(yf, n, i); qu != nil {
			q.Questions = append(q.Questions, qu)
		}
	}
	m.done()
	if !l.declare(q.ID, d.at, string(kind)) {
		return
	}
	if kind == KindTest {
		ml.tests = append(ml.tests, d)
	} else {
		ml.quizzes = append(ml.quizzes, d)
	}
}

// loadQuestion reads one question and checks its options and feedback.
func (l *loader) loadQuestion(yf *yamlFile, n *yaml.Node, i int) *Question {
	m := yf.fields(n, fmt.Sprintf("question %d", i+1))
	if m == nil {
		return nil
	}
	q := &Question{ID: m.str("id")}
	if q.ID != "" {
		m.what = "question " + q.ID
	}
	q.Prompt = m.str("prompt")
	for j, on := range m.list("options") {
		if o, ok := l.loadOption(yf, on, j, m.what); ok {
			q.Options = append(q.Options, o)
		}
	}
	l.passage(m.place("prompt"), q.Prompt, "")
	if fn := m.value("feedback"); fn == nil {
		m.missing("feedback")
	} else if fm := yf.fields(fn, m.what+" feedback"); fm != nil {
		q.Feedback.Right = fm.str("right")
		q.Feedback.Wrong = fm.str("wrong")
		fm.done()
		l.passage(fm.place("right"), q.Feedback.Right, q.Prompt)
		l.passage(fm.place("wrong"), q.Feedback.Wrong, q.Prompt)
	}
	m.done()
	l.checkOptions(yf.at(n), m.what, q.Options)
	l.declare(q.ID, m.place("id"), "question")
	return q
}

// loadOption reads one answer option.
func (l *loader) loadOption(yf *yamlFile, n *yaml.Node, j int, question string) (Option, bool) {
	m := yf.fields(n, fmt.Sprintf("%s option %d", question, j+1))
	if m == nil {
		return Option{}, false
	}
	o := Option{ID: m.str("id"), Text: m.str("text"), Correct: m.boolean("correct")}
	m.done()
	return o, true
}

// checkOptions reports a question whose options do not give exactly one
// correct answer among at least two wrong ones, or repeat an id or text.
func (l *loader) checkOptions(at Place, what string, opts []Option) {
	right, wrong := 0, 0
	ids, texts := map[string]bool{}, map[string]bool{}
	for _, o := range opts {
		if o.Correct {
			right++
		} else {
			wrong++
		}
		if o.ID != "" && ids[o.ID] {
			l.probs.add(at, "%s: option id %q is used twice", what, o.ID)
		}
		if o.Text != "" && texts[o.Text] {
			l.probs.add(at, "%s: option text %q is given twice", what, o.Text)
		}
		ids[o.ID], texts[o.Text] = true, true
	}
	if right != 1 {
		l.probs.add(at, "%s: has %s marked correct: mark exactly one with \"correct: true\"",
			what, plural(right, "option"))
	}
	if wrong < 2 {
		l.probs.add(at, "%s: has %s: give at least two", what, plural(wrong, "wrong option"))
	}
}
