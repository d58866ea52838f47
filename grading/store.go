package grading

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"aesop/content"
)

// Store reads and writes the learner's record. It holds the course pack for
// the answer keys, so correctness is always decided here and never taken
// from the browser.
type Store struct {
	db   *gorm.DB
	pack *content.Pack
}

// NewStore returns a Store on db that scores answers against pack.
func NewStore(db *gorm.DB, pack *content.Pack) *Store {
	return &Store{db: db, pack: pack}
}

// now returns the current time in UTC, cut to microseconds because
// PostgreSQL keeps no finer: a time handed back then equals the one read
// back later.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// activity returns the pack's activity with the given id.
func (s *Store) activity(id string) (*content.Activity, error) {
	a, ok := s.pack.Activity(id)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownActivity, id)
	}
	return a, nil
}

// quiz returns the quiz or module test with the given id.
func (s *Store) quiz(id string) (*content.Quiz, error) {
	a, err := s.activity(id)
	if err != nil {
		return nil, err
	}
	if a.Quiz == nil {
		return nil, fmt.Errorf("%w: %q is a %s", ErrNotAssessed, id, a.Kind)
	}
	return a.Quiz, nil
}

// refKey is the value that stands for an optional resource link or
// context in keys: its id, or 0 for none.
func refKey(linkRef *int64) int64 {
	if linkRef == nil {
		return 0
	}
	return *linkRef
}

// utc returns t in UTC: drivers hand times back in the local zone.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// clone returns a copy of p, so that an Attempt never shares a caller's
// pointer.
func clone(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
