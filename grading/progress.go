package grading

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Progress is where a learner stands with one activity.
type Progress struct {
	Viewed, Completed bool
}

// progressRow is a row of progress.
type progressRow struct {
	UserID      int64  `gorm:"primaryKey"`
	ContextRef  int64  `gorm:"primaryKey"`
	ActivityID  string `gorm:"primaryKey"`
	ViewedAt    time.Time
	CompletedAt *time.Time
}

// TableName maps progressRow to its table.
func (progressRow) TableName() string { return "progress" }

// MarkViewed records that the learner opened the activity in the course
// (nil for none). Only the first view is kept; since every page load calls
// it, a view already recorded costs one read and no write.
func (s *Store) MarkViewed(ctx context.Context, userID int64, contextRef *int64,
	activityID string) error {
	if _, err := s.activity(activityID); err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	var n int64
	err := db.Model(&progressRow{}).Where("user_id = ? AND context_ref = ? AND activity_id = ?",
		userID, refKey(contextRef), activityID).Count(&n).Error
	if err != nil {
		return fmt.Errorf("look up progress: %w", err)
	}
	if n > 0 {
		return nil
	}
	err = db.Exec("INSERT INTO progress (user_id, context_ref, activity_id, viewed_at) "+
		"VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		userID, refKey(contextRef), activityID, now()).Error
	if err != nil {
		return fmt.Errorf("record view: %w", err)
	}
	return nil
}

// MarkCompleted records that the learner finished the activity in the
// course (nil for none), and viewed it if that was not yet recorded. The
// first completion is kept. Quizzes and tests need no call: submitting an
// attempt completes them. A lab is completed with CompleteLab, which also
// sends its completion grade where the lab is graded.
func (s *Store) MarkCompleted(ctx context.Context, userID int64, contextRef *int64,
	activityID string) error {
	if _, err := s.activity(activityID); err != nil {
		return err
	}
	return markCompleted(s.db.WithContext(ctx), userID, contextRef, activityID, now())
}

// markCompleted records a completion at the given time on db, which may be
// a transaction.
func markCompleted(db *gorm.DB, userID int64, contextRef *int64, activityID string,
	at time.Time) error {
	err := db.Exec("INSERT INTO progress "+
		"(user_id, context_ref, activity_id, viewed_at, completed_at) VALUES (?, ?, ?, ?, ?) "+
		"ON CONFLICT (user_id, context_ref, activity_id) DO UPDATE "+
		"SET completed_at = COALESCE(progress.completed_at, excluded.completed_at)",
		userID, refKey(contextRef), activityID, at, at).Error
	if err != nil {
		return fmt.Errorf("record completion: %w", err)
	}
	return nil
}

// Progress returns the learner's progress in the course (nil for none) by
// activity id; an activity never opened is missing from the map.
func (s *Store) Progress(ctx context.Context, userID int64,
	contextRef *int64) (map[string]Progress, error) {
	var rows []progressRow
	err := s.db.WithContext(ctx).Where("user_id = ? AND context_ref = ?",
		userID, refKey(contextRef)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load progress: %w", err)
	}
	out := make(map[string]Progress, len(rows))
	for _, r := range rows {
		out[r.ActivityID] = Progress{Viewed: true, Completed: r.CompletedAt != nil}
	}
	return out, nil
}
