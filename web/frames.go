package web

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"aesop/lti/platform"
)

// framesTTL bounds how long a newly registered platform waits before its pages
// may frame the tool on an instance that has already built the list.
const framesTTL = 30 * time.Second

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

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
