package content

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadBuiltin loads the built-in pack or stops the test.
func loadBuiltin(t *testing.T) *Pack {
	t.Helper()
	p, err := Load(Builtin())
	if err != nil {
		t.Fatalf("Load(Builtin()):\n%v", err)
	}
	return p
}

func TestBuiltinLoadsWithoutErrors(t *testing.T) {
	r := Check(Builtin())
	if !r.OK() {
		t.Fatalf("built-in pack has errors: %v", r.Errors)
	}
	if r.Pack == nil {
		t.Fatal("Check returned no pack for a valid pack")
	}
}

func TestBuiltinNavigation(t *testing.T) {
	p := loadBuiltin(t)
	m, ok := p.Module("m3")
	if !ok {
		t.Fatal("no module m3")
	}
	type entry struct{ ID, Kind, Label, Lesson string }
	var got []entry
	for _, r := range m.Nav {
		got = append(got, entry{r.ID, string(r.Kind), r.Label, r.LessonID})
	}
	want := []entry{
		{"m3-l1", "lesson", "L1", "m3-l1"},
		{"m3-l1-quiz", "quiz", "Quiz", "m3-l1"},
		{"m3-l1-lab", "lab", "Lab", "m3-l1"},
		{"m3-l2", "lesson", "L2", "m3-l2"},
		{"m3-l2-quiz", "quiz", "Quiz", "m3-l2"},
		{"m3-l2-lab", "lab", "Lab", "m3-l2"},
		{"m3-l3", "lesson", "L3", "m3-l3"},
		{"m3-l3-quiz", "quiz", "Quiz", "m3-l3"},
		{"m3-l3-lab", "lab", "Lab", "m3-l3"},
		{"m3-l4", "lesson", "L4", "m3-l4"},
		{"m3-l4-quiz", "quiz", "Quiz", "m3-l4"},
		{"m3-l4-lab", "lab", "Lab", "m3-l4"},
		{"m3-test", "test", "Module Test", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nav mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(m.Nav, p.Activities()); diff != "" {
		t.Errorf("Activities() differs from the module's nav (-nav +got):\n%s", diff)
	}
	if m.PassMark != 0.8 || m.Test.PassMark != 0.8 {
		t.Errorf("pass marks = %v, %v; want 0.8", m.PassMark, m.Test.PassMark)
	}
}

func TestBuiltinActivityLookup(t *testing.T) {
	p := loadBuiltin(t)
	tests := []struct {
		id, kind, title string
	}{
		{"m3-l1", "lesson", "Prompting at Scale: Instruction-Following Pipelines"},
		{"m3-l2-quiz", "quiz", "Lesson 2 Quiz"},
		{"m3-l3-lab", "lab", "Lab 3: Evaluate Reasoning Steps"},
		{"m3-test", "test", "Module 3 Test"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			a, ok := p.Activity(tc.id)
			if !ok {
				t.Fatalf("Activity(%q) not found", tc.id)
			}
			if string(a.Kind) != tc.kind || a.Title != tc.title {
				t.Errorf("got %s %q, want %s %q", a.Kind, a.Title, tc.kind, tc.title)
			}
			set := 0
			for _, ok := range []bool{a.Lesson != nil, a.Quiz != nil, a.Lab != nil} {
				if ok {
					set++
				}
			}
			if set != 1 {
				t.Errorf("%d of Lesson, Quiz, Lab set; want exactly 1", set)
			}
		})
	}
	if _, ok := p.Activity("m3-l9"); ok {
		t.Error("Activity found an id that does not exist")
	}
}

// blockCount counts a lesson's blocks by kind.
func blockCount(les *Lesson) map[BlockKind]int {
	n := map[BlockKind]int{}
	for _, s := range append([]Section{les.Intro}, les.Sections...) {
		for _, b := range s.Blocks {
			n[b.Kind]++
		}
	}
	return n
}

func TestBuiltinLessonStructure(t *testing.T) {
	p := loadBuiltin(t)
	tests := []struct {
		id       string
		sections int
		blocks   map[BlockKind]int
		callouts []CalloutKind
	}{
		{"m3-l1", 4, map[BlockKind]int{BlockProse: 11, BlockCallout: 2, BlockComparison: 1},
			[]CalloutKind{CalloutKeyFinding, CalloutKeyTerm}},
		{"m3-l2", 4, map[BlockKind]int{BlockProse: 10, BlockCallout: 2, BlockPhases: 1},
			[]CalloutKind{CalloutExample, CalloutDocumentedOutcome}},
		{"m3-l3", 4, map[BlockKind]int{BlockProse: 12, BlockCallout: 2, BlockComparison: 1},
			[]CalloutKind{CalloutKeyResult, CalloutConnection}},
		{"m3-l4", 5, map[BlockKind]int{BlockProse: 13, BlockCallout: 1},
			[]CalloutKind{CalloutResearch}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			a, _ := p.Activity(tc.id)
			les := a.Lesson
			if len(les.Sections) != tc.sections {
				t.Errorf("%d sections, want %d", len(les.Sections), tc.sections)
			}
			if diff := cmp.Diff(tc.blocks, blockCount(les)); diff != "" {
				t.Errorf("blocks by kind (-want +got):\n%s", diff)
			}
			var kinds []CalloutKind
			for _, s := range les.Sections {
				for _, b := range s.Blocks {
					if b.Callout != nil {
						kinds = append(kinds, b.Callout.Kind)
					}
				}
			}
			if diff := cmp.Diff(tc.callouts, kinds); diff != "" {
				t.Errorf("callout kinds (-want +got):\n%s", diff)
			}
			if len(les.Glossary) != 3 {
				t.Errorf("%d glossary terms, want 3", len(les.Glossary))
			}
			if les.Intro.Text == "" || les.Hook == "" || les.Subtitle == "" {
				t.Error("intro, hook or subtitle is empty")
			}
		})
	}
}

