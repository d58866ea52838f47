package platform

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

func publicJWK(t *testing.T, kid string) jwk.Key {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := jwk.FromRaw(&priv.PublicKey)
	k.Set(jwk.KeyIDKey, kid)
	return k
}

func TestKeyCache(t *testing.T) {
	var fetches atomic.Int32
	var failing atomic.Bool
	set := jwk.NewSet()
	set.AddKey(publicJWK(t, "one"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if failing.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(set)
	}))
	defer srv.Close()

	now := time.Now()
	c := NewKeyCache(srv.Client())
	c.now = func() time.Time { return now }
	ctx := context.Background()

	for range 3 {
		if _, err := c.Key(ctx, srv.URL, "one"); err != nil {
			t.Fatal(err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches for three launches with a known kid, want 1", n)
	}
	// An unknown kid refetches once; a second unknown kid right after does not.
	now = now.Add(time.Minute)
	if _, err := c.Key(ctx, srv.URL, "forged"); !errors.Is(err, ErrUnknownKID) {
		t.Errorf("forged kid = %v", err)
	}
	if _, err := c.Key(ctx, srv.URL, "forged-again"); !errors.Is(err, ErrUnknownKID) {
		t.Errorf("forged kid = %v", err)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d fetches after two forged kids, want 2", n)
	}
	// A rotated platform key is picked up on its first use.
	set.AddKey(publicJWK(t, "two"))
	now = now.Add(time.Minute)
	if _, err := c.Key(ctx, srv.URL, "two"); err != nil {
		t.Errorf("rotated key: %v", err)
	}
	// When the platform is down, the stale set still serves known keys.
	failing.Store(true)
	now = now.Add(48 * time.Hour)
	if _, err := c.Key(ctx, srv.URL, "one"); err != nil {
		t.Errorf("stale key not used while platform is down: %v", err)
	}
	// A platform never reached gives ErrKeysUnavailable.
	if _, err := c.Key(ctx, srv.URL+"/other", "one"); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("unreachable = %v", err)
	}
}
