package keys

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestEnsureSignRotate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		s, err := New(db.DB, "a secret of sufficient length")
		if err != nil {
			t.Fatal(err)
		}
		if created, err := s.Ensure(ctx); err != nil || !created {
			t.Fatalf("Ensure = %v, %v; want a new key", created, err)
		}
		if created, _ := s.Ensure(ctx); created {
			t.Fatal("second Ensure made another key")
		}
		var stored row
		db.Take(&stored)
		if !strings.HasPrefix(stored.PrivateKey, sealedPrefix) {
			t.Errorf("private key stored unencrypted: %.30s…", stored.PrivateKey)
		}

		first, err := s.Active(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := first.Private.N.BitLen(); n < 2048 {
			t.Errorf("key has %d bits", n)
		}
		signed, err := s.Sign(ctx, jwt.New())
		if err != nil {
			t.Fatal(err)
		}
		set, err := s.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jwt.Parse([]byte(signed), jwt.WithKeySet(set)); err != nil {
			t.Errorf("token does not verify against the JWKS: %v", err)
		}

		newKID, err := s.Rotate(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := s.Active(ctx)
		if now.KID != newKID || newKID == first.KID {
			t.Errorf("active kid %s after rotate, want new %s", now.KID, newKID)
		}
		set, _ = s.JWKS(ctx)
		if set.Len() != 2 {
			t.Errorf("JWKS has %d keys during grace, want 2", set.Len())
		}
		// An old token still verifies during the grace period.
		if _, err := jwt.Parse([]byte(signed), jwt.WithKeySet(set)); err != nil {
			t.Errorf("old token no longer verifies: %v", err)
		}
		s.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		set, _ = s.JWKS(ctx)
		if set.Len() != 1 {
			t.Errorf("JWKS has %d keys after grace, want 1", set.Len())
		}
	})
}

func TestJWKSHasPublicPartsOnly(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	s, _ := New(db.DB, "")
	s.Ensure(ctx)
	set, err := s.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(set)
	var doc struct{ Keys []map[string]any }
	json.Unmarshal(b, &doc)
	if len(doc.Keys) != 1 {
		t.Fatalf("got %d keys", len(doc.Keys))
	}
	k := doc.Keys[0]
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Errorf("JWKS leaks private member %q", private)
		}
	}
	want := map[string]any{"kty": "RSA", "alg": jwa.RS256.String(), "use": "sig"}
	for name, v := range want {
		if k[name] != v {
			t.Errorf("%s = %v, want %v", name, k[name], v)
		}
	}
	if k["kid"] == "" || k["kid"] == nil {
		t.Error("no kid")
	}
}

func TestEncryptedKeyNeedsSecret(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	withSecret, _ := New(db.DB, "a secret of sufficient length")
	withSecret.Ensure(ctx)
	without, _ := New(db.DB, "")
	if _, err := without.Active(ctx); !errors.Is(err, ErrEncrypted) {
		t.Errorf("Active without secret = %v, want ErrEncrypted", err)
	}
	wrong, _ := New(db.DB, "another secret, also long")
	if _, err := wrong.Active(ctx); err == nil {
		t.Error("Active with the wrong secret succeeded")
	}
}