func TestBuiltinLessonOne(t *testing.T) {
	p := loadBuiltin(t)
	a, _ := p.Activity("m3-l1")
	les := a.Lesson
	if les.Label != "Module 3 · Lesson 1" {
		t.Errorf("Label = %q", les.Label)
	}
	var ids []string
	for _, s := range les.Sections {
		ids = append(ids, s.ID)
	}
	wantIDs := []string{
		"what-is-an-instruction-following-pipeline",
		"the-three-shapes-of-synthetic-instructions",
		"self-instruct-the-generator-teaches-itself",
		"why-this-works-and-when-it-doesnt",
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("section ids (-want +got):\n%s", diff)
	}
	s := les.Sections[0]
	callout := s.Blocks[3].Callout
	if callout == nil || callout.Title != "Key Finding — Alpaca, 2023" {
		t.Fatalf("section 1 block 4 = %+v, want the Alpaca key finding", s.Blocks[3])
	}
	if !strings.Contains(s.Text, "approximately $600") {
		t.Error("section text lacks the key finding's text")
	}
	cmpBlock := les.Sections[1].Blocks[1].Comparison
	var cards []string
	for _, c := range cmpBlock.Cards {
		cards = append(cards, c.Title)
	}
	wantCards := []string{"Open-ended Generation", "Closed-ended Classification",
		"Dialogue Continuation"}
	if diff := cmp.Diff(wantCards, cards); diff != "" {
		t.Errorf("cards (-want +got):\n%s", diff)
	}
}

