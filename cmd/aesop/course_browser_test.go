package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aesop/content"
	"aesop/lti/emulator"
)

// courseTabTimeout bounds each tab of TestBrowserCourse; the learner's, the
// longest, takes a few seconds.
const courseTabTimeout = 25 * time.Second

// TestBrowserCourse walks through the course in a real Chromium that blocks
// third-party cookies, with the tool in the LMS page's cross-site iframe and
// every click made with the mouse: an instructor adds the module test through
// deep linking, and a learner opens it from the course page, reads a lesson,
// answers a quiz question and takes the test. axe-core checks every kind of
// page the tool shows on the way.
func TestBrowserCourse(t *testing.T) {
	chromiumPath(t)
	env := newBrowserEnv(t, true)
	c := &courseRun{env: env, pack: pack(t), axe: loadAxe(t),
		shots: screenshotDir(t)}
	// The tool's cookies are refused in the frame, so nothing below relies
	// on them: the session lives in the path.
	c.chrome = startBrowser(t, env.embedBlock())

	var testLink emulator.ResourceLink
	t.Run("instructor adds the module test", func(t *testing.T) {
		testLink = c.addModuleTest(t)
	})
	t.Run("instructor opens a link made by hand", func(t *testing.T) {
		tab := c.openLink(t, emulator.DefaultResourceLink().ID, emulator.Instructor())
		frame := c.frame(t, tab, "Choose what this link opens")
		c.audit(t, frame, "link set-up")
	})
	t.Run("learner opens a link not set up yet", func(t *testing.T) {
		tab := c.openLink(t, emulator.DefaultResourceLink().ID, emulator.Alice())
		frame := c.frame(t, tab, "This activity is not set up yet")
		c.audit(t, frame, "link not set up")
	})
	if testLink.ID == "" {
		t.Fatal("no test link to give the learner")
	}
	t.Run("learner reads, practises and takes the test", func(t *testing.T) {
		c.learn(t, testLink)
	})
}

// courseRun is one run of TestBrowserCourse: the tool and its LMS, the
// browser, and what the pages are checked with.
type courseRun struct {
	env    *browserEnv
	pack   *content.Pack
	chrome context.Context
	axe    string // axe-core's source
	shots  string // where screenshots go; none when empty
}

// tab opens a tab bounded by courseTabTimeout, or longer while screenshots
// are taken.
func (c *courseRun) tab(t *testing.T) context.Context {
	t.Helper()
	d := courseTabTimeout
	if c.shots != "" {
		d *= 3
	}
	ctx, cancel := context.WithTimeout(browserTab(t, c.chrome), d)
	t.Cleanup(cancel)
	return ctx
}

// openLink opens the LMS course page in a new tab and clicks the button that
// opens link as u.
func (c *courseRun) openLink(t *testing.T, link string, u emulator.User) context.Context {
	t.Helper()
	return c.clickCourseButton(t, fmt.Sprintf(`a.button[href*="link=%s"][href*="user=%s"]`,
		link, u.Sub))
}

func (c *courseRun) clickCourseButton(t *testing.T, sel string) context.Context {
	t.Helper()
	tab := c.tab(t)
	err := chromedp.Do(tab, chromedp.EmulateViewport(1024, 768),
		chromedp.Navigate(c.env.emu.URL("/")), chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("click %s on the course page: %v", sel, err)
	}
	return tab
}

// frame waits for the tool's page in the LMS page's iframe to show want.
func (c *courseRun) frame(t *testing.T, tab context.Context, want string) context.Context {
	t.Helper()
	frame, err := findTarget(tab, "iframe", c.env.toolURL+"/s/", want, c.env.refusedMore(0))
	if err != nil {
		t.Fatalf("tool's frame: %v", err)
	}
	return frame
}

