package content

import (
	"fmt"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// The block quote kinds that are not callouts.
const (
	directiveComparison = "comparison"
	directivePhases     = "phases"
)

// directiveBlock builds a callout, comparison or phases block from a
// [!kind] block quote; the nodes after the [!kind] line are its content.
func (b *body) directiveBlock(bq *ast.Blockquote, name, title string) (Block, bool) {
	var rest []ast.Node
	for n := bq.FirstChild().NextSibling(); n != nil; n = n.NextSibling() {
		rest = append(rest, n)
	}
	switch name {
	case directiveComparison:
		return b.comparison(bq, title, rest)
	case directivePhases:
		return b.phases(bq, title, rest)
	}
	kind := CalloutKind(name)
	if _, ok := calloutKinds[kind]; !ok {
		b.problem(bq, "unknown block kind [!%s]: want a callout (%s), "+
			"[!comparison] or [!phases]", name, calloutKindList())
		return Block{}, false
	}
	if title == "" {
		b.problem(bq, "callout [!%s] needs a title after the kind, "+
			"as \"[!%s] Key Finding — Alpaca, 2023\"", name, name)
	}
	if len(rest) == 0 {
		b.problem(bq, "callout %q has no text", title)
	}
	html, txt := b.renderAll(rest, title)
	c := &Callout{Kind: kind, Title: title, HTML: html, Text: txt}
	return Block{Kind: BlockCallout, Callout: c, Text: joinText(title, txt)}, true
}

// calloutKindList names the callout kinds for messages, in a fixed order.
func calloutKindList() string {
	kinds := []CalloutKind{
		CalloutKeyFinding, CalloutKeyTerm, CalloutDocumentedOutcome,
		CalloutKeyResult, CalloutConnection, CalloutResearch, CalloutExample,
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = "[!" + string(k) + "]"
	}
	return strings.Join(names, ", ")
}

// comparison builds cards from headings: each heading starts a card and
// the blocks under it are the card's text.
func (b *body) comparison(bq *ast.Blockquote, title string, rest []ast.Node) (Block, bool) {
	var cards []Card
	var nodes [][]ast.Node
	for _, n := range rest {
		if h, ok := n.(*ast.Heading); ok {
			cards = append(cards, Card{Title: plainText(h, b.src)})
			nodes = append(nodes, nil)
			continue
		}
		if len(cards) == 0 {
			b.problem(n, "comparison text must come under a card title, as \"### Title\"")
			continue
		}
		nodes[len(nodes)-1] = append(nodes[len(nodes)-1], n)
	}
	if len(cards) < 2 {
		b.problem(bq, "a comparison needs at least two cards, has %d", len(cards))
	}
	parts := []string{title}
	for i := range cards {
		if len(nodes[i]) == 0 {
			b.problem(bq, "card %q has no text", cards[i].Title)
		}
		cards[i].HTML, cards[i].Text = b.renderAll(nodes[i], cards[i].Title)
		parts = append(parts, joinText(cards[i].Title, cards[i].Text))
	}
	c := &Comparison{Title: title, Cards: cards}
	return Block{Kind: BlockComparison, Comparison: c, Text: joinText(parts...)}, true
}

// phases builds numbered phases from one ordered list whose items each
// open with a bold title: "1. **Supervised Learning Phase.** Text…".
func (b *body) phases(bq *ast.Blockquote, title string, rest []ast.Node) (Block, bool) {
	var list *ast.List
	if len(rest) == 1 {
		list, _ = rest[0].(*ast.List)
	}
	if list == nil || !list.IsOrdered() {
		b.problem(bq, "[!phases] must hold one numbered list, as \"1. **Title.** Text\"")
		return Block{}, false
	}
	var phases []Phase
	parts := []string{title}
	i := 0
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		ph := Phase{Number: list.Start + i}
		i++
		ph.Title = b.takeBoldTitle(item)
		if ph.Title == "" {
			b.problem(item, "phase %d must open with a bold title, as \"**Title.**\"", ph.Number)
		}
		var nodes []ast.Node
		for n := item.FirstChild(); n != nil; n = n.NextSibling() {
			nodes = append(nodes, n)
		}
		ph.HTML, ph.Text = b.renderAll(nodes, ph.Title)
		if ph.Text == "" {
			b.problem(item, "phase %d has no text after its title", ph.Number)
		}
		phases = append(phases, ph)
		parts = append(parts, fmt.Sprintf("%d. %s %s", ph.Number, ph.Title, ph.Text))
	}
	return Block{Kind: BlockPhases, Phases: phases, Text: joinText(parts...)}, true
}

// takeBoldTitle removes the bold text that opens a list item and returns
// it as plain text, or returns "" when the item does not open with one.
func (b *body) takeBoldTitle(item ast.Node) string {
	para := item.FirstChild()
	if para == nil {
		return ""
	}
	em, ok := para.FirstChild().(*ast.Emphasis)
	if !ok || em.Level != 2 {
		return ""
	}
	title := plainText(em, b.src)
	next := em.NextSibling()
	para.RemoveChild(para, em)
	if t, ok := next.(*ast.Text); ok {
		t.Segment = t.Segment.TrimLeftSpace(b.src)
	}
	if para.ChildCount() == 0 {
		item.RemoveChild(item, para)
	}
	return title
}

// joinText joins the non-empty parts of a text, one paragraph apart.
func joinText(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}
