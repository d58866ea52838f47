// Package content loads and validates course packs: the lessons, quizzes,
// AI-tutor labs and module tests that Aesop serves as LMS activities. An
// author edits a pack as Markdown and YAML files without touching Go; the
// rest of Aesop reads it through the types here. The package imports
// nothing else of Aesop.
//
// # Pack layout
//
// A pack is a folder holding one folder per module. Files and folders
// whose names start with "." or "_" are ignored, and so are files at the
// top of the pack, such as a README. A module folder holds:
//
//	module.yaml    id, number, title, pass_mark and nav (activity ids in order)
//	lesson-N.md    a lesson: YAML front matter, then the Markdown body
//	quiz-N.yaml    kind: quiz, with the lesson it follows and its questions
//	lab-N.yaml     kind: lab, with the texts shown and the tutor's instructions
//	test.yaml      kind: test, the module test
//
// Every .md file other than README.md is a lesson; every other .yaml file
// says what it is with its "kind" key, so the file names are free. Ids are
// lowercase words joined by hyphens and unique across the whole pack:
// modules, activities and questions share one namespace. The built-in pack
// uses m3 for the module, m3-l1 for a lesson, m3-l1-quiz, m3-l1-lab,
// m3-test, and m3-l1-q1 or m3-test-q1 for questions.
//
// # Lesson Markdown
//
// The front matter holds id, number, title, subtitle, hook (the opening
// question) and glossary, a list of term and definition. In the body:
//
//   - Text before the first heading is the lesson's intro.
//   - "## Heading" starts a section. Its anchor id is made from its text,
//     or set with "## Heading {#my-id}". A "#" heading is refused.
//   - A block quote whose first line is "[!kind] Title", followed by a
//     blank ">" line, is a callout box. The kinds are key-finding,
//     key-term, documented-outcome, key-result, connection, research and
//     example; the title is shown as written ("Key Finding — Alpaca, 2023").
//   - "> [!comparison]" holds cards side by side: each "### Card title" in
//     the quote starts a card, and the text under it is the card's text.
//   - "> [!phases]" holds one numbered list whose items open with a bold
//     title: "1. **Supervised Learning Phase (SL-CAI).** Text…".
//
// Raw HTML is refused: it would never be served, since Markdown is
// rendered with goldmark's safe default, which leaves it out.
//
// # Questions and labs
//
// Each question has an id, a prompt, options (each an id, a text and, on
// exactly one, "correct: true"; at least two must be wrong) and feedback
// with "right" and "wrong" texts served verbatim. Each lab has title,
// subtitle, objective, suggestion (how to start), tutor_name, lab_name,
// opening (the tutor's first message) and instructions for the tutor:
// persona, goal, guidance and boundaries. Instructions that quote a
// module test answer are refused.
//
// # Loading and checking
//
// Load returns a *Pack, or a *LoadError listing every problem with its
// file and line. Check does the same checks and adds review notes, such as
// a figure stated differently in two places, for the author to look at.
// Builtin returns the pack compiled into the binary.
package content
