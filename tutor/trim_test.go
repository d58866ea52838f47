package tutor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestLongConversationIsTrimmedForTheModelOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.MaxOutputTokens = 200
			c.ContextTokens = 2000
		})
		who := f.learner("ann", "course-1")
		const turns = 12
		trimmed := false
		for i := range turns {
			text := fmt.Sprintf("Turn %d: %s", i, strings.Repeat("seed tasks matter. ", 12))
			f.send(who, text)
			req := f.fake.lastRequest()
			if got := guessTokens(req.Messages); got > 2000-200 {
				t.Fatalf("turn %d: request of %d tokens, over the budget of 1800", i, got)
			}
			last := req.Messages[len(req.Messages)-1]
			if last.Role != "user" || last.Content != strings.TrimSpace(text) {
				t.Fatalf("turn %d: last message sent = %q, want the new one", i, last.Content)
			}
			if strings.Contains(req.Messages[1].Content, "earliest messages of this "+
				"conversation are left out") {
				trimmed = true
				if req.Messages[1].Role != "system" {
					t.Errorf("note sent as %s", req.Messages[1].Role)
				}
			}
		}
		if !trimmed {
			t.Fatal("no request was trimmed: make the turns longer")
		}
		c := f.resume(who)
		if len(c.Messages) != 1+2*turns {
			t.Errorf("transcript holds %d messages, want all %d", len(c.Messages), 1+2*turns)
		}
		if !strings.HasPrefix(c.Messages[1].Content, "Turn 0:") {
			t.Errorf("first learner message = %q, want turn 0 kept", c.Messages[1].Content)
		}
	})
}

// TestOverflowIsAskedAgainWithLess: a model whose tokenizer counts more
// than the tool's guess refuses a long conversation as over its window;
// the tool asks again with fewer of the earlier turns, and the learner gets
// an answer, not an error on every retry.
func TestOverflowIsAskedAgainWithLess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db, func(c *Config) {
			c.MaxOutputTokens = 200
			c.ContextTokens = 3000
		})
		f.fake.mu.Lock()
		f.fake.window = 2000 // the tool believes it has 2800
		f.fake.keep = true
		f.fake.mu.Unlock()
		who := f.learner("ann", "course-1")
		for i := range 12 {
			text := fmt.Sprintf("Turn %d: %s", i, strings.Repeat("seed tasks matter. ", 12))
			_, _, err := f.trySend(f.s, who, text)
			if err != nil {
				t.Fatalf("turn %d: %v", i, err)
			}
		}
		f.fake.mu.Lock()
		reqs := f.fake.requests
		f.fake.mu.Unlock()
		refused := 0
		for _, r := range reqs {
			if promptTokens(r) > 2000 {
				refused++
			}
		}
		if refused == 0 || len(reqs) != 12+refused {
			t.Errorf("%d requests, %d over the window: want some refused, each asked again",
				len(reqs), refused)
		}
		if c := f.resume(who); statuses(c.Messages[len(c.Messages)-2:]) !=
			"learner:answered tutor:answered" {
			t.Errorf("last exchange = %s", statuses(c.Messages[len(c.Messages)-2:]))
		}
	})
}

func TestOverflowBudget(t *testing.T) {
	apiErr := func(status int, code any, msg string) error {
		return fmt.Errorf("stream: %w", &openai.APIError{HTTPStatusCode: status, Code: code,
			Message: msg})
	}
	for _, c := range []struct {
		name string
		err  error
		want int // 0: not an overflow
	}{
		{"openai", apiErr(400, "context_length_exceeded", "This model's maximum context "+
			"length is 1000 tokens. However, your messages resulted in 2000 tokens."), 450},
		{"vllm", apiErr(400, nil, "This model's maximum context length is 1000 tokens. "+
			"However, you requested 1250 tokens (1000 in the messages, 250 in the "+
			"completion)."), 720},
		{"code alone", apiErr(400, "context_length_exceeded", "too long"), 500},
		{"other words", apiErr(400, 400, "prompt exceeds the context window"), 500},
		{"another refusal", apiErr(400, "invalid_value", "temperature too high"), 0},
		{"rate limit", apiErr(429, "rate_limit_exceeded", "too many tokens per minute"), 0},
		{"not an API error", errors.New("context length"), 0},
	} {
		got, over := overflowBudget(c.err, 1000)
		if over != (c.want != 0) || got != c.want {
			t.Errorf("%s: overflowBudget = %d, %v; want %d", c.name, got, over, c.want)
		}
	}
}

func TestFitContext(t *testing.T) {
	msg := func(r Role, words int) Message {
		return Message{Role: r, Content: strings.Repeat("word ", words)}
	}
	history := []Message{msg(RoleTutor, 20), msg(RoleLearner, 20), msg(RoleTutor, 20),
		msg(RoleLearner, 20)}
	for _, tc := range []struct {
		name        string
		history     []Message
		budget      int
		wantOmitted int
	}{
		{"all fit", history, 1000, 0},
		{"two fit", history, 10 + 4 + 2*(25+4) + 40, 2},
		{"last alone", history, 60, 3},
		{"last too long", []Message{msg(RoleLearner, 2000)}, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, omitted := fitContext("system prompt", tc.history, tc.budget)
			if omitted != tc.wantOmitted {
				t.Errorf("omitted %d, want %d", omitted, tc.wantOmitted)
			}
			if got := guessTokens(out); got > tc.budget {
				t.Errorf("request of %d tokens, budget %d", got, tc.budget)
			}
			if out[0].Content != "system prompt" {
				t.Errorf("first message = %q", out[0].Content)
			}
			if (omitted > 0) != strings.Contains(out[1].Content, "left out") {
				t.Errorf("note = %v with %d omitted", out[1].Content, omitted)
			}
			if len(out) < 2 || out[len(out)-1].Role != "user" {
				t.Errorf("last message not sent: %+v", out)
			}
		})
	}
}

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abcd", 1},
		{"abcde", 2},
		{"日本語", 3},
	} {
		if got := estimateTokens(tc.s); got != tc.want {
			t.Errorf("estimateTokens(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
