package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/platform"
	"aesop/migrations/dbtest"
)

func TestTokens(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	ps := platform.NewStore(db.DB)
	p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
		AuthURL: "https://lms.example/a", TokenURL: "https://lms.example/t",
		JWKSURL: "https://lms.example/k"}
	ps.Add(ctx, p, "d")
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
	ps := platform.NewStore(db.DB)
	p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
		AuthURL: "https://lms.example/a", TokenURL: "https://lms.example/t",
		JWKSURL: "https://lms.example/k"}
	ps.Add(ctx, p, "d")
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
