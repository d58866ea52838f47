package tutor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// day0 is a fixed time the limit tests start at: 15:30 UTC on 30 April.
var day0 = time.Date(2026, 4, 30, 15, 30, 0, 0, time.UTC)

func TestLimits(t *testing.T) {
	nextDay := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		limits Limits
		// sends is how many messages go through before the refusal.
		sends    int
		kind     LimitKind
		resetsAt time.Time
	}{
		{"messages per day", Limits{MessagesPerDay: 2, TokensPerDay: 1e6,
			CourseTokensPerMonth: 1e6}, 2, LimitMessagesPerDay, nextDay},
		{"tokens per day", Limits{MessagesPerDay: 100, TokensPerDay: 1,
			CourseTokensPerMonth: 1e6}, 1, LimitTokensPerDay, nextDay},
		{"course tokens per month", Limits{MessagesPerDay: 100, TokensPerDay: 1e6,
			CourseTokensPerMonth: 1}, 1, LimitCourseTokensPerMonth, nextDay},
		{"no messages", Limits{MessagesPerDay: 0, TokensPerDay: 1e6,
			CourseTokensPerMonth: 1e6}, 0, LimitMessagesPerDay, time.Time{}},
		{"no tokens", Limits{MessagesPerDay: 10, TokensPerDay: 0,
			CourseTokensPerMonth: 1e6}, 0, LimitTokensPerDay, time.Time{}},
		{"no course budget", Limits{MessagesPerDay: 10, TokensPerDay: 1e6,
			CourseTokensPerMonth: 0}, 0, LimitCourseTokensPerMonth, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
				f := newFixture(t, db, func(c *Config) { c.Limits = tc.limits })
				f.clock(day0)
				who := f.learner("ann", "course-1")
				for i := range tc.sends {
					f.send(who, "message "+string(rune('a'+i)))
				}
				_, err := f.s.Send(f.ctx, who, labID, "one more", nil, discard)
				var lim *LimitError
				if !errors.As(err, &lim) || !errors.Is(err, ErrLimitReached) {
					t.Fatalf("Send past the limit: %v, want a *LimitError", err)
				}
				if lim.Kind != tc.kind || !lim.ResetsAt.Equal(tc.resetsAt) {
					t.Errorf("limit %s resets %v, want %s at %v", lim.Kind, lim.ResetsAt,
						tc.kind, tc.resetsAt)
				}
				msg := LearnerMessage(err)
				if tc.resetsAt.IsZero() {
					if !strings.Contains(msg, "set to 0") {
						t.Errorf("learner told %q, want the tutor is off", msg)
					}
				} else if !strings.Contains(msg, "Friday 1 May 00:00 UTC") {
					t.Errorf("learner told %q, want the reset time", msg)
				}
				if n := f.count("tutor_messages", "role = 'learner' AND content = 'one more'"); n != 0 {
					t.Errorf("refused message stored")
				}
				if f.fake.requestCount() != tc.sends {
					t.Errorf("model called %d times, want %d", f.fake.requestCount(), tc.sends)
				}
			})
		})
	}
}

func TestLimitsReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.Limits = Limits{MessagesPerDay: 1, TokensPerDay: 1e6, CourseTokensPerMonth: 1e9}
		})
		who := f.learner("ann", "course-1")
		f.clock(day0)
		f.send(who, "today")
		if _, err := f.s.Send(f.ctx, who, labID, "again", nil, discard); !errors.Is(err,
			ErrLimitReached) {
			t.Fatalf("second message today: %v, want a limit", err)
		}
		f.clock(day0.Add(8*time.Hour + 30*time.Minute)) // 00:00 the next day
		f.send(who, "tomorrow")

		// Another learner of the course has their own daily count.
		f.send(f.learner("bob", "course-1"), "hi")
	})
}

func TestCourseBudgetIsShared(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.Limits = Limits{MessagesPerDay: 10, TokensPerDay: 1e6, CourseTokensPerMonth: 1}
		})
		f.clock(day0)
		f.send(f.learner("ann", "course-1"), "uses the budget")
		_, err := f.s.Send(f.ctx, f.learner("bob", "course-1"), labID, "hi", nil, discard)
		var lim *LimitError
		if !errors.As(err, &lim) || lim.Kind != LimitCourseTokensPerMonth ||
			!lim.ResetsAt.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("second learner: %v, want the course budget until 1 May", err)
		}
		// Another course has its own budget.
		f.send(f.learner("bob", "course-2"), "hi")

		u, err := f.s.CourseMonth(f.ctx, f.learner("ann", "course-1").ContextRef, day0)
		if err != nil {
			t.Fatal(err)
		}
		if u.Messages != 1 || u.PromptTokens == 0 || u.CompletionTokens == 0 || u.Budget != 1 {
			t.Errorf("course month = %+v", u)
		}
	})
}

func TestMonthlyResetAtMonthEnd(t *testing.T) {
	for _, tc := range []struct{ at, want time.Time }{
		{day0, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 1, 31, 23, 0, 0, 0, time.FixedZone("x", -5*3600)),
			time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := nextMonth(tc.at); !got.Equal(tc.want) {
			t.Errorf("nextMonth(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

// TestStopBeforeAnswerCounts: a message stopped before the tutor's first
// word still counts, the message and its prompt, so that sending and
// stopping cannot get around the limits.
func TestStopBeforeAnswerCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.Limits = Limits{MessagesPerDay: 1, TokensPerDay: 1e6, CourseTokensPerMonth: 1e6}
		})
		f.clock(day0)
		who := f.learner("ann", "course-1")
		arrived, release := f.fake.gate()
		defer release()
		ctx, stop := context.WithCancel(f.ctx)
		go func() {
			<-arrived
			stop()
		}()
		r, err := f.s.Send(ctx, who, labID, "stopped at once", nil, discard)
		if err != nil || r.Answer != nil || r.Sent.Failure != "stopped" {
			t.Fatalf("stopped Send: %+v, %v; want the message kept, unanswered", r, err)
		}
		if n := f.count("tutor_usage", "messages = 1 AND prompt_tokens > 0"); n != 1 {
			t.Errorf("%d usage rows with the stopped message and its prompt, want 1", n)
		}
		_, err = f.s.Send(f.ctx, who, labID, "and again", nil, discard)
		var lim *LimitError
		if !errors.As(err, &lim) || lim.Kind != LimitMessagesPerDay {
			t.Errorf("Send after a stopped one at the limit: %v, want the daily limit", err)
		}
	})
}
