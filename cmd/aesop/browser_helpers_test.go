package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// browserTimeout bounds each browser test, so that a hung Chromium fails one
// test instead of hanging the suite.
const browserTimeout = 60 * time.Second

// chromiumPath finds the Chromium to drive: $AESOP_TEST_CHROMIUM, or a
// chromium or chrome binary on the PATH. Without one the browser tests skip,
// except when CI=true, where they fail: CI always runs them.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AESOP_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable",
		"google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for chromium, chromium-browser, google-chrome on " +
		"the PATH); install it or set AESOP_TEST_CHROMIUM to run the browser tests"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// cookieBlock is a cookie exception a person can add in Chromium's site
// settings: cookies of site, when it is embedded in embedder, are refused.
type cookieBlock struct{ site, embedder string }

// startBrowser starts one headless Chromium for a whole test, with third-party
// cookies blocked and the given sites' cookies refused when embedded. It
// returns the browser's context; tabs are made from it with browserTab.
//
// Third-party cookies are blocked twice over, so the test does not depend on
// the build's default: by the user setting "Block third-party cookies"
// (profile.cookie_controls_mode 1) and by Chrome's third-party cookie phase-out
// mode. Neither blocks partitioned (CHIPS) cookies. The per-site exceptions are
// content settings (profile.content_settings.exceptions.cookies), which refuse
// every cookie, partitioned ones too. Preferences are read at start-up, which
// is why the sites are known before the browser starts.
func startBrowser(t *testing.T, blocks ...cookieBlock) context.Context {
	t.Helper()
	path := chromiumPath(t)
	dir := t.TempDir()
	if err := writePreferences(dir, blocks); err != nil {
		t.Fatal(err)
	}
	// The defaults already run headless, without background networking, sync
	// or the first-run pages.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(dir),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("test-third-party-cookie-phaseout", true),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], opts...)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do binds the browser's life to ctx, so its start is bounded by
	// a timer rather than by a context with a deadline.
	timer := time.AfterFunc(browserTimeout, cancelAlloc)
	defer timer.Stop()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// writePreferences writes the profile settings startBrowser describes.
func writePreferences(dir string, blocks []cookieBlock) error {
	exceptions := map[string]any{}
	for _, b := range blocks {
		exceptions[b.site+","+b.embedder] = map[string]any{"setting": 2}
	}
	prefs := map[string]any{"profile": map[string]any{
		"cookie_controls_mode": 1,
		"content_settings":     map[string]any{"exceptions": map[string]any{"cookies": exceptions}},
	}}
	b, err := json.Marshal(prefs)
	if err != nil {
		return fmt.Errorf("encode preferences: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
		return fmt.Errorf("make profile: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), b, 0o600); err != nil {
		return fmt.Errorf("write preferences: %w", err)
	}
	return nil
}

// browserTab opens a tab in the browser, closed when the test ends or after
// browserTimeout.
func browserTab(t *testing.T, chrome context.Context) context.Context {
	t.Helper()
	tctx, cancelTimeout := context.WithTimeout(chrome, browserTimeout)
	ctx, cancel := chromedp.NewContext(tctx)
	t.Cleanup(func() {
		cancel()
		cancelTimeout()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// findTarget waits for a target of the given type ("iframe" or "page") whose
// URL starts with prefix and whose text contains want, and returns a context
// attached to it. A cross-site iframe runs in a process of its own, so it is
// a target of its own; it changes whenever the frame moves between sites. The
// wait ends early when stop returns an error.
func findTarget(ctx context.Context, typ, prefix, want string,
	stop func() error) (context.Context, error) {
	attached := map[target.ID]context.Context{}
	var last string
	for {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			return nil, fmt.Errorf("list targets: %w", err)
		}
		for _, info := range infos {
			if info.Type != typ || !strings.HasPrefix(info.URL, prefix) {
				continue
			}
			fctx, ok := attached[info.TargetID]
			if !ok {
				fctx = attachTarget(ctx, info.TargetID)
				attached[info.TargetID] = fctx
			}
			text, err := targetText(fctx)
			if err == nil && strings.Contains(text, want) {
				return fctx, nil
			}
			last = fmt.Sprintf("%s %s: %q %v", typ, info.URL, text, err)
		}
		if err := stop(); err != nil {
			return nil, fmt.Errorf("no %s at %s showing %q: %w", typ, prefix, want, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no %s at %s showing %q (last seen %s): %w", typ,
				prefix, want, last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// attachTarget returns a context that drives target id and leaves the target
// open when the context ends: closing an iframe target is not ours to do.
func attachTarget(ctx context.Context, id target.ID) context.Context {
	fctx, _ := chromedp.NewContext(ctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
	return fctx
}

// targetText reads the visible text of a target's page once it has loaded.
func targetText(ctx context.Context) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.readyState === "loading" || !document.body ? "" : document.body.innerText`))
}

// recordLTIMessages makes every page of the tab record the LTI postMessages it
// receives in window.aesopSeen, before the page's own scripts run; on the LMS
// page these are the tool's storage requests.
func recordLTIMessages(ctx context.Context) error {
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.aesopSeen = [];
window.addEventListener("message", function (e) {
  var d = e.data;
  if (d && typeof d.subject === "string") {
    window.aesopSeen.push({subject: d.subject, origin: e.origin, key: d.key || ""});
  }
});`})
	if err != nil {
		return fmt.Errorf("install message recorder: %w", err)
	}
	return nil
}

// ltiMessage is one postMessage recordLTIMessages saw.
type ltiMessage struct {
	Subject string `json:"subject"`
	Origin  string `json:"origin"`
	Key     string `json:"key"`
}

func seenLTIMessages(ctx context.Context) ([]ltiMessage, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]ltiMessage](`window.aesopSeen || []`))
}

// accessLine is one line of the tool's access log.
type accessLine struct {
	Method, Route string
	Status        int
}

// requests reads the tool's access log from its JSON logs.
func (e *browserEnv) requests() []accessLine {
	var out []accessLine
	for _, line := range strings.Split(e.logs.String(), "\n") {
		var r struct {
			Msg, Method, Route string
			Status             int
		}
		if json.Unmarshal([]byte(line), &r) == nil && r.Msg == "request" {
			out = append(out, accessLine{r.Method, r.Route, r.Status})
		}
	}
	return out
}

// statuses lists the statuses the tool answered a route with, in order.
func (e *browserEnv) statuses(method, route string) []int {
	var out []int
	for _, r := range e.requests() {
		if r.Method == method && r.Route == route {
			out = append(out, r.Status)
		}
	}
	return out
}

// cookieProbe serves, on one site, a page that sets a plain and a partitioned
// SameSite=None cookie and then shows which of them came back; embedded by
// the page of probeHost, it tells what the browser lets a third party keep.
type cookieProbe struct {
	URL    string
	prefix string
}

func newCookieProbe(t *testing.T, prefix string) *cookieProbe {
	t.Helper()
	p := &cookieProbe{prefix: prefix}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return p
}

func (p *cookieProbe) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/set":
		for _, partitioned := range []bool{false, true} {
			name := p.prefix + "_plain"
			if partitioned {
				name = p.prefix + "_partitioned"
			}
			http.SetCookie(w, &http.Cookie{Name: name, Value: "1", Path: "/", Secure: true,
				SameSite: http.SameSiteNoneMode, Partitioned: partitioned})
		}
		http.Redirect(w, r, "/check", http.StatusFound)
	case "/check":
		var names []string
		for _, c := range r.Cookies() {
			if strings.HasPrefix(c.Name, p.prefix+"_") {
				names = append(names, strings.TrimPrefix(c.Name, p.prefix+"_"))
			}
		}
		sort.Strings(names)
		msg, _ := json.Marshal("cookies:" + strings.Join(names, ","))
		fmt.Fprintf(w, `<script>parent.postMessage(%s, "*")</script>`, msg)
	default:
		http.NotFound(w, r)
	}
}

// probeHost serves the page that embeds a cookie probe on another site and
// shows what the probe reported.
func probeHost(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<p id="result"></p><iframe src="%s"></iframe><script>
window.addEventListener("message", function (e) {
  document.getElementById("result").textContent = e.data;
});</script>`, html.EscapeString(r.URL.Query().Get("probe")))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// probeCookies embeds probe in the host page in a new tab and returns the
// cookies that came back to it inside the iframe: "", "partitioned", or
// "partitioned,plain".
func probeCookies(t *testing.T, chrome context.Context, host string,
	probe *cookieProbe) string {
	t.Helper()
	ctx := browserTab(t, chrome)
	if err := chromedp.Do(ctx, chromedp.Navigate(host+"/?probe="+probe.URL+"/set")); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(document.getElementById("result").textContent || "").startsWith("cookies:") && `+
			`document.getElementById("result").textContent`,
		chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		t.Fatalf("cookie probe: %v", err)
	}
	return strings.TrimPrefix(got, "cookies:")
}

// cssPoint is a position in CSS pixels.
type cssPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// clickInFrame clicks, as a person would, the element sel of the page in
// frame, an iframe of the page in top with the given element id: the mouse
// event goes to the tab at the element's place on screen, so the click carries
// the user activation a new window needs. The element is first scrolled into
// view, within the frame and then within the tab, for an LMS that makes its
// frame as tall as the page in it.
func clickInFrame(top, frame context.Context, frameID, sel string) error {
	at, err := elementCentre(frame, sel, false)
	if err != nil {
		return err
	}
	// The browser routes a click to a cross-site iframe by what it last drew,
	// so after scrolling, the tab and then the frame wait two frames each: a
	// page just loaded in the frame would otherwise miss the click.
	origin, err := chromedp.Run(top, chromedp.Evaluate[*cssPoint](fmt.Sprintf(`(function () {
  var f = document.getElementById(%q);
  if (!f) { return null; }
  f.scrollIntoView({block: "nearest", behavior: "instant"});
  var y = f.getBoundingClientRect().top + f.clientTop + %f;
  if (y < 0 || y > window.innerHeight) {
    window.scrollBy({top: y - window.innerHeight / 2, behavior: "instant"});
  }
  return new Promise(function (resolve) {
    requestAnimationFrame(function () { requestAnimationFrame(function () {
      var r = f.getBoundingClientRect();
      resolve({x: r.left + f.clientLeft, y: r.top + f.clientTop});
    }); });
  });
})()`, frameID, at.Y), chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("find frame %s: %w", frameID, err)
	}
	if origin == nil {
		return fmt.Errorf("find frame %s: %w", frameID, errNotInPage)
	}
	if at, err = elementCentre(frame, sel, true); err != nil {
		return err
	}
	if err := chromedp.Do(top, chromedp.MouseClickXY(origin.X+at.X, origin.Y+at.Y)); err != nil {
		return fmt.Errorf("click %s: %w", sel, err)
	}
	return nil
}

// elementCentre scrolls sel into view in the page of ctx and returns its
// centre. With settle set, it measures once the page has drawn twice, or
// after 250 ms: a frame out of sight draws nothing.
func elementCentre(ctx context.Context, sel string, settle bool) (*cssPoint, error) {
	at, err := chromedp.Run(ctx, chromedp.Evaluate[*cssPoint](fmt.Sprintf(`(function () {
  var el = document.querySelector(%q);
  if (!el) { return null; }
  el.scrollIntoView({block: "nearest", behavior: "instant"});
  return new Promise(function (resolve) {
    function measure() {
      var r = el.getBoundingClientRect();
      resolve({x: r.left + r.width / 2, y: r.top + r.height / 2});
    }
    if (!%t) { return measure(); }
    setTimeout(measure, 250);
    requestAnimationFrame(function () { requestAnimationFrame(measure); });
  });
})()`, sel, settle), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("find %s in the frame: %w", sel, err)
	}
	if at == nil {
		return nil, fmt.Errorf("find %s in the frame: %w", sel, errNotInPage)
	}
	return at, nil
}

var errNotInPage = errors.New("no such element")
