package content

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// Load reads a pack, one folder per module, and validates all of it. When
// anything is wrong it returns a *LoadError listing every problem found,
// each with its file and line, rather than stopping at the first.
func Load(fsys fs.FS) (*Pack, error) {
	p, probs := load(fsys)
	if len(probs) > 0 {
		return nil, &LoadError{Problems: probs.sorted()}
	}
	return p, nil
}

// loader holds what is known while a pack is being read.
type loader struct {
	fsys  fs.FS
	probs problems
	pack  *Pack
	// ids maps every id declared so far, of modules, activities and
	// questions, to where it was declared: they share one namespace.
	ids map[string]Place
}

// load reads the pack and returns it with the problems found. The pack is
// returned even when there are problems so that Check can still review
// what did load.
func load(fsys fs.FS) (*Pack, problems) {
	l := &loader{
		fsys: fsys,
		pack: &Pack{activities: map[string]*Activity{}, lines: map[string][]string{}},
		ids:  map[string]Place{},
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		l.probs.add(Place{File: "."}, "cannot read the pack folder: %v", err)
		return l.pack, l.probs
	}
	for _, e := range entries {
		if e.IsDir() && !ignored(e.Name()) {
			l.loadModule(e.Name())
		}
	}
	if len(l.pack.Modules) == 0 && len(l.probs) == 0 {
		l.probs.add(Place{File: "."}, "the pack holds no module folder")
	}
	sortModules(l.pack.Modules)
	return l.pack, l.probs
}

// ignored reports whether a file or folder name is left out of the pack:
// hidden files and editors' backups.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		strings.HasSuffix(name, "~")
}

// readFile returns a file's text with Windows line ends made plain, and
// keeps its lines for review notes.
func (l *loader) readFile(name string) (string, bool) {
	b, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.probs.add(Place{File: name}, "cannot read file: %v", err)
		return "", false
	}
	src := strings.ReplaceAll(string(b), "\r\n", "\n")
	l.pack.lines[name] = strings.Split(src, "\n")
	return src, true
}

// idRE is the shape of every id: lowercase words of letters and digits
// joined by single hyphens, as "m3-l1-quiz".
var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// declare records an id and reports it if it is malformed or already
// used anywhere in the pack. what names the thing, as "lesson".
func (l *loader) declare(id string, at Place, what string) bool {
	if id == "" {
		return false
	}
	if !idRE.MatchString(id) {
		l.probs.add(at, "%s id %q must be lowercase letters and digits joined by hyphens",
			what, id)
		return false
	}
	if first, dup := l.ids[id]; dup {
		l.probs.add(at, "%s id %q is already used at %s", what, id, first)
		return false
	}
	l.ids[id] = at
	return true
}

// plural returns n with a noun, as "1 card" or "3 cards".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
