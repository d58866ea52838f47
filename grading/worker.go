package grading

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Deliverer sends one score to the LMS. Its errors say what the platform's
// answer means; see the Delivery* errors.
type Deliverer interface {
	Deliver(ctx context.Context, e *Entry) error
}

// Errors a Deliverer returns for answers that are not simply "try again".
var (
	// ErrDeliverySuperseded: the LMS holds a newer score for the learner.
	ErrDeliverySuperseded = errors.New("the LMS already holds a newer score")
	// ErrChangedInLMS: an instructor changed the grade in the LMS since the
	// tool last sent it; the tool will not overwrite it unless forced.
	ErrChangedInLMS = errors.New("the grade was changed in the LMS")
)

// PermanentError is an answer that retrying cannot change, such as a learner
// who is not a gradable student. The entry is parked with Reason for the
// instructor.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return e.Reason }

// RetryError is a failure worth retrying, after After when the platform said
// so (Retry-After).
type RetryError struct {
	Reason string
	After  time.Duration
	Status int
}

func (e *RetryError) Error() string { return e.Reason }

// WorkerConfig tunes delivery.
type WorkerConfig struct {
	// Owner names this worker in leases; unique per instance.
	Owner string
	// Batch is how many entries one claim takes.
	Batch int
	// Parallel is how many deliveries run at once.
	Parallel int
	// Lease is how long a claimed entry is this worker's; a worker killed
	// mid-delivery gives its entries back when the lease ends.
	Lease time.Duration
	// Poll is how often the worker looks for due entries when idle.
	Poll time.Duration
	// BaseBackoff and MaxBackoff bound the exponential backoff.
	BaseBackoff, MaxBackoff time.Duration
	// Horizon is how long an entry is retried before it is marked failed.
	Horizon time.Duration
	// Timeout bounds one delivery.
	Timeout time.Duration
	// SingleWorker makes only the holder of a database lease deliver: SQLite
	// has no SKIP LOCKED, so its instances take turns.
	SingleWorker bool
}

// DefaultWorkerConfig returns the delivery settings used unless configured.
func DefaultWorkerConfig(owner string) WorkerConfig {
	return WorkerConfig{Owner: owner, Batch: 50, Parallel: 8, Lease: time.Minute,
		Poll: time.Second, BaseBackoff: 5 * time.Second, MaxBackoff: 30 * time.Minute,
		Horizon: 72 * time.Hour, Timeout: 30 * time.Second}
}

// Worker delivers outbox entries. Any number of workers, in any number of
// instances, may run on one PostgreSQL: claims use FOR UPDATE SKIP LOCKED, so
// no entry is sent by two at once.
type Worker struct {
	db  *gorm.DB
	cfg WorkerConfig
	d   Deliverer
	log *slog.Logger
	now func() time.Time

	wake chan struct{}
}

// NewWorker returns a worker that delivers with d.
func NewWorker(db *gorm.DB, d Deliverer, cfg WorkerConfig, log *slog.Logger) *Worker {
	return &Worker{db: db, cfg: cfg, d: d, log: log.With("worker", cfg.Owner),
		now: now, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for entries now, after this instance enqueued
// one, so scores reach the LMS within seconds rather than at the next poll.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. On SQLite it then gives up the delivery lease,
// so a restarted instance does not wait for it to run out.
func (w *Worker) Run(ctx context.Context) {
	if w.cfg.SingleWorker {
		defer w.db.Exec("DELETE FROM worker_leases WHERE name = ? AND owner = ?",
			"grade_outbox", w.cfg.Owner)
	}
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("grade delivery round failed", "err", err)
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-time.After(w.cfg.Poll):
		}
	}
}

// RunOnce claims due entries and delivers them; it returns how many it took.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if w.cfg.SingleWorker {
		held, err := w.holdLease(ctx)
		if err != nil || !held {
			return 0, err
		}
	}
	entries, err := w.claim(ctx)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	sem := make(chan struct{}, max(1, w.cfg.Parallel))
	var wg sync.WaitGroup
	for i := range entries {
		sem <- struct{}{}
		wg.Add(1)
		go func(e *Entry) {
			defer func() { <-sem; wg.Done() }()
			w.deliver(ctx, e)
		}(&entries[i])
	}
	wg.Wait()
	return len(entries), nil
}

