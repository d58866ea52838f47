package tutor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"

	"gorm.io/gorm"
)

func TestOneAnswerInFlight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		other := f.service(f.fake.config()) // a second instance on the same database
		for _, tc := range []struct {
			name   string
			second *Service
		}{
			{"same instance", f.s},
			{"two instances", other},
		} {
			t.Run(tc.name, func(t *testing.T) {
				arrived, release := f.fake.gate()
				who := f.learner("ann-"+strings.ReplaceAll(tc.name, " ", "-"), "course-1")

				first := make(chan error, 1)
				go func() {
					_, _, err := f.trySend(f.s, who, "first")
					first <- err
				}()
				<-arrived // the first answer is in flight
				f.waitPending(who, 1)
				_, _, err := f.trySend(tc.second, who, "second")
				if !errors.Is(err, ErrBusy) {
					t.Errorf("second Send while answering: %v, want ErrBusy", err)
				}
				if LearnerMessage(err) != busyMessage {
					t.Errorf("learner told %q", LearnerMessage(err))
				}
				// Another learner is not held up.
				bob := f.learner("bob-"+strings.ReplaceAll(tc.name, " ", "-"), "course-1")
				bobDone := make(chan error, 1)
				go func() {
					_, _, err := f.trySend(tc.second, bob, "hello")
					bobDone <- err
				}()
				release()
				if err := <-first; err != nil {
					t.Errorf("first Send: %v", err)
				}
				if err := <-bobDone; err != nil {
					t.Errorf("other learner's Send: %v", err)
				}
				// Once answered, the learner may send again, on either instance.
				if _, _, err := f.trySend(tc.second, who, "third"); err != nil {
					t.Errorf("Send after the answer: %v", err)
				}
				c := f.resume(who)
				if got := statuses(c.Messages); got != "tutor:answered learner:answered "+
					"tutor:answered learner:answered tutor:answered" {
					t.Errorf("transcript = %s", got)
				}
			})
		}
	})
}

// waitPending waits until the learner has n pending messages.
func (f *fixture) waitPending(who Learner, n int64) {
	f.t.Helper()
	for range 500 {
		if f.count("tutor_messages", "user_id = ? AND status = 'pending'", who.UserID) == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("learner %d never had %d pending messages", who.UserID, n)
}

func TestManySendsAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		_, release := f.fake.gate()
		instances := []*Service{f.s, f.service(f.fake.config())}
		who := f.learner("ann", "course-1")
		const n = 12
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, _, err := f.trySend(instances[i%2], who, "at once")
				errs <- err
			}()
		}
		// All but one are refused while the one answer is held.
		for range n - 1 {
			if err := <-errs; !errors.Is(err, ErrBusy) {
				t.Errorf("Send at once: %v, want ErrBusy", err)
			}
		}
		release()
		if err := <-errs; err != nil {
			t.Errorf("the one Send let through: %v", err)
		}
		if got := f.count("tutor_messages", "role = 'learner'"); got != 1 {
			t.Errorf("%d learner messages stored, want 1", got)
		}
	})
}

func TestStorePendingIsExclusive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		c := f.resume(who)
		at := time.Now().UTC()
		store := func() error {
			m := Message{ConversationID: c.ID, UserID: who.UserID, Role: RoleLearner,
				Content: "x", CreatedAt: at}
			return storePending(f.db.DB, &m, at, at.Add(time.Minute))
		}
		if err := store(); err != nil {
			t.Fatal(err)
		}
		if err := store(); !errors.Is(err, ErrBusy) {
			t.Errorf("second pending message: %v, want ErrBusy", err)
		}
		// Another learner is not affected.
		bob := f.learner("bob", "course-1")
		cb := f.resume(bob)
		m := Message{ConversationID: cb.ID, UserID: bob.UserID, Role: RoleLearner,
			Content: "y", CreatedAt: at}
		if err := storePending(f.db.DB, &m, at, at.Add(time.Minute)); err != nil {
			t.Errorf("other learner's pending message: %v", err)
		}
	})
}

