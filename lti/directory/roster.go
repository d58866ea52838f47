package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"aesop/lti"
)

// Member is a person of a course as the instructor's pages list them: from
// launches, from the LMS roster, or both.
type Member struct {
	// UserID is 0 for a roster member who never launched the tool.
	UserID   int64
	Sub      string
	Name     string
	Email    string
	Role     string
	Launched bool
	// Status is the roster's membership status ("Active", "Inactive"), "" when
	// known only from launches.
	Status string
}

// RosterMember is one member of a course as the LMS's Names and Role
// Provisioning Service lists them.
type RosterMember struct {
	Sub    string
	Name   string
	Email  string
	Roles  []string
	Status string
}

type rosterRow struct {
	ContextRef int64  `gorm:"primaryKey"`
	Sub        string `gorm:"primaryKey"`
	Name       string
	Email      string
	Roles      string
	Status     string
	FetchedAt  time.Time
}

func (rosterRow) TableName() string { return "roster" }

// SaveRoster replaces the cached roster of a course.
func (s *Store) SaveRoster(ctx context.Context, contextRef int64, members []RosterMember) error {
	now := time.Now().UTC()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("context_ref = ?", contextRef).Delete(&rosterRow{}).Error; err != nil {
			return fmt.Errorf("clear roster: %w", err)
		}
		rows := make([]rosterRow, 0, len(members))
		seen := map[string]bool{}
		for _, m := range members {
			if m.Sub == "" || seen[m.Sub] {
				continue
			}
			seen[m.Sub] = true
			rows = append(rows, rosterRow{ContextRef: contextRef, Sub: m.Sub, Name: m.Name,
				Email: m.Email, Roles: strings.Join(m.Roles, " "), Status: m.Status,
				FetchedAt: now})
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return fmt.Errorf("store roster: %w", err)
		}
		return nil
	})
}

// RosterAge returns when the course's roster was last fetched; zero if never.
func (s *Store) RosterAge(ctx context.Context, contextRef int64) (time.Time, error) {
	var row rosterRow
	err := s.db.WithContext(ctx).Where("context_ref = ?", contextRef).
		Order("fetched_at DESC").Limit(1).Find(&row).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("read roster age: %w", err)
	}
	return row.FetchedAt, nil
}

// Members lists a course's people: everyone who launched, with their role,
// and everyone on the cached LMS roster, so instructors also see learners who
// never opened the activity.
func (s *Store) Members(ctx context.Context, contextRef int64) ([]Member, error) {
	db := s.db.WithContext(ctx)
	var launched []struct {
		UserID int64
		Sub    string
		Name   string
		Email  string
		Role   string
		Given  string
		Family string
	}
	err := db.Table("memberships m").Select("u.id AS user_id, u.sub, u.name, u.email, "+
		"m.role, u.given_name AS given, u.family_name AS family").
		Joins("JOIN users u ON u.id = m.user_id").Where("m.context_ref = ?", contextRef).
		Order("u.id").Scan(&launched).Error
	if err != nil {
		return nil, fmt.Errorf("list course members: %w", err)
	}
	var roster []rosterRow
	if err := db.Where("context_ref = ?", contextRef).Order("name, sub").
		Find(&roster).Error; err != nil {
		return nil, fmt.Errorf("load roster: %w", err)
	}
	out := make([]Member, 0, len(launched)+len(roster))
	bySub := map[string]int{}
	for _, l := range launched {
		name := l.Name
		if name == "" {
			name = strings.TrimSpace(l.Given + " " + l.Family)
		}
		bySub[l.Sub] = len(out)
		out = append(out, Member{UserID: l.UserID, Sub: l.Sub, Name: name, Email: l.Email,
			Role: l.Role, Launched: true})
	}
	for _, r := range roster {
		if i, ok := bySub[r.Sub]; ok {
			out[i].Status = r.Status
			if out[i].Name == "" {
				out[i].Name = r.Name
			}
			continue
		}
		out = append(out, Member{Sub: r.Sub, Name: r.Name, Email: r.Email,
			Role: string(lti.RoleOf(strings.Fields(r.Roles))), Status: r.Status})
	}
	return out, nil
}

// Links lists the resource links placed in a course.
func (s *Store) Links(ctx context.Context, contextRef int64) ([]ResourceLink, error) {
	var links []ResourceLink
	err := s.db.WithContext(ctx).Where("context_ref = ?", contextRef).Order("id").
		Find(&links).Error
	if err != nil {
		return nil, fmt.Errorf("list course links: %w", err)
	}
	return links, nil
}

// Link returns a resource link by id.
func (s *Store) Link(ctx context.Context, id int64) (*ResourceLink, error) {
	var l ResourceLink
	if err := s.db.WithContext(ctx).Take(&l, id).Error; err != nil {
		return nil, fmt.Errorf("load resource link: %w", err)
	}
	return &l, nil
}
