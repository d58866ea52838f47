package content

import "sort"

// Kind names what an activity is. The LMS shows each kind differently and
// grading treats quizzes and tests differently, so the kind travels with
// every reference.
type Kind string

// The four kinds of activity a module holds.
const (
	KindLesson Kind = "lesson"
	KindQuiz   Kind = "quiz"
	KindLab    Kind = "lab"
	KindTest   Kind = "test"
)

// Ref is a light reference to one activity: enough to draw the module's
// navigation or list its activities without touching their bodies.
type Ref struct {
	ID    string
	Kind  Kind
	Title string
	// Label is the short name used in navigation: "L1", "Quiz", "Lab" or
	// "Module Test".
	Label    string
	ModuleID string
	// LessonID is the lesson the activity belongs to: the lesson itself for
	// a lesson, the lesson it follows for a quiz or lab, "" for a module test.
	LessonID string
}

// Activity is one thing a learner opens from the LMS. Exactly one of
// Lesson, Quiz and Lab is set; Quiz holds both lesson quizzes and module
// tests, told apart by Kind.
type Activity struct {
	Ref
	Lesson *Lesson
	Quiz   *Quiz
	Lab    *Lab
}

// Module is one module of a pack with its activities. Nav is the order in
// which the author wants the activities shown.
type Module struct {
	ID     string
	Number int
	Title  string
	// PassMark is the share of module test questions a learner must answer
	// correctly to pass, between 0 and 1 (0.8 means 80%).
	PassMark float64
	Nav      []Ref
	Lessons  []*Lesson // by lesson number
	Quizzes  []*Quiz   // lesson quizzes, in navigation order
	Labs     []*Lab    // in navigation order
	Test     *Quiz     // the module test, nil if the module has none
}

// Pack is a loaded and validated course pack: one or more modules whose
// activities can be looked up by their stable ids.
type Pack struct {
	Modules []*Module // by module number

	activities map[string]*Activity
	passages   []passage
	lines      map[string][]string // source lines per file, for review notes
}

// Module returns the module with the given id.
func (p *Pack) Module(id string) (*Module, bool) {
	for _, m := range p.Modules {
		if m.ID == id {
			return m, true
		}
	}
	return nil, false
}

// Activity returns the activity with the given id, of any kind.
func (p *Pack) Activity(id string) (*Activity, bool) {
	a, ok := p.activities[id]
	return a, ok
}

// Activities lists every activity of the pack, module by module, each
// module in its navigation order.
func (p *Pack) Activities() []Ref {
	var refs []Ref
	for _, m := range p.Modules {
		refs = append(refs, m.Nav...)
	}
	return refs
}

// sortModules orders modules by number, then id, so that listing a pack
// does not depend on folder names.
func sortModules(ms []*Module) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Number != ms[j].Number {
			return ms[i].Number < ms[j].Number
		}
		return ms[i].ID < ms[j].ID
	})
}

// Question finds a question by its pack-wide id, with the quiz or test
// that holds it, so an answer stored by question id alone can be graded.
func (p *Pack) Question(id string) (*Quiz, *Question, bool) {
	for _, m := range p.Modules {
		quizzes := m.Quizzes
		if m.Test != nil {
			quizzes = append(quizzes[:len(quizzes):len(quizzes)], m.Test)
		}
		for _, q := range quizzes {
			if qu, ok := q.Question(id); ok {
				return q, qu, true
			}
		}
	}
	return nil, nil, false
}
