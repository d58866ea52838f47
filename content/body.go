package content

import (
	"bytes"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// body parses one lesson's Markdown into sections and blocks.
type body struct {
	l       *loader
	file    string
	src     []byte
	line0   int // file line of the body's first line
	anchors map[string]bool
}

// parse fills the lesson's intro and sections. Each "##" heading starts a
// section; each top-level block becomes a prose block unless it is a
// [!kind] block quote.
func (b *body) parse(les *Lesson) {
	doc := markdown.Parser().Parse(text.NewReader(b.src))
	b.checkMarkup(doc)
	cur := &les.Intro
	var headings []ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 2 {
			if h.Level == 1 {
				b.problem(h, "use \"##\" for section headings; "+
					"the lesson title belongs in the front matter")
			}
			les.Sections = append(les.Sections, Section{
				ID:      b.anchor(h),
				Heading: plainText(h, b.src),
			})
			cur = &les.Sections[len(les.Sections)-1]
			headings = append(headings, h)
			continue
		}
		if blk, ok := b.block(n); ok {
			cur.Blocks = append(cur.Blocks, blk)
		}
	}
	les.Intro.Text = blocksText(les.Intro.Blocks)
	for i := range les.Sections {
		s := &les.Sections[i]
		s.Text = blocksText(s.Blocks)
		if len(s.Blocks) == 0 {
			b.problem(headings[i], "section %q has no text", s.Heading)
		}
	}
	if len(les.Sections) == 0 {
		b.l.probs.add(Place{File: b.file, Line: b.line0}, "lesson has no \"##\" section")
	}
}

// blocksText joins the plain text of blocks, one paragraph apart.
func blocksText(blocks []Block) string {
	parts := make([]string, len(blocks))
	for i, blk := range blocks {
		parts[i] = blk.Text
	}
	return strings.Join(parts, "\n\n")
}

// block turns one top-level node into a block.
func (b *body) block(n ast.Node) (Block, bool) {
	if _, ok := n.(*ast.HTMLBlock); ok {
		return Block{}, false
	}
	if bq, ok := n.(*ast.Blockquote); ok {
		if name, title, ok := b.directive(bq); ok {
			return b.directiveBlock(bq, name, title)
		}
	}
	html, txt := b.renderAll([]ast.Node{n}, "")
	return Block{Kind: BlockProse, HTML: html, Text: txt}, true
}

// renderAll renders nodes to HTML and plain text, and records each as a
// passage for review notes, with context naming what it belongs to.
func (b *body) renderAll(nodes []ast.Node, context string) (template.HTML, string) {
	var html, txt []string
	for _, n := range nodes {
		h, err := renderHTML(n, b.src)
		if err != nil {
			b.problem(n, "cannot render Markdown: %v", err)
		}
		if _, ok := n.(*ast.TextBlock); ok {
			h = "<p>" + h + "</p>"
		}
		t := plainText(n, b.src)
		b.l.passage(b.placeOf(n), t, context)
		html = append(html, string(h))
		txt = append(txt, t)
	}
	// The parts were rendered by goldmark, which escapes text.
	return template.HTML(strings.Join(html, "\n")), strings.Join(txt, "\n\n")
}

// anchor returns the heading's anchor id: its explicit {#id} if it has
// one, else one made from its text, made unique within the lesson.
func (b *body) anchor(h *ast.Heading) string {
	if v, ok := h.AttributeString("id"); ok {
		id, _ := v.([]byte)
		if b.anchors[string(id)] {
			b.problem(h, "heading id %q is used twice in this lesson", id)
		}
		b.anchors[string(id)] = true
		return string(id)
	}
	base := slug(plainText(h, b.src))
	if base == "" {
		base = "section"
	}
	id := base
	for i := 2; b.anchors[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	b.anchors[id] = true
	return id
}

// checkMarkup reports raw HTML, which is never served, and heading
// attributes other than a well-formed id, which are removed.
func (b *body) checkMarkup(doc ast.Node) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			b.problem(n, "raw HTML is not allowed in a lesson; it would be dropped")
		case *ast.Heading:
			b.checkHeadingAttrs(n)
		}
		return ast.WalkContinue, nil
	})
}

// checkHeadingAttrs keeps only a valid id attribute on a heading.
func (b *body) checkHeadingAttrs(h *ast.Heading) {
	var id []byte
	for _, a := range h.Attributes() {
		v, _ := a.Value.([]byte)
		if string(a.Name) == "id" && idRE.Match(v) {
			id = v
			continue
		}
		b.problem(h, "heading attribute %q is not allowed: "+
			"only {#id} with lowercase letters, digits and hyphens", a.Name)
	}
	h.RemoveAttributes()
	if id != nil {
		h.SetAttributeString("id", id)
	}
}

// problem reports a mistake at a node's line.
func (b *body) problem(n ast.Node, format string, args ...any) {
	b.l.probs.add(b.placeOf(n), format, args...)
}

// placeOf finds the file line and column of a node. Inline nodes have no
// position of their own, so the nearest positioned ancestor or first
// descendant stands in.
func (b *body) placeOf(n ast.Node) Place {
	off := nodeOffset(n)
	if off < 0 {
		return Place{File: b.file, Line: b.line0}
	}
	before := b.src[:off]
	line := b.line0 + bytes.Count(before, []byte("\n"))
	col := off - bytes.LastIndexByte(before, '\n')
	return Place{File: b.file, Line: line, Col: col}
}

// nodeOffset returns a source offset for n, or -1.
func nodeOffset(n ast.Node) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start
		}
	}
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if off := nodeOffset(c); off >= 0 {
			return off
		}
	}
	if n.Parent() != nil && n.Type() == ast.TypeInline {
		return nodeOffset(n.Parent())
	}
	return -1
}

// directiveRE matches the first line of a [!kind] block quote.
var directiveRE = regexp.MustCompile(`^\[!([^\]\s]*)\][ \t]*(.*)$`)

// directive reports whether a block quote opens with a [!kind] line and
// returns the kind and the title written after it.
func (b *body) directive(bq *ast.Blockquote) (name, title string, ok bool) {
	p, isPara := bq.FirstChild().(*ast.Paragraph)
	if !isPara || p.Lines().Len() == 0 {
		return "", "", false
	}
	seg := p.Lines().At(0)
	first := bytes.TrimSpace(seg.Value(b.src))
	m := directiveRE.FindSubmatch(first)
	if m == nil {
		return "", "", false
	}
	if p.Lines().Len() > 1 {
		b.problem(p, "leave a blank \">\" line after the [!%s] line", m[1])
	}
	title = strings.TrimSpace(string(unescape(m[2])))
	return string(m[1]), title, true
}
