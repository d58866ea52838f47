package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

// TestBrowserLaunch opens the activity from the LMS course page in a real
// Chromium that blocks third-party cookies, with the tool in the course page's
// cross-site iframe (LMS on 127.0.0.1, tool on localhost), once for each way
// the tool can tie the launch to the browser that logged in.
func TestBrowserLaunch(t *testing.T) {
	chromiumPath(t)
	storage := newBrowserEnv(t, true)
	partitioned := newBrowserEnv(t, false)
	newWindow := newBrowserEnv(t, false)
	allowed, refused := newCookieProbe(t, "allowed"), newCookieProbe(t, "refused")
	host := probeHost(t)
	chrome := startBrowser(t, storage.embedBlock(), newWindow.embedBlock(),
		cookieBlock{site: refused.URL, embedder: host})

	// The probes show what the launches below rely on: a third party keeps
	// only partitioned cookies, and none at all where its site is blocked.
	t.Run("third-party cookies", func(t *testing.T) {
		if got := probeCookies(t, chrome, host, allowed); got != "partitioned" {
			t.Errorf("cookies back in a third-party iframe: %q, want only partitioned", got)
		}
		if got := probeCookies(t, chrome, host, refused); got != "" {
			t.Errorf("cookies back in an iframe whose site is blocked: %q, want none", got)
		}
	})

	cases := []struct {
		name string
		env  *browserEnv
		// logins and launches are the tool's answers at /lti/login and
		// /lti/launch. A framed login without storage is checked first
		// (303); a launch answered 200 is the page that reads the binding
		// back from the platform's storage.
		logins, launches []string
		// storage is what the tool asked of the platform's storage.
		storage []string
	}{
		{name: "postMessage storage, no cookies in the iframe", env: storage,
			logins: []string{"POST 200"}, launches: []string{"POST 200", "POST 303"},
			storage: []string{"lti.put_data", "lti.get_data"}},
		{name: "partitioned cookie, no storage", env: partitioned,
			logins: []string{"POST 303", "GET 302"}, launches: []string{"POST 303"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab := openActivity(t, chrome, tc.env)
			frame, err := findTarget(tab, "iframe", tc.env.toolURL+"/s/", "Alice Nguyen",
				tc.env.refusedMore(0))
			if err != nil {
				t.Fatalf("first page: %v", err)
			}
			checkSessionHolds(t, frame, tc.env)
			tc.env.checkAnswers(t, "/lti/login", tc.logins)
			tc.env.checkAnswers(t, "/lti/launch", tc.launches)
			if got := storageRequests(t, tab, tc.env); !slices.Equal(got, tc.storage) {
				t.Errorf("storage requests %v, want %v", got, tc.storage)
			}
		})
	}

	// Without cookies or storage the tool offers a new window before the LMS
	// is asked for the launch, whose lti_message_hint is good for one use.
	t.Run("no cookies, no storage: new window", func(t *testing.T) {
		env := newWindow
		tab := openActivity(t, chrome, env)
		frame, err := findTarget(tab, "iframe", env.toolURL+"/lti/login",
			"Open the activity in a new window", env.refusedMore(1))
		if err != nil {
			t.Fatalf("new-window offer: %v", err)
		}
		env.checkAnswers(t, "/lti/login", []string{"POST 303", "GET 401"})
		env.checkAnswers(t, "/lti/launch", nil)
		if err := clickInFrame(tab, frame, "tool_frame", "form button"); err != nil {
			t.Fatal(err)
		}
		win, err := findTarget(tab, "page", env.toolURL+"/s/", "Alice Nguyen",
			env.refusedMore(1))
		if err != nil {
			t.Fatalf("launch in the new window: %v", err)
		}
		checkSessionHolds(t, win, env)
		env.checkAnswers(t, "/lti/login", []string{"POST 303", "GET 401", "POST 302"})
		env.checkAnswers(t, "/lti/launch", []string{"POST 303"})
	})
}

// browserEnv is a test environment whose LMS logs are kept, so that a test
// stops waiting as soon as either side refuses the launch.
type browserEnv struct {
	*testEnv
	lmsLogs *syncBuffer
}

