package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility checks run, the one
// .ci/install-axe installs: each release judges pages a little differently.
const axeVersion = "4.14.1"

// axeDefaultPath is where .ci/install-axe puts axe-core, relative to this
// package.
const axeDefaultPath = "testdata/axe/node_modules/axe-core/axe.min.js"

// axeTags are the rules the checks run: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// loadAxe reads axe-core from $AESOP_TEST_AXE or where .ci/install-axe puts
// it. Without it the test skips, except when CI=true, where it fails: CI
// always checks the pages.
func loadAxe(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AESOP_TEST_AXE")
	if path == "" {
		path = axeDefaultPath
	}
	b, err := os.ReadFile(path)
	if err != nil {
		msg := fmt.Sprintf("no axe-core at %s (%v); run .ci/install-axe, or set "+
			"AESOP_TEST_AXE to an axe.min.js %s, to check the pages' accessibility",
			path, err, axeVersion)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return string(b)
}

// axeResult is what audit reads back of axe-core's report on one page.
type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
}

// axeViolation is one rule a page breaks, with the elements that break it.
type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"helpUrl"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// audit runs axe-core on the page in frame and fails the test for every
// serious or critical violation, naming the rule, its help text and the
// elements; lesser ones are logged. Then it views the page as view does.
func (c *courseRun) audit(t *testing.T, frame context.Context, name string) {
	t.Helper()
	tags, _ := json.Marshal(axeTags)
	if err := chromedp.Do(frame, chromedp.Evaluate[chromedp.Void](c.axe)); err != nil {
		t.Fatalf("%s: load axe-core: %v", name, err)
	}
	res, err := chromedp.Run(frame, chromedp.Evaluate[axeResult](fmt.Sprintf(`(async function () {
  var r = await axe.run(document, {runOnly: {type: "tag", values: %s},
    resultTypes: ["violations"]});
  return {version: axe.version, violations: r.violations.map(function (v) {
    return {id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(function (n) {
      return {target: JSON.stringify(n.target), summary: n.failureSummary || ""};
    })};
  })};
})()`, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", name, err)
	}
	if res.Version != axeVersion {
		t.Fatalf("axe-core %s, want %s: run .ci/install-axe", res.Version, axeVersion)
	}
	for _, v := range res.Violations {
		report := t.Logf
		if v.Impact == "serious" || v.Impact == "critical" {
			report = t.Errorf
		}
		report("%s page: %s (%s): %s <%s>%s", name, v.ID, v.Impact, v.Help, v.URL,
			nodeList(v.Nodes))
	}
	c.view(t, frame, name)
}

func nodeList(nodes []axeNode) string {
	var b strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&b, "\n\t%s\n\t\t%s", n.Target,
			strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
	}
	return b.String()
}

// screenshotDir is $AESOP_TEST_SCREENSHOTS, where the course test saves
// pictures of each page it checks, for a person to look at; none when it is
// unset.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AESOP_TEST_SCREENSHOTS")
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// reflowWidth is the width, in CSS pixels, at which WCAG's reflow criterion
// asks a page to need no sideways scrolling: a 1280 px window zoomed to 400%.
const reflowWidth = 320

// shotWidths are the widths screenshots are taken at: an LMS's frame and a
// phone.
var shotWidths = []int64{700, 390}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// view loads the frame's address in a tab of its own, which the session in
// the path allows, checks that the page fits reflowWidth without scrolling
// sideways, and saves full-page screenshots when the run has a place for them.
func (c *courseRun) view(t *testing.T, frame context.Context, name string) {
	t.Helper()
	u, err := chromedp.Run(frame, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatalf("%s: address: %v", name, err)
	}
	tab := browserTab(t, c.chrome)
	defer chromedp.Cancel(tab)
	widths := []int64{reflowWidth}
	if c.shots != "" {
		widths = append(widths, shotWidths...)
	}
	for _, w := range widths {
		err := chromedp.Do(tab, chromedp.EmulateViewport(w, 800), chromedp.Navigate(u))
		if err != nil {
			t.Fatalf("%s: load at %d px: %v", name, w, err)
		}
		wide, err := chromedp.Run(tab, chromedp.Evaluate[[]string](overflowJS))
		if err != nil {
			t.Fatalf("%s: measure at %d px: %v", name, w, err)
		}
		if len(wide) > 0 {
			t.Errorf("%s page scrolls sideways at %d px; too wide: %s", name, w,
				strings.Join(wide, ", "))
		}
		if c.shots != "" && w != reflowWidth {
			c.saveScreenshot(t, tab, fmt.Sprintf("%s-%d.png", name, w))
		}
	}
}

// overflowJS lists the outermost elements that stick out of the window
// sideways, when the page is wider than the window.
const overflowJS = `(function () {
  var root = document.documentElement, out = [];
  if (root.scrollWidth <= root.clientWidth) { return out; }
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > root.clientWidth + 1 && out.length < 5 &&
        !(el.parentElement && el.parentElement.getBoundingClientRect().right >
          root.clientWidth + 1)) {
      out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
        " (" + Math.round(r.width) + " px)");
    }
  });
  return out.length ? out : ["the page (" + root.scrollWidth + " px)"];
})()`

func (c *courseRun) saveScreenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	name = strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")
	file := filepath.Join(c.shots, strings.TrimSuffix(name, "-png")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
