package launch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"aesop/lti"
)

// Failure is one refused launch or login, as `aesop launches --failed` lists it.
type Failure struct {
	ID            int64
	At            time.Time
	Issuer        string
	ClientID      string `gorm:"column:client_id"`
	DeploymentID  string `gorm:"column:deployment_id"`
	PlatformID    *int64
	Reason        string
	CheckName     string
	Detail        string
	ClockOffsetMS *int64 `gorm:"column:clock_offset_ms"`
}

// TableName maps Failure to its table.
func (Failure) TableName() string { return "launch_failures" }

// Failures records refused launches.
type Failures struct{ db *gorm.DB }

// NewFailures returns a Failures on db.
func NewFailures(db *gorm.DB) *Failures { return &Failures{db: db} }

// Record stores a refusal.
func (f *Failures) Record(ctx context.Context, r *lti.Refusal, platformID *int64) error {
	row := Failure{At: time.Now().UTC(), Issuer: storable(r.Issuer),
		ClientID: storable(r.ClientID), DeploymentID: storable(r.DeploymentID),
		PlatformID: platformID, Reason: string(r.Reason), CheckName: storable(r.Check),
		Detail: storable(r.Message)}
	if r.ClockOffset != nil {
		ms := r.ClockOffset.Milliseconds()
		row.ClockOffsetMS = &ms
	}
	if err := f.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record refused launch: %w", err)
	}
	return nil
}

// storable makes text PostgreSQL accepts: a refusal may quote what a hostile
// request sent, NUL and invalid UTF-8 included, and must still be recorded.
func storable(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// Recent returns the latest refusals, newest first.
func (f *Failures) Recent(ctx context.Context, limit int) ([]Failure, error) {
	var rows []Failure
	err := f.db.WithContext(ctx).Order("at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list refused launches: %w", err)
	}
	return rows, nil
}

// Prune deletes refusals older than the given age.
func (f *Failures) Prune(ctx context.Context, age time.Duration) error {
	err := f.db.WithContext(ctx).Where("at < ?", time.Now().UTC().Add(-age)).
		Delete(&Failure{}).Error
	if err != nil {
		return fmt.Errorf("prune refused launches: %w", err)
	}
	return nil
}
