package grading

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// fakeLMS is a Deliverer that records deliveries and fails as told.
type fakeLMS struct {
	mu        sync.Mutex
	fail      func(e *Entry) error
	got       map[int64]int // entry id -> deliveries
	inFlight  map[int64]bool
	overlaps  atomic.Int32
	delivered atomic.Int32
}

func newFakeLMS() *fakeLMS {
	return &fakeLMS{got: map[int64]int{}, inFlight: map[int64]bool{}}
}

func (f *fakeLMS) Deliver(ctx context.Context, e *Entry) error {
	f.mu.Lock()
	if f.inFlight[e.ID] {
		f.overlaps.Add(1)
	}
	f.inFlight[e.ID] = true
	fail := f.fail
	f.mu.Unlock()
	time.Sleep(time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.inFlight, e.ID)
	if fail != nil {
		if err := fail(e); err != nil {
			return err
		}
	}
	f.got[e.ID]++
	f.delivered.Add(1)
	return nil
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testWorker(db *migrations.Database, d Deliverer, owner string) *Worker {
	cfg := DefaultWorkerConfig(owner)
	cfg.BaseBackoff, cfg.MaxBackoff, cfg.Poll = time.Millisecond, 5*time.Millisecond,
		5*time.Millisecond
	cfg.SingleWorker = db.Dialect == migrations.SQLite
	return NewWorker(db.DB, d, cfg, quietLog())
}

func (f *fixture) entries(linkRef int64) []Entry {
	f.t.Helper()
	es, err := f.s.Entries(f.ctx, linkRef)
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

func TestSubmissionEnqueuesScore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "link-1")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
		f.take(user, testID, ref(link), 13)
		es := f.entries(link)
		if len(es) != 1 {
			t.Fatalf("%d entries after one graded submission, want 1", len(es))
		}
		e := es[0]
		if e.ScoreGiven != 13 || e.ScoreMaximum != 15 || e.Comment != "Passed, 13/15" ||
			e.Status != StatusPending || e.ActivityProgress != "Completed" ||
			e.GradingProgress != "FullyGraded" {
			t.Errorf("entry = %+v", e)
		}
		// A later, worse attempt under "best" sends the best again, with a later
		// timestamp, and supersedes the pending one.
		f.take(user, testID, ref(link), 9)
		es = f.entries(link)
		if len(es) != 2 || es[0].ScoreGiven != 13 || !es[0].ScoreAt.After(es[1].ScoreAt) ||
			es[1].Status != StatusSuperseded {
			t.Errorf("entries after a worse attempt = %+v", es)
		}
		// Ungraded links and practice quizzes enqueue nothing.
		user2, link2 := f.launch("u2", "link-2")
		f.setLink(LinkSettings{ResourceLinkRef: link2, ActivityID: quizID})
		f.take(user2, quizID, ref(link2), 2)
		if n := len(f.entries(link2)); n != 0 {
			t.Errorf("practice quiz enqueued %d scores", n)
		}
	})
}

func TestWorkerOutcomes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		lms := newFakeLMS()
		w := testWorker(db, lms, "w1")
		_, link := f.launch("seed", "link-1")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
		outcomes := map[string]error{
			"ok":         nil,
			"superseded": ErrDeliverySuperseded,
			"changed":    fmt.Errorf("check result: %w", ErrChangedInLMS),
			"parked":     &PermanentError{Reason: "user is not a student in this course"},
		}
		want := map[string]string{"ok": StatusDelivered, "superseded": StatusSuperseded,
			"changed": StatusHeld, "parked": StatusParked}
		users := map[int64]string{}
		for name := range outcomes {
			u, _ := f.launch(name, "link-1")
			users[u] = name
			f.take(u, testID, ref(link), 12)
		}
		lms.fail = func(e *Entry) error { return outcomes[users[e.UserID]] }
		if _, err := w.RunOnce(f.ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range f.entries(link) {
			if name := users[e.UserID]; e.Status != want[name] {
				t.Errorf("%s: status %s, want %s (%s)", name, e.Status, want[name], e.LastError)
			}
		}
	})
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	lms := newFakeLMS()
	w := testWorker(db, lms, "w1")
	user, link := f.launch("u1", "link-1")
	f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
	f.take(user, testID, ref(link), 12)
	var calls atomic.Int32
	lms.fail = func(*Entry) error {
		switch calls.Add(1) {
		case 1:
			return &RetryError{Reason: "503 from the LMS", Status: 503, After: 50 * time.Millisecond}
		case 2:
			return errors.New("connection reset")
		}
		return nil
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	for lms.delivered.Load() == 0 && ctx.Err() == nil {
		w.RunOnce(ctx)
		time.Sleep(2 * time.Millisecond)
	}
	if lms.delivered.Load() != 1 || calls.Load() != 3 {
		t.Fatalf("delivered %d after %d calls", lms.delivered.Load(), calls.Load())
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("delivered after %s, before the platform's Retry-After", d)
	}
	e := f.entries(link)[0]
	if e.Status != StatusDelivered || e.Tries != 3 {
		t.Errorf("entry = %+v", e)
	}

	// Past the horizon an entry is marked failed with the platform's answer.
	f.take(user, testID, ref(link), 14)
	lms.fail = func(*Entry) error { return &RetryError{Reason: "course concluded", Status: 500} }
	w.cfg.Horizon = 0
	w.RunOnce(f.ctx)
	e = f.entries(link)[0]
	if e.Status != StatusFailed || e.LastError != "course concluded" {
		t.Errorf("entry past the horizon = %+v", e)
	}
}

