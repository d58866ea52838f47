// Package session keeps what a launch established (who, in which course, from
// which link, with which services) and hands the browser a signed, short-lived
// token for it.
//
// Sessions do not use cookies: inside an LMS iframe, third-party cookies are
// often blocked. The token travels in the path of every link and in every form
// instead, and is re-issued on each page, so it slides forward while the person
// works but never past the session's absolute end.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"aesop/lti"
)

// Lifetimes of tokens and sessions.
const (
	// TokenTTL is how long one token is accepted after it was issued.
	TokenTTL = 2 * time.Hour
	// MaxAge is how long a session lasts from its launch, however active.
	MaxAge = 12 * time.Hour
)

// ErrInvalid reports a token that was altered or not made by this tool.
var ErrInvalid = errors.New("session token is not valid")

// ErrExpired reports a token or session past its end.
var ErrExpired = errors.New("session expired")

// Session is one launch's session.
type Session struct {
	ID              string `gorm:"primaryKey"`
	PlatformID      int64
	DeploymentID    string `gorm:"column:deployment_id"`
	UserID          int64
	ContextRef      *int64
	ResourceLinkRef *int64
	Role            lti.Role
	MessageType     string
	TargetLinkURI   string `gorm:"column:target_link_uri"`
	// LaunchJSON is the validated launch, for the services and settings it
	// carried (deep linking return, grade and roster endpoints).
	LaunchJSON string `gorm:"column:launch"`
	CreatedAt  time.Time
	ExpiresAt  time.Time

	// launch is the launch itself while the session is remembered by the
	// instance that created it, so that its first page need not decode it.
	launch *lti.Launch
}

// TableName maps Session to its table.
func (Session) TableName() string { return "sessions" }

// Launch decodes the launch stored with the session. For RecentTTL after a
// launch, the instance that served it returns the launch it validated
// instead, shared by the requests of the session: callers must not change it.
func (s *Session) Launch() (*lti.Launch, error) {
	if s.launch != nil {
		return s.launch, nil
	}
	var l lti.Launch
	if err := json.Unmarshal([]byte(s.LaunchJSON), &l); err != nil {
		return nil, fmt.Errorf("decode stored launch: %w", err)
	}
	return &l, nil
}

// IsStaff reports whether the session may see instructor pages.
func (s *Session) IsStaff() bool {
	return s.Role == lti.RoleInstructor || s.Role == lti.RoleAdministrator
}

// Store creates and checks sessions.
type Store struct {
	db     *gorm.DB
	secret []byte
	now    func() time.Time
	recent recent
}

// Open returns a Store whose signing secret is shared by every instance
// through the database; the first instance to start makes it.
func Open(ctx context.Context, db *gorm.DB) (*Store, error) {
	secret, err := sharedSecret(ctx, db, "session_hmac")
	if err != nil {
		return nil, err
	}
	return &Store{db: db, secret: secret, now: func() time.Time { return time.Now().UTC() }}, nil
}

type appSecret struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	CreatedAt time.Time
}

func (appSecret) TableName() string { return "app_secrets" }

func sharedSecret(ctx context.Context, db *gorm.DB, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make secret: %w", err)
	}
	row := appSecret{Name: name, Value: base64.RawStdEncoding.EncodeToString(b),
		CreatedAt: time.Now().UTC()}
	// Instances starting together race here; the first insert wins and the
	// others read its value.
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("store %s secret: %w", name, err)
	}
	var stored appSecret
	if err := db.WithContext(ctx).Take(&stored, "name = ?", name).Error; err != nil {
		return nil, fmt.Errorf("load %s secret: %w", name, err)
	}
	return base64.RawStdEncoding.DecodeString(stored.Value)
}

// Create stores a session for a validated launch and returns it.
func (s *Store) Create(ctx context.Context, sess *Session, l *lti.Launch) error {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("make session id: %w", err)
	}
	launch, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode launch: %w", err)
	}
	now := s.now()
	sess.ID = base64.RawURLEncoding.EncodeToString(b)
	sess.LaunchJSON = string(launch)
	sess.CreatedAt, sess.ExpiresAt = now, now.Add(MaxAge)
	err = s.db.WithContext(ctx).Exec("INSERT INTO sessions ("+sessionColumns+") "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sess.ID, sess.PlatformID,
		sess.DeploymentID, sess.UserID, sess.ContextRef, sess.ResourceLinkRef,
		string(sess.Role), sess.MessageType, sess.TargetLinkURI, sess.LaunchJSON,
		sess.CreatedAt, sess.ExpiresAt).Error
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	sess.launch = l
	s.recent.put(sess, now)
	return nil
}

// sessionColumns are the columns of a session, in the order Create writes
// them and load reads them. Every launch and every page reads or writes one,
// so they are listed by hand rather than found by gorm's reflection.
const sessionColumns = "id, platform_id, deployment_id, user_id, context_ref, " +
	"resource_link_ref, role, message_type, target_link_uri, launch, created_at, expires_at"

// load reads the session with id; sql.ErrNoRows when there is none.
func (s *Store) load(ctx context.Context, id string) (*Session, error) {
	var sess Session
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+sessionColumns+" FROM sessions "+
		"WHERE id = ?", id).Rows()
	err = scanOne(rows, err, &sess.ID, &sess.PlatformID, &sess.DeploymentID, &sess.UserID,
		&sess.ContextRef, &sess.ResourceLinkRef, &sess.Role, &sess.MessageType,
		&sess.TargetLinkURI, &sess.LaunchJSON, &sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// Token returns a fresh token for the session.
func (s *Store) Token(sess *Session) string {
	exp := s.now().Add(TokenTTL)
	if exp.After(sess.ExpiresAt) {
		exp = sess.ExpiresAt
	}
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(exp.Unix()))
	payload := sess.ID + "." + base64.RawURLEncoding.EncodeToString(ts[:])
	return payload + "." + s.sign("token", payload)
}

func (s *Store) sign(purpose, payload string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:20])
}

// Check verifies a token and returns its session.
func (s *Store) Check(ctx context.Context, token string) (*Session, error) {
	return s.check(ctx, token, false)
}

// CheckSubmission verifies a token posted with a form. The token may be past
// its own expiry as long as its session lasts: a learner who spent three hours
// on a page must not lose what they submit from it.
func (s *Store) CheckSubmission(ctx context.Context, token string) (*Session, error) {
	return s.check(ctx, token, true)
}

func (s *Store) check(ctx context.Context, token string, anyAge bool) (*Session, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, ErrInvalid
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(s.sign("token", payload))) {
		return nil, ErrInvalid
	}
	ts, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(ts) != 8 {
		return nil, ErrInvalid
	}
	if !anyAge && s.now().Unix() > int64(binary.BigEndian.Uint64(ts)) {
		return nil, ErrExpired
	}
	sess, ok := s.recent.get(parts[0], s.now())
	if !ok {
		sess, err = s.load(ctx, parts[0])
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, ErrExpired
	}
	return sess, nil
}

// CSRF returns the anti-forgery value for forms of a session. The session
// token in the form already cannot be guessed by another site; this second
// value keeps forms safe even if a token leaks through a shared link.
func (s *Store) CSRF(sess *Session) string {
	return s.sign("csrf", sess.ID)
}

// CheckCSRF reports whether v is the session's anti-forgery value.
func (s *Store) CheckCSRF(sess *Session, v string) bool {
	return v != "" && hmac.Equal([]byte(v), []byte(s.CSRF(sess)))
}

// Cleanup deletes sessions past their end.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.now()).Delete(&Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
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
