package tutor

import (
	"bytes"
	"html"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// answerMarkdown renders the model's answers. Without goldmark's unsafe
// option, raw HTML is left out; GFM adds tables, strikethrough and task
// lists, which models like to write.
var answerMarkdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

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
