package content

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlFile decodes one YAML document by hand from its node tree, so that
// every mistake is reported with its line and column and decoding goes on
// after the first one.
type yamlFile struct {
	name string
	// lineOffset is the number of file lines before the YAML text, for
	// front matter that starts below a "---" line.
	lineOffset int
	probs      *problems
}

// yamlLineRE finds the line number in yaml's syntax error messages.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml's parser, as opposed to its
// scanner. The library reports their line counting from 0, not 1.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// parse returns the document's top-level mapping, or nil after reporting
// why there is none.
func (f *yamlFile) parse(src []byte) *fields {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		at := Place{File: f.name}
		msg := err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			msg = m[2]
			if yamlParserProblems[msg] {
				line++
			}
			at.Line = line + f.lineOffset
		}
		f.probs.add(at, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil
	}
	if len(doc.Content) == 0 {
		f.probs.add(Place{File: f.name, Line: 1 + f.lineOffset}, "file is empty")
		return nil
	}
	return f.fields(doc.Content[0], "the file")
}

// at returns the place of a node in the file.
func (f *yamlFile) at(n *yaml.Node) Place {
	return Place{File: f.name, Line: n.Line + f.lineOffset, Col: n.Column}
}

// fields wraps a mapping node, or reports that n is not one and returns
// nil. what names the mapping in messages, as "question m3-l1-q1".
func (f *yamlFile) fields(n *yaml.Node, what string) *fields {
	if n.Kind != yaml.MappingNode {
		f.probs.add(f.at(n), "%s must be a mapping of keys to values", what)
		return nil
	}
	m := &fields{f: f, n: n, what: what, used: map[string]bool{}}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			f.probs.add(f.at(k), "key %q appears twice in %s", k.Value, what)
		}
		seen[k.Value] = true
	}
	return m
}

// fields is one mapping being decoded. Every lookup marks its key as
// used so that done can report keys the format does not know.
type fields struct {
	f    *yamlFile
	n    *yaml.Node
	what string
	used map[string]bool
}

// value returns the value node for key, or nil when the key is absent or
// its value is null.
func (m *fields) value(key string) *yaml.Node {
	m.used[key] = true
	for i := 0; i+1 < len(m.n.Content); i += 2 {
		if m.n.Content[i].Value == key {
			v := m.n.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return nil
			}
			return v
		}
	}
	return nil
}

// place returns where key's value is, or where the mapping starts when
// the key is absent.
func (m *fields) place(key string) Place {
	for i := 0; i+1 < len(m.n.Content); i += 2 {
		if m.n.Content[i].Value == key {
			return m.f.at(m.n.Content[i+1])
		}
	}
	return m.f.at(m.n)
}

// missing reports a required key that is absent.
func (m *fields) missing(key string) {
	m.f.probs.add(m.f.at(m.n), "%s: missing %q", m.what, key)
}

// str returns the trimmed text of a required scalar.
func (m *fields) str(key string) string {
	s, ok := m.optStr(key)
	if ok && s == "" {
		m.f.probs.add(m.place(key), "%s: %q is empty", m.what, key)
	}
	if !ok {
		m.missing(key)
	}
	return s
}

// optStr returns the trimmed text of an optional scalar and whether the
// key was given.
func (m *fields) optStr(key string) (string, bool) {
	v := m.value(key)
	if v == nil {
		return "", false
	}
	if v.Kind != yaml.ScalarNode {
		m.f.probs.add(m.f.at(v), "%s: %q must be text", m.what, key)
		return "", true
	}
	return strings.TrimSpace(v.Value), true
}

// integer returns a required whole number.
func (m *fields) integer(key string) int {
	v := m.value(key)
	if v == nil {
		m.missing(key)
		return 0
	}
	var n int
	if v.Kind != yaml.ScalarNode || v.Decode(&n) != nil {
		m.f.probs.add(m.f.at(v), "%s: %q must be a whole number", m.what, key)
	}
	return n
}

// number returns an optional number and whether it was given.
func (m *fields) number(key string) (float64, bool) {
	v := m.value(key)
	if v == nil {
		return 0, false
	}
	var x float64
	if v.Kind != yaml.ScalarNode || v.Decode(&x) != nil {
		m.f.probs.add(m.f.at(v), "%s: %q must be a number", m.what, key)
	}
	return x, true
}

// boolean returns an optional true or false, false when absent.
func (m *fields) boolean(key string) bool {
	v := m.value(key)
	if v == nil {
		return false
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		m.f.probs.add(m.f.at(v), "%s: %q must be true or false", m.what, key)
	}
	return b
}

// list returns the items of a required sequence.
func (m *fields) list(key string) []*yaml.Node {
	v := m.value(key)
	if v == nil {
		m.missing(key)
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		m.f.probs.add(m.f.at(v), "%s: %q must be a list", m.what, key)
		return nil
	}
	if len(v.Content) == 0 {
		m.f.probs.add(m.f.at(v), "%s: %q is empty", m.what, key)
	}
	return v.Content
}

// strList returns a required, non-empty list of texts.
func (m *fields) strList(key string) []string {
	var out []string
	for _, it := range m.list(key) {
		s := strings.TrimSpace(it.Value)
		if it.Kind != yaml.ScalarNode || s == "" {
			m.f.probs.add(m.f.at(it), "%s: each item of %q must be text", m.what, key)
			continue
		}
		out = append(out, s)
	}
	return out
}

// done reports keys that were never looked up, which are most often
// misspellings of known ones.
func (m *fields) done() {
	for i := 0; i+1 < len(m.n.Content); i += 2 {
		k := m.n.Content[i]
		if !m.used[k.Value] {
			m.f.probs.add(m.f.at(k), "%s: unknown key %q", m.what, k.Value)
		}
	}
}
