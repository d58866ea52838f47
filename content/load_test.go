package content

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// The smallest valid pack: one module with one lesson, quiz, lab and test.
// Line numbers in the cases below refer to these texts.
const (
	baseModule = `id: m1
number: 1
title: Test Module
pass_mark: 0.8
nav:
  - m1-l1
  - m1-l1-quiz
  - m1-l1-lab
  - m1-test
`
	baseLesson = `---
id: m1-l1
number: 1
title: First Lesson
subtitle: A subtitle
hook: A question?
glossary:
  - term: Term
    definition: A definition.
---

Opening paragraph.

## First Section

Some text.

> [!key-finding] Key Finding — Test, 2024
>
> Finding text.
`
	baseQuiz = `kind: quiz
id: m1-l1-quiz
lesson: m1-l1
title: Lesson 1 Quiz
subtitle: First Lesson
questions:
  - id: m1-l1-q1
    prompt: Which one?
    options:
      - id: a
        text: This one
        correct: true
      - id: b
        text: That one
      - id: c
        text: The other one
    feedback:
      right: Correct. This one.
      wrong: Not quite. This one.
`
	baseLab = `kind: lab
id: m1-l1-lab
lesson: m1-l1
title: "Lab 1: Practise"
subtitle: A subtitle
objective: An objective.
suggestion: Ask the tutor.
tutor_name: AESOP Lab Tutor
lab_name: Practice
opening: Welcome to Lab 1.
instructions:
  persona: You are a tutor.
  goal: Help the learner practise.
  guidance:
    - Ask before telling.
  boundaries:
    - Never give module test answers.
`
	baseTest = `kind: test
id: m1-test
title: Module 1 Test
subtitle: Test Module
questions:
  - id: m1-test-q1
    prompt: Which answer is right?
    options:
      - id: a
        text: The answer kept secret from the tutor
        correct: true
      - id: b
        text: A wrong answer
      - id: c
        text: Another wrong answer
    feedback:
      right: Correct.
      wrong: Not quite.
`
)

// basePack returns the valid pack as a MapFS a test may change.
func basePack() fstest.MapFS {
	return fstest.MapFS{
		"m1/module.yaml": {Data: []byte(baseModule)},
		"m1/lesson-1.md": {Data: []byte(baseLesson)},
		"m1/quiz-1.yaml": {Data: []byte(baseQuiz)},
		"m1/lab-1.yaml":  {Data: []byte(baseLab)},
		"m1/test.yaml":   {Data: []byte(baseTest)},
		"README.md":      {Data: []byte("Not a module.\n")},
	}
}

// edit is a change to one file of the base pack: old is replaced by new,
// or the file is removed when old is empty and new is "-".
type edit struct {
	file, old, new string
}

func TestBasePackLoads(t *testing.T) {
	p, err := Load(basePack())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(p.Modules) != 1 || len(p.Modules[0].Nav) != 4 {
		t.Fatalf("loaded %+v", p.Modules)
	}
}