// TestLeaseReturnsEntryOfDeadWorker: a worker that claimed an entry and died
// (kill -9) loses nothing; another worker delivers it once the lease ends.
func TestLeaseReturnsEntryOfDeadWorker(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "link-1")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
		f.take(user, testID, ref(link), 12)
		dead := testWorker(db, newFakeLMS(), "dead")
		dead.cfg.Lease = 100 * time.Millisecond
		dead.cfg.SingleWorker = false
		if es, err := dead.claim(f.ctx); err != nil || len(es) != 1 {
			t.Fatalf("claim = %v, %v", es, err)
		}
		lms := newFakeLMS()
		live := testWorker(db, lms, "live")
		live.cfg.SingleWorker = false
		if n, _ := live.RunOnce(f.ctx); n != 0 {
			t.Fatalf("took an entry still leased to another worker")
		}
		time.Sleep(150 * time.Millisecond)
		if n, _ := live.RunOnce(f.ctx); n != 1 || lms.delivered.Load() != 1 {
			t.Errorf("after the lease: took %d, delivered %d", n, lms.delivered.Load())
		}
	})
}

// TestWorkersShareTheWork: three workers on one PostgreSQL deliver a burst of
// scores; none is sent by two workers at once, and each exactly once.
func TestWorkersShareTheWork(t *testing.T) {
	db := dbtest.Postgres(t)
	f := newFixture(t, db)
	_, link := f.launch("seed", "link-1")
	f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
	const learners = 150
	for i := range learners {
		u, _ := f.launch(fmt.Sprintf("learner-%d", i), "link-1")
		f.take(u, testID, ref(link), 12)
	}
	lms := newFakeLMS()
	ctx, cancel := context.WithTimeout(f.ctx, 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 3 {
		w := testWorker(db, lms, fmt.Sprintf("instance-%d", i))
		w.cfg.Batch = 10
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lms.delivered.Load() < learners && ctx.Err() == nil {
				w.RunOnce(ctx)
			}
		}()
	}
	wg.Wait()
	if lms.overlaps.Load() != 0 {
		t.Errorf("%d deliveries overlapped", lms.overlaps.Load())
	}
	for id, n := range lms.got {
		if n != 1 {
			t.Errorf("entry %d delivered %d times", id, n)
		}
	}
	if len(lms.got) != learners {
		t.Errorf("delivered %d entries, want %d", len(lms.got), learners)
	}
}

// TestStampAfter: a score's timestamp falls in a later whole second than the
// score before it, so Moodle, which compares whole seconds, never takes the
// two for a tie; a score already a second or more later keeps its time.
func TestStampAfter(t *testing.T) {
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	for _, c := range []struct {
		last, given, want time.Time
	}{
		{at(200), at(900), at(1000)},   // same second: the next one
		{at(999), at(1001), at(1001)},  // a later second already
		{at(0), at(0), at(1000)},       // the same instant
		{at(1500), at(1200), at(2000)}, // a clock behind the last stamp
		{at(200), at(5300), at(5300)},  // well after
	} {
		if got := stampAfter(c.last, c.given); !got.Equal(c.want) {
			t.Errorf("stampAfter(%v, %v) = %v, want %v", c.last.Format(".000"),
				c.given.Format(".000"), got.Format("05.000"), c.want.Format("05.000"))
		}
	}
}
