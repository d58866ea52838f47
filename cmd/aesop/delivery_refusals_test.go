package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/grading"
	"aesop/lti"
	"aesop/lti/emulator"
	"aesop/lti/oauth"
	"aesop/migrations/dbtest"
)

// withFamily makes the emulator imitate a platform: canvas or moodle.
func withFamily(family string) envOption {
	return func(c *emulator.Config) { c.ProductFamily = family }
}

// deliveryCase is a platform answer to a score and what the instructor's
// gradebook must say of it.
type deliveryCase struct {
	name   string
	family string
	// learner submits the test, all answers right.
	learner emulator.User
	// prepare sets the platform up before the submission.
	prepare func(t *testing.T, r *deliveryRun)
	// first, when set, checks the state after the first delivery try.
	first func(t *testing.T, r *deliveryRun)
	// want is in the learner's gradebook row once delivery is over.
	want []string
	// check, when set, checks the platform afterwards.
	check func(t *testing.T, r *deliveryRun)
}

// deliveryRun is one case's tool, platform and worker, and what the case
// records as it goes.
type deliveryRun struct {
	*testEnv
	w *grading.Worker
	// mark is the number of service requests before the submission.
	mark int

	mu    sync.Mutex
	posts []time.Time // arrivals of score posts
}

// deliveryCases are the platform answers whose meaning the instructor must
// see: a learner who is not a student, a deleted column, a platform that
// lets the tool sync grades but not make columns, an expired access token,
// and throttling or unavailability with Retry-After.
var deliveryCases = []deliveryCase{
	{name: "teaching assistant is not a student (Canvas 422)", family: emulator.FamilyCanvas,
		learner: emulator.TA(), want: []string{"Not accepted: The LMS does not accept a grade " +
			"for this learner", "The LMS said: User not found in course or is not a student"}},
	{name: "instructor is not a student (Canvas 422)", family: emulator.FamilyCanvas,
		learner: emulator.Instructor(), want: []string{"Not accepted:",
			"they are not enrolled as a student"}},
	{name: "column deleted in the LMS is made again once", family: emulator.FamilyMoodle,
		learner: emulator.Bob(), prepare: deliverThenDeleteColumn,
		want: []string{"Delivered"}, check: checkColumnRemade},
	{name: "grade sync only and no column (Moodle)", family: emulator.FamilyMoodle,
		learner: emulator.Alice(), prepare: func(t *testing.T, r *deliveryRun) {
			r.emu.SetGradeSyncOnly(true)
		}, want: []string{"Not accepted: The LMS does not let Aesop make gradebook columns",
			"Allow column management", "may only synchronize grades"}},
	{name: "expired access token is fetched again once", family: emulator.FamilyMoodle,
		learner: emulator.Bob(), prepare: deliverThenExpireTokens,
		want: []string{"Delivered"}, check: checkOneRefresh},
	{name: "429 with Retry-After is waited out", family: emulator.FamilyCanvas,
		learner: emulator.Alice(), prepare: failOnceWith(429),
		first: pendingWith("Pending: The LMS is unavailable or busy: Too Many Requests"),
		want:  []string{"Delivered"}, check: checkRetryAfter},
	{name: "503 with Retry-After is waited out", family: emulator.FamilyMoodle,
		learner: emulator.Alice(), prepare: failOnceWith(503),
		first: pendingWith("Pending: The LMS is unavailable or busy: Service Unavailable"),
		want:  []string{"Delivered"}, check: checkRetryAfter},
}