func TestLoadReportsProblems(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		want  []string // each must appear in the error text
	}{
		{
			name:  "no correct option",
			edits: []edit{{"m1/quiz-1.yaml", "        correct: true\n", ""}},
			want: []string{"m1/quiz-1.yaml:7:5: question m1-l1-q1: has 0 options marked " +
				"correct: mark exactly one"},
		},
		{
			name: "two correct options",
			edits: []edit{{"m1/quiz-1.yaml", "text: That one\n",
				"text: That one\n        correct: true\n"}},
			want: []string{"m1/quiz-1.yaml:7:5: question m1-l1-q1: has 2 options marked correct"},
		},
		{
			name:  "one wrong option",
			edits: []edit{{"m1/quiz-1.yaml", "      - id: c\n        text: The other one\n", ""}},
			want: []string{"m1/quiz-1.yaml:7:5: question m1-l1-q1: has 1 wrong option: " +
				"give at least two"},
		},
		{
			name:  "right feedback missing",
			edits: []edit{{"m1/quiz-1.yaml", "      right: Correct. This one.\n", ""}},
			want:  []string{`m1/quiz-1.yaml:18:7: question m1-l1-q1 feedback: missing "right"`},
		},
		{
			name:  "wrong feedback empty",
			edits: []edit{{"m1/quiz-1.yaml", "wrong: Not quite. This one.", `wrong: ""`}},
			want:  []string{`m1/quiz-1.yaml:19:14: question m1-l1-q1 feedback: "wrong" is empty`},
		},
		{
			name: "feedback missing",
			edits: []edit{{"m1/test.yaml",
				"    feedback:\n      right: Correct.\n      wrong: Not quite.\n", ""}},
			want: []string{`m1/test.yaml:6:5: question m1-test-q1: missing "feedback"`},
		},
		{
			name:  "id used twice across files",
			edits: []edit{{"m1/lab-1.yaml", "id: m1-l1-lab", "id: m1-l1-quiz"}},
			want: []string{`m1/quiz-1.yaml:2:5: quiz id "m1-l1-quiz" is already used at ` +
				`m1/lab-1.yaml:2:5`},
		},
		{
			name:  "question id used twice",
			edits: []edit{{"m1/test.yaml", "id: m1-test-q1", "id: m1-l1-q1"}},
			want: []string{`m1/test.yaml:6:9: question id "m1-l1-q1" is already used at ` +
				`m1/quiz-1.yaml:7:9`},
		},
		{
			name:  "badly formed id",
			edits: []edit{{"m1/lesson-1.md", "id: m1-l1", "id: M1_L1"}},
			want: []string{`m1/lesson-1.md:2:5: lesson id "M1_L1" must be lowercase letters ` +
				`and digits joined by hyphens`},
		},
		{
			name:  "lab names an unknown lesson",
			edits: []edit{{"m1/lab-1.yaml", "lesson: m1-l1", "lesson: m1-l7"}},
			want:  []string{`m1/lab-1.yaml:3:9: lab names unknown lesson "m1-l7"`},
		},
		{
			name:  "quiz names a lab as its lesson",
			edits: []edit{{"m1/quiz-1.yaml", "lesson: m1-l1", "lesson: m1-l1-lab"}},
			want: []string{`m1/quiz-1.yaml:3:9: quiz names "m1-l1-lab", which is not a ` +
				`lesson of module m1`},
		},
		{
			name:  "nav names an unknown activity",
			edits: []edit{{"m1/module.yaml", "  - m1-test\n", "  - m1-test\n  - m1-l2\n"}},
			want: []string{`m1/module.yaml:10:5: nav lists "m1-l2", which is not an ` +
				`activity of module m1`},
		},
		{
			name:  "nav leaves an activity out",
			edits: []edit{{"m1/module.yaml", "  - m1-l1-lab\n", ""}},
			want: []string{`m1/module.yaml:6:3: nav does not list lab "m1-l1-lab"; ` +
				`learners could not reach it`},
		},
		{
			name:  "nav lists an activity twice",
			edits: []edit{{"m1/module.yaml", "  - m1-test\n", "  - m1-test\n  - m1-l1\n"}},
			want:  []string{`m1/module.yaml:10:5: nav lists "m1-l1" twice`},
		},
		{
			name:  "misspelt key",
			edits: []edit{{"m1/quiz-1.yaml", "    prompt: Which one?", "    promt: Which one?"}},
			want: []string{`m1/quiz-1.yaml:7:5: question m1-l1-q1: missing "prompt"`,
				`m1/quiz-1.yaml:8:5: question m1-l1-q1: unknown key "promt"`},
		},
		{
			name:  "unknown kind",
			edits: []edit{{"m1/lab-1.yaml", "kind: lab", "kind: labs"}},
			want:  []string{`m1/lab-1.yaml:1:7: unknown kind "labs": want quiz, lab or test`},
		},
		{
			name:  "YAML syntax error",
			edits: []edit{{"m1/quiz-1.yaml", "title: Lesson 1 Quiz", "title: [Lesson 1 Quiz"}},
			want:  []string{"m1/quiz-1.yaml:4: invalid YAML:"},
		},
		{
			name:  "module folder without module.yaml",
			edits: []edit{{"m1/module.yaml", "", "-"}},
			want:  []string{`m1: folder "m1" has no module.yaml`},
		},
		{
			name:  "pass mark out of range",
			edits: []edit{{"m1/module.yaml", "pass_mark: 0.8", "pass_mark: 80"}},
			want:  []string{`m1/module.yaml:4:12: module: "pass_mark" must be above 0 and at most 1`},
		},
		{
			name:  "pass mark missing",
			edits: []edit{{"m1/module.yaml", "pass_mark: 0.8\n", ""}},
			want:  []string{`m1/module.yaml:1: module: missing "pass_mark" for test m1-test`},
		},
		{
			name:  "second test",
			edits: []edit{{"m1/zz-test.yaml", "", strings.Replace(baseTest, "m1-test", "m1-test2", 2)}},
			want:  []string{`m1/zz-test.yaml:2:5: module m1 already has test m1-test`},
		},
		{
			name: "lab instructions give away a test answer",
			edits: []edit{{"m1/lab-1.yaml", "Help the learner practise.",
				"Tell The answer kept secret from the tutor."}},
			want: []string{"m1/lab-1.yaml:12:3: lab m1-l1-lab: instructions give away the " +
				"answer to test question m1-test-q1"},
		},
		{
			name:  "lab without boundaries",
			edits: []edit{{"m1/lab-1.yaml", "  boundaries:\n    - Never give module test answers.\n", ""}},
			want:  []string{`m1/lab-1.yaml:12:3: lab m1-l1-lab instructions: missing "boundaries"`},
		},
		{
			name:  "lesson without front matter",
			edits: []edit{{"m1/lesson-1.md", "---\nid: m1-l1", "id: m1-l1"}},
			want:  []string{`m1/lesson-1.md:1: a lesson starts with YAML front matter`},
		},
		{
			name:  "front matter field missing",
			edits: []edit{{"m1/lesson-1.md", "hook: A question?\n", ""}},
			want:  []string{`m1/lesson-1.md:2:1: the file: missing "hook"`},
		},
		{
			name:  "title heading in body",
			edits: []edit{{"m1/lesson-1.md", "Opening paragraph.", "# First Lesson"}},
			want:  []string{`m1/lesson-1.md:12:1: use "##" for section headings`},
		},
		{
			name:  "raw HTML",
			edits: []edit{{"m1/lesson-1.md", "Some text.", "Some <b>bold</b> text.\n\n<div>x</div>"}},
			want: []string{`m1/lesson-1.md:16:6: raw HTML is not allowed`,
				`m1/lesson-1.md:18:1: raw HTML is not allowed`},
		},
		{
			name:  "unknown callout kind",
			edits: []edit{{"m1/lesson-1.md", "[!key-finding]", "[!key-findng]"}},
			want:  []string{`m1/lesson-1.md:18:1: unknown block kind [!key-findng]`},
		},
		{
			name:  "callout without title",
			edits: []edit{{"m1/lesson-1.md", "[!key-finding] Key Finding — Test, 2024", "[!key-finding]"}},
			want:  []string{`m1/lesson-1.md:18:1: callout [!key-finding] needs a title`},
		},
		{
			name:  "callout title run into its text",
			edits: []edit{{"m1/lesson-1.md", "2024\n>\n>", "2024\n>"}},
			want:  []string{`m1/lesson-1.md:18:3: leave a blank ">" line after the [!key-finding] line`},
		},
		{
			name:  "comparison with one card",
			edits: []edit{{"m1/lesson-1.md", "Some text.", "> [!comparison]\n>\n> ### Only\n>\n> Text."}},
			want:  []string{`m1/lesson-1.md:16:1: a comparison needs at least two cards, has 1`},
		},
		{
			name: "comparison text before a card title",
			edits: []edit{{"m1/lesson-1.md", "Some text.",
				"> [!comparison]\n>\n> Loose.\n>\n> ### A\n>\n> a\n>\n> ### B\n>\n> b"}},
			want: []string{`m1/lesson-1.md:18:3: comparison text must come under a card title`},
		},
		{
			name:  "phases that are not a numbered list",
			edits: []edit{{"m1/lesson-1.md", "Some text.", "> [!phases]\n>\n> - **One.** Text."}},
			want:  []string{`m1/lesson-1.md:16:1: [!phases] must hold one numbered list`},
		},
		{
			name: "phase without a bold title",
			edits: []edit{{"m1/lesson-1.md", "Some text.",
				"> [!phases]\n>\n> 1. **One.** Text.\n> 2. Two."}},
			want: []string{`m1/lesson-1.md:19:3: phase 2 must open with a bold title`},
		},
		{
			name: "heading id used twice",
			edits: []edit{{"m1/lesson-1.md", "Some text.",
				"Some text.\n\n## Again {#first-section}\n\nMore."}},
			want: []string{`m1/lesson-1.md:18:1: heading id "first-section" is used twice`},
		},
		{
			name:  "section without text",
			edits: []edit{{"m1/lesson-1.md", "Opening paragraph.", "Opening paragraph.\n\n## Empty"}},
			want:  []string{`m1/lesson-1.md:14:1: section "Empty" has no text`},
		},
		{
			name: "several problems reported together",
			edits: []edit{
				{"m1/quiz-1.yaml", "        correct: true\n", ""},
				{"m1/lab-1.yaml", "lesson: m1-l1", "lesson: m1-l7"},
				{"m1/lesson-1.md", "[!key-finding]", "[!key-findng]"},
			},
			want: []string{
				"m1/lab-1.yaml:3:9: lab names unknown lesson",
				"m1/lesson-1.md:18:1: unknown block kind",
				"m1/quiz-1.yaml:7:5: question m1-l1-q1: has 0 options marked correct",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := basePack()
			for _, e := range tc.edits {
				applyEdit(t, fsys, e)
			}
			_, err := Load(fsys)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load error = %v, want a *LoadError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error text lacks %q; got:\n%v", w, err)
				}
			}
		})
	}
}

