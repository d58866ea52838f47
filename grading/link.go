package grading

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"aesop/content"
)

// Policy says which of a learner's submitted attempts counts as the grade.
type Policy string

// The grade policies an instructor can choose.
const (
	// PolicyBest counts the highest score; of equal scores, the earliest.
	PolicyBest Policy = "best"
	// PolicyLatest counts the most recently submitted attempt.
	PolicyLatest Policy = "latest"
)

// LinkSettings is what an instructor chose for one resource link: the
// activity it serves and how that activity is graded there.
type LinkSettings struct {
	ResourceLinkRef int64
	ActivityID      string
	// Graded is true when scores go to the LMS gradebook. A module test is
	// always graded; a quiz is practice unless set; a graded lab sends its
	// completion, 1 of 1. A lesson is never graded.
	Graded bool
	// ScoreMaximum is the score the gradebook shows for full marks; always 1
	// for a lab.
	ScoreMaximum int
	// MaxAttempts limits the attempts a learner may start; 0 means no limit.
	MaxAttempts int
	Policy      Policy
	// LineItemURL is the gradebook column the LMS made for the link, filled
	// by deep linking or the grade service; "" until known.
	LineItemURL string
	// AGSLineItems and AGSScopes are the grade service the link's launches
	// offered: the line items container and the granted scopes.
	AGSLineItems string
	AGSScopes    []string
	UpdatedAt    time.Time
}

// linkRow is a row of link_settings.
type linkRow struct {
	ResourceLinkRef int64 `gorm:"primaryKey"`
	ActivityID      string
	Graded          bool
	ScoreMaximum    int
	MaxAttempts     int
	GradePolicy     string
	LineItemURL     string `gorm:"column:line_item_url"`
	AGSLineItems    string `gorm:"column:ags_lineitems"`
	AGSScopes       string `gorm:"column:ags_scopes"`
	UpdatedAt       time.Time
}

// TableName maps linkRow to its table.
func (linkRow) TableName() string { return "link_settings" }

// Link returns the settings of a resource link, or ErrLinkNotSet.
func (s *Store) Link(ctx context.Context, linkRef int64) (*LinkSettings, error) {
	ls, err := loadLink(s.db.WithContext(ctx), linkRef)
	if err != nil {
		return nil, err
	}
	if ls == nil {
		return nil, ErrLinkNotSet
	}
	return ls, nil
}

// loadLink reads a link's settings on db, which may be a transaction; it
// returns nil when the link has none.
func loadLink(db *gorm.DB, linkRef int64) (*LinkSettings, error) {
	var row linkRow
	err := db.Take(&row, "resource_link_ref = ?", linkRef).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load link settings: %w", err)
	}
	return row.settings(), nil
}

// settings turns a row into LinkSettings.
func (row *linkRow) settings() *LinkSettings {
	return &LinkSettings{
		ResourceLinkRef: row.ResourceLinkRef, ActivityID: row.ActivityID,
		Graded: row.Graded, ScoreMaximum: row.ScoreMaximum, MaxAttempts: row.MaxAttempts,
		Policy: Policy(row.GradePolicy), LineItemURL: row.LineItemURL,
		AGSLineItems: row.AGSLineItems, AGSScopes: scopeList(row.AGSScopes),
		UpdatedAt: row.UpdatedAt.UTC(),
	}
}

// scopeList splits stored scopes; none is nil.
func scopeList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

// SetLink stores the settings of a resource link, replacing any before,
// after checking them and filling in defaults: the best-attempt policy, a
// module test always graded, and a score maximum of one point per question,
// or of 1 for a lab, whose grade is its completion.
// An empty LineItemURL keeps the one stored, so that saving the settings
// form never loses the gradebook column the LMS made.
func (s *Store) SetLink(ctx context.Context, ls LinkSettings) error {
	row, err := s.linkRow(ls)
	if err != nil {
		return err
	}
	keep := gorm.Expr("CASE WHEN excluded.line_item_url = '' " +
		"THEN link_settings.line_item_url ELSE excluded.line_item_url END")
	set := append(clause.AssignmentColumns([]string{"activity_id", "graded",
		"score_maximum", "max_attempts", "grade_policy", "updated_at"}),
		clause.Assignment{Column: clause.Column{Name: "line_item_url"}, Value: keep})
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "resource_link_ref"}},
		DoUpdates: set,
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store link settings: %w", err)
	}
	return nil
}

// linkRow checks ls against the pack and returns the row to store, with
// the defaults filled in.
func (s *Store) linkRow(ls LinkSettings) (linkRow, error) {
	a, err := s.activity(ls.ActivityID)
	if err != nil {
		return linkRow{}, err
	}
	switch {
	case ls.ResourceLinkRef <= 0:
		return linkRow{}, fmt.Errorf("%w: no resource link", ErrInvalidSettings)
	case ls.MaxAttempts < 0:
		return linkRow{}, fmt.Errorf("%w: negative maximum attempts", ErrInvalidSettings)
	case ls.ScoreMaximum < 0:
		return linkRow{}, fmt.Errorf("%w: negative score maximum", ErrInvalidSettings)
	}
	switch ls.Policy {
	case "":
		ls.Policy = PolicyBest
	case PolicyBest, PolicyLatest:
	default:
		return linkRow{}, fmt.Errorf("%w: unknown grade policy %q", ErrInvalidSettings, ls.Policy)
	}
	if a.Kind == content.KindTest {
		ls.Graded = true
	}
	switch {
	case a.Lab != nil:
		ls.ScoreMaximum = completionMaximum
	case a.Quiz == nil && ls.Graded:
		return linkRow{}, fmt.Errorf("%w: a %s has no score to grade", ErrInvalidSettings, a.Kind)
	case a.Quiz != nil && ls.ScoreMaximum == 0:
		ls.ScoreMaximum = len(a.Quiz.Questions)
	}
	return linkRow{
		ResourceLinkRef: ls.ResourceLinkRef, ActivityID: ls.ActivityID, Graded: ls.Graded,
		ScoreMaximum: ls.ScoreMaximum, MaxAttempts: ls.MaxAttempts,
		GradePolicy: string(ls.Policy), LineItemURL: ls.LineItemURL, UpdatedAt: now(),
	}, nil
}

// ColumnLabel is the label of an activity's gradebook column: its title,
// and for a lab, whose grade is only whether it was completed, a word that
// says so, so that nobody reads 1 of 1 as a mark for the work.
func ColumnLabel(a *content.Activity) string {
	if a.Lab != nil {
		return a.Title + " (completion)"
	}
	return a.Title
}

// settingsFor returns the settings that govern an activity through a link:
// the link's own when they name that activity, and otherwise none, which
// means no attempt limit and the best-attempt policy.
func settingsFor(db *gorm.DB, linkRef *int64, activityID string) (*LinkSettings, error) {
	if linkRef == nil {
		return nil, nil
	}
	ls, err := loadLink(db, *linkRef)
	if err != nil || ls == nil || ls.ActivityID != activityID {
		return nil, err
	}
	return ls, nil
}
