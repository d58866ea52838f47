package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// The labs the tests place: the first graded, the second not.
const (
	gradedLab   = "m3-l1-lab"
	ungradedLab = "m3-l2-lab"
)

// deepLinkLabs has an instructor add two labs through the picker, the
// first graded, and returns the course's links by activity.
func (e *testEnv) deepLinkLabs(t *testing.T) map[string]emulator.ResourceLink {
	t.Helper()
	prof := browser()
	_, body := e.openAs(prof, emulator.Instructor(), emulator.ResourceLink{},
		emulator.MessageDeepLinking)
	for _, lab := range []string{gradedLab, ungradedLab} {
		if !strings.Contains(body, `name="graded" value="`+lab+`"`) {
			t.Fatalf("the picker offers no graded choice for %s:\n%s", lab, body)
		}
	}
	_, body = e.post(prof, forms(t, body, "/deeplink")[0], url.Values{
		"activity": {gradedLab, ungradedLab}, "graded": {gradedLab}})
	if resp, body := e.post(prof, forms(t, body, "/deep-link-return")[0],
		nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("deep linking return: %d\n%s", resp.StatusCode, body)
	}
	links := map[string]emulator.ResourceLink{}
	for _, l := range e.emu.ResourceLinks() {
		links[l.Custom["activity"]] = l
	}
	return links
}

// lineItemOf returns the URL of the course's one line item for an activity.
func (e *testEnv) lineItemOf(t *testing.T, activityID string) string {
	t.Helper()
	var found []string
	for u, li := range e.emu.LineItems(emulator.DefaultContext().ID) {
		if li.ResourceID == activityID {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d line items for %s, want 1: %v", len(found), activityID, found)
	}
	return found[0]
}

// scorePosts counts the scores the tool has posted to the LMS.
func (e *testEnv) scorePosts() int {
	n := 0
	for _, r := range e.emu.ServiceRequests() {
		if strings.HasPrefix(r, "POST ") && strings.Contains(r, "/scores") {
			n++
		}
	}
	return n
}

// markLabComplete opens a lab link as u, checks what the page says about
// its grade, and marks the lab complete twice, as a double click would.
func (e *testEnv) markLabComplete(t *testing.T, u emulator.User, link emulator.ResourceLink,
	graded bool) string {
	t.Helper()
	c := browser()
	_, body := e.openAs(c, u, link, "")
	says := strings.Contains(pageText(body), "marking it complete sends a completion grade")
	if says != graded {
		t.Errorf("lab page of %s mentions a completion grade: %v, want %v:\n%s",
			link.Custom["activity"], says, graded, body)
	}
	done := forms(t, body, "/complete")[0]
	resp, body := e.post(c, done, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Lab completed") {
		t.Fatalf("marking complete: %d\n%s", resp.StatusCode, body)
	}
	e.post(c, done, nil)
	return body
}

// TestGradedLab: an instructor deep-links a lab as graded and another not;
// a learner who marks the graded lab complete gets 1 of 1 with
// activityProgress Completed on the lab's own column, once however often
// they mark it; the ungraded lab sends nothing. The instructor's gradebook
// shows who completed the lab and its sync state, and syncs it again.
func TestGradedLab(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		links := env.deepLinkLabs(t)
		lab, ok := links[gradedLab]
		if !ok || lab.LineItem == nil || lab.LineItem.ScoreMaximum != 1 ||
			!strings.Contains(lab.LineItem.Label, "(completion)") ||
			lab.LineItem.ResourceID != gradedLab || lab.LineItem.Tag != "aesop" {
			t.Fatalf("graded lab link = %+v, want a completion line item of 1", lab.LineItem)
		}
		if l := links[ungradedLab]; l.LineItem != nil {
			t.Errorf("ungraded lab asked for a gradebook column: %+v", l.LineItem)
		}

		alice := emulator.Alice()
		body := env.markLabComplete(t, alice, lab, true)
		if !strings.Contains(pageText(body), "completion grade goes to the course gradebook") {
			t.Errorf("completed lab page does not say the grade was sent:\n%s", body)
		}
		w := env.fastWorker("w1")
		item := env.lineItemOf(t, gradedLab)
		env.deliverAll(t, w, func() bool { _, ok := env.emu.Scores(item)[alice.Sub]; return ok })
		s := env.emu.Scores(item)[alice.Sub]
		if *s.ScoreGiven != 1 || *s.ScoreMaximum != 1 || s.ActivityProgress != "Completed" ||
			s.GradingProgress != "FullyGraded" || s.Timestamp.IsZero() {
			t.Errorf("alice's lab score = %+v, want 1 of 1, Completed, FullyGraded", s)
		}
		w.RunOnce(context.Background())
		if n := env.scorePosts(); n != 1 {
			t.Errorf("%d scores posted after marking the lab complete twice, want 1", n)
		}

		// The ungraded lab records progress and sends nothing.
		env.markLabComplete(t, emulator.Bob(), links[ungradedLab], false)
		w.RunOnce(context.Background())
		if n := env.scorePosts(); n != 1 {
			t.Errorf("%d scores posted after an ungraded lab, want still 1", n)
		}

		env.checkLabGradebook(t, lab, item)

		// An instructor marking the lab while looking at it is treated as on
		// the test: the grade is sent, and the LMS refuses a non-student.
		prof := emulator.Instructor()
		env.markLabComplete(t, prof, lab, true)
		var row string
		env.deliverAll(t, w, func() bool {
			row = env.labGradebookRow(t, lab, prof)
			return !strings.Contains(row, "Pending")
		})
		if !strings.Contains(row, "Not accepted") {
			t.Errorf("instructor's row = %q, want the LMS's refusal", row)
		}
	})
}

