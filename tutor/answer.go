package tutor

import (
	"context"
	"errors"
	"log/slog"

	openai "github.com/sashabaranov/go-openai"
	"gorm.io/gorm"
)

// errNotStored ends a model call whose learner message could not be
// stored.
var errNotStored = errors.New("learner message not stored")

// answer asks the model to answer the last message of history, the
// learner's, while store writes that message as pending (which takes the
// learner's lease), streams the answer to onDelta once the message is
// stored, and stores the outcome. Storing alongside the call hides the
// write behind the model's time to its first token.
func (s *Service) answer(ctx context.Context, who Learner, lp *labPrompt,
	history []Message, store func(*gorm.DB, *Message) error,
	onDelta func(string) error) (*Reply, error) {
	sent := &history[len(history)-1]
	budget := s.cfg.ContextTokens - s.cfg.MaxOutputTokens
	msgs, omitted := fitContext(lp.system, forModel(history), budget)

	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stored := make(chan error, 1)
	go func() {
		// The write outlives a stop: the message is kept whatever happens.
		wctx, done := context.WithTimeout(context.WithoutCancel(ctx), finishWrites)
		defer done()
		err := withoutFlush(s.db.WithContext(wctx), func(db *gorm.DB) error {
			return store(db, sent)
		})
		if err != nil {
			cancel(errNotStored)
		}
		stored <- err
	}()
	var storeErr error
	waited := false
	waitStored := func() error {
		if !waited {
			storeErr, waited = <-stored, true
		}
		return storeErr
	}
	pass := func(d string) error {
		if err := waitStored(); err != nil {
			return err
		}
		return onDelta(d)
	}
	var out streamed
	retryAfter, err := s.model.stream(callCtx, msgs, pass, &out)
	promptGuess := guessTokens(msgs)
	if smaller, over := overflowBudget(err, promptGuess); over && callCtx.Err() == nil {
		s.log.Warn("tutor request over the model's context window; asking again with less",
			"conversation_id", sent.ConversationID, "sent", promptGuess, "smaller", smaller,
			"hint", "lower AESOP_TUTOR_CONTEXT_TOKENS to the model's window")
		msgs, omitted = fitContext(lp.system, forModel(history), smaller)
		out = streamed{}
		retryAfter, err = s.model.stream(callCtx, msgs, pass, &out)
		promptGuess = guessTokens(msgs)
	}
	if err := waitStored(); err != nil {
		return nil, err
	}

	text := out.text.String()
	r := &Reply{Sent: *sent}
	r.Sent.Status, r.Sent.LeaseUntil = StatusAnswered, nil
	var (
		upstream *UpstreamError
		use      spent
	)
	if text != "" || err == nil {
		r.Answer = &Message{ConversationID: sent.ConversationID, UserID: who.UserID,
			Role: RoleTutor, Content: text, Status: StatusAnswered, ReplyTo: &r.Sent.ID,
			Model: s.cfg.Model, CreatedAt: s.now()}
		r.Answer.countTokens(out.usage, promptGuess)
		use = spent{messages: 1, prompt: r.Answer.PromptTokens,
			completion: r.Answer.CompletionTokens}
	}
	switch {
	case err == nil:
	case ctx.Err() != nil || out.deltaErr != nil:
		if r.Answer != nil {
			r.Answer.Status = StatusStopped
		} else {
			r.Sent.Status, r.Sent.Failure = StatusUnanswered, "stopped"
			// The model was asked and has most likely read the prompt, which
			// is billed; and were a stop before the first word free, sending
			// and stopping again and again would slip past every limit.
			use = spent{messages: 1, prompt: promptGuess}
		}
		err = nil
	default:
		kind := classify(err, text != "")
		upstream = &UpstreamError{Kind: kind, RetryAfter: retryAfter, MessageID: sent.ID,
			Err: err}
		r.Sent.Status, r.Sent.Failure = StatusUnanswered, failureName(kind)
		if r.Answer != nil {
			r.Answer.Status, r.Answer.Failure = StatusFailed, failureName(kind)
			use.messages = 0 // only tokens count for a broken answer
		}
		s.logFailure(who, r.Sent, upstream)
	}
	if omitted > 0 {
		s.log.Debug("tutor context trimmed", "conversation_id", sent.ConversationID,
			"omitted", omitted)
	}
	if err := s.finish(ctx, who, r, use); err != nil {
		return r, err
	}
	if upstream != nil {
		return r, upstream
	}
	return r, nil
}

// countTokens sets the message's token counts from the API's usage, or
// estimates them when there is none.
func (m *Message) countTokens(u *openai.Usage, promptGuess int) {
	if u != nil {
		m.PromptTokens, m.CompletionTokens = u.PromptTokens, u.CompletionTokens
		return
	}
	m.PromptTokens = promptGuess
	m.CompletionTokens = estimateTokens(m.Content)
	m.TokensEstimated = true
}

// logFailure logs a failed model call: a refused request means the
// settings are wrong, the rest are the weather.
func (s *Service) logFailure(who Learner, sent Message, e *UpstreamError) {
	level := slog.LevelWarn
	if errors.Is(e, ErrRejected) {
		level = slog.LevelError
	}
	s.log.Log(context.Background(), level, "tutor model call failed",
		"kind", failureName(e.Kind), "user_id", who.UserID, "message_id", sent.ID,
		"retry_after", e.RetryAfter, "error", e.Err)
}
