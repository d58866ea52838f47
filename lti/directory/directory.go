// Package directory records the people, courses (LTI contexts), resource links
// and course memberships that launches reveal, so that later features (the
// instructor's views, grade delivery) can find them without a launch.
//
// Every launch upserts: a name changed in the LMS is changed here on the next
// launch, and two launches of the same person at once do not make two rows.
package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"aesop/lti"
)

// User is a person on one platform, known by the platform's sub.
type User struct {
	ID         int64
	PlatformID int64
	Sub        string
	Name       string
	GivenName  string
	FamilyName string
	Email      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName maps User to its table.
func (User) TableName() string { return "users" }

// Context is a course on one platform.
type Context struct {
	ID           int64
	PlatformID   int64
	DeploymentID string `gorm:"column:deployment_id"`
	ContextID    string `gorm:"column:context_id"`
	Label        string
	Title        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName maps Context to its table.
func (Context) TableName() string { return "contexts" }

// ResourceLink is one placement of the tool in a course.
type ResourceLink struct {
	ID           int64
	PlatformID   int64
	DeploymentID string `gorm:"column:deployment_id"`
	LinkID       string
	ContextRef   *int64
	Title        string
	Description  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName maps ResourceLink to its table.
func (ResourceLink) TableName() string { return "resource_links" }

// Membership is a person's role in a course.
type Membership struct {
	ContextRef int64 `gorm:"primaryKey"`
	UserID     int64 `gorm:"primaryKey"`
	Role       string
	Roles      string
	UpdatedAt  time.Time
}

// TableName maps Membership to its table.
func (Membership) TableName() string { return "memberships" }

// Recorded is what Record stored for a launch.
type Recorded struct {
	User         User
	Context      *Context
	ResourceLink *ResourceLink
	Role         lti.Role
}

// Store writes and reads the directory.
type Store struct{ db *gorm.DB }

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Record upserts the user, context, resource link and membership of a launch.
func (s *Store) Record(ctx context.Context, platformID int64, l *lti.Launch) (*Recorded, error) {
	now := time.Now().UTC()
	rec := &Recorded{Role: lti.RoleOf(l.Roles)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rec.User = User{PlatformID: platformID, Sub: l.Subject, Name: l.Name,
			GivenName: l.GivenName, FamilyName: l.FamilyName, Email: l.Email,
			CreatedAt: now, UpdatedAt: now}
		err := upsert(tx, &rec.User, []string{"platform_id", "sub"},
			[]string{"name", "given_name", "family_name", "email", "updated_at"})
		if err != nil {
			return fmt.Errorf("upsert user: %w", err)
		}
		if l.Context != nil {
			c := &Context{PlatformID: platformID, DeploymentID: l.DeploymentID,
				ContextID: l.Context.ID, Label: l.Context.Label, Title: l.Context.Title,
				CreatedAt: now, UpdatedAt: now}
			err := upsert(tx, c, []string{"platform_id", "deployment_id", "context_id"},
				[]string{"label", "title", "updated_at"})
			if err != nil {
				return fmt.Errorf("upsert context: %w", err)
			}
			rec.Context = c
			roles, _ := json.Marshal(l.Roles)
			m := &Membership{ContextRef: c.ID, UserID: rec.User.ID, Role: string(rec.Role),
				Roles: string(roles), UpdatedAt: now}
			err = tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "context_ref"}, {Name: "user_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"role", "roles", "updated_at"}),
			}).Create(m).Error
			if err != nil {
				return fmt.Errorf("upsert membership: %w", err)
			}
		}
		if l.ResourceLink != nil {
			rl := &ResourceLink{PlatformID: platformID, DeploymentID: l.DeploymentID,
				LinkID: l.ResourceLink.ID, Title: l.ResourceLink.Title,
				Description: l.ResourceLink.Description, CreatedAt: now, UpdatedAt: now}
			if rec.Context != nil {
				rl.ContextRef = &rec.Context.ID
			}
			err := upsert(tx, rl, []string{"platform_id", "deployment_id", "link_id"},
				[]string{"context_ref", "title", "description", "updated_at"})
			if err != nil {
				return fmt.Errorf("upsert resource link: %w", err)
			}
			rec.ResourceLink = rl
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// upsert inserts row or updates the given columns of the row with the same
// key, and reads back the row's id either way.
func upsert(tx *gorm.DB, row any, key, update []string) error {
	cols := make([]clause.Column, len(key))
	for i, k := range key {
		cols[i] = clause.Column{Name: k}
	}
	return tx.Clauses(clause.OnConflict{Columns: cols,
		DoUpdates: clause.AssignmentColumns(update)},
		clause.Returning{Columns: []clause.Column{{Name: "id"}, {Name: "created_at"}}}).
		Create(row).Error
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, id).Error; err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	return &u, nil
}
