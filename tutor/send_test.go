package tutor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestResumeStartsWithOpening(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		c := f.resume(who)
		if len(c.Messages) != 1 || c.Messages[0].Content != opening() ||
			c.Messages[0].Role != RoleTutor {
			t.Fatalf("new conversation = %+v, want the opening alone", c.Messages)
		}
		again := f.resume(who)
		if again.ID != c.ID || len(again.Messages) != 1 {
			t.Errorf("second Resume made conversation %d with %d messages, want %d with 1",
				again.ID, len(again.Messages), c.ID)
		}
		if _, err := f.s.Resume(f.ctx, who, "m3-l1"); !errors.Is(err, ErrUnknownLab) {
			t.Errorf("Resume of a lesson: %v, want ErrUnknownLab", err)
		}
	})
}

func TestSendStreamsAndStores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		r, deltas := f.send(who, "  Refund requests should be a seed task.  ")

		want := "You wrote: Refund requests should be a seed task.. Why do you think so?"
		if got := strings.Join(deltas, ""); got != want {
			t.Errorf("deltas joined = %q, want %q", got, want)
		}
		if len(deltas) != len(strings.Fields(want)) {
			t.Errorf("got %d deltas, want one per word (%d)", len(deltas),
				len(strings.Fields(want)))
		}
		if r.Answer == nil || r.Answer.Content != want || r.Answer.Status != StatusAnswered {
			t.Fatalf("answer = %+v", r.Answer)
		}
		req := f.fake.lastRequest()
		if r.Answer.PromptTokens != promptTokens(req) ||
			r.Answer.CompletionTokens != len(deltas) || r.Answer.TokensEstimated {
			t.Errorf("answer tokens = %d+%d (estimated %v), want the API's %d+%d",
				r.Answer.PromptTokens, r.Answer.CompletionTokens, r.Answer.TokensEstimated,
				promptTokens(req), len(deltas))
		}
		if !req.Stream || req.StreamOptions == nil || !req.StreamOptions.IncludeUsage {
			t.Errorf("request stream=%v options=%+v, want a stream with usage",
				req.Stream, req.StreamOptions)
		}

		c := f.resume(who)
		if got, want := statuses(c.Messages),
			"tutor:answered learner:answered tutor:answered"; got != want {
			t.Errorf("transcript = %s, want %s", got, want)
		}
		if c.Messages[1].Content != "Refund requests should be a seed task." {
			t.Errorf("learner message stored as %q, want it trimmed", c.Messages[1].Content)
		}
		stored := c.Messages[2]
		if diff := cmp.Diff(*r.Answer, stored); diff != "" {
			t.Errorf("stored answer differs from the reply (-reply +stored):\n%s", diff)
		}
		if *stored.ReplyTo != c.Messages[1].ID {
			t.Errorf("answer replies to %d, want %d", *stored.ReplyTo, c.Messages[1].ID)
		}

		// The opening and the first exchange go to the model with the next.
		f.send(who, "Second question")
		req = f.fake.lastRequest()
		var roles []string
		for _, m := range req.Messages {
			roles = append(roles, m.Role)
		}
		if got := strings.Join(roles, " "); got != "system assistant user assistant user" {
			t.Errorf("request roles = %s", got)
		}
		if req.Messages[1].Content != opening() {
			t.Errorf("first turn sent = %q, want the opening", req.Messages[1].Content)
		}
	})
}

func TestSendRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		for _, tc := range []struct {
			name, lab, text string
			want            error
		}{
			{"empty", labID, " \n ", ErrEmptyMessage},
			{"too long", labID, strings.Repeat("é", MaxMessageRunes+1), ErrMessageTooLong},
			{"not a lab", "m3-test", "hi", ErrUnknownLab},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.s.Send(f.ctx, who, tc.lab, tc.text, nil, discard)
				if !errors.Is(err, tc.want) {
					t.Errorf("Send: %v, want %v", err, tc.want)
				}
			})
		}
		if n := f.count("tutor_messages", "role = ?", RoleLearner); n != 0 {
			t.Errorf("%d learner messages stored after refusals, want 0", n)
		}
	})
}

func discard(string) error { return nil }

func TestUpstreamFailuresKeepTheMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.FirstTokenTimeout = 300 * time.Millisecond
			c.RequestTimeout = 700 * time.Millisecond
		})
		for _, tc := range []struct {
			name       string
			fault      fault
			kind       error
			retryAfter time.Duration
			partial    bool
		}{
			{"429", fault{status: 429, retryAfter: "17"}, ErrRateLimited, 17 * time.Second, false},
			{"500", fault{status: 500}, ErrUnavailable, 0, false},
			{"503", fault{status: 503}, ErrUnavailable, 0, false},
			{"401", fault{status: 401}, ErrRejected, 0, false},
			{"no first token", fault{stall: 2 * time.Second}, ErrTimeout, 0, false},
			{"answer too slow", fault{stall: 2 * time.Second, stallAfter: 3}, ErrTimeout, 0, true},
			{"cut mid-stream", fault{cutAfter: 3}, ErrInterrupted, 0, true},
			{"error event mid-stream", fault{errorAfter: 3}, ErrInterrupted, 0, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				who := f.learner(tc.name, "course-1")
				f.fake.fail(tc.fault)
				r, deltas, err := f.trySend(f.s, who, "What makes a good seed task?")
				var up *UpstreamError
				if !errors.As(err, &up) || !errors.Is(err, tc.kind) {
					t.Fatalf("Send: %v, want an *UpstreamError of kind %v", err, tc.kind)
				}
				if up.RetryAfter != tc.retryAfter {
					t.Errorf("RetryAfter = %v, want %v", up.RetryAfter, tc.retryAfter)
				}
				if up.Retryable() != (tc.kind != ErrRejected) {
					t.Errorf("Retryable = %v", up.Retryable())
				}
				msg := LearnerMessage(err)
				if !strings.Contains(msg, "Your message is saved") ||
					strings.Contains(msg, "injected") || strings.Contains(msg, "status") {
					t.Errorf("learner told %q", msg)
				}
				if tc.kind == ErrRateLimited && !strings.Contains(msg, "17 seconds") {
					t.Errorf("learner told %q, want the wait", msg)
				}
				if (len(deltas) > 0) != tc.partial || (r.Answer != nil) != tc.partial {
					t.Errorf("deltas %q, answer %+v; want partial=%v", deltas, r.Answer, tc.partial)
				}

				c := f.resume(who)
				want := "tutor:answered learner:unanswered"
				if tc.partial {
					want += " tutor:failed"
				}
				if got := statuses(c.Messages); got != want {
					t.Errorf("transcript = %s, want %s", got, want)
				}
				sent := c.Messages[1]
				if sent.ID != up.MessageID || !sent.Retryable() ||
					sent.Content != "What makes a good seed task?" {
					t.Errorf("kept message = %+v, error names %d", sent, up.MessageID)
				}

				r, deltas, err = f.retry(who, up.MessageID)
				if err != nil {
					t.Fatalf("Retry: %v", err)
				}
				if r.Answer == nil || r.Answer.Status != StatusAnswered ||
					r.Answer.Content != strings.Join(deltas, "") {
					t.Errorf("retry answer = %+v", r.Answer)
				}
				want = strings.Replace(want, "learner:unanswered", "learner:answered", 1) +
					" tutor:answered"
				if got := statuses(f.resume(who).Messages); got != want {
					t.Errorf("after retry transcript = %s, want %s", got, want)
				}
				if _, _, err := f.retry(who, up.MessageID); !errors.Is(err, ErrNotRetryable) {
					t.Errorf("second Retry: %v, want ErrNotRetryable", err)
				}
			})
		}
	})
}

// retry retries a message and returns the reply and the deltas.
func (f *fixture) retry(who Learner, id int64) (*Reply, []string, error) {
	var deltas []string
	r, err := f.s.Retry(f.ctx, who, id, nil, func(d string) error {
		deltas = append(deltas, d)
		return nil
	})
	return r, deltas, err
}

func TestRetryChecksOwnerAndOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		ann, bob := f.learner("ann", "course-1"), f.learner("bob", "course-1")
		f.fake.fail(fault{status: 500})
		_, _, err := f.trySend(f.s, ann, "first")
		var up *UpstreamError
		if !errors.As(err, &up) {
			t.Fatalf("Send: %v", err)
		}
		if _, _, err := f.retry(bob, up.MessageID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Retry of another learner's message: %v, want ErrNotFound", err)
		}
		f.send(ann, "second")
		if _, _, err := f.retry(ann, up.MessageID); !errors.Is(err, ErrNotRetryable) {
			t.Errorf("Retry of a message followed by another: %v, want ErrNotRetryable", err)
		}
		// The model saw the unanswered message too.
		req := f.fake.lastRequest()
		if got := req.Messages[len(req.Messages)-2].Content; got != "first" {
			t.Errorf("message before the last sent = %q, want the unanswered one", got)
		}
	})
}