// addModuleTest adds the module test to the course as the instructor would,
// through the LMS's deep linking button and the tool's picker, and returns
// the link the LMS made for it.
func (c *courseRun) addModuleTest(t *testing.T) emulator.ResourceLink {
	t.Helper()
	tab := c.clickCourseButton(t, fmt.Sprintf(
		`a.button[href*="message=deep_linking"][href*="user=%s"]`, emulator.Instructor().Sub))
	frame := c.frame(t, tab, "Add activities to your course")
	c.audit(t, frame, "deep-linking picker")
	ticked, err := chromedp.Run(frame, chromedp.Evaluate[bool](
		`document.querySelector('input[name="activity"][value="m3-test"]').checked && `+
			`document.querySelector('input[name="graded"][value="m3-test"]').checked`))
	if err != nil || !ticked {
		t.Errorf("the module test is not ticked and graded by default (%v)", err)
	}
	if err := clickInFrame(tab, frame, "tool_frame", `button[type="submit"]`); err != nil {
		t.Fatal(err)
	}
	// The tool's answer takes the frame back to the LMS's own site.
	err = waitForJS(tab, `(function () {
  var d = document.getElementById("tool_frame").contentDocument;
  return !!d && !!d.body && d.body.innerText.includes("Added to the course");
})()`)
	if err != nil {
		t.Fatalf("the LMS did not take the activity: %v\ntool's answers: %v\nLMS logs:\n%s",
			err, c.env.requests(), c.env.lmsLogs)
	}
	links := c.env.emu.ResourceLinks()
	if len(links) != 1 || links[0].Custom["activity"] != "m3-test" ||
		links[0].LineItem == nil || links[0].LineItem.ScoreMaximum != 15 {
		t.Fatalf("course links %+v, want the module test graded out of 15", links)
	}
	return links[0]
}

// learn is the learner's way through the course from the test's link: the
// first lesson and its quiz and lab through the module navigation, then the
// test, and a stale address at the end.
func (c *courseRun) learn(t *testing.T, testLink emulator.ResourceLink) {
	tab := c.openLink(t, testLink.ID, emulator.Alice())
	frame := c.frame(t, tab, "Start the test")
	c.audit(t, frame, "test intro")
	p := &framePage{t: t, tab: tab, frame: frame}

	lesson, _ := c.pack.Activity("m3-l1")
	p.follow(`.modnav a[href$="/a/m3-l1"]`, "/a/m3-l1", lesson.Title)
	p.checkLesson(lesson)
	c.audit(t, frame, "lesson")

	p.follow(`.modnav a[href$="/a/m3-l1-quiz"]`, "/a/m3-l1-quiz", "Check answer")
	c.audit(t, frame, "quiz, unanswered")
	c.answerQuiz(p)
	c.audit(t, frame, "quiz, answered")

	lab, _ := c.pack.Activity("m3-l1-lab")
	p.follow(`.modnav a[href$="/a/m3-l1-lab"]`, "/a/m3-l1-lab", lab.Lab.Opening)
	c.audit(t, frame, "lab")

	p.follow(`.modnav a[href$="/a/m3-test"]`, "/a/m3-test", "Start the test")
	p.follow(`form[action$="/start"] button`, "/a/m3-test", "Submit test")
	c.audit(t, frame, "test attempt")
	c.takeTest(p)
	c.audit(t, frame, "test review")
	p.follow(`.score a`, "/a/m3-test", "Your attempts")
	c.audit(t, frame, "test intro, after an attempt")

	p.assign("/a/no-such-activity", "No such activity")
	c.audit(t, frame, "error")
}

// answerQuiz answers the quiz's first question rightly and checks that the
// author's feedback is shown.
func (c *courseRun) answerQuiz(p *framePage) {
	p.t.Helper()
	qid := p.eval(`document.querySelector("section.question").id`)
	_, q, ok := c.pack.Question(qid)
	if !ok {
		p.t.Fatalf("the quiz shows question %q, which the pack lacks", qid)
	}
	p.click(fmt.Sprintf(`#%s input[value="%s"]`, qid, q.CorrectOption().ID))
	want := strings.Join(strings.Fields(q.Feedback.Right), " ")
	p.follow(fmt.Sprintf(`#%s button[type="submit"]`, qid), "/a/m3-l1-quiz", want)
	got := p.eval(fmt.Sprintf(`document.querySelector("#%s .feedback.right").innerText`, qid))
	if strings.Join(strings.Fields(got), " ") != want {
		p.t.Errorf("feedback %q, want the author's %q", got, want)
	}
}

