package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lineWith returns the number of the first line of a built-in file that
// holds s, so tests follow the pack when its text moves.
func lineWith(t *testing.T, file, s string) int {
	t.Helper()
	b, err := fs.ReadFile(Builtin(), file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, s)
	return 0
}

func TestCheckFindsTheAlpacaCost(t *testing.T) {
	r := Check(Builtin())
	if !r.OK() {
		t.Fatalf("errors: %v", r.Errors)
	}
	if len(r.Notes) != 1 {
		t.Fatalf("got %d notes, want only the Alpaca cost: %+v", len(r.Notes), r.Notes)
	}
	n := r.Notes[0]
	for _, s := range []string{"Alpaca", "$500", "$600"} {
		if !strings.Contains(n.Msg, s) {
			t.Errorf("note %q does not mention %s", n.Msg, s)
		}
	}
	var got []string
	for _, e := range n.Where {
		got = append(got, e.Place.String())
	}
	l1, q1 := "module-3/lesson-1.md", "module-3/quiz-1.yaml"
	want := []string{
		fmt.Sprintf("%s:%d", l1, lineWith(t, l1, "at a cost of under $500")),
		fmt.Sprintf("%s:%d", l1, lineWith(t, l1, "approximately $600")),
		fmt.Sprintf("%s:%d", q1, lineWith(t, q1, "total API cost under $500")),
		fmt.Sprintf("%s:%d", q1, lineWith(t, q1, "$500 total.")),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("note places (-want +got):\n%s", diff)
	}
}

func TestReportWrite(t *testing.T) {
	var buf bytes.Buffer
	if err := Check(Builtin()).Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	line := lineWith(t, "module-3/lesson-1.md", "approximately $600")
	wants := []string{
		"note: Alpaca: one figure is given as $500 and as $600; check which is meant\n",
		fmt.Sprintf("    module-3/lesson-1.md:%d: “…team reported a total compute", line),
		`module m3 "How Models Generate Training Data": 4 lessons, 4 quizzes ` +
			"(16 questions), 4 labs, test m3-test (15 questions, pass mark 80%)\n",
		"0 errors, 1 note\n",
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q; got:\n%s", w, out)
		}
	}
}

func TestCheckReportsErrors(t *testing.T) {
	fsys := basePack()
	applyEdit(t, fsys, edit{"m1/quiz-1.yaml", "        correct: true\n", ""})
	r := Check(fsys)
	if r.OK() || r.Pack != nil {
		t.Fatalf("OK = %v, Pack = %v; want a failed check", r.OK(), r.Pack)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := "m1/quiz-1.yaml:7:5: error: question m1-l1-q1: has 0 options marked correct"
	if !strings.Contains(buf.String(), want) || !strings.Contains(buf.String(), "1 error, 0 notes") {
		t.Errorf("output lacks %q or the count; got:\n%s", want, buf.String())
	}
}

func TestReviewNotes(t *testing.T) {
	tests := []struct {
		name  string
		a, b  string // two passages in two places
		notes int
	}{
		{
			name:  "same subject and measure, different money",
			a:     "The Acme team trained the model in a week. The training run cost under $200.",
			b:     "Correct. The Acme team reported that training cost roughly $300 in total.",
			notes: 1,
		},
		{
			name:  "rounded percentage",
			a:     "The Zeta model reached 78% accuracy on the Omega benchmark.",
			b:     "The Zeta model reached 78.2% accuracy on the Omega benchmark.",
			notes: 0,
		},
		{
			name:  "the other passage states both figures",
			a:     "Acme's training run cost under $200 in compute.",
			b:     "Acme's training run cost $200 in compute and $100 in data, $300 in all.",
			notes: 0,
		},
		{
			name:  "different subjects",
			a:     "Acme's training run cost under $200 in compute.",
			b:     "Zenith's training run cost under $900 in compute.",
			notes: 0,
		},
		{
			name:  "different measures of one subject",
			a:     "Acme's training run reached 40% accuracy on the Omega benchmark.",
			b:     "Acme's training run used 20% of the cluster for the Omega benchmark.",
			notes: 0,
		},
		{
			name:  "counts written two ways",
			a:     "In 2023, Acme built a dataset of 52,000 pairs for training.",
			b:     "In 2023, Acme built a 52K-pair dataset for training.",
			notes: 0,
		},
		{
			name:  "counts that differ",
			a:     "In 2023, Acme built a dataset of 52,000 pairs for training.",
			b:     "In 2024, Acme built a dataset of 60,000 pairs for training.",
			notes: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pack{
				passages: []passage{
					{at: Place{File: "a.md", Line: 1}, text: tc.a},
					{at: Place{File: "b.yaml", Line: 1}, text: tc.b},
				},
				lines: map[string][]string{"a.md": {tc.a}, "b.yaml": {tc.b}},
			}
			notes := reviewNotes(p)
			if len(notes) != tc.notes {
				t.Errorf("got %d notes, want %d: %+v", len(notes), tc.notes, notes)
			}
			for _, n := range notes {
				if len(n.Where) != 2 || n.Where[0].File != "a.md" || n.Where[1].File != "b.yaml" {
					t.Errorf("note places = %+v, want a.md then b.yaml", n.Where)
				}
			}
		})
	}
}

func TestSentences(t *testing.T) {
	got := sentences("Wang et al., 2022 said so. It cost $5.50 in 2023! Did it? " +
		"\"Yes.\" 7 more.\n\nNew paragraph")
	want := []string{"Wang et al., 2022 said so.", "It cost $5.50 in 2023!", "Did it?",
		"\"Yes.\"", "7 more.", "New paragraph"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sentences (-want +got):\n%s", diff)
	}
}

func TestParseFigure(t *testing.T) {
	tests := []struct {
		raw      string
		unit     string
		value    float64
		decimals int
	}{
		{"$500", "$", 500, 0},
		{"$1,250.75", "$", 1250.75, 2},
		{"78.2%", "%", 78.2, 1},
		{"52,000", "#", 52000, 0},
		{"52K", "#", 52000, 0},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			f := parseFigure(tc.raw)
			if f.unit != tc.unit || f.value != tc.value || f.decimals != tc.decimals {
				t.Errorf("got %s %v %d, want %s %v %d", f.unit, f.value, f.decimals,
					tc.unit, tc.value, tc.decimals)
			}
		})
	}
}
