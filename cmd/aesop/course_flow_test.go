package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

// TestQuizFeedbackAndRetry: each answer shows the author's feedback at once; a
// double-posted answer counts once; the last answer shows the score; a retry
// starts afresh; the navigation marks what was done.
func TestQuizFeedbackAndRetry(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	p := pack(t)
	a, _ := p.Activity("m3-l2-quiz")
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	base := sessionBase(t, resp.Request.URL.String())

	_, body := env.get(c, base+"/a/m3-l2-quiz")
	q1 := a.Quiz.Questions[0]
	f := forms(t, body, "/answer#"+q1.ID)[0]
	_, body = env.post(c, f, url.Values{"option": {pickOption(q1, true)}})
	if !strings.Contains(pageText(body), q1.Feedback.Right) {
		t.Fatalf("no feedback after a right answer:\n%s", body)
	}
	// The same form posted again (double click, back button) changes nothing.
	_, body = env.post(c, f, url.Values{"option": {pickOption(q1, false)}})
	if !strings.Contains(pageText(body), q1.Feedback.Right) ||
		!strings.Contains(body, "1 of 4 answered") {
		t.Errorf("a second post of an answered question changed it:\n%s", body)
	}
	for _, q := range a.Quiz.Questions[1:] {
		_, body = env.post(c, forms(t, body, "/answer#"+q.ID)[0],
			url.Values{"option": {pickOption(q, false)}})
		if !strings.Contains(pageText(body), q.Feedback.Wrong) {
			t.Errorf("no wrong-answer feedback for %s", q.ID)
		}
	}
	if !strings.Contains(body, "You answered 1 of 4 correctly") {
		t.Fatalf("no score after the last answer:\n%s", body)
	}
	if !strings.Contains(body, "completed") {
		t.Error("the navigation does not mark the quiz completed")
	}
	_, body = env.post(c, forms(t, body, "/retry")[0], nil)
	if !strings.Contains(body, "0 of 4 answered") {
		t.Errorf("retry did not start a fresh attempt:\n%s", body)
	}
}

// TestUnknownLink: a link made by hand in the LMS shows instructors a page to
// choose its activity once, and learners a page saying it is not set up yet.
func TestUnknownLink(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	link := emulator.ResourceLink{ID: "hand-made-1", Title: "Week 3 reading"}
	_, body := env.openAs(browser(), emulator.Alice(), link, "")
	if !strings.Contains(body, "This activity is not set up yet") {
		t.Fatalf("learner on an unknown link:\n%s", body)
	}
	prof := browser()
	_, body = env.openAs(prof, emulator.Instructor(), link, "")
	if !strings.Contains(body, "Choose what this link opens") ||
		!strings.Contains(body, "Week 3 reading") {
		t.Fatalf("instructor on an unknown link:\n%s", body)
	}
	resp, body := env.post(prof, forms(t, body, "/link")[0], url.Values{"activity": {"m3-l3"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Process Reward Models") {
		t.Fatalf("after choosing: %d\n%s", resp.StatusCode, body)
	}
	_, body = env.openAs(browser(), emulator.Alice(), link, "")
	if !strings.Contains(body, "Process Reward Models") {
		t.Errorf("learner not sent to the chosen activity:\n%.300s", body)
	}
	// A learner cannot set a link up.
	_, body = env.openAs(browser(), emulator.Bob(), emulator.ResourceLink{ID: "other"}, "")
	if strings.Contains(body, `action="`) && strings.Contains(body, "/link\"") {
		t.Error("a learner was offered the set-up form")
	}
}
