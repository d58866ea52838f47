package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// ErrUnknownKID reports a kid that is not in the platform's JWKS even after a
// refetch.
var ErrUnknownKID = errors.New("signing key not in the platform's key set")

// ErrKeysUnavailable reports a JWKS that could not be fetched while no copy was
// cached.
var ErrKeysUnavailable = errors.New("platform key set could not be fetched")

// maxJWKSSize bounds what is read from a platform's JWKS endpoint.
const maxJWKSSize = 1 << 20

// KeyCache holds platforms' public key sets in memory. Keys are fetched on first
// use and then only when a launch names a kid the cached set lacks, at most once
// per MinRefetch per URL, so launches never wait for a fetch in the normal case
// and forged kids cannot make the tool hammer a platform. A set older than
// MaxAge is refreshed on use; if that fails, the stale set is still used, since
// a platform's brief outage should not stop launches signed with a known key.
type KeyCache struct {
	Client     *http.Client
	MinRefetch time.Duration
	MaxAge     time.Duration
	now        func() time.Time

	mu      sync.Mutex
	entries map[string]*keyEntry
}

type keyEntry struct {
	mu        sync.Mutex // held while fetching, so one launch fetches for all
	set       jwk.Set
	fetchedAt time.Time
	triedAt   time.Time
}

// NewKeyCache returns a cache that fetches with client.
func NewKeyCache(client *http.Client) *KeyCache {
	return &KeyCache{Client: client, MinRefetch: 30 * time.Second, MaxAge: 24 * time.Hour,
		now: time.Now, entries: map[string]*keyEntry{}}
}

// Key returns the key with kid from the JWKS at url.
func (c *KeyCache) Key(ctx context.Context, url, kid string) (jwk.Key, error) {
	c.mu.Lock()
	e, ok := c.entries[url]
	if !ok {
		e = &keyEntry{}
		c.entries[url] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	key, found := lookup(e.set, kid)
	stale := e.set != nil && now.Sub(e.fetchedAt) > c.MaxAge
	if found && !stale {
		return key, nil
	}
	var fetchErr error
	if e.set == nil || now.Sub(e.triedAt) >= c.MinRefetch {
		e.triedAt = now
		set, err := c.fetch(ctx, url)
		if err == nil {
			e.set, e.fetchedAt = set, now
		}
		fetchErr = err
	}
	if key, ok := lookup(e.set, kid); ok {
		return key, nil
	}
	if e.set == nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, fetchErr)
	}
	return nil, ErrUnknownKID
}

func lookup(set jwk.Set, kid string) (jwk.Key, bool) {
	if set == nil {
		return nil, false
	}
	return set.LookupKeyID(kid)
}

func (c *KeyCache) fetch(ctx context.Context, url string) (jwk.Set, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("make jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize))
	if err != nil {
		return nil, fmt.Errorf("read jwks %s: %w", url, err)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse jwks %s: %w", url, err)
	}
	return set, nil
}
