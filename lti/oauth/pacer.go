package oauth

import (
	"context"
	"sync"
	"time"
)

// Rate is how fast the tool may call one platform: a token bucket that
// fills at PerSecond calls a second and holds up to Burst calls.
type Rate struct {
	// PerSecond is the sustained rate; zero or less means no limit.
	PerSecond float64
	// Burst is how many calls may go at once after a quiet spell; at least 1.
	Burst int
}

// DefaultRate keeps a tool well under the platforms' documented limits:
// Canvas throttles parallel bursts, and Moodle sites are often small.
var DefaultRate = Rate{PerSecond: 5, Burst: 5}

// pacer holds one token bucket per platform and the pauses platforms asked
// for with Retry-After.
type pacer struct {
	def   Rate
	rates map[string]Rate
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// bucket is one platform's state.
type bucket struct {
	rate   Rate
	tokens float64
	last   time.Time
	paused time.Time // no call before this
}

// newPacer makes a pacer with a default rate and per-platform exceptions.
func newPacer(def Rate, rates map[string]Rate, now func() time.Time) *pacer {
	return &pacer{def: def, rates: rates, now: now, buckets: map[string]*bucket{}}
}

// wait blocks until a call to the platform may go, or ctx ends.
func (p *pacer) wait(ctx context.Context, platform string) error {
	for {
		d := p.reserve(platform)
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes a call from the platform's bucket and returns 0, or returns
// how long to wait before trying again.
func (p *pacer) reserve(platform string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.bucketLocked(platform, now)
	if now.Before(b.paused) {
		return b.paused.Sub(now)
	}
	if b.rate.PerSecond <= 0 {
		return 0
	}
	b.tokens = min(float64(b.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*b.rate.PerSecond)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate.PerSecond * float64(time.Second))
}

// pause holds every call to the platform for d, as a Retry-After asked.
func (p *pacer) pause(platform string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.bucketLocked(platform, now)
	if until := now.Add(d); until.After(b.paused) {
		b.paused = until
	}
}

// bucketLocked returns the platform's bucket, making a full one the first
// time; p.mu must be held.
func (p *pacer) bucketLocked(platform string, now time.Time) *bucket {
	if b, ok := p.buckets[platform]; ok {
		return b
	}
	r, ok := p.rates[platform]
	if !ok {
		r = p.def
	}
	r.Burst = max(r.Burst, 1)
	b := &bucket{rate: r, tokens: float64(r.Burst), last: now}
	p.buckets[platform] = b
	return b
}
