package session

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/platform/platformtest"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestTokens(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	p := platformtest.Add(t, db.DB, "d")
	l := &lti.Launch{Subject: "u", DeploymentID: "d", Issuer: p.Issuer}
	rec, err := directory.NewStore(db.DB).Record(ctx, p.ID, l)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	sess := &Session{PlatformID: p.ID, DeploymentID: "d", UserID: rec.User.ID,
		Role: lti.RoleLearner, MessageType: lti.MessageResourceLink}
	if err := s.Create(ctx, sess, l); err != nil {
		t.Fatal(err)
	}
	tok := s.Token(sess)
	if got, err := s.Check(ctx, tok); err != nil || got.ID != sess.ID {
		t.Fatalf("Check = %v, %v", got, err)
	}
	// Another instance, opening the same database, accepts the token.
	other, _ := Open(ctx, db.DB)
	if _, err := other.Check(ctx, tok); err != nil {
		t.Errorf("second instance refuses the token: %v", err)
	}
	tampered := strings.Replace(tok, sess.ID, strings.Repeat("A", len(sess.ID)), 1)
	for name, bad := range map[string]string{"tampered": tampered, "empty": "",
		"truncated": tok[:len(tok)-3], "garbage": "a.b.c"} {
		if _, err := s.Check(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s token: %v, want ErrInvalid", name, err)
		}
	}
	s.now = func() time.Time { return time.Now().UTC().Add(TokenTTL + time.Minute) }
	if _, err := s.Check(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Errorf("old token: %v, want ErrExpired", err)
	}
	if !s.CheckCSRF(sess, s.CSRF(sess)) || s.CheckCSRF(sess, "x") || s.CheckCSRF(sess, "") {
		t.Error("CSRF check is wrong")
	}
}

func TestSubmissionAfterTokenExpiry(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	p := platformtest.Add(t, db.DB, "d")
	rec, _ := directory.NewStore(db.DB).Record(ctx, p.ID, &lti.Launch{Subject: "u",
		DeploymentID: "d"})
	s, _ := Open(ctx, db.DB)
	sess := &Session{PlatformID: p.ID, DeploymentID: "d", UserID: rec.User.ID,
		Role: lti.RoleLearner, MessageType: lti.MessageResourceLink}
	s.Create(ctx, sess, &lti.Launch{})
	tok := s.Token(sess)
	s.now = func() time.Time { return time.Now().UTC().Add(3 * time.Hour) }
	if _, err := s.Check(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Errorf("page view with a 3-hour-old token: %v, want ErrExpired", err)
	}
	if _, err := s.CheckSubmission(ctx, tok); err != nil {
		t.Errorf("submission with a 3-hour-old token refused: %v", err)
	}
	s.now = func() time.Time { return time.Now().UTC().Add(MaxAge + time.Minute) }
	if _, err := s.CheckSubmission(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Errorf("submission after the session ended: %v, want ErrExpired", err)
	}
}

