package grading

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"aesop/content"
)

// History returns the learner's submitted attempts at the activity through
// the link (nil for none), newest first, without their answers.
func (s *Store) History(ctx context.Context, userID int64, activityID string,
	linkRef *int64) ([]Attempt, error) {
	var rows []attemptRow
	err := s.db.WithContext(ctx).Where("user_id = ? AND activity_id = ? AND link_key = ? "+
		"AND submitted_at IS NOT NULL", userID, activityID, refKey(linkRef)).
		Order("number DESC").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load attempt history: %w", err)
	}
	out := make([]Attempt, len(rows))
	for i := range rows {
		out[i] = *rows[i].attempt()
	}
	return out, nil
}

// Grade returns the submitted attempt that counts for the learner at the
// activity through the link, as the link's policy picks it, without its
// answers; false when none is submitted. Without settings for the activity
// the best attempt counts.
func (s *Store) Grade(ctx context.Context, userID int64, activityID string,
	linkRef *int64) (*Attempt, bool, error) {
	return grade(s.db.WithContext(ctx), userID, activityID, linkRef)
}

// grade is Grade on db, which may be a transaction.
func grade(db *gorm.DB, userID int64, activityID string,
	linkRef *int64) (*Attempt, bool, error) {
	ls, err := settingsFor(db, linkRef, activityID)
	if err != nil {
		return nil, false, err
	}
	// Attempts at one activity through one link follow each other, so the
	// attempt number orders them as submission times do, without ties.
	order := "score DESC, number ASC"
	if ls != nil && ls.Policy == PolicyLatest {
		order = "number DESC"
	}
	var row attemptRow
	err = db.Where("user_id = ? AND activity_id = ? AND link_key = ? "+
		"AND submitted_at IS NOT NULL", userID, activityID, refKey(linkRef)).
		Order(order).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("pick graded attempt: %w", err)
	}
	return row.attempt(), true, nil
}

// HasOpenTest reports whether the learner has a module test attempt open in
// the course (nil for none). The tutor pauses meanwhile, so that it cannot
// help with the test, until the attempt is submitted.
func (s *Store) HasOpenTest(ctx context.Context, userID int64, contextRef *int64) (bool, error) {
	db := s.db.WithContext(ctx).Model(&attemptRow{}).
		Where("user_id = ? AND kind = ? AND submitted_at IS NULL", userID, string(content.KindTest))
	if contextRef == nil {
		db = db.Where("context_ref IS NULL")
	} else {
		db = db.Where("context_ref = ?", *contextRef)
	}
	var n int64
	if err := db.Count(&n).Error; err != nil {
		return false, fmt.Errorf("look for open test: %w", err)
	}
	return n > 0, nil
}
