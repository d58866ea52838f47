package web

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"aesop/lti"
	"aesop/lti/platform"
)

// framesTTL bounds how long a platform registered through another instance
// waits before this instance's pre-launch pages may be framed by it. Session
// pages do not wait: their list comes from the session's own launch.
const framesTTL = 10 * time.Second

// frameAncestors builds the CSP frame-ancestors list from the registered
// platforms: the origins of their issuer and endpoints and, for Canvas, every
// instructure.com site, since Canvas courses live on per-school subdomains
// while the issuer is canvas.instructure.com. The list is cached briefly per
// instance; it is derived from the database, which stays the source of truth.
type frameAncestors struct {
	platforms *platform.Store

	mu    sync.Mutex
	value string
	at    time.Time
}

func newFrameAncestors(p *platform.Store) *frameAncestors {
	return &frameAncestors{platforms: p}
}

func (f *frameAncestors) list(ctx context.Context) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.value != "" && time.Since(f.at) < framesTTL {
		return f.value
	}
	ps, err := f.platforms.List(ctx)
	if err != nil {
		if f.value != "" {
			return f.value
		}
		return "'self'"
	}
	origins := []string{"'self'"}
	for _, p := range ps {
		for _, raw := range []string{p.Issuer, p.AuthURL} {
			if o := origin(raw); o != "" && !slices.Contains(origins, o) {
				origins = append(origins, o)
			}
		}
		if p.ProductFamily == "canvas" && !slices.Contains(origins, "https://*.instructure.com") {
			origins = append(origins, "https://*.instructure.com")
		}
	}
	f.value, f.at = strings.Join(origins, " "), time.Now()
	return f.value
}

// invalidate drops the cached list, after this instance registered a platform.
func (f *frameAncestors) invalidate() {
	f.mu.Lock()
	f.value = ""
	f.mu.Unlock()
}

// launchFrameAncestors lists the origins that may frame a session's pages: the
// platform's issuer and the page the launch came from (its return URL), which
// for Canvas is the school's own domain rather than canvas.instructure.com.
func launchFrameAncestors(l *lti.Launch) string {
	origins := []string{"'self'"}
	for _, raw := range []string{l.Issuer, l.LaunchPresentation.ReturnURL} {
		if o := origin(raw); o != "" && !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	if l.Platform.ProductFamilyCode == "canvas" {
		origins = append(origins, "https://*.instructure.com")
	}
	return strings.Join(origins, " ")
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
