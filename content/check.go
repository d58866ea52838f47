package content

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Report is what Check found in a pack: errors that stop it from loading
// and review notes for the author, which do not.
type Report struct {
	Errors []Problem
	Notes  []Note
	// Pack is the loaded pack when there are no errors, else nil.
	Pack *Pack

	modules []*Module // what did load, for the summary
}

// Note is a review note: a passage that loads fine but that the author
// should look at, with every place involved.
type Note struct {
	Msg   string
	Where []Excerpt
}

// Excerpt is a place in the pack with the sentence found there.
type Excerpt struct {
	Place
	Text string
}

// Check loads a pack as Load does and also reviews its text, for the
// "aesop content check" command and for authors' tooling.
func Check(fsys fs.FS) *Report {
	p, probs := load(fsys)
	r := &Report{Errors: probs.sorted(), Notes: reviewNotes(p), modules: p.Modules}
	if len(probs) == 0 {
		r.Pack = p
	}
	return r
}

// OK reports whether the pack has no errors. Notes do not count.
func (r *Report) OK() bool {
	return len(r.Errors) == 0
}

// Write prints the report for a person: errors as file:line: message,
// then notes with the places they concern, then a summary.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, p := range r.Errors {
		fmt.Fprintf(&b, "%s: error: %s\n", p.Place, p.Msg)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n.Msg)
		for _, e := range n.Where {
			fmt.Fprintf(&b, "    %s: %s\n", e.Place, e.Text)
		}
	}
	for _, m := range r.modules {
		fmt.Fprintf(&b, "module %s %q: %s\n", m.ID, m.Title, moduleSummary(m))
	}
	fmt.Fprintf(&b, "%s, %s\n", plural(len(r.Errors), "error"), plural(len(r.Notes), "note"))
	_, err := io.WriteString(w, b.String())
	return err
}

// moduleSummary counts what a module holds, as "4 lessons, 4 quizzes (16
// questions), 4 labs, test m3-test (15 questions, pass mark 80%)".
func moduleSummary(m *Module) string {
	qs := 0
	for _, q := range m.Quizzes {
		qs += len(q.Questions)
	}
	s := fmt.Sprintf("%s, %s (%s), %s", plural(len(m.Lessons), "lesson"),
		pluralQuiz(len(m.Quizzes)), plural(qs, "question"), plural(len(m.Labs), "lab"))
	if m.Test == nil {
		return s + ", no test"
	}
	return s + fmt.Sprintf(", test %s (%s, pass mark %.0f%%)", m.Test.ID,
		plural(len(m.Test.Questions), "question"), m.PassMark*100)
}

// pluralQuiz is plural for the one noun whose plural is irregular here.
func pluralQuiz(n int) string {
	if n == 1 {
		return "1 quiz"
	}
	return fmt.Sprintf("%d quizzes", n)
}