func TestBuiltinPhases(t *testing.T) {
	p := loadBuiltin(t)
	a, _ := p.Activity("m3-l2")
	ph := a.Lesson.Sections[0].Blocks[1].Phases
	if len(ph) != 2 {
		t.Fatalf("%d phases, want 2", len(ph))
	}
	want := []struct {
		n     int
		title string
		start string
	}{
		{1, "Supervised Learning Phase (SL-CAI).", "<p>A &quot;helpful-only&quot; model"},
		{2, "RL from AI Feedback Phase (RLAIF).", "<p>The SL-CAI model generates"},
	}
	for i, w := range want {
		if ph[i].Number != w.n || ph[i].Title != w.title ||
			!strings.HasPrefix(string(ph[i].HTML), w.start) {
			t.Errorf("phase %d = %d %q %.40q, want %d %q %q", i, ph[i].Number, ph[i].Title,
				ph[i].HTML, w.n, w.title, w.start)
		}
	}
}

func TestBuiltinQuestions(t *testing.T) {
	p := loadBuiltin(t)
	m, _ := p.Module("m3")
	if len(m.Quizzes) != 4 || len(m.Labs) != 4 || m.Test == nil {
		t.Fatalf("%d quizzes, %d labs, test %v", len(m.Quizzes), len(m.Labs), m.Test)
	}
	for _, q := range append(m.Quizzes, m.Test) {
		want := 4
		if q.Kind == KindTest {
			want = 15
		}
		if len(q.Questions) != want {
			t.Errorf("%s: %d questions, want %d", q.ID, len(q.Questions), want)
		}
		for _, qu := range q.Questions {
			if len(qu.Options) != 4 || !qu.Correct(qu.CorrectOption().ID) {
				t.Errorf("%s: want 4 options with one correct", qu.ID)
			}
			if q.Kind == KindQuiz && (!strings.HasPrefix(qu.Feedback.Right, "Correct. ") ||
				!strings.HasPrefix(qu.Feedback.Wrong, "Not quite. ")) {
				t.Errorf("%s: feedback does not start as the author's does", qu.ID)
			}
		}
	}
	if got := m.Test.Summary(); got !=
		"How Models Generate Training Data · 15 questions · 80% to pass" {
		t.Errorf("test summary = %q", got)
	}
	if got := m.Quizzes[1].Summary(); got != "Constitutional AI · 4 questions" {
		t.Errorf("quiz 2 summary = %q", got)
	}
}

func TestBuiltinLabs(t *testing.T) {
	p := loadBuiltin(t)
	m, _ := p.Module("m3")
	for i, lab := range m.Labs {
		t.Run(lab.ID, func(t *testing.T) {
			if lab.LessonID != m.Lessons[i].ID {
				t.Errorf("lesson = %q, want %q", lab.LessonID, m.Lessons[i].ID)
			}
			if lab.TutorName != "AESOP Lab Tutor" {
				t.Errorf("tutor name = %q", lab.TutorName)
			}
			fields := []string{lab.Title, lab.Subtitle, lab.Objective, lab.Suggestion,
				lab.LabName, lab.Opening, lab.Instructions.Persona, lab.Instructions.Goal}
			for _, f := range fields {
				if f == "" {
					t.Errorf("a field is empty: %+v", lab)
				}
			}
			text := strings.ToLower(lab.Instructions.Text())
			for _, must := range []string{"module test", "graded work", "on the topic"} {
				if !strings.Contains(text, must) {
					t.Errorf("instructions do not mention %q", must)
				}
			}
		})
	}
}

func TestPackQuestion(t *testing.T) {
	p := loadBuiltin(t)
	tests := []struct {
		id, quiz string
		ok       bool
	}{
		{"m3-l2-q3", "m3-l2-quiz", true},
		{"m3-test-q15", "m3-test", true},
		{"m3-test-q16", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			q, qu, ok := p.Question(tc.id)
			if ok != tc.ok {
				t.Fatalf("found = %v, want %v", ok, tc.ok)
			}
			if ok && (q.ID != tc.quiz || qu.ID != tc.id) {
				t.Errorf("got %s in %s, want %s in %s", qu.ID, q.ID, tc.id, tc.quiz)
			}
		})
	}
}
