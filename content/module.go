package content

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// moduleFile is the name of the file that describes a module folder.
const moduleFile = "module.yaml"

// moduleLoad gathers one module's files before they are checked against
// each other.
type moduleLoad struct {
	mod  *Module
	file string // path of module.yaml
	// parsed is false when module.yaml could not be read as YAML, so that
	// its navigation and pass mark are not checked against nothing.
	parsed   bool
	navAt    Place
	nav      []idAt
	passAt   Place
	hasPass  bool
	lessons  []*Lesson
	lessonAt map[string]Place
	quizzes  []quizDecl
	labs     []labDecl
	tests    []quizDecl
}

// idAt is an id written somewhere in the pack, kept with its place so a
// reference that does not resolve can be reported where it was written.
type idAt struct {
	id string
	at Place
}

// loadModule reads one module folder: module.yaml first, for the module's
// number, then its lessons, quizzes, labs and test.
func (l *loader) loadModule(dir string) {
	ml := &moduleLoad{
		mod:      &Module{},
		file:     path.Join(dir, moduleFile),
		lessonAt: map[string]Place{},
	}
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.probs.add(Place{File: dir}, "cannot read module folder: %v", err)
		return
	}
	if !l.loadModuleFile(ml) {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || ignored(name) || name == moduleFile {
			continue
		}
		file := path.Join(dir, name)
		switch {
		case strings.EqualFold(name, "README.md"):
		case strings.HasSuffix(name, ".md"):
			l.loadLesson(ml, file)
		case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
			l.loadActivityFile(ml, file)
		}
	}
	l.finishModule(ml)
	l.pack.Modules = append(l.pack.Modules, ml.mod)
}

// loadModuleFile reads module.yaml. It reports false when the folder has
// none, in which case the folder is not a module.
func (l *loader) loadModuleFile(ml *moduleLoad) bool {
	if _, err := fs.Stat(l.fsys, ml.file); errors.Is(err, fs.ErrNotExist) {
		dir := path.Dir(ml.file)
		l.probs.add(Place{File: dir}, "folder %q has no %s: each folder of a pack is a module",
			dir, moduleFile)
		return false
	}
	src, ok := l.readFile(ml.file)
	if !ok {
		return false
	}
	yf := &yamlFile{name: ml.file, probs: &l.probs}
	m := yf.parse([]byte(src))
	if m == nil {
		return true
	}
	ml.parsed = true
	mod := ml.mod
	mod.ID = m.str("id")
	mod.Number = m.integer("number")
	mod.Title = m.str("title")
	mod.PassMark, ml.hasPass = m.number("pass_mark")
	ml.passAt = m.place("pass_mark")
	if ml.hasPass && (mod.PassMark <= 0 || mod.PassMark > 1) {
		l.probs.add(ml.passAt, "module: \"pass_mark\" must be above 0 and at most 1, as 0.8")
	}
	ml.navAt = m.place("nav")
	for _, n := range m.list("nav") {
		ml.nav = append(ml.nav, idAt{id: strings.TrimSpace(n.Value), at: yf.at(n)})
	}
	m.done()
	l.declare(mod.ID, m.place("id"), "module")
	return true
}

// loadActivityFile reads a YAML activity file and hands it to the reader
// for its kind.
func (l *loader) loadActivityFile(ml *moduleLoad, file string) {
	src, ok := l.readFile(file)
	if !ok {
		return
	}
	yf := &yamlFile{name: file, probs: &l.probs}
	m := yf.parse([]byte(src))
	if m == nil {
		return
	}
	switch kind, _ := m.optStr("kind"); Kind(kind) {
	case KindQuiz, KindTest:
		l.loadQuiz(ml, yf, m, Kind(kind))
	case KindLab:
		l.loadLab(ml, yf, m)
	case "":
		l.probs.add(yf.at(m.n), "missing \"kind\": want quiz, lab or test")
	default:
		l.probs.add(m.place("kind"), "unknown kind %q: want quiz, lab or test "+
			"(lessons are Markdown files)", kind)
	}
}