// newBrowserEnv starts the tool and an LMS that offers postMessage storage
// when storage is set.
func newBrowserEnv(t *testing.T, storage bool) *browserEnv {
	t.Helper()
	lmsLogs := &syncBuffer{}
	env := newTestEnv(t, dbtest.SQLite(t), func(c *emulator.Config) {
		c.PostMessageStorage = storage
		c.Logger = slog.New(slog.NewJSONHandler(lmsLogs, nil))
	})
	return &browserEnv{testEnv: env, lmsLogs: lmsLogs}
}

// refusedMore returns a check that fails once the tool and the LMS together
// have refused more than n steps of a launch.
func (e *browserEnv) refusedMore(n int) func() error {
	return func() error {
		tool := strings.Count(e.logs.String(), `"msg":"launch refused"`)
		lms := strings.Count(e.lmsLogs.String(), `"msg":"authorization refused"`)
		if tool+lms > n {
			return fmt.Errorf("%d refusals, want at most %d\ntool logs:\n%s\nLMS logs:\n%s",
				tool+lms, n, e.logs, e.lmsLogs)
		}
		return nil
	}
}

// embedBlock refuses the tool's cookies when its LMS embeds it.
func (e *browserEnv) embedBlock() cookieBlock {
	return cookieBlock{site: e.toolURL, embedder: e.emu.URL("")}
}

// openActivity opens the course page in a new tab and launches the activity
// as Alice, as she would: by clicking its button.
func openActivity(t *testing.T, chrome context.Context, env *browserEnv) context.Context {
	t.Helper()
	tab := browserTab(t, chrome)
	if err := recordLTIMessages(tab); err != nil {
		t.Fatal(err)
	}
	button := fmt.Sprintf(`a.button[href*="link=%s"][href*="user=%s"]`,
		emulator.DefaultResourceLink().ID, emulator.Alice().Sub)
	err := chromedp.Do(tab, chromedp.Navigate(env.emu.URL("/")),
		chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("open the activity: %v", err)
	}
	return tab
}

// checkSessionHolds loads the page in frame again, by its own address, and
// checks that it still shows Alice: the session lives in the path, not in a
// cookie the browser may refuse.
func checkSessionHolds(t *testing.T, frame context.Context, env *browserEnv) {
	t.Helper()
	before := len(env.statuses("GET", "/s/:token"))
	err := chromedp.Do(frame, chromedp.Evaluate[chromedp.Void](
		`window.aesopBefore = true; location.assign(location.href)`))
	if err != nil {
		t.Fatalf("load the page again: %v", err)
	}
	err = waitForJS(frame, `!window.aesopBefore && document.readyState === "complete" && `+
		`document.body.innerText.includes("Alice Nguyen")`)
	if err != nil {
		text, _ := targetText(frame)
		t.Fatalf("next page: %v; it shows:\n%s", err, text)
	}
	got := env.statuses("GET", "/s/:token")
	if len(got) != before+1 || got[len(got)-1] != 200 {
		t.Errorf("session pages answered %v, want one more 200 after %d", got, before)
	}
}

// checkAnswers checks the tool's answers at route, in order, as "METHOD status".
func (e *browserEnv) checkAnswers(t *testing.T, route string, want []string) {
	t.Helper()
	var got []string
	for _, r := range e.requests() {
		if r.Route == route {
			got = append(got, fmt.Sprintf("%s %d", r.Method, r.Status))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("answers at %s: %v, want %v", route, got, want)
	}
}

// storageRequests lists the storage requests the tool's origin sent to the
// LMS page.
func storageRequests(t *testing.T, tab context.Context, env *browserEnv) []string {
	t.Helper()
	seen, err := seenLTIMessages(tab)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range seen {
		if m.Origin == env.toolURL && m.Subject != "lti.capabilities" &&
			m.Subject != "lti.frameResize" {
			out = append(out, m.Subject)
		}
	}
	return out
}

// waitForJS evaluates expr in ctx until it is true. Errors while a page is
// being replaced are expected, so they only end the wait with the context.
func waitForJS(ctx context.Context, expr string) error {
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s (last error %v): %w", expr, last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
