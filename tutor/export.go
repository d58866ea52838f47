package tutor

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Namer returns a learner's display name for an export, or "" to leave it
// out; the web layer passes one built from the course roster.
type Namer func(userID int64) string

// exportConversation is a conversation as written to JSON.
type exportConversation struct {
	ID        int64           `json:"id"`
	UserID    int64           `json:"user_id"`
	Learner   string          `json:"learner,omitempty"`
	LabID     string          `json:"lab_id"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Messages  []exportMessage `json:"messages"`
}

// exportMessage is a message as written to JSON.
type exportMessage struct {
	ID               int64     `json:"id"`
	Role             Role      `json:"role"`
	Status           Status    `json:"status"`
	Failure          string    `json:"failure,omitempty"`
	Content          string    `json:"content"`
	CreatedAt        time.Time `json:"created_at"`
	PromptTokens     int       `json:"prompt_tokens,omitempty"`
	CompletionTokens int       `json:"completion_tokens,omitempty"`
	TokensEstimated  bool      `json:"tokens_estimated,omitempty"`
}

// eachTranscript calls fn with every conversation of a course, with its
// messages, oldest first, loading one at a time.
func (s *Service) eachTranscript(ctx context.Context, contextRef int64,
	fn func(*Conversation) error) error {
	list, err := s.Conversations(ctx, contextRef, 0)
	if err != nil {
		return err
	}
	for i := len(list) - 1; i >= 0; i-- {
		c, err := s.Transcript(ctx, contextRef, list[i].ID)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// ExportJSON writes every transcript of a course to w as one JSON object,
// {"context_ref": …, "exported_at": …, "usage_since": …, "usage": […],
// "conversations": […]}, usage being each learner's over the retained period
// (see usageExport). name may be nil.
func (s *Service) ExportJSON(ctx context.Context, w io.Writer, contextRef int64,
	name Namer) error {
	usage, since, err := s.usageExport(ctx, contextRef, name)
	if err != nil {
		return err
	}
	head, _ := json.Marshal(map[string]any{"context_ref": contextRef,
		"exported_at": s.now(), "usage_since": since, "usage": usage})
	if _, err := fmt.Fprintf(w, "%s,\"conversations\":[", head[:len(head)-1]); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	first := true
	err = s.eachTranscript(ctx, contextRef, func(c *Conversation) error {
		ec := exportConversation{ID: c.ID, UserID: c.UserID, LabID: c.LabID,
			CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
			Messages: make([]exportMessage, len(c.Messages))}
		if name != nil {
			ec.Learner = name(c.UserID)
		}
		for i, m := range c.Messages {
			ec.Messages[i] = exportMessage{ID: m.ID, Role: m.Role, Status: m.Status,
				Failure: m.Failure, Content: m.Content, CreatedAt: m.CreatedAt,
				PromptTokens: m.PromptTokens, CompletionTokens: m.CompletionTokens,
				TokensEstimated: m.TokensEstimated}
		}
		b, err := json.Marshal(ec)
		if err != nil {
			return fmt.Errorf("encode conversation %d: %w", c.ID, err)
		}
		if !first {
			b = append([]byte{','}, b...)
		}
		first = false
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "]}\n"); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

// csvHeader names the columns of ExportCSV.
var csvHeader = []string{"conversation_id", "user_id", "learner", "lab_id", "message_id",
	"role", "status", "failure", "created_at", "prompt_tokens", "completion_tokens",
	"tokens_estimated", "content"}

// ExportCSV writes every message of every transcript of a course to w as
// CSV, one row per message, with a header row. Cells that a spreadsheet
// would run as a formula are prefixed with an apostrophe. name may be nil.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, contextRef int64,
	name Namer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	err := s.eachTranscript(ctx, contextRef, func(c *Conversation) error {
		learner := ""
		if name != nil {
			learner = name(c.UserID)
		}
		for _, m := range c.Messages {
			err := cw.Write([]string{itoa(c.ID), itoa(c.UserID), inert(learner), c.LabID,
				itoa(m.ID), string(m.Role), string(m.Status), m.Failure,
				m.CreatedAt.Format(time.RFC3339Nano), strconv.Itoa(m.PromptTokens),
				strconv.Itoa(m.CompletionTokens), strconv.FormatBool(m.TokensEstimated),
				inert(m.Content)})
			if err != nil {
				return fmt.Errorf("write export: %w", err)
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

// DayUsage is one learner's use of the tutor in a course on one UTC day.
type DayUsage struct {
	UserID int64
	// Day is the UTC day, as 2006-01-02.
	Day              string
	Messages         int64
	PromptTokens     int64
	CompletionTokens int64
}

// UsageByDay returns each learner's use of the tutor in a course on each UTC
// day of the retained period, by learner and then day, and the first day of
// that period. Older days are gone: Cleanup deletes them with the
// transcripts.
func (s *Service) UsageByDay(ctx context.Context, contextRef int64) (
	[]DayUsage, string, error) {
	since := dayKey(s.now().Add(-s.cfg.Retention))
	var out []DayUsage
	err := s.db.WithContext(ctx).Raw("SELECT user_id, day, messages, prompt_tokens, "+
		"completion_tokens FROM tutor_usage WHERE context_ref = ? AND day >= ? "+
		"ORDER BY user_id, day", contextRef, since).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("read usage per day: %w", err)
	}
	return out, since, nil
}

// exportUsage is a learner's use as written to JSON: totals over the
// retained period, which is what an instructor compares learners by, and the
// days behind them, which show when a daily limit was reached.
type exportUsage struct {
	UserID           int64            `json:"user_id"`
	Learner          string           `json:"learner,omitempty"`
	Messages         int64            `json:"messages"`
	PromptTokens     int64            `json:"prompt_tokens"`
	CompletionTokens int64            `json:"completion_tokens"`
	Days             []exportDayUsage `json:"days"`
}

// exportDayUsage is a learner's use on one day as written to JSON.
type exportDayUsage struct {
	Day              string `json:"day"`
	Messages         int64  `json:"messages"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
}

