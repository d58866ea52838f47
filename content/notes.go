package content

import (
	"fmt"
	"sort"
	"strings"
)

// minSharedWords is how many content words two sentences must share to be
// taken as saying the same thing about their figures.
const minSharedWords = 2

// reviewNotes looks for one figure stated differently in two places: two
// passages that speak of the same named subject, in sentences that share
// content words and the word next to the figure, but give values that
// neither sentence gives. Disagreements that share a place make one note;
// the author decides which figure is right.
func reviewNotes(p *Pack) []Note {
	names := properNames(p.passages)
	subj := make([]map[string]bool, len(p.passages))
	freq := map[string]int{}
	var figs []*figure
	for i, ps := range p.passages {
		subj[i] = subjects(ps, names)
		for n := range subj[i] {
			freq[n]++
		}
		figs = append(figs, findFigures(i, ps.text, names)...)
	}
	var cs conflicts
	for i, a := range figs {
		for _, b := range figs[i+1:] {
			shared := sharedSubjects(subj[a.passage], subj[b.passage])
			if len(shared) > 0 && disagree(a, b) {
				cs.add(a, b, shared)
			}
		}
	}
	notes := make([]Note, 0, len(cs.groups))
	for _, c := range cs.groups {
		if len(c.figs) > 0 {
			notes = append(notes, c.note(p, freq))
		}
	}
	return notes
}

// conflicts groups disagreeing pairs: pairs that share a figure belong
// to one conflict.
type conflicts struct {
	groups []*conflict
	byFig  map[*figure]*conflict
}

// add records a disagreeing pair and the names its passages share.
func (cs *conflicts) add(a, b *figure, shared []string) {
	if cs.byFig == nil {
		cs.byFig = map[*figure]*conflict{}
	}
	c := cs.byFig[a]
	if c == nil {
		c = cs.byFig[b]
	}
	if c == nil {
		c = &conflict{subjects: map[string]int{}}
		cs.groups = append(cs.groups, c)
	}
	for _, f := range []*figure{a, b} {
		switch other := cs.byFig[f]; {
		case other == nil:
			c.figs = append(c.figs, f)
			cs.byFig[f] = c
		case other != c:
			cs.join(c, other)
		}
	}
	for _, n := range shared {
		c.subjects[n]++
	}
}

// join moves everything of conflict from into conflict into, leaving
// from empty.
func (cs *conflicts) join(into, from *conflict) {
	for _, f := range from.figs {
		into.figs = append(into.figs, f)
		cs.byFig[f] = into
	}
	for n, k := range from.subjects {
		into.subjects[n] += k
	}
	from.figs, from.subjects = nil, nil
}

// disagree reports whether two figures of different passages state one
// thing with different values.
func disagree(a, b *figure) bool {
	if a.passage == b.passage || a.unit != b.unit || a.states(b) || b.states(a) {
		return false
	}
	if !overlaps(a.near, b.near, 1) {
		return false
	}
	return overlaps(a.words, b.words, minSharedWords)
}

// overlaps reports whether two sets share at least n members.
func overlaps(a, b map[string]bool, n int) bool {
	count := 0
	for w := range a {
		if b[w] {
			count++
		}
	}
	return count >= n
}

// sharedSubjects returns the names two passages both speak of.
func sharedSubjects(a, b map[string]bool) []string {
	var out []string
	for n := range a {
		if b[n] {
			out = append(out, n)
		}
	}
	return out
}

// conflict gathers the places that state one figure in different ways.
type conflict struct {
	figs []*figure
	// subjects counts how many disagreeing pairs share each name.
	subjects map[string]int
}

// subject names the conflict after the name most of its pairs share,
// breaking ties by how many passages of the pack speak of it.
func (c *conflict) subject(freq map[string]int) string {
	var names []string
	for n := range c.subjects {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if c.subjects[a] != c.subjects[b] {
			return c.subjects[a] > c.subjects[b]
		}
		if freq[a] != freq[b] {
			return freq[a] > freq[b]
		}
		return a < b
	})
	return names[0]
}

// note turns the conflict into a review note with every place involved,
// in the order the places appear in the pack.
func (c *conflict) note(p *Pack, freq map[string]int) Note {
	sort.SliceStable(c.figs, func(i, j int) bool { return c.figs[i].passage < c.figs[j].passage })
	var values []string
	seen := map[string]bool{}
	var where []Excerpt
	for _, f := range c.figs {
		if !seen[f.raw] {
			seen[f.raw] = true
			values = append(values, f.raw)
		}
		where = append(where, Excerpt{Place: figurePlace(p, f), Text: excerpt(f)})
	}
	msg := fmt.Sprintf("%s: one figure is given as %s; check which is meant",
		c.subject(freq), strings.Join(values, " and as "))
	return Note{Msg: msg, Where: where}
}

// figurePlace finds the file line of a figure: the first line at or
// below its passage's start that holds the figure as written.
func figurePlace(p *Pack, f *figure) Place {
	at := p.passages[f.passage].at
	lines := p.lines[at.File]
	for i := max(at.Line-1, 0); i < len(lines); i++ {
		if strings.Contains(lines[i], f.raw) {
			return Place{File: at.File, Line: i + 1}
		}
	}
	return Place{File: at.File, Line: at.Line}
}

// excerpt returns the figure's sentence, shortened around the figure.
func excerpt(f *figure) string {
	const width = 60
	s := f.sentence
	i := strings.Index(s, f.raw)
	start, end := max(i-width, 0), min(i+len(f.raw)+width, len(s))
	for start > 0 && s[start] != ' ' {
		start--
	}
	for end < len(s) && s[end] != ' ' {
		end++
	}
	out := strings.TrimSpace(s[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return "“" + out + "”"
}
