package content

import "html/template"

// Lesson is one lesson: its metadata, its body split into sections, and
// its glossary. HTML fields are rendered once at load from the author's
// Markdown with raw HTML refused, so templates may print them as they are.
type Lesson struct {
	ID       string
	ModuleID string
	Number   int
	// Label places the lesson in the course, as "Module 3 · Lesson 1".
	Label    string
	Title    string
	Subtitle string
	// Hook is the opening question shown under the subtitle.
	Hook string
	// Intro holds what comes before the first section heading; its ID and
	// Heading are empty.
	Intro    Section
	Sections []Section
	Glossary []Term
}

// Section is a part of a lesson under one "##" heading. Text is the plain
// text of all its blocks, which the tutor uses to ground its answers.
type Section struct {
	// ID is the heading's anchor id, unique within the lesson and stable
	// while the heading text (or its explicit {#id}) does not change.
	ID      string
	Heading string
	Blocks  []Block
	Text    string
}

// BlockKind tells a web layer how to lay out a block.
type BlockKind string

// The kinds of block a lesson section holds.
const (
	BlockProse      BlockKind = "prose"
	BlockCallout    BlockKind = "callout"
	BlockComparison BlockKind = "comparison"
	BlockPhases     BlockKind = "phases"
)

// Block is one piece of a section. HTML is set for prose; Callout,
// Comparison or Phases is set for the other kinds. Text is the block's
// plain text whatever its kind.
type Block struct {
	Kind       BlockKind
	HTML       template.HTML
	Callout    *Callout
	Comparison *Comparison
	Phases     []Phase
	Text       string
}

// CalloutKind names the style of a callout box.
type CalloutKind string

// The callout kinds an author may use, written [!kind] in Markdown.
const (
	CalloutKeyFinding        CalloutKind = "key-finding"
	CalloutKeyTerm           CalloutKind = "key-term"
	CalloutDocumentedOutcome CalloutKind = "documented-outcome"
	CalloutKeyResult         CalloutKind = "key-result"
	CalloutConnection        CalloutKind = "connection"
	CalloutResearch          CalloutKind = "research"
	CalloutExample           CalloutKind = "example"
)

// calloutKinds lists the callout kinds with the label a screen reader or
// a plain rendering can use.
var calloutKinds = map[CalloutKind]string{
	CalloutKeyFinding:        "Key Finding",
	CalloutKeyTerm:           "Key Term",
	CalloutDocumentedOutcome: "Documented Outcome",
	CalloutKeyResult:         "Key Result",
	CalloutConnection:        "Connection",
	CalloutResearch:          "Research",
	CalloutExample:           "Example",
}

// Label returns the human name of the kind, such as "Key Finding".
func (k CalloutKind) Label() string {
	return calloutKinds[k]
}

// Callout is a box set apart from the prose. Title is shown as the author
// wrote it, such as "Key Finding — Alpaca, 2023".
type Callout struct {
	Kind  CalloutKind
	Title string
	HTML  template.HTML
	Text  string
}

// Comparison sets two or more cards side by side. Title is optional.
type Comparison struct {
	Title string
	Cards []Card
}

// Card is one card of a comparison.
type Card struct {
	Title string
	HTML  template.HTML
	Text  string
}

// Phase is one numbered step of a process, such as the two phases of
// Constitutional AI.
type Phase struct {
	Number int
	Title  string
	HTML   template.HTML
	Text   string
}

// Term is one glossary entry shown at the end of a lesson.
type Term struct {
	Term       string
	Definition string
}
