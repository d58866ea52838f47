package ags

import (
	"fmt"
	"net/url"
	"strings"
)

// ServiceURL returns the URL of a line item's scores or results: the segment
// goes at the end of the path, before any query string, since Moodle's line
// item URLs end in "?type_id=N" and the query must stay.
func ServiceURL(lineItemURL, segment string) (string, error) {
	u, err := serviceBase(lineItemURL)
	if err != nil {
		return "", err
	}
	p := strings.TrimRight(u.EscapedPath(), "/") + "/" + url.PathEscape(segment)
	if u.Path, err = url.PathUnescape(p); err != nil {
		return "", fmt.Errorf("%w: line item URL %q: %v", ErrInvalid, lineItemURL, err)
	}
	u.RawPath = p
	return u.String(), nil
}

// withQuery adds query parameters to a service URL, keeping those it has.
func withQuery(rawURL string, params url.Values) (string, error) {
	u, err := serviceBase(rawURL)
	if err != nil {
		return "", err
	}
	if len(params) == 0 {
		return u.String(), nil
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// serviceBase parses a service URL, which must be absolute http or https,
// and drops its fragment.
func serviceBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: service URL %q: %v", ErrInvalid, raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: service URL %q is not an absolute http(s) URL",
			ErrInvalid, raw)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}
