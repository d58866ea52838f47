package oauth

import (
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// NextPage returns the absolute URL of the rel="next" link in the Link
// headers of a paged answer (RFC 8288), resolved against base, or "" when
// there is none. It also reads the rel values Moodle writes in typographic
// quotes, and unquoted ones.
func NextPage(h http.Header, base *url.URL) string {
	for _, v := range h.Values("Link") {
		for target, params := range linkValues(v) {
			if !hasRel(params, "next") {
				continue
			}
			u, err := url.Parse(strings.TrimSpace(target))
			if err != nil {
				continue
			}
			if base != nil {
				u = base.ResolveReference(u)
			}
			return u.String()
		}
	}
	return ""
}

// linkValues yields each link of a Link header: its target and the text of
// its parameters.
func linkValues(v string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for {
			i := strings.IndexByte(v, '<')
			if i < 0 {
				return
			}
			j := strings.IndexByte(v[i:], '>')
			if j < 0 {
				return
			}
			target, rest := v[i+1:i+j], v[i+j+1:]
			k := strings.IndexByte(rest, '<')
			if k < 0 {
				k = len(rest)
			}
			if !yield(target, rest[:k]) {
				return
			}
			v = rest[k:]
		}
	}
}

// hasRel reports whether link parameters such as `; rel="next last",`
// name the relation.
func hasRel(params, rel string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, val, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), ` ,"'“”`)
		for r := range strings.FieldsSeq(val) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}
