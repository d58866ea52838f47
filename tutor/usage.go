package tutor

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// dayKey and monthKey name the UTC day and month of t as stored.
func dayKey(t time.Time) string   { return t.UTC().Format(time.DateOnly) }
func monthKey(t time.Time) string { return t.UTC().Format("2006-01") }

// nextDay returns the UTC midnight after t, when the daily limits reset.
func nextDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// nextMonth returns the first of the UTC month after t, when the course
// budget resets.
func nextMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// checkAllowed returns ErrBusy when the learner has an answer in flight at
// t, and a *LimitError when they or their course have used a budget up. The
// course's is checked first: it resets last. The check for an answer in
// flight only spares a model call that storing the message would refuse.
func checkAllowed(db *gorm.DB, lim Limits, who Learner, at time.Time) error {
	switch {
	case lim.CourseTokensPerMonth == 0:
		return &LimitError{Kind: LimitCourseTokensPerMonth}
	case lim.MessagesPerDay == 0:
		return &LimitError{Kind: LimitMessagesPerDay}
	case lim.TokensPerDay == 0:
		return &LimitError{Kind: LimitTokensPerDay}
	}
	var busy, msgs, tokens, course int64
	day := dayKey(at)
	err := db.Raw("SELECT "+
		"(SELECT COUNT(*) FROM tutor_messages WHERE user_id = ? AND status = 'pending' "+
		"AND lease_until > ?), "+
		"(SELECT CAST(COALESCE(SUM(messages), 0) AS BIGINT) FROM tutor_usage "+
		"WHERE user_id = ? AND day = ?), "+
		"(SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) "+
		"FROM tutor_usage WHERE user_id = ? AND day = ?), "+
		"(SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) "+
		"FROM tutor_course_usage WHERE context_ref = ? AND month = ?)",
		who.UserID, at, who.UserID, day, who.UserID, day, who.ContextRef, monthKey(at)).
		Row().Scan(&busy, &msgs, &tokens, &course)
	if err != nil {
		return fmt.Errorf("read tutor usage: %w", err)
	}
	switch {
	case busy > 0:
		return ErrBusy
	case course >= lim.CourseTokensPerMonth:
		return &LimitError{Kind: LimitCourseTokensPerMonth, Max: lim.CourseTokensPerMonth,
			Used: course, ResetsAt: nextMonth(at)}
	case msgs >= lim.MessagesPerDay:
		return &LimitError{Kind: LimitMessagesPerDay, Max: lim.MessagesPerDay, Used: msgs,
			ResetsAt: nextDay(at)}
	case tokens >= lim.TokensPerDay:
		return &LimitError{Kind: LimitTokensPerDay, Max: lim.TokensPerDay, Used: tokens,
			ResetsAt: nextDay(at)}
	}
	return nil
}

// courseShards is how many rows a course's month is spread over; see the
// tutor_course_usage table.
const courseShards = 16

// spent is what one answer used.
type spent struct {
	messages, prompt, completion int
}

// The statements that add an answer's use to the learner's day and to the
// course's month.
const (
	addDayUsage = "INSERT INTO tutor_usage (user_id, day, context_ref, messages, " +
		"prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?) " +
		"ON CONFLICT (user_id, day, context_ref) DO UPDATE SET " +
		"messages = tutor_usage.messages + excluded.messages, " +
		"prompt_tokens = tutor_usage.prompt_tokens + excluded.prompt_tokens, " +
		"completion_tokens = tutor_usage.completion_tokens + excluded.completion_tokens"
	addMonthUsage = "INSERT INTO tutor_course_usage (context_ref, month, shard, messages, " +
		"prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?) " +
		"ON CONFLICT (context_ref, month, shard) DO UPDATE SET " +
		"messages = tutor_course_usage.messages + excluded.messages, " +
		"prompt_tokens = tutor_course_usage.prompt_tokens + excluded.prompt_tokens, " +
		"completion_tokens = tutor_course_usage.completion_tokens + " +
		"excluded.completion_tokens"
)

// usageArgs returns the arguments of addDayUsage and addMonthUsage.
func usageArgs(who Learner, at time.Time, u spent) (day, month []any) {
	return []any{who.UserID, dayKey(at), who.ContextRef, u.messages, u.prompt, u.completion},
		[]any{who.ContextRef, monthKey(at), who.UserID % courseShards, u.messages, u.prompt,
			u.completion}
}

// recordUsage adds what an answer used to the learner's day and the
// course's month.
func recordUsage(db *gorm.DB, who Learner, at time.Time, u spent) error {
	if u == (spent{}) {
		return nil
	}
	day, month := usageArgs(who, at, u)
	if err := db.Exec(addDayUsage, day...).Error; err != nil {
		return fmt.Errorf("record learner usage: %w", err)
	}
	if err := db.Exec(addMonthUsage, month...).Error; err != nil {
		return fmt.Errorf("record course usage: %w", err)
	}
	return nil
}

// LearnerUsage is one learner's use of the tutor in a course over a period.
type LearnerUsage struct {
	UserID           int64
	Messages         int64
	PromptTokens     int64
	CompletionTokens int64
	// LastDay is the last UTC day of use in the period, as 2006-01-02.
	LastDay string
}

// Tokens returns the prompt and completion tokens together, as the limits
// count them.
func (u LearnerUsage) Tokens() int64 { return u.PromptTokens + u.CompletionTokens }

// Usage returns each learner's use of the tutor in a course over the UTC
// days from from to to, both included, most tokens first.
func (s *Service) Usage(ctx context.Context, contextRef int64, from, to time.Time) (
	[]LearnerUsage, error) {
	var out []LearnerUsage
	err := s.db.WithContext(ctx).Raw("SELECT user_id, "+
		"CAST(SUM(messages) AS BIGINT) AS messages, "+
		"CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens, "+
		"CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens, "+
		"MAX(day) AS last_day FROM tutor_usage "+
		"WHERE context_ref = ? AND day >= ? AND day <= ? GROUP BY user_id "+
		"ORDER BY SUM(prompt_tokens + completion_tokens) DESC, user_id",
		contextRef, dayKey(from), dayKey(to)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read usage per learner: %w", err)
	}
	return out, nil
}

// CourseUsage is a course's use of the tutor in one UTC month, against its
// budget.
type CourseUsage struct {
	Month            string // as 2006-01
	Messages         int64
	PromptTokens     int64
	CompletionTokens int64
	Budget           int64
	ResetsAt         time.Time
}

// CourseMonth returns a course's use of the tutor in the UTC month of t.
func (s *Service) CourseMonth(ctx context.Context, contextRef int64, t time.Time) (
	CourseUsage, error) {
	var row struct{ Messages, PromptTokens, CompletionTokens int64 }
	err := s.db.WithContext(ctx).Raw("SELECT "+
		"CAST(COALESCE(SUM(messages), 0) AS BIGINT) AS messages, "+
		"CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS prompt_tokens, "+
		"CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS completion_tokens "+
		"FROM tutor_course_usage WHERE context_ref = ? AND month = ?",
		contextRef, monthKey(t)).Scan(&row).Error
	if err != nil {
		return CourseUsage{}, fmt.Errorf("read course usage: %w", err)
	}
	return CourseUsage{Month: monthKey(t), Messages: row.Messages,
		PromptTokens: row.PromptTokens, CompletionTokens: row.CompletionTokens,
		Budget: s.cfg.Limits.CourseTokensPerMonth, ResetsAt: nextMonth(t)}, nil
}
