package tutor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Reply is the outcome of Send or Retry.
type Reply struct {
	// Sent is the learner's message as stored: answered, or unanswered when
	// the model failed or the learner stopped the answer before any text.
	Sent Message
	// Answer is the tutor's message as stored: answered, stopped or failed;
	// nil when the answer broke off or was stopped before any text.
	Answer *Message
}

// finishWrites bounds the writes that close an exchange. They run even
// when the caller's context is cancelled, so a stopped answer is kept.
const finishWrites = 10 * time.Second

// PauseCheck reports whether the tutor is paused for a learner, as while
// they have a module-test attempt open. Send and Retry run it alongside
// their own reads, so that the learner's wait before the model is asked
// holds one database round trip, not one after another. A nil PauseCheck
// never pauses.
type PauseCheck func(context.Context) (bool, error)

// Send stores the learner's message in their conversation in a lab and
// streams the tutor's answer to onDelta, piece by piece in order, as it
// arrives; the web layer turns the pieces into server-sent events.
//
// It refuses, before storing anything, while paused says so (ErrTestOpen:
// the learner has a module-test attempt open), when a limit is reached (a
// *LimitError), when the learner already has an answer in flight on any
// instance (ErrBusy), and when no model is configured (ErrNotConfigured);
// the web layer should keep the text in the learner's box.
//
// Otherwise the message is stored, marked pending, while the model starts
// on the answer, and no piece of the answer is passed on before it is
// stored: a message is never lost. When the model fails, the message stays
// unanswered and Send returns the Reply with an *UpstreamError; Retry asks
// again. Cancelling ctx stops the answer: what streamed so far is stored,
// marked stopped, and Send returns no error. So does an error from onDelta,
// such as a browser that went away.
func (s *Service) Send(ctx context.Context, who Learner, labID, text string, paused PauseCheck,
	onDelta func(string) error) (*Reply, error) {
	lp, err := s.ready(labID)
	if err != nil {
		return nil, err
	}
	if text, err = cleanMessage(text); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	at := s.now()
	var history []Message
	err = s.admit(ctx, db, who, at, paused, func() (err error) {
		history, err = loadHistory(db, who, labID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		c, err := openConversation(db, who, labID, lp.lab.Opening, at)
		if err != nil {
			return nil, err
		}
		if history, err = loadMessages(db, c.ID); err != nil {
			return nil, err
		}
	}
	history = append(history, Message{ConversationID: history[0].ConversationID,
		UserID: who.UserID, Role: RoleLearner, Content: text, CreatedAt: at})
	until := at.Add(s.cfg.leaseTTL())
	return s.answer(ctx, who, lp, history, func(db *gorm.DB, m *Message) error {
		return storePending(db, m, at, until)
	}, onDelta)
}

// Retry asks the model again to answer a learner's unanswered message, the
// last the learner sent in its conversation, and streams the answer as Send
// does, with the same refusals.
func (s *Service) Retry(ctx context.Context, who Learner, messageID int64, paused PauseCheck,
	onDelta func(string) error) (*Reply, error) {
	db := s.db.WithContext(ctx)
	c, err := s.conversationOf(db, who, messageID)
	if err != nil {
		return nil, err
	}
	lp, err := s.ready(c.LabID)
	if err != nil {
		return nil, err
	}
	at := s.now()
	var all []Message
	err = s.admit(ctx, db, who, at, paused, func() (err error) {
		all, err = loadMessages(db, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	history, err := retryable(all, messageID)
	if err != nil {
		return nil, err
	}
	until := at.Add(s.cfg.leaseTTL())
	return s.answer(ctx, who, lp, history, func(db *gorm.DB, m *Message) error {
		if err := markPending(db, m.ID, who.UserID, at, until); err != nil {
			return err
		}
		m.Status, m.Failure, m.LeaseUntil = StatusPending, "", &until
		return nil
	}, onDelta)
}

// admit decides whether the learner may ask the tutor now, while read
// loads what the answer needs: the pause check, the limits and read run side
// by side. A pause is told first, then a limit, then a failed read.
func (s *Service) admit(ctx context.Context, db *gorm.DB, who Learner, at time.Time,
	paused PauseCheck, read func() error) error {
	var (
		wg                sync.WaitGroup
		isPaused          bool
		pauseErr, readErr error
	)
	wg.Go(func() { readErr = read() })
	if paused != nil {
		wg.Go(func() { isPaused, pauseErr = paused(ctx) })
	}
	limitErr := checkAllowed(db, s.cfg.Limits, who, at)
	wg.Wait()
	switch {
	case pauseErr != nil:
		return fmt.Errorf("check whether the tutor is paused: %w", pauseErr)
	case isPaused:
		return ErrTestOpen
	case limitErr != nil:
		return limitErr
	}
	return readErr
}

// conversationOf returns the conversation of a message, checked as the
// learner's in their course.
func (s *Service) conversationOf(db *gorm.DB, who Learner, messageID int64) (
	*Conversation, error) {
	var c Conversation
	err := db.Where("user_id = ? AND context_ref = ? AND id = (SELECT conversation_id "+
		"FROM tutor_messages WHERE id = ?)", who.UserID, who.ContextRef, messageID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load conversation of message: %w", err)
	}
	return &c, nil
}

// retryable returns the history up to the message to retry, which must be
// the learner's last. Whether it is unanswered, or pending but left by an
// instance that stopped, markPending decides.
func retryable(history []Message, messageID int64) ([]Message, error) {
	at := -1
	for i, m := range history {
		if m.ID == messageID {
			at = i
		}
		if at >= 0 && i > at && m.Role == RoleLearner {
			return nil, ErrNotRetryable
		}
	}
	if at < 0 {
		return nil, ErrNotFound
	}
	m := history[at]
	if m.Role != RoleLearner || (m.Status != StatusUnanswered && m.Status != StatusPending) {
		return nil, ErrNotRetryable
	}
	return history[:at+1], nil
}

// ready returns the lab when the tutor can answer in it.
func (s *Service) ready(labID string) (*labPrompt, error) {
	lp, err := s.lab(labID)
	switch {
	case err != nil:
		return nil, err
	case s.model == nil:
		return nil, ErrNotConfigured
	case lp.err != nil:
		return nil, lp.err
	}
	return lp, nil
}

// release marks the learner's pending message unanswered on a path where
// its exchange could not be finished, even when ctx is cancelled.
func (s *Service) release(ctx context.Context, sent *Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishWrites)
	defer cancel()
	err := s.db.WithContext(ctx).Exec("UPDATE tutor_messages SET status = 'unanswered', "+
		"failure = ?, lease_until = NULL WHERE id = ? AND status = 'pending'",
		failureName(ErrUnavailable), sent.ID).Error
	if err != nil {
		// The lease lapses by itself at lease_until.
		s.log.Error("tutor message left pending", "message_id", sent.ID, "error", err)
	}
}