// takeTest answers every question of the open test, the last three wrongly,
// submits, and checks the score and the verdict: 12 of 15 passes at 80%.
func (c *courseRun) takeTest(p *framePage) {
	p.t.Helper()
	test, _ := c.pack.Activity("m3-test")
	for i, q := range test.Quiz.Questions {
		opt := q.CorrectOption().ID
		if i >= 12 {
			opt = wrongOption(q)
		}
		p.click(fmt.Sprintf(`input[name="q-%s"][value="%s"]`, q.ID, opt))
	}
	n := p.eval(`String(document.querySelectorAll(".test-form input:checked").length)`)
	if n != "15" {
		p.t.Fatalf("%s answers chosen, want 15", n)
	}
	p.follow(`.test-form button[type="submit"]`, "/attempts/", "12 / 15")
	got := p.eval(`document.querySelector(".score").innerText`)
	passed := p.eval(`String(document.querySelector(".score").classList.contains("passed"))`)
	if !strings.Contains(got, "80% · Passed") || passed != "true" {
		p.t.Errorf("review shows %q (passed: %s), want 80%% · Passed", got, passed)
	}
}

func wrongOption(q *content.Question) string {
	for _, o := range q.Options {
		if !o.Correct {
			return o.ID
		}
	}
	return ""
}

// framePage drives the tool's page in the iframe of an LMS page.
type framePage struct {
	t          *testing.T
	tab, frame context.Context
}

// eval evaluates a string expression in the frame.
func (p *framePage) eval(expr string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.frame, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}

// click clicks sel in the frame with the mouse.
func (p *framePage) click(sel string) {
	p.t.Helper()
	if err := clickInFrame(p.tab, p.frame, "tool_frame", sel); err != nil {
		p.t.Fatal(err)
	}
}

// follow clicks sel and waits for the next page, whose path contains path
// and whose text contains want.
func (p *framePage) follow(sel, path, want string) {
	p.t.Helper()
	p.markPage()
	p.click(sel)
	p.waitPage(path, want)
}

// assign loads the address the session's path followed by path in the frame,
// as a stale link would, and waits for a page showing want.
func (p *framePage) assign(path, want string) {
	p.t.Helper()
	p.markPage()
	err := chromedp.Do(p.frame, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`location.assign(location.pathname.split("/a/")[0] + %q)`, path)))
	if err != nil {
		p.t.Fatalf("load %s: %v", path, err)
	}
	p.waitPage(path, want)
}

// markPage marks the frame's document, so that waitPage knows its successor.
func (p *framePage) markPage() {
	p.t.Helper()
	err := chromedp.Do(p.frame, chromedp.Evaluate[chromedp.Void](`window.aesopOld = true`))
	if err != nil {
		p.t.Fatalf("mark the page: %v", err)
	}
}

func (p *framePage) waitPage(path, want string) {
	p.t.Helper()
	err := waitForJS(p.frame, fmt.Sprintf(`!window.aesopOld && `+
		`document.readyState === "complete" && location.pathname.includes(%q) && `+
		`document.body.innerText.includes(%q)`, path, want))
	if err != nil {
		text, _ := targetText(p.frame)
		p.t.Fatalf("page %s showing %q: %v; the frame shows:\n%s", path, want, err, text)
	}
}

// checkLesson checks that the lesson's title and its first callout are shown.
func (p *framePage) checkLesson(lesson *content.Activity) {
	p.t.Helper()
	got := p.eval(`(function () {
  function shown(el) {
    var r = el && el.getBoundingClientRect();
    return !!r && r.width > 0 && r.height > 0 && el.checkVisibility();
  }
  var h = document.querySelector("h1"), c = document.querySelector("aside.callout");
  if (!shown(h) || !shown(c)) { return "heading or callout hidden"; }
  return h.innerText + "|" + c.querySelector(".callout-title").innerText;
})()`)
	want := lesson.Title + "|Key Finding — Alpaca, 2023"
	if got != want {
		p.t.Errorf("lesson shows %q, want %q", got, want)
	}
}
