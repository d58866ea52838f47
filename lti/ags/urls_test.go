package ags

import (
	"errors"
	"net/url"
	"testing"
)

func TestServiceURL(t *testing.T) {
	tests := []struct {
		name, in, segment, want string
	}{
		{"canvas", "https://canvas.example/api/lti/courses/1/line_items/7", "scores",
			"https://canvas.example/api/lti/courses/1/line_items/7/scores"},
		{"trailing slash", "https://lms.example/items/7/", "results",
			"https://lms.example/items/7/results"},
		{"moodle type_id", "https://m.example/services.php/2/lineitems/5/lineitem?type_id=3",
			"scores", "https://m.example/services.php/2/lineitems/5/lineitem/scores?type_id=3"},
		{"several parameters", "https://lms.example/items/7?a=1&b=2", "results",
			"https://lms.example/items/7/results?a=1&b=2"},
		{"fragment dropped", "https://lms.example/items/7#x", "scores",
			"https://lms.example/items/7/scores"},
		{"escaped path kept", "https://lms.example/items/a%2Fb", "scores",
			"https://lms.example/items/a%2Fb/scores"},
		{"port", "http://127.0.0.1:8081/api/lti/courses/c/line_items/7?type_id=1",
			"scores", "http://127.0.0.1:8081/api/lti/courses/c/line_items/7/scores?type_id=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ServiceURL(tt.in, tt.segment)
			if err != nil || got != tt.want {
				t.Errorf("ServiceURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"/items/7", "ftp://lms.example/7", "https:///7", "http://[::1"} {
		if _, err := ServiceURL(bad, "scores"); !errors.Is(err, ErrInvalid) {
			t.Errorf("ServiceURL(%q): err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestWithQuery(t *testing.T) {
	got, err := withQuery("https://m.example/lineitems?type_id=3",
		url.Values{"resource_id": {"quiz 1"}, "tag": {"aesop"}})
	want := "https://m.example/lineitems?resource_id=quiz+1&tag=aesop&type_id=3"
	if err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if got, _ := withQuery("https://m.example/x?type_id=3", nil); got !=
		"https://m.example/x?type_id=3" {
		t.Errorf("no parameters changed the URL to %q", got)
	}
}