// crashed stores a pending message for the learner, as an instance that
// stopped while answering leaves it, held until until.
func (f *fixture) crashed(who Learner, until time.Time) Message {
	f.t.Helper()
	c := f.resume(who)
	m := Message{ConversationID: c.ID, UserID: who.UserID, Role: RoleLearner,
		Content: "lost?", CreatedAt: until.Add(-time.Minute)}
	if err := storePending(f.db.DB, &m, until.Add(-time.Minute), until); err != nil {
		f.t.Fatal(err)
	}
	return m
}

func TestLeaseLapses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		until := time.Now().UTC().Add(time.Minute)
		f.crashed(who, until)
		if _, _, err := f.trySend(f.s, who, "hi"); !errors.Is(err, ErrBusy) {
			t.Fatalf("Send under a live lease: %v, want ErrBusy", err)
		}
		f.clock(until.Add(time.Second))
		if _, _, err := f.trySend(f.s, who, "hi"); err != nil {
			t.Fatalf("Send after the lease lapsed: %v", err)
		}
		c := f.resume(who)
		if got := statuses(c.Messages); got != "tutor:answered learner:unanswered "+
			"learner:answered tutor:answered" {
			t.Errorf("transcript = %s", got)
		}
		if c.Messages[1].Failure != "interrupted" {
			t.Errorf("lapsed message failure = %q", c.Messages[1].Failure)
		}
		if n := f.count("tutor_messages", "status = 'pending'"); n != 0 {
			t.Errorf("%d messages still pending", n)
		}
	})
}

func TestResumeAfterCrash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		until := time.Now().UTC().Add(time.Minute)
		m := f.crashed(who, until)
		if got := statuses(f.resume(who).Messages); got != "tutor:answered learner:pending" {
			t.Errorf("while the lease holds, transcript = %s", got)
		}
		if _, _, err := f.retry(who, m.ID); !errors.Is(err, ErrBusy) {
			t.Errorf("Retry while the lease holds: %v, want ErrBusy", err)
		}
		f.clock(until.Add(time.Minute))
		c := f.resume(who)
		if got := statuses(c.Messages); got != "tutor:answered learner:unanswered" {
			t.Fatalf("after the lease lapsed, transcript = %s", got)
		}
		r, _, err := f.retry(who, m.ID)
		if err != nil || r.Answer == nil {
			t.Fatalf("Retry after a crash: %+v, %v", r, err)
		}
	})
}

func TestRetryOfLapsedMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		until := time.Now().UTC().Add(time.Minute)
		m := f.crashed(who, until)
		// Retried straight away once the lease has lapsed, without a Resume.
		f.clock(until.Add(time.Second))
		if _, _, err := f.retry(who, m.ID); err != nil {
			t.Fatalf("Retry of a lapsed pending message: %v", err)
		}
		if got := statuses(f.resume(who).Messages); got != "tutor:answered "+
			"learner:answered tutor:answered" {
			t.Errorf("transcript = %s", got)
		}
	})
}

// TestWithoutFlush checks that on PostgreSQL the write runs in a transaction
// that commits without flushing, and that the setting ends with it.
func TestWithoutFlush(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		if db.Dialect != migrations.Postgres {
			t.Skip("SQLite's WAL mode with synchronous=NORMAL never flushes a commit")
		}
		show := func(tx *gorm.DB) string {
			var v string
			if err := tx.Raw("SHOW synchronous_commit").Scan(&v).Error; err != nil {
				t.Fatal(err)
			}
			return v
		}
		var inside string
		err := withoutFlush(db.DB, func(tx *gorm.DB) error {
			inside = show(tx)
			return nil
		})
		if err != nil || inside != "off" {
			t.Errorf("inside: synchronous_commit %q, error %v; want off", inside, err)
		}
		if after := show(db.DB); after != "on" {
			t.Errorf("after: synchronous_commit %q, want on", after)
		}
	})
}
