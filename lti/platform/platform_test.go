package platform

import (
	"context"
	"errors"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func testPlatform() *Platform {
	return &Platform{Issuer: "https://moodle.example.edu", ClientID: "abc",
		AuthURL:  "https://moodle.example.edu/mod/lti/auth.php",
		TokenURL: "https://moodle.example.edu/mod/lti/token.php",
		JWKSURL:  "https://moodle.example.edu/mod/lti/certs.php"}
}

func TestStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		s := NewStore(db.DB)
		p := testPlatform()
		if err := s.Add(ctx, p, "1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(ctx, testPlatform()); !errors.Is(err, ErrExists) {
			t.Errorf("second Add = %v, want ErrExists", err)
		}
		got, err := s.Find(ctx, p.Issuer, "abc")
		if err != nil || got.ID != p.ID {
			t.Fatalf("Find = %v, %v", got, err)
		}
		if _, err := s.Find(ctx, p.Issuer, "other"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Find unknown = %v", err)
		}
		if _, err := s.CheckDeployment(ctx, got, "1"); err != nil {
			t.Errorf("registered deployment refused: %v", err)
		}
		if _, err := s.CheckDeployment(ctx, got, "2"); !errors.Is(err, ErrUnknownDeployment) {
			t.Errorf("unknown deployment = %v", err)
		}
		s.SetRecordNewDeployments(ctx, got.ID, true)
		got, _ = s.Get(ctx, got.ID)
		if rec, err := s.CheckDeployment(ctx, got, "2"); err != nil || !rec {
			t.Errorf("new deployment not recorded: %v, %v", rec, err)
		}
		ds, _ := s.Deployments(ctx, got.ID)
		if len(ds) != 2 || !ds[1].AutoRecorded {
			t.Errorf("deployments = %+v", ds)
		}
		if err := s.Remove(ctx, got.ID); err != nil {
			t.Fatal(err)
		}
		if ds, _ := s.Deployments(ctx, got.ID); len(ds) != 0 {
			t.Errorf("deployments survive their platform: %+v", ds)
		}
	})
}

func TestValidateRequiresHTTPS(t *testing.T) {
	p := testPlatform()
	p.JWKSURL = "http://moodle.example.edu/certs"
	if err := p.Validate(); err == nil {
		t.Error("plain http JWKS URL accepted for a public host")
	}
	p.JWKSURL = "http://localhost:8081/jwks"
	if err := p.Validate(); err != nil {
		t.Errorf("localhost refused: %v", err)
	}
	p.JWKSURL = "http://localhost.evil.example/jwks"
	if err := p.Validate(); err == nil {
		t.Error("localhost-prefixed public host accepted")
	}
}

func TestRegistrationToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		s := NewStore(db.DB)
		tok, _, err := s.NewRegistrationToken(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ClaimRegistrationToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.ClaimRegistrationToken(ctx, tok); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("second claim = %v, want ErrLinkUsed", err)
		}
		s.ReleaseRegistrationToken(ctx, tok)
		if err := s.ClaimRegistrationToken(ctx, tok); err != nil {
			t.Errorf("claim after release = %v", err)
		}
		if err := s.ClaimRegistrationToken(ctx, "nope"); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("unknown = %v", err)
		}
		old, _, _ := s.NewRegistrationToken(ctx, -time.Minute)
		if err := s.ClaimRegistrationToken(ctx, old); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("expired = %v", err)
		}
	})
}

// TestCache checks what CacheTTL promises: changes made through a Store are
// seen at once, and changes made by another instance within CacheTTL.
func TestCache(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		now := time.Now().UTC()
		s, other := NewStore(db.DB), NewStore(db.DB)
		s.now = func() time.Time { return now }
		p := testPlatform()
		if err := s.Add(ctx, p, "1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Find(ctx, p.Issuer, p.ClientID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckDeployment(ctx, p, "1"); err != nil {
			t.Fatal(err)
		}

		if err := other.SetRecordNewDeployments(ctx, p.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, p.ID); got.RecordNewDeployments {
			t.Error("another instance's change seen before CacheTTL")
		}
		now = now.Add(CacheTTL + time.Second)
		if got, _ := s.Get(ctx, p.ID); !got.RecordNewDeployments {
			t.Error("another instance's change not seen after CacheTTL")
		}
		if err := s.SetRecordNewDeployments(ctx, p.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, p.ID); got.RecordNewDeployments {
			t.Error("own change not seen at once")
		}

		got, _ := s.Get(ctx, p.ID)
		got.Name = "changed by a caller"
		if again, _ := s.Get(ctx, p.ID); again.Name == got.Name {
			t.Error("callers share the cached platform")
		}

		if _, err := s.CheckDeployment(ctx, p, "1"); err != nil {
			t.Fatal(err)
		}
		if err := other.Remove(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Find(ctx, p.Issuer, p.ClientID); err != nil {
			t.Errorf("platform removed elsewhere gone before CacheTTL: %v", err)
		}
		if _, err := s.CheckDeployment(ctx, p, "1"); err != nil {
			t.Errorf("deployment gone before CacheTTL: %v", err)
		}
		if _, err := s.Refresh(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Refresh of a removed platform = %v, want ErrNotFound", err)
		}
		now = now.Add(CacheTTL + time.Second)
		if _, err := s.Find(ctx, p.Issuer, p.ClientID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Find after CacheTTL = %v, want ErrNotFound", err)
		}
		if _, err := s.CheckDeployment(ctx, p, "1"); !errors.Is(err, ErrUnknownDeployment) {
			t.Errorf("CheckDeployment after CacheTTL = %v, want ErrUnknownDeployment", err)
		}

		q := testPlatform()
		if err := s.Add(ctx, q); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Find(ctx, q.Issuer, q.ClientID); err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(ctx, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Find(ctx, q.Issuer, q.ClientID); !errors.Is(err, ErrNotFound) {
			t.Errorf("own removal not seen at once: %v", err)
		}
	})
}