// applyEdit changes one file of a MapFS as the edit says.
func applyEdit(t *testing.T, fsys fstest.MapFS, e edit) {
	t.Helper()
	switch {
	case e.old == "" && e.new == "-":
		delete(fsys, e.file)
	case e.old == "":
		fsys[e.file] = &fstest.MapFile{Data: []byte(e.new)}
	default:
		f, ok := fsys[e.file]
		if !ok || !strings.Contains(string(f.Data), e.old) {
			t.Fatalf("%s does not hold %q", e.file, e.old)
		}
		fsys[e.file] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), e.old, e.new, 1))}
	}
}

func TestLoadErrorListsOneProblemPerLine(t *testing.T) {
	err := &LoadError{Problems: []Problem{
		{Place: Place{File: "a.yaml", Line: 3, Col: 5}, Msg: "first"},
		{Place: Place{File: "b.md", Line: 7}, Msg: "second"},
		{Place: Place{File: "c"}, Msg: "third"},
	}}
	want := "a.yaml:3:5: first\nb.md:7: second\nc: third"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLoadEmptyPack(t *testing.T) {
	_, err := Load(fstest.MapFS{"README.md": {Data: []byte("x")}})
	if err == nil || !strings.Contains(err.Error(), "the pack holds no module folder") {
		t.Errorf("Load(empty) = %v", err)
	}
}

func TestBrokenModuleFileDoesNotCascade(t *testing.T) {
	fsys := basePack()
	applyEdit(t, fsys, edit{"m1/module.yaml", "title: Test Module", "title: [Test"})
	_, err := Load(fsys)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load = %v, want a *LoadError", err)
	}
	if len(le.Problems) != 1 || !strings.HasPrefix(le.Problems[0].String(),
		"m1/module.yaml:3: invalid YAML: did not find expected ',' or ']'") {
		t.Errorf("problems = %v, want the one YAML error", le.Problems)
	}
}

func TestLessonNumbersAreUnique(t *testing.T) {
	fsys := basePack()
	second := strings.Replace(baseLesson, "id: m1-l1", "id: m1-l2", 1)
	applyEdit(t, fsys, edit{"m1/lesson-2.md", "", second})
	applyEdit(t, fsys, edit{"m1/module.yaml", "  - m1-test\n", "  - m1-l2\n  - m1-test\n"})
	_, err := Load(fsys)
	want := "m1/lesson-2.md:2:5: lesson m1-l2 has number 1, as lesson m1-l1 does"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load = %v, want %q", err, want)
	}
}
