package main

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aesop/content"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

var (
	formRE  = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)
	inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// form is one form of a page: where it posts and its hidden fields.
type form struct {
	action string
	fields url.Values
}

// forms returns a page's forms whose action contains part.
func forms(t *testing.T, body, part string) []form {
	t.Helper()
	var out []form
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		action := html.UnescapeString(m[1])
		if !strings.Contains(action, part) {
			continue
		}
		f := form{action: action, fields: url.Values{}}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			f.fields.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatalf("no form posting to %q in:\n%s", part, body)
	}
	return out
}

// post submits a form with extra fields and returns the final page.
func (e *testEnv) post(c *http.Client, f form, extra url.Values) (*http.Response, string) {
	e.t.Helper()
	v := url.Values{}
	for k, vs := range f.fields {
		v[k] = append([]string(nil), vs...)
	}
	for k, vs := range extra {
		v[k] = append(v[k], vs...)
	}
	u := f.action
	if strings.HasPrefix(u, "/") {
		u = e.toolURL + u
	}
	resp, err := c.PostForm(u, v)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, readAll(resp.Body)
}

func readAll(r io.Reader) string {
	b, _ := io.ReadAll(r)
	return string(b)
}

func pack(t *testing.T) *content.Pack {
	p, err := content.Load(content.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openAs launches a resource link as a user and follows to the first page.
func (e *testEnv) openAs(c *http.Client, u emulator.User, link emulator.ResourceLink,
	msg string) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.emu.Launch(e.t.Context(), c, emulator.LaunchRequest{User: u,
		ResourceLink: link, MessageType: msg, Follow: true})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, readAll(resp.Body)
}

// TestDeepLinkAndTakeTest: an instructor deep-links the module test (graded)
// and a lesson (ungraded) through the emulator; a learner opens the test link,
// takes the test and sees the score.
func TestDeepLinkAndTakeTest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		p := pack(t)
		prof := browser()
		_, body := env.openAs(prof, emulator.Instructor(), emulator.ResourceLink{},
			emulator.MessageDeepLinking)
		for _, r := range p.Activities() {
			if !strings.Contains(body, html.EscapeString(r.Title)) {
				t.Errorf("picker lacks %s %q", r.ID, r.Title)
			}
		}
		pick := forms(t, body, "/deeplink")[0]
		resp, body := env.post(prof, pick, url.Values{"activity": {"m3-test", "m3-l1"},
			"graded": {"m3-test", "m3-l1"}})
		if resp.StatusCode != 200 {
			t.Fatalf("choose: %d\n%s", resp.StatusCode, body)
		}
		back := forms(t, body, "/deep-link-return")[0]
		resp, body = env.post(prof, back, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("emulator refused the deep linking response: %d\n%s", resp.StatusCode, body)
		}
		links := map[string]emulator.ResourceLink{}
		for _, l := range env.emu.ResourceLinks() {
			links[l.Custom["activity"]] = l
		}
		test, ok := links["m3-test"]
		if !ok || test.LineItem == nil || test.LineItem.ScoreMaximum != 15 {
			t.Fatalf("test link = %+v, want a line item of 15", test)
		}
		if l := links["m3-l1"]; l.LineItem != nil {
			t.Errorf("lesson asked for a gradebook column: %+v", l.LineItem)
		}

		alice := browser()
		_, body = env.openAs(alice, emulator.Alice(), test, "")
		if !strings.Contains(body, "Start the test") {
			t.Fatalf("learner did not land on the test:\n%s", body)
		}
		_, body = env.post(alice, forms(t, body, "/start")[0], nil)
		submit := forms(t, body, "/submit")[0]
		answers := url.Values{}
		testActivity, _ := p.Activity("m3-test")
		for i, q := range testActivity.Quiz.Questions {
			opt := q.CorrectOption().ID
			if i >= 12 { // three wrong answers: 12 of 15 passes at 80%
				for _, o := range q.Options {
					if !o.Correct {
						opt = o.ID
						break
					}
				}
			}
			answers.Set("q-"+q.ID, opt)
		}
		resp, body = env.post(alice, submit, answers)
		if !strings.Contains(body, "12 / 15") || !strings.Contains(body, "Passed") {
			t.Fatalf("result page %d:\n%s", resp.StatusCode, body)
		}
		// A second submission of the same attempt counts nothing.
		_, again := env.post(alice, submit, answers)
		if !strings.Contains(again, "12 / 15") {
			t.Errorf("resubmission shows another result:\n%s", again)
		}
		_, body = env.get(alice, strings.Split(submit.action, "/submit")[0])
		if n := strings.Count(body, "/attempts/"); n != 1 {
			t.Errorf("history lists %d attempts after a double submission, want 1", n)
		}

		// A learner reaching deep linking is refused.
		resp, _ = env.openAs(browser(), emulator.Alice(), emulator.ResourceLink{},
			emulator.MessageDeepLinking)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("learner deep linking: %d, want 403", resp.StatusCode)
		}
	})
}
