package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds every page template, each parsed once with the layout.
type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	funcs := template.FuncMap{"asset": assetURL,
		"sub":     func(a, b int) int { return a - b },
		"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }}
	layout, err := template.New("layout.html").Funcs(funcs).
		ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, file)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// render writes a page with the given status.
func (p *pages) render(c echo.Context, status int, name string, data any) error {
	t, ok := p.byName[name]
	if !ok {
		return fmt.Errorf("no page named %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}
