package tutor

import (
	"errors"
	"strings"
	"testing"

	"aesop/content"
	"aesop/migrations/dbtest"
)

// normalized returns s as the answer-key guard compares text: lowercase
// words, one space apart, with a space at each end.
func normalized(s string) string {
	return " " + strings.Join(words(s), " ") + " "
}

func TestBuildPromptEveryLab(t *testing.T) {
	pack := builtin()
	for _, m := range pack.Modules {
		for _, lab := range m.Labs {
			t.Run(lab.ID, func(t *testing.T) {
				prompt, err := BuildPrompt(pack, lab.ID)
				if err != nil {
					t.Fatal(err)
				}
				for what, want := range map[string]string{
					"objective":       lab.Objective,
					"persona":         lab.Instructions.Persona,
					"goal":            lab.Instructions.Goal,
					"tutor name":      lab.TutorName,
					"ask first":       "Ask before you tell",
					"short":           "Keep answers short",
					"challenge":       "Challenge weak reasoning",
					"stay on topic":   "Stay on the topic of this lab",
					"no test answers": "Never give, confirm or hint at answers to the module test",
					"no graded work":  "Refuse to write graded work",
				} {
					if !strings.Contains(prompt, strings.TrimSpace(want)) {
						t.Errorf("prompt lacks the %s: %q", what, want)
					}
				}
				for _, g := range append(lab.Instructions.Guidance, lab.Instructions.Boundaries...) {
					if !strings.Contains(prompt, strings.TrimSpace(g)) {
						t.Errorf("prompt lacks the lab's rule %q", g)
					}
				}
				les := lessonOf(pack, lab)
				if !strings.Contains(prompt, "# The lesson this lab follows: "+les.Title) {
					t.Errorf("prompt lacks the lesson %q", les.Title)
				}
				grounded := 0
				for _, s := range les.Sections {
					if strings.Contains(prompt, "## "+s.Heading+"\n") {
						grounded++
					}
				}
				if grounded == 0 {
					t.Error("prompt holds none of the lesson's sections")
				}
				checkNoAnswers(t, pack, prompt)
			})
		}
	}
}

// checkNoAnswers fails the test when prompt holds the correct option of
// any question of the pack, or any of its feedback: as a whole, or a
// feedback sentence of six words or more.
func checkNoAnswers(t *testing.T, pack *content.Pack, prompt string) {
	t.Helper()
	hay := normalized(prompt)
	for _, m := range pack.Modules {
		quizzes := append([]*content.Quiz{m.Test}, m.Quizzes...)
		for _, q := range quizzes {
			for _, qu := range q.Questions {
				texts := []string{qu.CorrectOption().Text, qu.Feedback.Right, qu.Feedback.Wrong}
				for _, s := range sentences(qu.Feedback.Right + " " + qu.Feedback.Wrong) {
					if len(words(s)) >= 6 {
						texts = append(texts, s)
					}
				}
				for _, text := range texts {
					if strings.Contains(hay, normalized(text)) {
						t.Errorf("prompt holds the answer key of %s: %q", qu.ID, text)
					}
				}
			}
		}
	}
}

