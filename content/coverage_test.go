package content

import (
	"fmt"
	"html"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSourceCoverage checks that every line of the author's text of
// Module 3 appears, whitespace aside, in what the built-in pack serves.
func TestSourceCoverage(t *testing.T) {
	src, err := os.ReadFile("testdata/module-3-source.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(Builtin())
	if err != nil {
		t.Fatalf("Load(Builtin()): %v", err)
	}
	for _, line := range missingLines(string(src), servedText(p)) {
		t.Errorf("source line not served: %q", line)
	}
}

// TestSourceCoverageNoticesLoss proves the coverage check has teeth: a
// pack with a paragraph dropped, a callout emptied or a word changed
// must fail it on the line concerned.
func TestSourceCoverageNoticesLoss(t *testing.T) {
	src, err := os.ReadFile("testdata/module-3-source.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		file     string
		cut      string // a passage to remove, up to the next blank line
		old, new string // or a change to make
		want     string // start of the source line that must be reported
	}{
		{
			name: "paragraph dropped",
			file: "module-3/lesson-2.md",
			cut:  "The implication is significant",
			want: "The implication is significant",
		},
		{
			name: "callout text dropped",
			file: "module-3/lesson-2.md",
			cut:  "> \"Choose the response that is most supportive",
			want: "\"Choose the response that is most supportive",
		},
		{
			name: "feedback reworded",
			file: "module-3/quiz-1.yaml",
			old:  "was under\n        $500 total.",
			new:  "was under\n        $500 in total.",
			want: "Not quite. Alpaca used 52,000 pairs",
		},
		{
			name: "glossary term renamed",
			file: "module-3/lesson-4.md",
			old:  "term: AI Debate",
			new:  "term: Debate",
			want: "AI Debate A training paradigm",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := copyFS(t, Builtin())
			body := string(fsys[tc.file].Data)
			if tc.cut != "" {
				body = cutParagraph(t, body, tc.cut)
			} else {
				if !strings.Contains(body, tc.old) {
					t.Fatalf("%s does not hold %q", tc.file, tc.old)
				}
				body = strings.Replace(body, tc.old, tc.new, 1)
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(body)}
			p, err := Load(fsys)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			missing := missingLines(string(src), servedText(p))
			if len(missing) != 1 || !strings.HasPrefix(missing[0], tc.want) {
				t.Errorf("missing lines = %q, want one starting %q", missing, tc.want)
			}
		})
	}
}

// missingLines returns the source lines, whitespace normalised, that do
// not appear in served. Question numbers of the module test ("1. ") are
// kept, as servedText numbers test questions the way the course does.
func missingLines(src, served string) []string {
	var out []string
	for _, line := range strings.Split(src, "\n") {
		line = normSpace(line)
		if line != "" && !strings.Contains(served, line) {
			out = append(out, line)
		}
	}
	return out
}

// servedText gathers every piece of text the pack serves through its API,
// one piece per line, with HTML reduced to its text.
func servedText(p *Pack) string {
	var parts []string
	add := func(s ...string) {
		for _, x := range s {
			parts = append(parts, normSpace(x))
		}
	}
	for _, m := range p.Modules {
		add(m.Title)
		for _, r := range m.Nav {
			add(r.Label, r.Title)
		}
		for _, les := range m.Lessons {
			add(les.Label, les.Title, les.Subtitle, les.Hook)
			for _, s := range append([]Section{les.Intro}, les.Sections...) {
				add(s.Heading)
				parts = append(parts, blockTexts(s.Blocks)...)
			}
			for _, g := range les.Glossary {
				add(g.Term + " " + g.Definition)
			}
		}
		for _, q := range append(m.Quizzes, m.Test) {
			add(q.Title, q.Summary())
			for i, qu := range q.Questions {
				add(qu.Prompt, fmt.Sprintf("%d. %s", i+1, qu.Prompt))
				add(qu.Feedback.Right, qu.Feedback.Wrong)
			}
		}
		for _, lab := range m.Labs {
			add(lab.Title, lab.Subtitle, ObjectiveLabel, lab.Objective, lab.Suggestion)
			add(lab.TutorName, lab.LabName, lab.Opening)
		}
	}
	return strings.Join(parts, "\n")
}

// blockTexts returns the text of blocks as a reader sees it, taken from
// their HTML rather than their plain-text copies.
func blockTexts(blocks []Block) []string {
	var out []string
	for _, b := range blocks {
		switch b.Kind {
		case BlockProse:
			out = append(out, htmlLines(string(b.HTML))...)
		case BlockCallout:
			out = append(out, normSpace(b.Callout.Title))
			out = append(out, htmlLines(string(b.Callout.HTML))...)
		case BlockComparison:
			for _, c := range b.Comparison.Cards {
				out = append(out, normSpace(c.Title))
				out = append(out, htmlLines(string(c.HTML))...)
			}
		case BlockPhases:
			for _, ph := range b.Phases {
				out = append(out, fmt.Sprint(ph.Number))
				for _, l := range htmlLines(string(ph.HTML)) {
					out = append(out, normSpace(ph.Title+" "+l))
				}
			}
		}
	}
	return out
}

var (
	blockEndRE = regexp.MustCompile(`</(p|li|h[1-6]|blockquote)>`)
	tagRE      = regexp.MustCompile(`<[^>]*>`)
)

// htmlLines reduces HTML to its text, one line per block element.
func htmlLines(h string) []string {
	h = strings.ReplaceAll(h, "\n", " ")
	h = blockEndRE.ReplaceAllString(h, "\n")
	h = html.UnescapeString(tagRE.ReplaceAllString(h, ""))
	var out []string
	for _, l := range strings.Split(h, "\n") {
		if l = normSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// normSpace collapses runs of white space into single spaces.
func normSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// copyFS copies a file system into a MapFS that a test may change.
func copyFS(t *testing.T, src fs.FS) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, name)
		out[name] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cutParagraph removes the paragraph of body that starts with start.
func cutParagraph(t *testing.T, body, start string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("no paragraph starts with %q", start)
	}
	j := strings.Index(body[i:], "\n\n")
	if strings.HasPrefix(start, ">") {
		j = strings.Index(body[i:], "\n>\n")
		if k := strings.Index(body[i:], "\n\n"); j < 0 || k < j {
			j = k
		}
	}
	if j < 0 {
		return body[:i]
	}
	return body[:i] + body[i+j+1:]
}
