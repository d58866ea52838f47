package content

import (
	"fmt"
	"strings"
)

// loadLesson reads a lesson: YAML front matter for its metadata and
// glossary, then the Markdown body.
func (l *loader) loadLesson(ml *moduleLoad, file string) {
	src, ok := l.readFile(file)
	if !ok {
		return
	}
	meta, md, bodyLine, ok := splitFrontMatter(src)
	if !ok {
		l.probs.add(Place{File: file, Line: 1},
			"a lesson starts with YAML front matter between two \"---\" lines")
		return
	}
	yf := &yamlFile{name: file, lineOffset: 1, probs: &l.probs}
	m := yf.parse([]byte(meta))
	if m == nil {
		return
	}
	les := &Lesson{ModuleID: ml.mod.ID}
	les.ID = m.str("id")
	les.Number = m.integer("number")
	les.Title = m.str("title")
	les.Subtitle = m.str("subtitle")
	les.Hook = m.str("hook")
	les.Label = fmt.Sprintf("Module %d · Lesson %d", ml.mod.Number, les.Number)
	l.loadGlossary(yf, m, les)
	m.done()

	at := m.place("id")
	if l.declare(les.ID, at, "lesson") {
		ml.lessons = append(ml.lessons, les)
		ml.lessonAt[les.ID] = at
	}
	b := &body{l: l, file: file, src: []byte(md), line0: bodyLine, anchors: map[string]bool{}}
	b.parse(les)
}

// loadGlossary reads the optional glossary list of term and definition.
func (l *loader) loadGlossary(yf *yamlFile, m *fields, les *Lesson) {
	if m.value("glossary") == nil {
		return
	}
	for i, n := range m.list("glossary") {
		g := yf.fields(n, fmt.Sprintf("glossary entry %d", i+1))
		if g == nil {
			continue
		}
		t := Term{Term: g.str("term"), Definition: g.str("definition")}
		g.done()
		les.Glossary = append(les.Glossary, t)
		l.passage(yf.at(n), t.Definition, t.Term)
	}
}

// splitFrontMatter splits a lesson file into the YAML between its first
// two "---" lines and the Markdown after them. bodyLine is the file line
// on which the body starts.
func splitFrontMatter(src string) (meta, body string, bodyLine int, ok bool) {
	lines := strings.Split(src, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], " ") != "---" {
		return "", "", 0, false
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " ") == "---" {
			meta = strings.Join(lines[1:i], "\n")
			body = strings.Join(lines[i+1:], "\n")
			return meta, body, i + 2, true
		}
	}
	return "", "", 0, false
}