func TestBuildPromptLeavesOutQuotedAnswers(t *testing.T) {
	pack, err := content.Load(content.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := pack.Activity(labID)
	les := lessonOf(pack, a.Lab)
	m, _ := pack.Module(a.ModuleID)
	answer := m.Test.Questions[1].CorrectOption().Text
	feedback := m.Test.Questions[2].Feedback.Right
	// A lesson that states an answer and a feedback word for word.
	les.Sections[0].Text += "\n\nKeep this sentence. In short: " + answer +
		". And also: " + feedback + "\n\nKeep this paragraph too."

	prompt, err := BuildPrompt(pack, labID)
	if err != nil {
		t.Fatal(err)
	}
	checkNoAnswers(t, pack, prompt)
	for _, kept := range []string{"Keep this sentence.", "Keep this paragraph too."} {
		if !strings.Contains(prompt, kept) {
			t.Errorf("prompt lost %q beside the answer", kept)
		}
	}

	// Instructions that quote an answer refuse the prompt outright.
	a.Lab.Instructions.Guidance = append(a.Lab.Instructions.Guidance,
		"If asked, explain: "+m.Test.Questions[4].Feedback.Wrong)
	if _, err := BuildPrompt(pack, labID); !errors.Is(err, ErrAnswerInPrompt) {
		t.Errorf("instructions with an answer: %v, want ErrAnswerInPrompt", err)
	}
	if _, err := BuildPrompt(pack, "m3-l1"); !errors.Is(err, ErrUnknownLab) {
		t.Errorf("prompt of a lesson: %v, want ErrUnknownLab", err)
	}
}

func TestGroundingKeepsRelevantSectionsInBudget(t *testing.T) {
	pack := builtin()
	key := newAnswerKey(pack)
	full, err := buildPrompt(pack, key, labID, DefaultGroundingTokens)
	if err != nil {
		t.Fatal(err)
	}
	small, err := buildPrompt(pack, key, labID, 400)
	if err != nil {
		t.Fatal(err)
	}
	none, _ := buildPrompt(pack, key, labID, 0)
	if len(small) >= len(full) || len(none) >= len(small) {
		t.Fatalf("prompt sizes: full %d, 400 tokens %d, none %d", len(full), len(small),
			len(none))
	}
	if got := estimateTokens(small) - estimateTokens(none); got > 400+50 {
		t.Errorf("grounding of 400 tokens took %d", got)
	}
}

func TestChoosePartsByRelevance(t *testing.T) {
	parts := []part{
		{index: 0, heading: "History", text: "Dates and names of old papers.", tokens: 100},
		{index: 1, heading: "Seeds", text: "Seed tasks shape diversity of seed data.", tokens: 100},
		{index: 2, heading: "Filters", text: "Diversity filters drop similar tasks.", tokens: 100},
		{index: 3, heading: "Costs", text: "Money spent on compute.", tokens: 100},
	}
	lab := map[string]bool{"seed": true, "tasks": true, "diversity": true}
	var got []string
	for _, p := range chooseParts(parts, lab, 200) {
		got = append(got, p.heading)
	}
	if strings.Join(got, ",") != "Seeds,Filters" {
		t.Errorf("chosen %v, want the two relevant parts in lesson order", got)
	}
	got = nil
	for _, p := range chooseParts(parts, map[string]bool{}, 200) {
		got = append(got, p.heading)
	}
	if strings.Join(got, ",") != "History,Seeds" {
		t.Errorf("with nothing shared, chosen %v, want the lesson's start", got)
	}
}

func TestServiceRefusesLabWithAnswerInPrompt(t *testing.T) {
	pack, err := content.Load(content.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := pack.Activity(labID)
	m, _ := pack.Module(a.ModuleID)
	a.Lab.Instructions.Boundaries = append(a.Lab.Instructions.Boundaries,
		"Never say that "+m.Test.Questions[0].Feedback.Right)
	cfg := DefaultConfig()
	cfg.Model, cfg.BaseURL = "m", "http://127.0.0.1:1/v1"
	s, err := New(dbtest.SQLite(t).DB, pack, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(t.Context(), Learner{UserID: 1}, labID, "hi", nil, discard)
	if !errors.Is(err, ErrAnswerInPrompt) {
		t.Errorf("Send in a lab whose prompt holds an answer: %v, want ErrAnswerInPrompt", err)
	}
	b, _ := pack.Activity("m3-l3-lab")
	b.Lab.Opening += " " + m.Test.Questions[1].Feedback.Right
	s, err = New(dbtest.SQLite(t).DB, pack, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(t.Context(), Learner{UserID: 1}, "m3-l3-lab", "hi", nil, discard)
	if !errors.Is(err, ErrAnswerInPrompt) {
		t.Errorf("Send in a lab whose opening holds an answer: %v, want ErrAnswerInPrompt", err)
	}
	_, err = s.Send(t.Context(), Learner{UserID: 1}, "m3-l2-lab", "", nil, discard)
	if !errors.Is(err, ErrEmptyMessage) {
		t.Errorf("another lab: %v, want it to go on to check the message", err)
	}
}

// TestNoAnswersReachTheModel reads what the model receives in every lab of
// the built-in course, system prompt, opening and learner's message
// together, for any part of the answer key.
func TestNoAnswersReachTheModel(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	who := f.learner("ann", "course-1")
	pack := builtin()
	labs := 0
	for _, m := range pack.Modules {
		for _, lab := range m.Labs {
			labs++
			_, err := f.s.Send(f.ctx, who, lab.ID, "Where do I start?", nil, discard)
			if err != nil {
				t.Fatalf("%s: %v", lab.ID, err)
			}
			req := f.fake.lastRequest()
			var sent strings.Builder
			for _, msg := range req.Messages {
				sent.WriteString(msg.Content + "\n")
			}
			if !strings.Contains(sent.String(), strings.TrimSpace(lab.Objective)) ||
				!strings.Contains(sent.String(), strings.TrimSpace(lab.Opening)) {
				t.Errorf("%s: the model was not sent the objective and opening", lab.ID)
			}
			checkNoAnswers(t, pack, sent.String())
		}
	}
	if labs == 0 {
		t.Fatal("the built-in course has no labs")
	}
}
