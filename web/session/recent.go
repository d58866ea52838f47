package session

import (
	"sync"
	"time"
)

// RecentTTL is how long a Store keeps a session it created in memory. A
// launch redirects the browser to the session's first page at once, so that
// page finds its session without a query when the same instance serves it.
//
// Sessions do not change once created; the database stays the source of
// truth for every later page and for other instances. The one difference: a
// session deleted within RecentTTL of its creation (its platform or user
// removed) is still accepted by the instance that created it until then.
const RecentTTL = 5 * time.Second

// recent holds the sessions created in the last RecentTTL or so, in two
// generations that rotate every RecentTTL, so it never grows past two
// periods' worth of launches and needs no sweeping.
type recent struct {
	mu        sync.Mutex
	cur, prev map[string]recentSession
	rotated   time.Time
}

type recentSession struct {
	sess Session
	at   time.Time
}

// put keeps a copy of sess, created at now.
func (r *recent) put(sess *Session, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || now.Sub(r.rotated) >= RecentTTL {
		r.prev, r.cur, r.rotated = r.cur, map[string]recentSession{}, now
	}
	r.cur[sess.ID] = recentSession{sess: *sess, at: now}
}

// get returns a copy of the session with id if it was created less than
// RecentTTL before now.
func (r *recent) get(id string, now time.Time) (*Session, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.cur[id]
	if !ok {
		e, ok = r.prev[id]
	}
	if !ok || now.Sub(e.at) >= RecentTTL {
		return nil, false
	}
	sess := e.sess
	return &sess, true
}
