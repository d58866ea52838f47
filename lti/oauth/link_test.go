package oauth

import (
	"net/http"
	"net/url"
	"testing"
)

func TestNextPage(t *testing.T) {
	base, _ := url.Parse("https://lms.example/api/lti/courses/1/line_items?page=1")
	tests := []struct {
		name  string
		links []string
		want  string
	}{
		{"none", nil, ""},
		{"canvas", []string{`<https://lms.example/x?page=2&per_page=10>; rel="current",` +
			`<https://lms.example/x?page=3&per_page=10>; rel="next",` +
			`<https://lms.example/x?page=1&per_page=10>; rel="first"`},
			"https://lms.example/x?page=3&per_page=10"},
		{"moodle quotes", []string{"<https://m.example/lineitems?type_id=2&limit=3&from=3>; " +
			"rel=\u201cnext\u201d, <https://m.example/lineitems?from=9>; rel=\u201clast\u201d"},
			"https://m.example/lineitems?type_id=2&limit=3&from=3"},
		{"unquoted", []string{`</next>; rel=next`}, "https://lms.example/next"},
		{"relative", []string{`<?page=2>; rel="next"`},
			"https://lms.example/api/lti/courses/1/line_items?page=2"},
		{"several rels", []string{`<https://lms.example/n>; rel="next last"`},
			"https://lms.example/n"},
		{"case and spaces", []string{`<https://lms.example/n> ;  REL = "Next"`},
			"https://lms.example/n"},
		{"comma in url", []string{`<https://lms.example/a,b>; rel="prev", ` +
			`<https://lms.example/c,d>; rel="next"`}, "https://lms.example/c,d"},
		{"second header", []string{`<https://lms.example/p>; rel="prev"`,
			`<https://lms.example/n>; rel="next"`}, "https://lms.example/n"},
		{"only last", []string{`<https://lms.example/l>; rel="last"`}, ""},
		{"broken", []string{`<https://lms.example/n; rel="next"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Link": tt.links}
			if got := NextPage(h, base); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
