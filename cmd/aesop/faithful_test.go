package main

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"aesop/content"
	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

var (
	tagRE      = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]+>`)
	spaceRE    = regexp.MustCompile(`\s+`)
	numberedRE = regexp.MustCompile(`^\d+\. `)
)

// pageText is what a reader sees of a page: tags dropped, entities decoded,
// white space collapsed.
func pageText(body string) string {
	return spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(body, " ")), " ")
}

// TestServedPagesHoldTheSource checks that every paragraph, callout, question
// and piece of feedback of the author's text appears in the pages a learner is
// served: the lessons, the labs, each quiz answered wrongly and then rightly,
// and the module test's review after a wrong and a right attempt.
func TestServedPagesHoldTheSource(t *testing.T) {
	source, err := os.ReadFile("../../content/testdata/module-3-source.txt")
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, dbtest.SQLite(t))
	p := pack(t)
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	base := sessionBase(t, resp.Request.URL.String())

	var served strings.Builder
	for _, r := range p.Activities() {
		a, _ := p.Activity(r.ID)
		switch r.Kind {
		case content.KindLesson, content.KindLab:
			_, body := env.get(c, base+"/a/"+r.ID)
			served.WriteString(pageText(body))
		case content.KindQuiz:
			for _, right := range []bool{false, true} {
				body := env.answerQuiz(c, base, a.Quiz, right)
				served.WriteString(pageText(body))
			}
		case content.KindTest:
			for _, right := range []bool{false, true} {
				body := env.takeTest(c, base, a.Quiz, right)
				served.WriteString(pageText(body))
			}
		}
	}
	text := served.String()
	lines := strings.Split(string(source), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "Module 3 · Lesson 1") {
			start = i
			break
		}
	}
	missing := 0
	for _, l := range lines[start:] {
		l = spaceRE.ReplaceAllString(strings.TrimSpace(l), " ")
		if l == "" {
			continue
		}
		if !strings.Contains(text, l) && !strings.Contains(text, numberedRE.ReplaceAllString(l, "")) {
			missing++
			t.Errorf("not served: %.120s", l)
		}
	}
	if missing > 0 {
		t.Logf("%d source lines missing from the served pages", missing)
	}
}

func sessionBase(t *testing.T, u string) string {
	t.Helper()
	i := strings.Index(u, "/s/")
	if i < 0 {
		t.Fatalf("not a session URL: %s", u)
	}
	rest := u[i+3:]
	if j := strings.Index(rest, "/"); j >= 0 {
		rest = rest[:j]
	}
	return u[:i+3] + rest
}

func pickOption(q *content.Question, right bool) string {
	for _, o := range q.Options {
		if o.Correct == right {
			return o.ID
		}
	}
	return ""
}

// answerQuiz answers every question of a quiz, rightly or wrongly, and returns
// the last page, which shows the feedback of all of them.
func (e *testEnv) answerQuiz(c *http.Client, base string, quiz *content.Quiz,
	right bool) string {
	e.t.Helper()
	_, body := e.get(c, base+"/a/"+quiz.ID)
	if strings.Contains(body, "Try again") {
		_, body = e.post(c, forms(e.t.(*testing.T), body, "/retry")[0], nil)
	}
	for _, q := range quiz.Questions {
		f := forms(e.t.(*testing.T), body, "/answer#"+q.ID)[0]
		var resp *http.Response
		resp, body = e.post(c, f, url.Values{"option": {pickOption(q, right)}})
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("answer %s: %d\n%s", q.ID, resp.StatusCode, body)
		}
	}
	return body
}

// takeTest takes one attempt of the test and returns its review page.
func (e *testEnv) takeTest(c *http.Client, base string, quiz *content.Quiz,
	right bool) string {
	e.t.Helper()
	t := e.t.(*testing.T)
	_, body := e.get(c, base+"/a/"+quiz.ID)
	_, body = e.post(c, forms(t, body, "/start")[0], nil)
	answers := url.Values{}
	for _, q := range quiz.Questions {
		answers.Set("q-"+q.ID, pickOption(q, right))
	}
	resp, body := e.post(c, forms(t, body, "/submit")[0], answers)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Submitted") {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, body)
	}
	return body
}
