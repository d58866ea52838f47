package registration

import (
	"net"
	"net/url"
	"strings"
)

// isLoopback reports whether host names this machine, the only place where
// plain http is acceptable (local development and tests).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkWebURL parses raw and checks that it is an absolute http(s) URL with a
// host, no user info and no fragment, and that it uses https unless the host
// is a loopback one. The returned message is a short reason in plain words.
func checkWebURL(raw string) (*url.URL, string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || raw == "":
		return nil, "is not a web address"
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, "must start with https://"
	case u.Host == "":
		return nil, "has no host name"
	case u.User != nil:
		return nil, "must not contain a user name or password"
	case u.Fragment != "":
		return nil, "must not contain a #fragment"
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, "must use https (plain http is only accepted for localhost)"
	}
	return u, ""
}

// redact returns raw without its query and fragment, so that addresses which
// carry a registration token in their query can appear in error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unreadable address)"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}