// TestDeliveryRefusals: each platform answer to a score reaches the
// instructor's gradebook as a reason they can act on, and the answers worth
// retrying are retried as the platform asked.
func TestDeliveryRefusals(t *testing.T) {
	for _, c := range deliveryCases {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t, dbtest.SQLite(t), withFamily(c.family))
			r := &deliveryRun{testEnv: env, w: env.fastWorker("w1")}
			if c.prepare != nil {
				c.prepare(t, r)
			}
			r.mark = len(env.emu.ServiceRequests())
			env.takeTestAs(c.learner, true)
			if c.first != nil {
				r.w.RunOnce(context.Background())
				c.first(t, r)
			}
			var row string
			env.deliverAll(t, r.w, func() bool {
				row = env.gradebookRow(t, c.learner)
				return !strings.Contains(row, "Pending") && !strings.Contains(row, "Not sent")
			})
			for _, want := range c.want {
				if !strings.Contains(row, want) {
					t.Errorf("gradebook row lacks %q:\n%s", want, row)
				}
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// gradebookRow is the text of a learner's row in the instructor's
// gradebook of the test link.
func (e *testEnv) gradebookRow(t *testing.T, u emulator.User) string {
	t.Helper()
	prof := browser()
	resp, _ := e.openAs(prof, emulator.Instructor(), testLink, "")
	_, body := e.get(prof, sessionBase(t, resp.Request.URL.String())+"/gradebook")
	i := strings.Index(body, "<td>"+u.Name+"</td>")
	if i < 0 {
		return "Not sent (no row)"
	}
	row, _, _ := strings.Cut(body[i:], "</tr>")
	return strings.TrimSpace(pageText(row))
}

// deliverFirst has Alice's grade delivered.
func (r *deliveryRun) deliverFirst(t *testing.T) {
	r.takeTestAs(emulator.Alice(), true)
	r.deliverAll(t, r.w, func() bool {
		return len(r.emu.LineItems(emulator.DefaultContext().ID)) == 1 &&
			len(r.emu.Scores(r.testLineItem(t))) == 1
	})
}

// deliverThenDeleteColumn has Alice's grade delivered, then an instructor
// deletes the column in the LMS.
func deliverThenDeleteColumn(t *testing.T, r *deliveryRun) {
	r.deliverFirst(t)
	r.deleteLineItem(t, r.testLineItem(t))
	if n := len(r.emu.LineItems(emulator.DefaultContext().ID)); n != 0 {
		t.Fatalf("%d columns after the deletion", n)
	}
}

// deleteLineItem deletes a column through the grade service, as an LMS
// user deleting it would.
func (e *testEnv) deleteLineItem(t *testing.T, item string) {
	t.Helper()
	ps, err := e.app.platforms.List(context.Background())
	if err != nil || len(ps) != 1 {
		t.Fatalf("platforms: %v, %v", ps, err)
	}
	ep, _, err := e.app.endpoint(context.Background(), ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.app.oauth.Do(context.Background(), ep, oauth.Request{Op: "delete line item",
		Method: http.MethodDelete, URL: item, Scopes: []string{lti.ScopeLineItem}})
	if err != nil {
		t.Fatal(err)
	}
}

// checkColumnRemade: after the deletion, one column was made, once, and
// holds the new grade.
func checkColumnRemade(t *testing.T, r *deliveryRun) {
	item := r.testLineItem(t)
	if _, ok := r.emu.Scores(item)[emulator.Bob().Sub]; !ok {
		t.Errorf("the new column lacks Bob's grade")
	}
	if n := r.requests("POST", "/line_items"); n != 1 {
		t.Errorf("%d columns made after the deletion, want 1", n)
	}
}

// deliverThenExpireTokens has Alice's grade delivered with an access token
// the platform then forgets.
func deliverThenExpireTokens(t *testing.T, r *deliveryRun) {
	r.deliverFirst(t)
	r.emu.ExpireAccessTokens()
}

// checkOneRefresh: the score met one 401, and the tool fetched a token and
// sent it again within the same try.
func checkOneRefresh(t *testing.T, r *deliveryRun) {
	if n := r.requests("POST", "/scores"); n != 2 {
		t.Errorf("%d score posts after the tokens expired, want 2 (401, then 200)", n)
	}
	if e := r.entries(t)[0]; e.Status != grading.StatusDelivered || e.Tries != 1 {
		t.Errorf("Bob's score is %s after %d tries, want delivered after 1", e.Status, e.Tries)
	}
}

// requests counts the service requests since the mark with the method
// whose path ends in suffix.
func (r *deliveryRun) requests(method, suffix string) int {
	n := 0
	for _, req := range r.emu.ServiceRequests()[r.mark:] {
		m, uri, _ := strings.Cut(req, " ")
		path, _, _ := strings.Cut(uri, "?")
		if m == method && strings.HasSuffix(path, suffix) {
			n++
		}
	}
	return n
}

// retryAfter is the wait the platform asks for in the Retry-After cases.
const retryAfter = 2 * time.Second

// failOnceWith makes the first score post meet status with Retry-After,
// and records when each score post arrives.
func failOnceWith(status int) func(*testing.T, *deliveryRun) {
	return func(t *testing.T, r *deliveryRun) {
		r.emu.InjectFaults(func(req *http.Request) (emulator.Fault, bool) {
			if !strings.HasSuffix(req.URL.Path, "/scores") {
				return emulator.Fault{}, false
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.posts = append(r.posts, time.Now())
			if len(r.posts) > 1 {
				return emulator.Fault{}, false
			}
			return emulator.Fault{Status: status, RetryAfter: retryAfter}, true
		})
	}
}

// pendingWith checks that after the first try the score waits for the
// Retry-After, and the gradebook shows it pending with the platform's
// reason.
func pendingWith(want string) func(*testing.T, *deliveryRun) {
	return func(t *testing.T, r *deliveryRun) {
		e := r.entries(t)[0]
		if wait := e.NextTryAt.Sub(e.UpdatedAt); e.Status != grading.StatusPending ||
			wait < retryAfter {
			t.Errorf("after the refusal the score is %s, next try in %s; want pending, "+
				"after the Retry-After of %s", e.Status, wait, retryAfter)
		}
		if row := r.gradebookRow(t, emulator.Alice()); !strings.Contains(row, want) {
			t.Errorf("after the refusal the gradebook row lacks %q:\n%s", want, row)
		}
	}
}

// checkRetryAfter: the score was sent again no sooner than the platform
// asked.
func checkRetryAfter(t *testing.T, r *deliveryRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.posts) != 2 {
		t.Fatalf("%d score posts, want 2", len(r.posts))
	}
	if gap := r.posts[1].Sub(r.posts[0]); gap < retryAfter-50*time.Millisecond {
		t.Errorf("sent again after %s, before the Retry-After of %s", gap, retryAfter)
	}
}

// entries lists the test link's outbox entries, newest first.
func (e *testEnv) entries(t *testing.T) []grading.Entry {
	t.Helper()
	var out []grading.Entry
	if err := e.app.db.DB.Order("id DESC").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCanvasSubmittedAt: a score that reaches Canvas late, after an outage,
// carries the learner's submission time in Canvas's submission extension
// and in the AGS submission, so Canvas does not mark it late.
func TestCanvasSubmittedAt(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t), withFamily(emulator.FamilyCanvas))
	w := env.fastWorker("w1")
	env.emu.FailNext(2, emulator.Fault{Status: 503, RetryAfter: time.Second})
	before := time.Now().Add(-time.Millisecond)
	env.takeTestAs(emulator.Alice(), true)
	after := time.Now()
	var s emulator.Score
	env.deliverAll(t, w, func() bool {
		if len(env.emu.LineItems(emulator.DefaultContext().ID)) == 0 {
			return false
		}
		var ok bool
		s, ok = env.emu.Scores(env.testLineItem(t))[emulator.Alice().Sub]
		return ok
	})
	received := time.Now()
	raw, _ := s.Canvas["submitted_at"].(string)
	at, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		t.Fatalf("Canvas submission extension %v: submitted_at %q: %v", s.Canvas, raw, err)
	}
	if at.Before(before) || at.After(after) {
		t.Errorf("submitted_at %s is not the submission time, between %s and %s", at,
			before, after)
	}
	if late := received.Sub(at); late < 2*time.Second {
		t.Errorf("the score arrived %s after the submission; the outage should delay it "+
			"2 s", late)
	}
	if !s.SubmittedAt.Equal(at) {
		t.Errorf("AGS submission.submittedAt %s, Canvas submitted_at %s", s.SubmittedAt, at)
	}
	if s.Canvas["new_submission"] != true {
		t.Errorf("new_submission = %v, want true", s.Canvas["new_submission"])
	}
}