func TestStopKeepsWhatStreamed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		f.fake.chunkDelay = 20 * time.Millisecond
		who := f.learner("ann", "course-1")
		ctx, cancel := context.WithCancel(f.ctx)
		var got []string
		r, err := f.s.Send(ctx, who, labID, "stop me", nil, func(d string) error {
			got = append(got, d)
			if len(got) == 3 {
				cancel()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Send stopped: %v, want no error", err)
		}
		if r.Answer == nil || r.Answer.Status != StatusStopped ||
			r.Answer.Content != strings.Join(got, "") || !r.Answer.TokensEstimated {
			t.Fatalf("answer = %+v, want the %d pieces streamed, stopped", r.Answer, len(got))
		}
		c := f.resume(who)
		if s := statuses(c.Messages); s != "tutor:answered learner:answered tutor:stopped" {
			t.Errorf("transcript = %s", s)
		}
		if c.Messages[2].Content != strings.Join(got, "") {
			t.Errorf("stored %q, want %q", c.Messages[2].Content, strings.Join(got, ""))
		}
		if n := f.count("tutor_messages", "status = 'pending'"); n != 0 {
			t.Errorf("lease still held after stop")
		}

		// A browser that goes away stops the answer the same way.
		r, err = f.s.Send(f.ctx, who, labID, "gone", nil, func(string) error {
			return errors.New("client went away")
		})
		if err != nil || r.Answer == nil || r.Answer.Status != StatusStopped {
			t.Errorf("Send to a gone client: %+v, %v", r, err)
		}
	})
}

// testOpen is the pause check of a learner with a module-test attempt open.
func testOpen(context.Context) (bool, error) { return true, nil }

func TestPausedWhileTestOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		who := f.learner("ann", "course-1")
		_, err := f.s.Send(f.ctx, who, labID, "help me with question 3", testOpen, discard)
		if !errors.Is(err, ErrTestOpen) {
			t.Fatalf("Send with a test open: %v, want ErrTestOpen", err)
		}
		if msg := LearnerMessage(err); !strings.Contains(msg, "module test is open") {
			t.Errorf("learner told %q", msg)
		}
		if f.fake.requestCount() != 0 || f.count("tutor_messages", "role = 'learner'") != 0 {
			t.Errorf("paused tutor called the model or stored the message")
		}
		f.fake.fail(fault{status: 500})
		_, _, err = f.trySend(f.s, who, "hello")
		var up *UpstreamError
		if !errors.As(err, &up) {
			t.Fatal(err)
		}
		_, err = f.s.Retry(f.ctx, who, up.MessageID, testOpen, discard)
		if !errors.Is(err, ErrTestOpen) {
			t.Errorf("Retry with a test open: %v, want ErrTestOpen", err)
		}

		// A check that cannot tell is no answer either.
		down := errors.New("database down")
		_, err = f.s.Send(f.ctx, who, labID, "and now?", func(context.Context) (bool, error) {
			return false, down
		}, discard)
		if !errors.Is(err, down) || f.count("tutor_messages", "content = 'and now?'") != 0 {
			t.Errorf("Send with a failing pause check: %v", err)
		}
		if n := f.fake.requestCount(); n != 1 {
			t.Errorf("the model was asked %d times, want once (the failed answer)", n)
		}
	})
}

func TestNotConfigured(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db, func(c *Config) { c.Model = "" })
	who := f.learner("ann", "course-1")
	if c := f.resume(who); len(c.Messages) != 1 {
		t.Errorf("Resume without a model: %d messages, want the opening", len(c.Messages))
	}
	_, err := f.s.Send(f.ctx, who, labID, "hi", nil, discard)
	if !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("Send without a model: %v, want ErrNotConfigured", err)
	}
	if got := f.s.Config().AdminMessage(); !strings.Contains(got, "AESOP_TUTOR_MODEL") {
		t.Errorf("AdminMessage = %q, want the setting named", got)
	}
}

func TestAnswerWithoutUsageIsEstimated(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	who := f.learner("ann", "course-1")
	f.fake.fail(fault{noUsage: true})
	r, deltas := f.send(who, "no usage please")
	if r.Answer.Status != StatusAnswered || !r.Answer.TokensEstimated ||
		r.Answer.PromptTokens == 0 || r.Answer.CompletionTokens == 0 {
		t.Errorf("answer without the API's usage = %+v", r.Answer)
	}
	if r.Answer.Content != strings.Join(deltas, "") {
		t.Errorf("answer %q, deltas %q", r.Answer.Content, deltas)
	}
	if n := f.count("tutor_usage", "user_id = ? AND prompt_tokens > 0", who.UserID); n != 1 {
		t.Errorf("estimated use not recorded")
	}
}

func TestAzure(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db, func(c *Config) {
		c.Provider, c.BaseURL, c.Model = ProviderAzure, strings.TrimSuffix(c.BaseURL, "/v1"),
			"tutor-deployment"
	})
	r, _ := f.send(f.learner("ann", "course-1"), "hello Azure")
	if r.Answer == nil || !strings.Contains(r.Answer.Content, "hello Azure") {
		t.Fatalf("answer through Azure = %+v", r.Answer)
	}
	if req := f.fake.lastRequest(); req.MaxCompletionTokens == 0 || req.MaxTokens != 0 {
		t.Errorf("Azure request max_tokens %d, max_completion_tokens %d", req.MaxTokens,
			req.MaxCompletionTokens)
	}
}
