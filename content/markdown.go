package content

import (
	"bytes"
	"html/template"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// markdown parses lesson bodies. Its renderer keeps goldmark's default of
// leaving raw HTML out of the output, and links with script URLs lose
// their target; headings may carry an explicit {#id}.
var markdown = goldmark.New(goldmark.WithParserOptions(parser.WithAttribute()))

// renderHTML renders one node and its children to HTML.
func renderHTML(n ast.Node, src []byte) (template.HTML, error) {
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, src, n); err != nil {
		return "", err
	}
	// Safe to trust: goldmark escapes text and, without its unsafe option,
	// leaves raw HTML out.
	return template.HTML(strings.TrimSpace(buf.String())), nil
}

// plainText returns the text of a node with markup removed: what a reader
// sees, which the tutor and the content checks use.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	writeText(&b, n, src)
	return strings.TrimSpace(b.String())
}

// writeText appends the text of n to b, separating blocks by blank lines.
func writeText(b *strings.Builder, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Segment.Value(src)
		if !n.IsRaw() {
			v = unescape(v)
		}
		b.Write(v)
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
		return
	case *ast.String:
		b.Write(n.Value)
		return
	case *ast.AutoLink:
		b.Write(n.Label(src))
		return
	case *ast.RawHTML, *ast.HTMLBlock:
		return
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() == ast.TypeBlock && c.PreviousSibling() != nil {
			b.WriteString("\n\n")
		}
		writeText(b, c, src)
	}
}

// unescape resolves backslash escapes and character references the way
// goldmark's HTML writer does, leaving plain text.
func unescape(v []byte) []byte {
	v = util.UnescapePunctuations(v)
	v = util.ResolveNumericReferences(v)
	return util.ResolveEntityNames(v)
}

// slug turns a heading into an anchor id: lowercase letters and digits
// with single hyphens between words, apostrophes dropped.
func slug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			gap = false
		default:
			gap = true
		}
	}
	return b.String()
}
