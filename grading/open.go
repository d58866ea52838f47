package grading

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// openTries bounds how often Open goes round when its insert conflicts and
// yet no open attempt is found: another start of the same attempt number
// was opened and submitted in between, which needs a second learner tab
// racing the first, so a few rounds are plenty.
const openTries = 5

// Open returns the learner's open attempt at a quiz or test through a link
// (nil for none), with its answers so far, or starts the next attempt when
// none is open. Starting is idempotent: two calls at once, from a double
// click or two tabs, get the same attempt. A new attempt is refused with
// ErrNoAttemptsLeft once the link's maximum is used up; the limit applies
// only when the link's settings name this activity.
func (s *Store) Open(ctx context.Context, userID int64, activityID string,
	linkRef, contextRef *int64) (*Attempt, error) {
	quiz, err := s.quiz(activityID)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	ls, err := settingsFor(db, linkRef, activityID)
	if err != nil {
		return nil, err
	}
	for range openTries {
		a, err := openAttempt(db, userID, activityID, refKey(linkRef))
		if err != nil || a != nil {
			return a, err
		}
		used, err := attemptsUsed(db, userID, activityID, refKey(linkRef))
		if err != nil {
			return nil, err
		}
		if ls != nil && ls.MaxAttempts > 0 && used >= ls.MaxAttempts {
			return nil, ErrNoAttemptsLeft
		}
		row := &attemptRow{UserID: userID, ActivityID: activityID,
			ResourceLinkRef: clone(linkRef), LinkKey: refKey(linkRef),
			ContextRef: clone(contextRef), Kind: string(quiz.Kind),
			Number: used + 1, Seed: int64(rand.Uint64()), StartedAt: now()}
		// A start that races another conflicts on the open attempt or on the
		// attempt number; it then finds the winner's attempt on the next round.
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
		if res.Error != nil {
			return nil, fmt.Errorf("start attempt: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			a := row.attempt()
			a.Answers = map[string]Answer{}
			return a, nil
		}
	}
	return nil, fmt.Errorf("start attempt: still conflicting after %d tries", openTries)
}

// Current returns the learner's open attempt at the activity through the
// link (nil for none), with its answers, or nil when none is open. Unlike
// Open it never starts one, so a page can first show the attempts so far.
func (s *Store) Current(ctx context.Context, userID int64, activityID string,
	linkRef *int64) (*Attempt, error) {
	return openAttempt(s.db.WithContext(ctx), userID, activityID, refKey(linkRef))
}

// openAttempt returns the learner's open attempt with its answers, or nil.
func openAttempt(db *gorm.DB, userID int64, activityID string, key int64) (*Attempt, error) {
	var row attemptRow
	err := db.Take(&row, "user_id = ? AND activity_id = ? AND link_key = ? "+
		"AND submitted_at IS NULL", userID, activityID, key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for open attempt: %w", err)
	}
	return withAnswers(db, &row)
}

// attemptsUsed returns how many attempts the learner has started at the
// activity through the link, open or submitted: the highest number so far.
func attemptsUsed(db *gorm.DB, userID int64, activityID string, key int64) (int, error) {
	var used int
	err := db.Model(&attemptRow{}).Select("COALESCE(MAX(number), 0)").
		Where("user_id = ? AND activity_id = ? AND link_key = ?", userID, activityID, key).
		Scan(&used).Error
	if err != nil {
		return 0, fmt.Errorf("count attempts: %w", err)
	}
	return used, nil
}

// AttemptsLeft returns how many more attempts the learner may start at the
// activity through the link, or unlimited when the link sets no maximum.
// An open attempt is already started, so it is not among those left.
func (s *Store) AttemptsLeft(ctx context.Context, userID int64, activityID string,
	linkRef *int64) (left int, unlimited bool, err error) {
	return attemptsLeft(s.db.WithContext(ctx), userID, activityID, linkRef)
}

func attemptsLeft(db *gorm.DB, userID int64, activityID string,
	linkRef *int64) (int, bool, error) {
	ls, err := settingsFor(db, linkRef, activityID)
	if err != nil {
		return 0, false, err
	}
	if ls == nil || ls.MaxAttempts == 0 {
		return 0, true, nil
	}
	used, err := attemptsUsed(db, userID, activityID, refKey(linkRef))
	if err != nil {
		return 0, false, err
	}
	return max(ls.MaxAttempts-used, 0), false, nil
}
