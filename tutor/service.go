package tutor

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"aesop/content"
)

// MaxMessageRunes is the longest message a learner may send, in characters.
const MaxMessageRunes = 4000

// Service runs the tutor's conversations. It keeps no state of its own
// between calls: conversations, usage and the answer leases live in the
// database, so any number of instances may share one.
type Service struct {
	db    *gorm.DB
	cfg   Config
	model *model // nil when no model is configured
	labs  map[string]*labPrompt
	log   *slog.Logger
	// now is the clock, replaced in tests.
	now func() time.Time
}

// labPrompt is a lab with its system prompt, built once.
type labPrompt struct {
	lab    *content.Lab
	system string
	err    error // why the prompt could not be built
}

// New returns a Service on db for the labs of pack. It refuses settings
// out of range. With no model configured it still serves transcripts and
// usage, and Send and Retry return ErrNotConfigured. A lab whose prompt
// cannot be built safely is logged and refuses to answer.
func New(db *gorm.DB, pack *content.Pack, cfg Config, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tutor settings: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, cfg: cfg, labs: map[string]*labPrompt{}, log: log, now: now}
	if cfg.Enabled() {
		s.model = newModel(cfg)
	}
	key := newAnswerKey(pack)
	grounding := min(DefaultGroundingTokens, (cfg.ContextTokens-cfg.MaxOutputTokens)/3)
	for _, m := range pack.Modules {
		for _, lab := range m.Labs {
			system, err := buildPrompt(pack, key, lab.ID, grounding)
			if err != nil {
				log.Error("tutor prompt refused", "lab_id", lab.ID, "error", err)
			}
			s.labs[lab.ID] = &labPrompt{lab: lab, system: system, err: err}
		}
	}
	return s, nil
}

// Config returns the settings the Service runs with.
func (s *Service) Config() Config { return s.cfg }

// lab returns the lab with the given id.
func (s *Service) lab(id string) (*labPrompt, error) {
	lp, ok := s.labs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLab, id)
	}
	return lp, nil
}

// Resume returns the learner's conversation in a lab, starting it with the
// lab's opening message on the first call, so that the learner sees it as
// they left it. A message left pending by an instance that stopped while
// answering is marked unanswered, ready for Retry.
func (s *Service) Resume(ctx context.Context, who Learner, labID string) (*Conversation, error) {
	lp, err := s.lab(labID)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	at := s.now()
	c, err := openConversation(db, who, labID, lp.lab.Opening, at)
	if err != nil {
		return nil, err
	}
	ms, err := loadMessages(db, c.ID)
	if err != nil {
		return nil, err
	}
	if err := sweepPending(db, ms, who.UserID, at); err != nil {
		return nil, err
	}
	c.withMessages(ms)
	return c, nil
}

// sweepPending marks unanswered the pending messages of ms whose lease has
// passed at at: the instance that was answering them has gone.
func sweepPending(db *gorm.DB, ms []Message, userID int64, at time.Time) error {
	var stale []int
	for i, m := range ms {
		if m.Status == StatusPending && m.LeaseUntil != nil && !m.LeaseUntil.After(at) {
			stale = append(stale, i)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	if _, err := sweepStale(db, userID, at); err != nil {
		return err
	}
	for _, i := range stale {
		ms[i].Status, ms[i].LeaseUntil = StatusUnanswered, nil
		ms[i].Failure = failureName(ErrInterrupted)
	}
	return nil
}

// cleanMessage trims a learner's message and checks its length.
func cleanMessage(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", ErrEmptyMessage
	case !utf8.ValidString(text):
		return "", fmt.Errorf("%w: not valid UTF-8", ErrEmptyMessage)
	case utf8.RuneCountInString(text) > MaxMessageRunes:
		return "", ErrMessageTooLong
	}
	return text, nil
}

// failureName is the name stored for a kind of upstream failure.
func failureName(kind error) string {
	switch kind {
	case ErrRateLimited:
		return "rate_limited"
	case ErrTimeout:
		return "timeout"
	case ErrInterrupted:
		return "interrupted"
	case ErrRejected:
		return "rejected"
	}
	return "unavailable"
}