// TestStoredSession checks that a session reads back as it was created, with
// and without a course and link, on both databases.
func TestStoredSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		p := platformtest.Add(t, db.DB, "d")
		l := &lti.Launch{Subject: "u", DeploymentID: "d", Name: "Ada",
			Roles:        []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"},
			Context:      &lti.Context{ID: "course"},
			ResourceLink: &lti.ResourceLink{ID: "link", Title: "Quiz"},
			Custom:       map[string]string{"graded": "true"},
			AGS:          &lti.AGSEndpoint{LineItems: "https://lms.example/li"},
			IssuedAt:     time.Unix(1700000000, 123456789).UTC(),
			ExpiresAt:    time.Unix(1700000060, 0).UTC()}
		rec, err := directory.NewStore(db.DB).Record(ctx, p.ID, l)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []*Session{
			{PlatformID: p.ID, DeploymentID: "d", UserID: rec.User.ID,
				ContextRef: &rec.Context.ID, ResourceLinkRef: &rec.ResourceLink.ID,
				Role: lti.RoleInstructor, MessageType: lti.MessageResourceLink,
				TargetLinkURI: "https://tool.example/lti/launch"},
			{PlatformID: p.ID, DeploymentID: "d", UserID: rec.User.ID,
				Role: lti.RoleLearner, MessageType: lti.MessageDeepLinking},
		} {
			if err := s.Create(ctx, in, l); err != nil {
				t.Fatal(err)
			}
			// Another instance reads the session from the database.
			other, err := Open(ctx, db.DB)
			if err != nil {
				t.Fatal(err)
			}
			got, err := other.Check(ctx, s.Token(in))
			if err != nil {
				t.Fatal(err)
			}
			mem, err := s.Check(ctx, s.Token(in))
			if err != nil || mem.ID != in.ID {
				t.Fatalf("Check on the instance that created the session = %v, %v", mem, err)
			}
			// The remembered launch and the stored one read the same.
			memLaunch, err1 := mem.Launch()
			dbLaunch, err2 := got.Launch()
			if err1 != nil || err2 != nil || !reflect.DeepEqual(memLaunch, dbLaunch) {
				t.Errorf("remembered launch\n%+v\nstored launch\n%+v (%v, %v)", memLaunch,
					dbLaunch, err1, err2)
			}
			if got.ID != in.ID || got.PlatformID != in.PlatformID ||
				got.DeploymentID != in.DeploymentID || got.UserID != in.UserID ||
				!samePtr(got.ContextRef, in.ContextRef) ||
				!samePtr(got.ResourceLinkRef, in.ResourceLinkRef) || got.Role != in.Role ||
				got.MessageType != in.MessageType || got.TargetLinkURI != in.TargetLinkURI ||
				got.LaunchJSON != in.LaunchJSON || !sameTime(got.CreatedAt, in.CreatedAt) ||
				!sameTime(got.ExpiresAt, in.ExpiresAt) {
				t.Errorf("stored session\n%+v\nreads back as\n%+v", in, got)
			}
			back, err := got.Launch()
			if err != nil || back.Name != "Ada" || back.ResourceLink.Title != "Quiz" {
				t.Errorf("stored launch = %+v, %v", back, err)
			}
		}
	})
}

// sameTime compares times to PostgreSQL's precision, the microsecond.
func sameTime(a, b time.Time) bool {
	d := a.Sub(b)
	return d > -time.Microsecond && d < time.Microsecond
}

func samePtr(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// TestRecentSessions checks what RecentTTL promises: the instance that
// created a session reads it from memory for RecentTTL, and the database
// stays the source of truth for other instances and afterwards.
func TestRecentSessions(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	p := platformtest.Add(t, db.DB, "d")
	rec, _ := directory.NewStore(db.DB).Record(ctx, p.ID, &lti.Launch{Subject: "u",
		DeploymentID: "d"})
	now := time.Now().UTC()
	s, _ := Open(ctx, db.DB)
	s.now = func() time.Time { return now }
	other, _ := Open(ctx, db.DB)
	sess := &Session{PlatformID: p.ID, DeploymentID: "d", UserID: rec.User.ID,
		Role: lti.RoleLearner, MessageType: lti.MessageResourceLink}
	if err := s.Create(ctx, sess, &lti.Launch{}); err != nil {
		t.Fatal(err)
	}
	tok := s.Token(sess)
	got, _ := s.Check(ctx, tok)
	got.Role = lti.RoleInstructor
	if again, _ := s.Check(ctx, tok); again.Role != lti.RoleLearner {
		t.Error("callers share the remembered session")
	}
	if err := db.Exec("DELETE FROM sessions WHERE id = ?", sess.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, tok); err != nil {
		t.Errorf("creating instance, within RecentTTL: %v", err)
	}
	if _, err := other.Check(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Errorf("other instance, deleted session: %v, want ErrExpired", err)
	}
	now = now.Add(RecentTTL)
	if _, err := s.Check(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Errorf("creating instance, after RecentTTL: %v, want ErrExpired", err)
	}
}
