// Package directory records the people, courses (LTI contexts), resource links
// and course memberships that launches reveal, so that later features (the
// instructor's views, grade delivery) can find them without a launch.
//
// A launch writes what changed since the person's last launch: a name changed
// in the LMS is changed here on the next launch, and two launches of the same
// person at once do not make two rows. A row's updated_at is when it last
// changed, not when it was last launched.
package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

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

// Recorded is what Record stored for a launch. Its rows hold the launch's
// values and their ids; CreatedAt and UpdatedAt are set only on the rows the
// launch wrote.
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

// Record stores the user, context, resource link and membership of a launch.
// Most launches repeat an earlier one unchanged, so it first reads all four
// in one statement and then writes, in one transaction, only the rows that
// are missing or differ. Each write is an upsert, so launches racing to write
// the same row still make one row, holding one of theirs.
func (s *Store) Record(ctx context.Context, platformID int64, l *lti.Launch) (*Recorded, error) {
	now := time.Now().UTC()
	rec := launched(platformID, l)
	roles, _ := json.Marshal(l.Roles)
	cur, err := s.current(ctx, platformID, l)
	if err != nil {
		return nil, err
	}
	w := cur.compare(rec, string(roles))
	if !w.any() {
		return rec, nil
	}
	err = unprepared(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		return w.write(tx, rec, string(roles), now)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// unprepared returns a session of db whose statements bypass gorm's prepared
// statements. Inside a transaction those are prepared again on its connection
// and closed when it ends, which costs PostgreSQL two more round trips for
// each statement the transaction runs once.
func unprepared(ctx context.Context, db *gorm.DB) *gorm.DB {
	tx := db.WithContext(ctx)
	if p, ok := tx.Statement.ConnPool.(*gorm.PreparedStmtDB); ok {
		tx.Statement.ConnPool = p.ConnPool
	}
	return tx
}

// launched returns the rows a launch describes, without ids.
func launched(platformID int64, l *lti.Launch) *Recorded {
	rec := &Recorded{Role: lti.RoleOf(l.Roles)}
	rec.User = User{PlatformID: platformID, Sub: l.Subject, Name: l.Name,
		GivenName: l.GivenName, FamilyName: l.FamilyName, Email: l.Email}
	if l.Context != nil {
		rec.Context = &Context{PlatformID: platformID, DeploymentID: l.DeploymentID,
			ContextID: l.Context.ID, Label: l.Context.Label, Title: l.Context.Title}
	}
	if l.ResourceLink != nil {
		rec.ResourceLink = &ResourceLink{PlatformID: platformID, DeploymentID: l.DeploymentID,
			LinkID: l.ResourceLink.ID, Title: l.ResourceLink.Title,
			Description: l.ResourceLink.Description}
		if rec.Context != nil {
			// The context's id is known once it is read or written.
			rec.ResourceLink.ContextRef = &rec.Context.ID
		}
	}
	return rec
}

// stored is what the directory holds for a launch's user, context,
// membership and resource link; a missing row reads as NULL.
type stored struct {
	userID                             sql.NullInt64
	name, givenName, familyName, email sql.NullString
	contextID                          sql.NullInt64
	label, title                       sql.NullString
	role, roles                        sql.NullString
	linkID, linkContext                sql.NullInt64
	linkTitle, linkDescription         sql.NullString
}

// currentSQL reads a launch's four rows at once, each NULL when missing: a
// new learner in a known course finds the course and its link. The launch's
// keys come in once, as a row of their own; SQLite plans that form in two
// thirds of the time it takes with the parameters repeated in each join.
const currentSQL = `SELECT u.id, u.name, u.given_name, u.family_name, u.email,
	c.id, c.label, c.title, m.role, m.roles,
	r.id, r.context_ref, r.title, r.description
FROM (SELECT CAST(? AS BIGINT) AS platform, ? AS sub, ? AS deployment, ? AS context, ? AS link) AS l
LEFT JOIN users u ON u.platform_id = l.platform AND u.sub = l.sub
LEFT JOIN contexts c ON c.platform_id = l.platform AND c.deployment_id = l.deployment
	AND c.context_id = l.context
LEFT JOIN memberships m ON m.context_ref = c.id AND m.user_id = u.id
LEFT JOIN resource_links r ON r.platform_id = l.platform
	AND r.deployment_id = l.deployment AND r.link_id = l.link`

func (s *Store) current(ctx context.Context, platformID int64, l *lti.Launch) (*stored, error) {
	var contextID, linkID string
	if l.Context != nil {
		contextID = l.Context.ID
	}
	if l.ResourceLink != nil {
		linkID = l.ResourceLink.ID
	}
	var st stored
	rows, err := s.db.WithContext(ctx).Raw(currentSQL, platformID, l.Subject, l.DeploymentID,
		contextID, linkID).Rows()
	err = scanOne(rows, err, &st.userID, &st.name, &st.givenName, &st.familyName, &st.email,
		&st.contextID, &st.label, &st.title, &st.role, &st.roles,
		&st.linkID, &st.linkContext, &st.linkTitle, &st.linkDescription)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	return &st, nil
}

// writes says which of a launch's rows are missing or differ.
type writes struct{ user, context, membership, link bool }

func (w writes) any() bool { return w.user || w.context || w.membership || w.link }

// compare sets the ids of the rows that are stored as the launch has them,
// and reports the others.
func (st *stored) compare(rec *Recorded, roles string) writes {
	var w writes
	u := &rec.User
	if st.userID.Valid && st.name.String == u.Name && st.givenName.String == u.GivenName &&
		st.familyName.String == u.FamilyName && st.email.String == u.Email {
		u.ID = st.userID.Int64
	} else {
		w.user = true
	}
	if c := rec.Context; c != nil {
		if st.contextID.Valid && st.label.String == c.Label && st.title.String == c.Title {
			c.ID = st.contextID.Int64
		} else {
			w.context = true
		}
		// A membership is missing when its user or context is.
		w.membership = !st.role.Valid || st.role.String != string(rec.Role) ||
			st.roles.String != roles
	}
	if rl := rec.ResourceLink; rl != nil {
		sameCourse := !st.linkContext.Valid
		if rec.Context != nil {
			sameCourse = st.linkContext.Valid && st.linkContext == st.contextID
		}
		if st.linkID.Valid && sameCourse && st.linkTitle.String == rl.Title &&
			st.linkDescription.String == rl.Description {
			rl.ID = st.linkID.Int64
		} else {
			w.link = true
		}
	}
	return w
}

// Upserts of a launch's rows, each reading back the row's id and created_at
// whether it inserted or updated.
const (
	upsertUser = `INSERT INTO users (platform_id, sub, name, given_name, family_name,
	email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (platform_id, sub) DO UPDATE SET name = excluded.name,
	given_name = excluded.given_name, family_name = excluded.family_name,
	email = excluded.email, updated_at = excluded.updated_at
RETURNING id, created_at`
	upsertContext = `INSERT INTO contexts (platform_id, deployment_id, context_id, label,
	title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (platform_id, deployment_id, context_id) DO UPDATE SET
	label = excluded.label, title = excluded.title, updated_at = excluded.updated_at
RETURNING id, created_at`
	upsertLink = `INSERT INTO resource_links (platform_id, deployment_id, link_id,
	context_ref, title, description, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (platform_id, deployment_id, link_id) DO UPDATE SET
	context_ref = excluded.context_ref, title = excluded.title,
	description = excluded.description, updated_at = excluded.updated_at
RETURNING id, created_at`
	upsertMembership = `INSERT INTO memberships (context_ref, user_id, role, roles,
	updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (context_ref, user_id) DO UPDATE SET role = excluded.role,
	roles = excluded.roles, updated_at = excluded.updated_at`
)

// write upserts the rows w names, in order, so that a membership and a link
// know the ids of the user and the context they refer to.
func (w writes) write(tx *gorm.DB, rec *Recorded, roles string, now time.Time) error {
	if u := &rec.User; w.user {
		u.UpdatedAt = now
		rows, err := tx.Raw(upsertUser, u.PlatformID, u.Sub, u.Name, u.GivenName,
			u.FamilyName, u.Email, now, now).Rows()
		if err := scanOne(rows, err, &u.ID, &u.CreatedAt); err != nil {
			return fmt.Errorf("upsert user: %w", err)
		}
	}
	if c := rec.Context; w.context {
		c.UpdatedAt = now
		rows, err := tx.Raw(upsertContext, c.PlatformID, c.DeploymentID, c.ContextID,
			c.Label, c.Title, now, now).Rows()
		if err := scanOne(rows, err, &c.ID, &c.CreatedAt); err != nil {
			return fmt.Errorf("upsert context: %w", err)
		}
	}
	if w.membership {
		err := tx.Exec(upsertMembership, rec.Context.ID, rec.User.ID, string(rec.Role), roles,
			now).Error
		if err != nil {
			return fmt.Errorf("upsert membership: %w", err)
		}
	}
	if rl := rec.ResourceLink; w.link {
		rl.UpdatedAt = now
		rows, err := tx.Raw(upsertLink, rl.PlatformID, rl.DeploymentID, rl.LinkID,
			rl.ContextRef, rl.Title, rl.Description, now, now).Rows()
		if err := scanOne(rows, err, &rl.ID, &rl.CreatedAt); err != nil {
			return fmt.Errorf("upsert resource link: %w", err)
		}
	}
	return nil
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, id).Error; err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	return &u, nil
}

// scanOne reads the one row of rows into dest, and sql.ErrNoRows when there
// is none. gorm's Row loses the error of a statement that could not be
// prepared, and its Scan then panics, so queries go through Rows.
func scanOne(rows *sql.Rows, err error, dest ...any) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
