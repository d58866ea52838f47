package grading

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// sentRow records what the tool last delivered for a learner and link.
type sentRow struct {
	ResourceLinkRef int64 `gorm:"primaryKey"`
	UserID          int64 `gorm:"primaryKey"`
	SentScore       float64
	SentMaximum     float64
	SentScoreAt     time.Time
	DeliveredAt     time.Time
	LMSScore        *float64   `gorm:"column:lms_score"`
	LMSCheckedAt    *time.Time `gorm:"column:lms_checked_at"`
}

func (sentRow) TableName() string { return "grade_sync" }

// lastSent returns what was last delivered for a learner on a link, or nil.
func (s *Store) lastSent(ctx context.Context, linkRef, userID int64) (*sentRow, error) {
	var r sentRow
	err := s.db.WithContext(ctx).Take(&r, "resource_link_ref = ? AND user_id = ?", linkRef,
		userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load last sent grade: %w", err)
	}
	return &r, nil
}

// unconfirmed returns the scores of e's learner and link that the tool posted,
// or was posting, after its last confirmed delivery at after, with e's own:
// any of them may be in the LMS without the tool knowing. An entry was posted
// when it was tried, or is still leased by a worker that may have died.
func (s *Store) unconfirmed(ctx context.Context, e *Entry, after time.Time) ([]Entry, error) {
	var es []Entry
	err := s.db.WithContext(ctx).Select("score_given", "score_maximum").
		Where("resource_link_ref = ? AND user_id = ? AND score_at > ? AND "+
			"(tries > 0 OR lease_owner <> '' OR id = ?)", e.ResourceLinkRef, e.UserID, after,
			e.ID).Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("load unconfirmed scores: %w", err)
	}
	return es, nil
}

// recordSent keeps what was delivered and what the LMS showed after.
func (s *Store) recordSent(ctx context.Context, e *Entry, lms *float64) error {
	t := now()
	r := sentRow{ResourceLinkRef: e.ResourceLinkRef, UserID: e.UserID, SentScore: e.ScoreGiven,
		SentMaximum: e.ScoreMaximum, SentScoreAt: e.ScoreAt, DeliveredAt: t, LMSScore: lms}
	if lms != nil {
		r.LMSCheckedAt = &t
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "resource_link_ref"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"sent_score", "sent_maximum",
			"sent_score_at", "delivered_at", "lms_score", "lms_checked_at"}),
	}).Create(&r).Error
	if err != nil {
		return fmt.Errorf("record sent grade: %w", err)
	}
	return nil
}

// clearLineItem forgets a link's line item that the LMS deleted.
func (s *Store) clearLineItem(ctx context.Context, linkRef int64) error {
	return s.db.WithContext(ctx).Exec("UPDATE link_settings SET line_item_url = '' "+
		"WHERE resource_link_ref = ?", linkRef).Error
}

// label is the label of an activity's gradebook column; see ColumnLabel.
func (s *Store) label(activityID string) string {
	if a, ok := s.pack.Activity(activityID); ok {
		return ColumnLabel(a)
	}
	return activityID
}

// tryLease takes a named lease in worker_leases for ttl, or renews one this
// owner holds; it reports whether the owner holds it.
func (s *Store) tryLease(ctx context.Context, name, owner string, ttl time.Duration) (bool,
	error) {
	return tryLease(s.db.WithContext(ctx), name, owner, ttl)
}

func tryLease(db *gorm.DB, name, owner string, ttl time.Duration) (bool, error) {
	t := now()
	err := db.Exec("INSERT INTO worker_leases (name, owner, until) VALUES (?, ?, ?) "+
		"ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "+
		"WHERE worker_leases.owner = excluded.owner OR worker_leases.until < ?",
		name, owner, t.Add(ttl), t).Error
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	var holder string
	if err := db.Raw("SELECT owner FROM worker_leases WHERE name = ?", name).
		Scan(&holder).Error; err != nil {
		return false, fmt.Errorf("read lease %s: %w", name, err)
	}
	return holder == owner, nil
}

// releaseLease gives a lease up.
func (s *Store) releaseLease(ctx context.Context, name, owner string) {
	s.db.WithContext(ctx).Exec("DELETE FROM worker_leases WHERE name = ? AND owner = ?",
		name, owner)
}
