package platform

import (
	"sync"
	"time"
)

// CacheTTL is how long a Store answers from memory for a platform it has read
// and for a deployment it has checked. Every launch looks both up, usually for
// the same few platforms, so this spares the database two queries a launch.
//
// The database stays the source of truth, so several instances stay correct:
// a platform removed or changed elsewhere (another instance, or `aesop
// platform remove`) is seen here within CacheTTL; changes made through this
// Store are seen at once. A removed platform stops launching within CacheTTL
// at the latest (in practice at once, since its login states can no longer be
// stored). Only what exists is kept, so a platform or deployment registered
// just now is found on its first launch.
const CacheTTL = 5 * time.Second

// maxCached bounds each of the cache's maps; past it, the map starts over.
const maxCached = 10000

// cache holds recently read platforms and checked deployments.
type cache struct {
	mu          sync.Mutex
	byID        map[int64]cachedPlatform
	byKey       map[issuerClient]int64
	deployments map[deploymentKey]time.Time
}

type cachedPlatform struct {
	p  Platform
	at time.Time
}

type issuerClient struct{ issuer, clientID string }

type deploymentKey struct {
	platformID   int64
	deploymentID string
}

func newCache() *cache {
	return &cache{byID: map[int64]cachedPlatform{}, byKey: map[issuerClient]int64{},
		deployments: map[deploymentKey]time.Time{}}
}

// get returns a copy of the platform with id if it was read after since.
func (c *cache) get(id int64, since time.Time) (*Platform, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok || !e.at.After(since) {
		return nil, false
	}
	p := e.p
	return &p, true
}

// find returns a copy of the platform with issuer and clientID if it was read
// after since.
func (c *cache) find(issuer, clientID string, since time.Time) (*Platform, bool) {
	c.mu.Lock()
	id, ok := c.byKey[issuerClient{issuer, clientID}]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	p, ok := c.get(id, since)
	if !ok || p.Issuer != issuer || p.ClientID != clientID {
		return nil, false
	}
	return p, true
}

// put keeps a copy of p, read at at.
func (c *cache) put(p *Platform, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byID) >= maxCached {
		c.byID, c.byKey = map[int64]cachedPlatform{}, map[issuerClient]int64{}
	}
	c.byID[p.ID] = cachedPlatform{p: *p, at: at}
	c.byKey[issuerClient{p.Issuer, p.ClientID}] = p.ID
}

// forget drops the platform with id and its deployments.
func (c *cache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byID, id)
	for k := range c.deployments {
		if k.platformID == id {
			delete(c.deployments, k)
		}
	}
}

// deployment reports whether the deployment was checked after since.
func (c *cache) deployment(platformID int64, id string, since time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.deployments[deploymentKey{platformID, id}]
	return ok && at.After(since)
}

// putDeployment notes that the deployment exists, as checked at at.
func (c *cache) putDeployment(platformID int64, id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.deployments) >= maxCached {
		c.deployments = map[deploymentKey]time.Time{}
	}
	c.deployments[deploymentKey{platformID, id}] = at
}
