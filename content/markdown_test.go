package content

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// lessonPack returns the base pack with the lesson body replaced.
func lessonPack(body string) fstest.MapFS {
	fsys := basePack()
	front := baseLesson[:strings.Index(baseLesson, "---\n\n")+5]
	fsys["m1/lesson-1.md"] = &fstest.MapFile{Data: []byte(front + body)}
	return fsys
}

// loadLesson loads a lesson body in the base pack, returning the lesson
// and the load problems, if any.
func loadLesson(t *testing.T, body string) (*Lesson, []Problem) {
	t.Helper()
	p, probs := load(lessonPack(body))
	a, ok := p.Activity("m1-l1")
	if !ok {
		t.Fatalf("lesson did not load: %v", probs)
	}
	return a.Lesson, probs
}

func TestRawHTMLNeverPassesThrough(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"inline tag", "## S\n\nText <script>alert(1)</script> more.\n"},
		{"html block", "## S\n\n<div onclick=\"x()\">hi</div>\n\nText.\n"},
		{"in a callout", "## S\n\n> [!key-term] Key Term — X\n>\n> A <img src=x onerror=y> b.\n"},
		{"in a card", "## S\n\n> [!comparison]\n>\n> ### A\n>\n> <b>a</b>\n>\n> ### B\n>\n> b\n"},
		{"script link", "## S\n\n[click](javascript:alert(1)) here.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			les, _ := loadLesson(t, tc.body)
			html := allHTML(les)
			for _, bad := range []string{"<script", "<div", "<img", "<b>", "javascript:"} {
				if strings.Contains(html, bad) {
					t.Errorf("HTML holds %q:\n%s", bad, html)
				}
			}
		})
	}
}

// allHTML joins every HTML piece of a lesson.
func allHTML(les *Lesson) string {
	var b strings.Builder
	for _, s := range append([]Section{les.Intro}, les.Sections...) {
		for _, blk := range s.Blocks {
			b.WriteString(string(blk.HTML))
			if blk.Callout != nil {
				b.WriteString(string(blk.Callout.HTML))
			}
			if blk.Comparison != nil {
				for _, c := range blk.Comparison.Cards {
					b.WriteString(string(c.HTML))
				}
			}
			for _, ph := range blk.Phases {
				b.WriteString(string(ph.HTML))
			}
		}
	}
	return b.String()
}

func TestRawHTMLIsReported(t *testing.T) {
	_, err := Load(lessonPack("## S\n\nText <em>x</em>.\n"))
	if err == nil || !strings.Contains(err.Error(), "m1/lesson-1.md:14:6: raw HTML is not allowed") {
		t.Errorf("Load = %v, want raw HTML reported at 14:6", err)
	}
}

func TestTextIsEscaped(t *testing.T) {
	les, probs := loadLesson(t, "## S\n\nFive \\< six & \"quotes\" — 5 \\* 3.\n")
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	blk := les.Sections[0].Blocks[0]
	wantHTML := "<p>Five &lt; six &amp; &quot;quotes&quot; — 5 * 3.</p>"
	if string(blk.HTML) != wantHTML {
		t.Errorf("HTML = %q, want %q", blk.HTML, wantHTML)
	}
	if want := "Five < six & \"quotes\" — 5 * 3."; blk.Text != want {
		t.Errorf("Text = %q, want %q", blk.Text, want)
	}
}

func TestSectionAnchors(t *testing.T) {
	body := `## What Is It?

a

## Why This Works (and When It Doesn't)

b

## What Is It?

c

## Pinned Heading {#pinned}

d

## Étude & Co.

e
`
	les, probs := loadLesson(t, body)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	var got []string
	for _, s := range les.Sections {
		got = append(got, s.ID+" "+s.Heading)
	}
	want := []string{
		"what-is-it What Is It?",
		"why-this-works-and-when-it-doesnt Why This Works (and When It Doesn't)",
		"what-is-it-2 What Is It?",
		"pinned Pinned Heading",
		"étude-co Étude & Co.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("anchors (-want +got):\n%s", diff)
	}
}

func TestHeadingAttributesOtherThanIDAreRefused(t *testing.T) {
	_, err := Load(lessonPack("## S\n\n### Sub {onclick=x}\n\nText.\n"))
	if err == nil || !strings.Contains(err.Error(), `heading attribute "onclick" is not allowed`) {
		t.Errorf("Load = %v", err)
	}
}

func TestSectionText(t *testing.T) {
	body := `Intro with *emphasis* and ` + "`code`" + `.

## First

One
line wrapped.

> [!key-result] Key Result — Test
>
> Result text.

> [!phases]
>
> 1. **Step.** Do it.
> 2. **Next.** Then this.
`
	les, probs := loadLesson(t, body)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if want := "Intro with emphasis and code."; les.Intro.Text != want {
		t.Errorf("intro text = %q, want %q", les.Intro.Text, want)
	}
	want := "One line wrapped.\n\nKey Result — Test\n\nResult text.\n\n" +
		"1. Step. Do it.\n\n2. Next. Then this."
	if got := les.Sections[0].Text; got != want {
		t.Errorf("section text = %q, want %q", got, want)
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RLAIF vs RLHF: What Changes?", "rlaif-vs-rlhf-what-changes"},
		{"PRM800K: Building Step-Level Training Data", "prm800k-building-step-level-training-data"},
		{"Superalignment: OpenAI's 2023 Initiative", "superalignment-openais-2023-initiative"},
		{"  --  ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := slug(tc.in); got != tc.want {
				t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSplitFrontMatter(t *testing.T) {
	tests := []struct {
		name, src, meta, body string
		line                  int
		ok                    bool
	}{
		{"plain", "---\na: 1\n---\nbody\n", "a: 1", "body\n", 4, true},
		{"empty meta", "---\n---\n\nbody", "", "\nbody", 3, true},
		{"no opening", "a: 1\n---\nbody", "", "", 0, false},
		{"no closing", "---\na: 1\n", "", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			meta, body, line, ok := splitFrontMatter(tc.src)
			if meta != tc.meta || body != tc.body || line != tc.line || ok != tc.ok {
				t.Errorf("got %q %q %d %v, want %q %q %d %v",
					meta, body, line, ok, tc.meta, tc.body, tc.line, tc.ok)
			}
		})
	}
}
