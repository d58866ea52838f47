package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aesop/grading"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// fastWorker is a delivery worker with short waits, for tests.
func (e *testEnv) fastWorker(owner string) *grading.Worker {
	cfg := e.app.deliveryConfig()
	cfg.Owner = owner
	cfg.BaseBackoff, cfg.MaxBackoff, cfg.Poll = 10*time.Millisecond, 50*time.Millisecond,
		10*time.Millisecond
	cfg.Lease = 2 * time.Second
	return e.app.newDeliveryWorker(e.app.grades, e.app.dir, e.app.oauth, cfg)
}

// deliverAll runs a worker until nothing is due or the time is up.
func (e *testEnv) deliverAll(t *testing.T, w *grading.Worker, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for !done() {
		if ctx.Err() != nil {
			var lines []string
			for _, l := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(l, "grade") {
					lines = append(lines, l)
				}
			}
			t.Fatalf("scores not delivered in time; delivery logs:\n%s",
				strings.Join(lines[max(0, len(lines)-10):], "\n"))
		}
		w.RunOnce(ctx)
		time.Sleep(5 * time.Millisecond)
	}
}

// testLink is the emulator course's own link, set up as the graded module
// test without a deep-linked line item, so the tool finds or makes the
// gradebook column itself.
var testLink = func() emulator.ResourceLink {
	l := emulator.DefaultResourceLink()
	l.Custom = map[string]string{"activity": "m3-test", "graded": "true"}
	return l
}()

func (e *testEnv) takeTestAs(u emulator.User, right bool) {
	e.t.Helper()
	t := e.t.(*testing.T)
	c := browser()
	resp, _ := e.openAs(c, u, testLink, "")
	a, _ := pack(t).Activity("m3-test")
	e.takeTest(c, sessionBase(t, resp.Request.URL.String()), a.Quiz, right)
}

func (e *testEnv) testLineItem(t *testing.T) string {
	t.Helper()
	var found []string
	for u, li := range e.emu.LineItems(emulator.DefaultContext().ID) {
		if li.ResourceID == "m3-test" {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d line items for the test, want exactly 1: %v", len(found), found)
	}
	return found[0]
}

// TestScoresReachTheLMS: finished tests reach the LMS gradebook through AGS,
// in one column made by the tool, with the right payload; an LMS outage is
// retried; a grade changed in the LMS is held until the instructor overrides.
func TestScoresReachTheLMS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		w := env.fastWorker("w1")
		alice, bob := emulator.Alice(), emulator.Bob()
		env.emu.FailNext(2, emulator.Fault{Status: 503, RetryAfter: time.Second})
		env.takeTestAs(alice, true)
		env.takeTestAs(bob, false)
		var item string
		env.deliverAll(t, w, func() bool {
			lis := env.emu.LineItems(emulator.DefaultContext().ID)
			if len(lis) == 0 {
				return false
			}
			item = env.testLineItem(t)
			return len(env.emu.Scores(item)) == 2
		})
		s := env.emu.Scores(item)[alice.Sub]
		if *s.ScoreGiven != 15 || *s.ScoreMaximum != 15 || s.Comment != "Passed, 15/15" ||
			s.ActivityProgress != "Completed" || s.GradingProgress != "FullyGraded" ||
			s.SubmittedAt.IsZero() {
			t.Errorf("alice's score = %+v", s)
		}
		if b := env.emu.Scores(item)[bob.Sub]; *b.ScoreGiven != 0 || b.Comment != "Not passed, 0/15" {
			t.Errorf("bob's score = %+v", b)
		}

		// An instructor edits Alice's grade in the LMS; her next attempt is
		// held rather than silently overwriting it.
		if err := env.emu.SetScoreInLMS(item, alice.Sub, 10); err != nil {
			t.Fatal(err)
		}
		env.takeTestAs(alice, false)
		prof := browser()
		resp, _ := env.openAs(prof, emulator.Instructor(), testLink, "")
		base := sessionBase(t, resp.Request.URL.String())
		env.deliverAll(t, w, func() bool {
			_, body := env.get(prof, base+"/gradebook")
			return strings.Contains(body, "Held: changed in the LMS")
		})
		if got := *env.emu.Scores(item)[alice.Sub].ScoreGiven; got != 10 {
			t.Errorf("the LMS grade changed by hand became %v", got)
		}
		_, body := env.get(prof, base+"/gradebook")
		var force form
		for _, f := range forms(t, body, "/gradebook/sync") {
			if f.fields.Get("force") == "1" {
				force = f
			}
		}
		if force.action == "" {
			t.Fatalf("no override form for the held grade:\n%s", body)
		}
		if resp, _ := env.post(prof, force, url.Values{}); resp.StatusCode != http.StatusOK {
			t.Fatalf("override: %d", resp.StatusCode)
		}
		env.deliverAll(t, w, func() bool {
			return *env.emu.Scores(item)[alice.Sub].ScoreGiven == 15
		})
		env.testLineItem(t) // still one column
	})
}