// usageExport returns the learners' use for ExportJSON, by learner, and the
// first day it covers.
func (s *Service) usageExport(ctx context.Context, contextRef int64, name Namer) (
	[]exportUsage, string, error) {
	days, since, err := s.UsageByDay(ctx, contextRef)
	if err != nil {
		return nil, "", err
	}
	out := []exportUsage{}
	for _, d := range days {
		if len(out) == 0 || out[len(out)-1].UserID != d.UserID {
			u := exportUsage{UserID: d.UserID}
			if name != nil {
				u.Learner = name(d.UserID)
			}
			out = append(out, u)
		}
		u := &out[len(out)-1]
		u.Messages += d.Messages
		u.PromptTokens += d.PromptTokens
		u.CompletionTokens += d.CompletionTokens
		u.Days = append(u.Days, exportDayUsage{Day: d.Day, Messages: d.Messages,
			PromptTokens: d.PromptTokens, CompletionTokens: d.CompletionTokens})
	}
	return out, since, nil
}

// usageCSVHeader names the columns of ExportUsageCSV.
var usageCSVHeader = []string{"user_id", "learner", "day", "messages", "prompt_tokens",
	"completion_tokens"}

// ExportUsageCSV writes each learner's use of the tutor in a course to w as
// CSV, with a header row: one row per learner and UTC day of the retained
// period, as the daily limits count it, so that a spreadsheet can total it
// per learner or chart it per day. messages counts the answered ones. Cells
// that a spreadsheet would run as a formula are prefixed with an
// apostrophe. name may be nil.
func (s *Service) ExportUsageCSV(ctx context.Context, w io.Writer, contextRef int64,
	name Namer) error {
	days, _, err := s.UsageByDay(ctx, contextRef)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(usageCSVHeader)
	for _, d := range days {
		learner := ""
		if name != nil {
			learner = name(d.UserID)
		}
		cw.Write([]string{itoa(d.UserID), inert(learner), d.Day, itoa(d.Messages),
			itoa(d.PromptTokens), itoa(d.CompletionTokens)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write usage export: %w", err)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// inert keeps a spreadsheet from reading a cell as a formula.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