// labGradebookRow is the text of a person's row in the gradebook of a lab.
func (e *testEnv) labGradebookRow(t *testing.T, lab emulator.ResourceLink,
	u emulator.User) string {
	t.Helper()
	prof := browser()
	resp, _ := e.openAs(prof, emulator.Instructor(), lab, "")
	_, body := e.get(prof, sessionBase(t, resp.Request.URL.String())+"/gradebook")
	i := strings.Index(body, "<td>"+u.Name+"</td>")
	if i < 0 {
		return "Pending (no row)"
	}
	row, _, _ := strings.Cut(body[i:], "</tr>")
	return strings.TrimSpace(pageText(row))
}

// checkLabGradebook checks the instructor's view of the graded lab: its
// gradebook without quiz columns, its CSV, the course gradebook, and sync
// again, which sends Alice's completion once more.
func (e *testEnv) checkLabGradebook(t *testing.T, lab emulator.ResourceLink, item string) {
	t.Helper()
	prof := browser()
	resp, body := e.openAs(prof, emulator.Instructor(), lab, "")
	base := sessionBase(t, resp.Request.URL.String())
	if !strings.Contains(body, "Open the gradebook") {
		t.Errorf("the lab page offers the instructor no gradebook:\n%s", body)
	}
	resp, body = e.get(prof, base+"/gradebook")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gradebook: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"Alice Nguyen", "1 / 1", "completed the lab", "Delivered"} {
		if !strings.Contains(body, want) {
			t.Errorf("lab gradebook lacks %q", want)
		}
	}
	for _, quizOnly := range []string{"Discrimination", "Score distribution", "Attempts",
		"not passed", "no attempt"} {
		if strings.Contains(body, quizOnly) {
			t.Errorf("lab gradebook shows %q", quizOnly)
		}
	}
	// Bob completed the other lab only.
	if !strings.Contains(pageText(body), "Bob Okafor Opened Aesop, has not completed the lab") {
		t.Errorf("lab gradebook does not list Bob as not completed:\n%s", body)
	}
	resp, csv := e.get(prof, base+"/gradebook.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(csv,
		"name,email,lti_user_id,completed_at,grade,maximum,sync_status") ||
		!strings.Contains(csv, "Alice Nguyen") || !strings.Contains(csv, ",1,1,delivered,") {
		t.Errorf("lab csv %d:\n%s", resp.StatusCode, csv)
	}
	resp, course := e.get(prof, base+"/course-gradebook")
	if resp.StatusCode != http.StatusOK || !strings.Contains(course, "(completion") ||
		!strings.Contains(pageText(course), "completed synced") {
		t.Errorf("course gradebook %d:\n%s", resp.StatusCode, course)
	}
	resp, _ = e.post(prof, forms(t, body, "/gradebook/sync")[0], url.Values{})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sync again: %d", resp.StatusCode)
	}
	e.deliverAll(t, e.fastWorker("w2"), func() bool { return e.scorePosts() == 2 })
	if s := e.emu.Scores(item)[emulator.Alice().Sub]; *s.ScoreGiven != 1 {
		t.Errorf("alice's lab score after sync again = %v", *s.ScoreGiven)
	}
}

// TestGradedLabByHand: a link made by hand in the LMS with its own
// gradebook column, set up by the instructor as a graded lab, sends the
// completion to that column, as a deep-linked graded lab does.
func TestGradedLabByHand(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	link := emulator.ResourceLink{ID: "lab-by-hand", Title: "Week 1 lab",
		LineItem: &emulator.LineItem{ID: "lab-column", Label: "Week 1 lab",
			ScoreMaximum: 10}}
	if err := env.emu.AddLink(link); err != nil {
		t.Fatal(err)
	}
	prof := browser()
	_, body := env.openAs(prof, emulator.Instructor(), link, "")
	if !strings.Contains(body, `name="graded" checked`) {
		t.Errorf("the set-up page does not start graded for a link with a column:\n%s", body)
	}
	resp, _ := env.post(prof, forms(t, body, "/link")[0], url.Values{
		"activity": {gradedLab}, "graded": {"on"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting up the link: %d", resp.StatusCode)
	}
	alice := emulator.Alice()
	env.markLabComplete(t, alice, link, true)
	var item string
	for u := range env.emu.LineItems(emulator.DefaultContext().ID) {
		if strings.Contains(u, "/lab-column") {
			item = u
		}
	}
	env.deliverAll(t, env.fastWorker("w1"), func() bool {
		_, ok := env.emu.Scores(item)[alice.Sub]
		return ok
	})
	s := env.emu.Scores(item)[alice.Sub]
	if *s.ScoreGiven != 1 || *s.ScoreMaximum != 1 || s.ActivityProgress != "Completed" {
		t.Errorf("alice's score on the hand-made column = %+v", s)
	}
	if n := len(env.emu.LineItems(emulator.DefaultContext().ID)); n != 1 {
		t.Errorf("%d gradebook columns, want only the LMS's own", n)
	}
}