// claim leases up to Batch due entries to this worker.
func (w *Worker) claim(ctx context.Context) ([]Entry, error) {
	var entries []Entry
	t := w.now()
	err := w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("status = ? AND next_try_at <= ? AND (lease_until IS NULL OR "+
			"lease_until < ?)", StatusPending, t, t).Order("id").Limit(w.cfg.Batch)
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE",
				Options: "SKIP LOCKED"})
		}
		if err := q.Find(&entries).Error; err != nil {
			return fmt.Errorf("find due scores: %w", err)
		}
		if len(entries) == 0 {
			return nil
		}
		ids := make([]int64, len(entries))
		until := t.Add(w.cfg.Lease)
		for i := range entries {
			ids[i] = entries[i].ID
			entries[i].LeaseOwner, entries[i].LeaseUntil = w.cfg.Owner, &until
		}
		return tx.Model(&Entry{}).Where("id IN ?", ids).Updates(map[string]any{
			"lease_owner": w.cfg.Owner, "lease_until": until}).Error
	})
	return entries, err
}

// deliver sends one entry and records the outcome.
func (w *Worker) deliver(ctx context.Context, e *Entry) {
	dctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	err := w.d.Deliver(dctx, e)
	cancel()
	if ctx.Err() != nil {
		// Shutting down: the lease gives the entry back to whoever runs next.
		return
	}
	t := w.now()
	up := map[string]any{"tries": e.Tries + 1, "updated_at": t, "lease_owner": "",
		"lease_until": nil}
	var perm *PermanentError
	var retry *RetryError
	switch {
	case err == nil:
		up["status"], up["delivered_at"], up["last_error"] = StatusDelivered, t, ""
		up["last_status"] = 200
	case errors.Is(err, ErrDeliverySuperseded) && e.Forced && e.Tries < 3:
		// An instructor asked to overwrite a grade edited in the LMS, whose
		// timestamp may fall in the same second as this score's (Moodle
		// compares whole seconds): stamp the score anew and send it again.
		up["score_at"], up["next_try_at"] = t.Add(time.Second), t.Add(time.Second)
		up["last_error"] = err.Error()
	case errors.Is(err, ErrDeliverySuperseded):
		up["status"], up["last_error"] = StatusSuperseded, err.Error()
	case errors.Is(err, ErrChangedInLMS):
		up["status"], up["last_error"] = StatusHeld, err.Error()
	case errors.As(err, &perm):
		up["status"], up["last_error"] = StatusParked, truncate(perm.Reason, 500)
	default:
		reason, after, status := err.Error(), time.Duration(0), 0
		if errors.As(err, &retry) {
			reason, after, status = retry.Reason, retry.After, retry.Status
		}
		up["last_error"], up["last_status"] = truncate(reason, 500), status
		if t.Sub(e.CreatedAt) > w.cfg.Horizon {
			up["status"] = StatusFailed
		} else {
			up["next_try_at"] = t.Add(w.backoff(e.Tries, after))
		}
	}
	// Only the lease holder records an outcome: if the lease ran out and
	// another worker took the entry, its result stands.
	res := w.db.Model(&Entry{}).Where("id = ? AND lease_owner = ?", e.ID, w.cfg.Owner).
		Updates(up)
	if res.Error != nil {
		w.log.Error("record grade delivery", "entry", e.ID, "err", res.Error)
		return
	}
	attrs := []any{"entry", e.ID, "status", up["status"], "tries", e.Tries + 1}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	w.log.Info("grade delivery", attrs...)
}

// backoff is the wait before the next try: exponential from BaseBackoff with
// full jitter, capped at MaxBackoff, and never shorter than the platform's
// Retry-After.
func (w *Worker) backoff(tries int, after time.Duration) time.Duration {
	d := w.cfg.BaseBackoff << min(tries, 20)
	if d <= 0 || d > w.cfg.MaxBackoff {
		d = w.cfg.MaxBackoff
	}
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	return max(d, after)
}

// holdLease takes or renews the single-worker lease; it reports whether this
// worker holds it.
func (w *Worker) holdLease(ctx context.Context) (bool, error) {
	return tryLease(w.db.WithContext(ctx), "grade_outbox", w.cfg.Owner, w.cfg.Lease)
}
