package grading

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Outbox statuses. An entry is pending until delivered or given up; while a
// worker sends it, it stays pending with a lease, so a worker that dies
// mid-delivery only delays it until the lease ends.
const (
	StatusPending    = "pending"
	StatusDelivered  = "delivered"
	StatusSuperseded = "superseded"
	StatusHeld       = "held"
	StatusParked     = "parked"
	StatusFailed     = "failed"
)

// Score progress values of the AGS score service.
const (
	ActivityCompleted = "Completed"
	GradingFullyGrade = "FullyGraded"
)

// Entry is one score waiting for, or done with, delivery to the LMS.
type Entry struct {
	ID               int64
	ResourceLinkRef  int64
	UserID           int64
	AttemptID        *int64
	ActivityID       string
	ScoreGiven       float64
	ScoreMaximum     float64
	Comment          string
	ActivityProgress string
	GradingProgress  string
	SubmittedAt      time.Time
	// ScoreAt is the score's timestamp. It only moves forward for a learner
	// and link, so a retried older score never replaces a newer one.
	ScoreAt     time.Time
	Status      string
	Forced      bool
	Tries       int
	NextTryAt   time.Time
	LeaseOwner  string
	LeaseUntil  *time.Time
	LastStatus  int
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
}

// TableName maps Entry to its table.
func (Entry) TableName() string { return "grade_outbox" }

// enqueue adds the learner's current grade for a graded link to the outbox, in
// the transaction that submitted the attempt: the submission and its delivery
// are written together or not at all.
func enqueue(tx *gorm.DB, a *Attempt) error {
	if a.ResourceLinkRef == nil {
		return nil
	}
	ls, err := settingsFor(tx, a.ResourceLinkRef, a.ActivityID)
	if err != nil || ls == nil || !ls.Graded {
		return err
	}
	best, ok, err := grade(tx, a.UserID, a.ActivityID, a.ResourceLinkRef)
	if err != nil || !ok {
		return err
	}
	return queue(tx, newEntry(best, ls))
}

// queue adds e to the outbox on tx as the newest score of its learner and
// link. Its timestamp is moved past the last one kept, since the LMS refuses
// a score no newer than the one it holds, and older pending scores are
// superseded, since only the newest grade matters.
func queue(tx *gorm.DB, e *Entry) error {
	var last Entry
	err := tx.Where("resource_link_ref = ? AND user_id = ?", e.ResourceLinkRef, e.UserID).
		Order("score_at DESC").Limit(1).Find(&last).Error
	if err != nil {
		return fmt.Errorf("read last score time: %w", err)
	}
	t := now()
	at := t
	if last.ID != 0 {
		at = stampAfter(last.ScoreAt, t)
	}
	err = tx.Model(&Entry{}).Where("resource_link_ref = ? AND user_id = ? AND status = ?",
		e.ResourceLinkRef, e.UserID, StatusPending).
		Updates(map[string]any{"status": StatusSuperseded, "updated_at": t}).Error
	if err != nil {
		return fmt.Errorf("supersede older scores: %w", err)
	}
	e.Status, e.ScoreAt, e.NextTryAt, e.CreatedAt, e.UpdatedAt = StatusPending, at, t, t, t
	if err := tx.Create(e).Error; err != nil {
		return fmt.Errorf("enqueue score: %w", err)
	}
	return nil
}

// stampAfter returns the timestamp for a score given at t that follows a score
// stamped last: t itself when it falls in a later second, or else the start
// of the second after last's. Moodle keeps a grade's time in whole seconds
// and refuses a score whose second is not after the grade's, so a learner's
// second score within a second (a quick retake, a completion just after a
// test) would otherwise be refused as older there. Nudging the time up to a
// second forward costs nothing on platforms that compare finer times.
func stampAfter(last, t time.Time) time.Time {
	next := last.Truncate(time.Second).Add(time.Second)
	if t.Before(next) {
		return next
	}
	return t
}

// newEntry builds the outbox entry for the attempt a link's policy picked;
// queue stamps it.
func newEntry(best *Attempt, ls *LinkSettings) *Entry {
	max := float64(best.MaxScore)
	if ls.ScoreMaximum > 0 && best.MaxScore > 0 {
		max = float64(ls.ScoreMaximum)
	}
	given := float64(best.Score)
	if best.MaxScore > 0 && max != float64(best.MaxScore) {
		given = math.Round(given/float64(best.MaxScore)*max*100) / 100
	}
	id := best.ID
	return &Entry{ResourceLinkRef: *best.ResourceLinkRef, UserID: best.UserID,
		AttemptID: &id, ActivityID: best.ActivityID, ScoreGiven: given, ScoreMaximum: max,
		Comment: comment(best), ActivityProgress: ActivityCompleted,
		GradingProgress: GradingFullyGrade, SubmittedAt: *best.SubmittedAt}
}

// comment is the short note shown next to the grade in the LMS.
func comment(a *Attempt) string {
	verdict := "Passed"
	if !a.Passed {
		verdict = "Not passed"
	}
	if a.Kind == "quiz" {
		verdict = "Quiz"
	}
	return fmt.Sprintf("%s, %d/%d", verdict, a.Score, a.MaxScore)
}

// Entries lists the outbox entries of a link, newest first, for the
// instructor's view of what was synced.
func (s *Store) Entries(ctx context.Context, linkRef int64) ([]Entry, error) {
	var es []Entry
	err := s.db.WithContext(ctx).Where("resource_link_ref = ?", linkRef).
		Order("id DESC").Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return es, nil
}

// Resync enqueues the current grade of a learner (or, with userID 0, of every
// learner with a graded attempt, or who completed the link's lab) on a link
// again. With force set, a grade changed by hand in the LMS is overwritten;
// otherwise delivery holds it.
func (s *Store) Resync(ctx context.Context, linkRef, userID int64, force bool) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ls, err := loadLink(tx, linkRef)
		if err != nil {
			return err
		}
		if ls == nil || !ls.Graded {
			return ErrNotGraded
		}
		a, err := s.activity(ls.ActivityID)
		if err != nil {
			return err
		}
		var es []*Entry
		if a.Lab != nil {
			es, err = completionGrades(tx, ls, userID)
		} else {
			es, err = attemptGrades(tx, ls, userID)
		}
		if err != nil {
			return err
		}
		for _, e := range es {
			e.Forced = force
			if err := queue(tx, e); err != nil {
				return err
			}
		}
		n = len(es)
		return nil
	})
	return n, err
}

// attemptGrades returns the entries that send the current grade of a learner
// (or, with userID 0, of every learner with a submitted attempt) on a link
// to a quiz or test.
func attemptGrades(tx *gorm.DB, ls *LinkSettings, userID int64) ([]*Entry, error) {
	var users []int64
	q := tx.Model(&attemptRow{}).Distinct("user_id").
		Where("link_key = ? AND activity_id = ? AND submitted_at IS NOT NULL",
			ls.ResourceLinkRef, ls.ActivityID)
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	if err := q.Pluck("user_id", &users).Error; err != nil {
		return nil, fmt.Errorf("find graded learners: %w", err)
	}
	var es []*Entry
	for _, u := range users {
		best, ok, err := grade(tx, u, ls.ActivityID, &ls.ResourceLinkRef)
		if err != nil {
			return nil, err
		}
		if ok {
			es = append(es, newEntry(best, ls))
		}
	}
	return es, nil
}

// ErrNotGraded reports a resync of a link whose activity is not graded.
var ErrNotGraded = errors.New("this link's activity is not graded")

// truncate bounds a platform's message kept with an entry.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
	if len(s) <= n {
		return s
	}
	return s[:n]
}
