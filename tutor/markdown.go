package tutor

import (
	"bytes"
	"html"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// answerMarkdown renders the model's answers. Without goldmark's unsafe
// option, raw HTML is left out; GFM adds tables, strikethrough and task
// lists, which models like to write.
// Images become links (see imagesAsLinks).
var answerMarkdown = goldmark.New(goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithASTTransformers(
		util.Prioritized(imagesAsLinks{}, 1000))))

// imagesAsLinks turns the images in an answer into links to them, their
// description the link's text. An image loads as the page shows, so one a
// model wrote, or was talked into writing, would have the learner's browser
// call any address it names, with whatever the address carries; a link is
// followed only when the learner chooses to.
type imagesAsLinks struct{}

func (imagesAsLinks) Transform(doc *ast.Document, _ gmtext.Reader, _ parser.Context) {
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			images = append(images, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		// An image that is itself a link's content becomes its description
		// alone, since a link may not hold another.
		var into ast.Node = ast.NewText()
		if !inLink(img) {
			link := ast.NewLink()
			link.Destination, link.Title = img.Destination, img.Title
			into = link
		}
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			into.AppendChild(into, c)
			c = next
		}
		if !into.HasChildren() {
			into.AppendChild(into, ast.NewString([]byte("image")))
		}
		img.Parent().ReplaceChild(img.Parent(), img, into)
	}
}

// inLink reports whether n lies inside a link.
func inLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.Link); ok {
			return true
		}
	}
	return false
}

// answerPolicy is what may survive of the rendered HTML: user-generated
// content's usual elements, links only to http, https and mailto URLs and
// marked nofollow, noopener and noreferrer, and no style or script at all.
var answerPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// RenderMarkdown renders a tutor's answer, written by a model and so not to
// be trusted, as HTML safe to put in a page: Markdown without raw HTML,
// then sanitised, so no script, event handler, style or javascript: link
// survives whatever the model wrote.
func RenderMarkdown(md string) template.HTML {
	var buf bytes.Buffer
	if err := answerMarkdown.Convert([]byte(md), &buf); err != nil {
		// goldmark fails only on a failing writer; show the text as text.
		return template.HTML("<p>" + html.EscapeString(md) + "</p>")
	}
	return template.HTML(answerPolicy.SanitizeBytes(buf.Bytes()))
}
