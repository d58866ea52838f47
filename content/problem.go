package content

import (
	"fmt"
	"sort"
	"strings"
)

// Place is a position in a pack file. Line and Col count from 1; zero means
// unknown.
type Place struct {
	File string
	Line int
	Col  int
}

// String formats the place as file:line:col, leaving out what is unknown.
func (p Place) String() string {
	s := p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
		if p.Col > 0 {
			s += fmt.Sprintf(":%d", p.Col)
		}
	}
	return s
}

// Problem is one mistake found in a pack, with where it is.
type Problem struct {
	Place
	Msg string
}

// String formats the problem as "file:line:col: msg".
func (p Problem) String() string {
	return p.Place.String() + ": " + p.Msg
}

// LoadError lists every problem Load found in a pack.
type LoadError struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects the problems found while loading.
type problems []Problem

// add records a problem at a place.
func (ps *problems) add(at Place, format string, args ...any) {
	*ps = append(*ps, Problem{Place: at, Msg: fmt.Sprintf(format, args...)})
}

// sorted returns the problems ordered by file and position, so reports
// read top to bottom.
func (ps problems) sorted() []Problem {
	out := append([]Problem(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}
