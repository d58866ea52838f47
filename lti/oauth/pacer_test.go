package oauth

import (
	"context"
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	p := newPacer(Rate{PerSecond: 2, Burst: 2},
		map[string]Rate{"free": {}, "slow": {PerSecond: 0.5}}, func() time.Time { return now })
	steps := []struct {
		name     string
		platform string
		advance  time.Duration
		pause    time.Duration
		want     time.Duration
	}{
		{"burst 1", "a", 0, 0, 0},
		{"burst 2", "a", 0, 0, 0},
		{"empty", "a", 0, 0, 500 * time.Millisecond},
		{"refilled half", "a", 250 * time.Millisecond, 0, 250 * time.Millisecond},
		{"refilled", "a", 250 * time.Millisecond, 0, 0},
		{"other platform has its own bucket", "b", 0, 0, 0},
		{"no limit", "free", 0, 0, 0},
		{"no limit again", "free", 0, 0, 0},
		{"burst at least 1", "slow", 0, 0, 0},
		{"slow", "slow", 0, 0, 2 * time.Second},
		{"paused", "b", 0, 3 * time.Second, 3 * time.Second},
		{"pause ends", "b", 3 * time.Second, 0, 0},
		{"unlimited platform paused too", "free", 0, time.Second, time.Second},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.pause > 0 {
			p.pause(s.platform, s.pause)
		}
		if got := p.reserve(s.platform); got != s.want {
			t.Errorf("%s: wait %s, want %s", s.name, got, s.want)
		}
	}
}

func TestPacerWaitHonoursContext(t *testing.T) {
	p := newPacer(Rate{PerSecond: 0.001, Burst: 1}, nil, time.Now)
	if err := p.wait(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithDeadline(t, 20*time.Millisecond)
	defer cancel()
	if err := p.wait(ctx, "a"); err == nil {
		t.Error("wait returned without a token or an error")
	}
}

// contextWithDeadline returns a context of the test that ends after d.
func contextWithDeadline(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}
