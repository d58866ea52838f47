package content

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// figure is one figure stated in the author's text: an amount of money, a
// percentage or a large count, with the words around it.
type figure struct {
	unit     string // "$", "%" or "#" for a count
	value    float64
	decimals int
	raw      string
	sentence string
	passage  int
	// near holds the content words closest to the figure on either side,
	// which say what it measures ("cost", "accuracy").
	near map[string]bool
	// words holds the content words of its sentence.
	words map[string]bool
	// others holds the other figures of the same unit in its sentence.
	others []*figure
}

// figureRE finds figures: money, percentages, counts with thousands
// separators, and counts written with a K.
var figureRE = regexp.MustCompile(
	`\$\d[\d,]*(?:\.\d+)?|\d+(?:\.\d+)?%|\b\d{1,3}(?:,\d{3})+\b|\b\d+K\b`)

// findFigures returns the figures stated in one passage.
func findFigures(index int, text string, names map[string]bool) []*figure {
	var out []*figure
	for _, s := range sentences(text) {
		var inSentence []*figure
		for _, loc := range figureRE.FindAllStringIndex(s, -1) {
			f := parseFigure(s[loc[0]:loc[1]])
			f.sentence, f.passage = s, index
			f.near = nearWords(s[:loc[0]], s[loc[1]:], names)
			f.words = contentWords(s, names)
			inSentence = append(inSentence, f)
		}
		for _, f := range inSentence {
			for _, g := range inSentence {
				if f != g && f.unit == g.unit {
					f.others = append(f.others, g)
				}
			}
		}
		out = append(out, inSentence...)
	}
	return out
}

// parseFigure reads a figure's unit, value and precision.
func parseFigure(raw string) *figure {
	f := &figure{raw: raw, unit: "#"}
	num := raw
	scale := 1.0
	switch {
	case strings.HasPrefix(raw, "$"):
		f.unit, num = "$", raw[1:]
	case strings.HasSuffix(raw, "%"):
		f.unit, num = "%", strings.TrimSuffix(raw, "%")
	case strings.HasSuffix(raw, "K"):
		num, scale = strings.TrimSuffix(raw, "K"), 1000
	}
	num = strings.ReplaceAll(num, ",", "")
	if i := strings.IndexByte(num, '.'); i >= 0 {
		f.decimals = len(num) - i - 1
	}
	v, _ := strconv.ParseFloat(num, 64)
	f.value = v * scale
	return f
}

// sameValue reports whether two figures agree once the more precise one
// is rounded to the other's precision, so 78% and 78.2% agree.
func sameValue(a, b *figure) bool {
	p := math.Pow(10, float64(min(a.decimals, b.decimals)))
	return math.Round(a.value*p) == math.Round(b.value*p)
}

// states reports whether f's sentence gives g's value too, in which case
// the two passages agree on it whatever else they say.
func (f *figure) states(g *figure) bool {
	if sameValue(f, g) {
		return true
	}
	for _, o := range f.others {
		if sameValue(o, g) {
			return true
		}
	}
	return false
}
