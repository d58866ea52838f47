package emulator

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"sort"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed storage.js
var storageJS string

// pages holds every page template, each parsed with the shared layout.
var pages = parsePages("course.html", "launch.html", "formpost.html", "error.html",
	"deeplink.html", "storageframe.html", "admin.html")

// parsePages parses each named page together with the layout.
func parsePages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+n))
	}
	return out
}

// headerView is the LMS header shown on top of the pages.
type headerView struct {
	Name   string
	Course string
	Home   string
}

// field is one hidden form field.
type field struct{ Name, Value string }

// scriptConfig tells storage.js what the window it runs in does.
type scriptConfig struct {
	Storage      bool   `json:"storage"`
	StorageFrame string `json:"storageFrame"`
	Capabilities bool   `json:"capabilities"`
	ToolFrame    string `json:"toolFrame"`
	CloseURL     string `json:"closeURL"`
}

// header returns the header for the demo course.
func (e *Emulator) header() headerView {
	return headerView{Name: e.cfg.Name, Course: DefaultContext().Title, Home: e.URL("/")}
}

// renderPage executes a page template into the response.
func (e *Emulator) renderPage(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, name, data); err != nil {
		e.log.Error("render page", "page", name, "err", err)
		http.Error(w, "page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows a page that explains a refusal.
func (e *Emulator) renderError(w http.ResponseWriter, status int, title, reason string) {
	e.renderPage(w, status, "error.html", map[string]any{
		"Title": title, "Reason": reason, "Header": e.header(),
	})
}

// renderFormPost answers with a page that POSTs fields to action at once,
// with a button for browsers without JavaScript. Empty fields are left
// out, so a missing state stays missing.
func (e *Emulator) renderFormPost(w http.ResponseWriter, action string, fields map[string]string) {
	e.renderPage(w, http.StatusOK, "formpost.html", map[string]any{
		"Action": action, "Fields": sortedFields(fields),
	})
}

// sortedFields turns a map into hidden fields in a stable order.
func sortedFields(m map[string]string) []field {
	out := make([]field, 0, len(m))
	for k, v := range m {
		if v != "" {
			out = append(out, field{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// valuesFields turns url.Values into hidden fields in a stable order.
func valuesFields(v url.Values) []field {
	m := make(map[string]string, len(v))
	for k := range v {
		m[k] = v.Get(k)
	}
	return sortedFields(m)
}

// handleStorageFrame serves the hidden frame in which Canvas-like
// platforms answer postMessage storage requests.
func (e *Emulator) handleStorageFrame(w http.ResponseWriter, r *http.Request) {
	e.renderPage(w, http.StatusOK, "storageframe.html", map[string]any{
		"Script":    scriptConfig{Storage: e.cfg.PostMessageStorage},
		"StorageJS": template.JS(storageJS),
	})
}
