package tutor

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrNotConfigured reports a tutor with no model configured; Config.Missing
	// names the settings an administrator must set.
	ErrNotConfigured = errors.New("tutor not configured")

	// ErrUnknownLab reports a lab id the course pack does not hold.
	ErrUnknownLab = errors.New("no such lab in the course pack")

	// ErrEmptyMessage reports a message with nothing but spaces.
	ErrEmptyMessage = errors.New("message is empty")

	// ErrMessageTooLong reports a message longer than MaxMessageRunes.
	ErrMessageTooLong = errors.New("message is too long")

	// ErrBusy reports a learner who already has an answer in flight, on this
	// instance or another.
	ErrBusy = errors.New("an answer is already in progress")

	// ErrTestOpen reports a learner with a module-test attempt open: the
	// tutor pauses until it is submitted.
	ErrTestOpen = errors.New("tutor paused while a module test is open")

	// ErrLimitReached is matched by every *LimitError.
	ErrLimitReached = errors.New("tutor limit reached")

	// ErrNotFound reports a conversation or message that does not exist, or
	// that belongs to another learner or course.
	ErrNotFound = errors.New("no such conversation or message")

	// ErrNotRetryable reports a retry of a message that was answered, or
	// that later messages have followed.
	ErrNotRetryable = errors.New("message cannot be retried")

	// ErrAnswerInPrompt reports a prompt that would quote an answer of a
	// quiz or test; the pack must be fixed.
	ErrAnswerInPrompt = errors.New("prompt would hold an answer key")
)

// The kinds of upstream failure an *UpstreamError matches with errors.Is.
var (
	// ErrRateLimited reports an API that answered 429 Too Many Requests.
	ErrRateLimited = errors.New("model rate limited")
	// ErrUnavailable reports an API that answered with a server error or
	// could not be reached.
	ErrUnavailable = errors.New("model unavailable")
	// ErrTimeout reports an answer that did not start or end in time.
	ErrTimeout = errors.New("model timed out")
	// ErrInterrupted reports an answer whose stream broke off.
	ErrInterrupted = errors.New("model answer interrupted")
	// ErrRejected reports a request the API refused, such as a wrong key or
	// model name: trying again will not help until the settings change.
	ErrRejected = errors.New("model rejected the request")
)

// UpstreamError is a failed model call. The learner's message is kept,
// marked unanswered, and can be retried by MessageID.
type UpstreamError struct {
	// Kind is one of ErrRateLimited, ErrUnavailable, ErrTimeout,
	// ErrInterrupted and ErrRejected.
	Kind error
	// RetryAfter is the wait the API asked for, 0 when it named none.
	RetryAfter time.Duration
	// MessageID is the learner's unanswered message.
	MessageID int64
	// Err is the cause, for the log; never show it to the learner.
	Err error
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("%v: %v", e.Kind, e.Err)
}

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// Is matches the error's kind.
func (e *UpstreamError) Is(target error) bool { return target == e.Kind }

// Retryable reports whether trying again may succeed without changing any
// setting.
func (e *UpstreamError) Retryable() bool { return e.Kind != ErrRejected }

// Message is what the learner is told.
func (e *UpstreamError) Message() string {
	const kept = " Your message is saved"
	switch e.Kind {
	case ErrRateLimited:
		wait := "in a minute"
		if e.RetryAfter > 0 {
			wait = "in about " + roughly(e.RetryAfter)
		}
		return "The tutor is busy right now." + kept + "; try again " + wait + "."
	case ErrTimeout:
		return "The tutor took too long to answer." + kept + "; try again."
	case ErrInterrupted:
		return "The tutor's answer was cut off." + kept + "; try again."
	case ErrRejected:
		return "The tutor could not answer." + kept + ". If trying again does " +
			"not help, please tell your instructor."
	default:
		return "The tutor is unavailable at the moment." + kept + "; try again " +
			"in a minute."
	}
}

// roughly writes d for a learner: "20 seconds", "3 minutes".
func roughly(d time.Duration) string {
	if d < time.Minute {
		s := int(d.Round(time.Second) / time.Second)
		return plural(max(s, 1), "second")
	}
	return plural(int((d+time.Minute-1)/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// LimitKind names one of the budgets in Limits.
type LimitKind string

// The budgets.
const (
	LimitMessagesPerDay       LimitKind = "messages_per_day"
	LimitTokensPerDay         LimitKind = "tokens_per_day"
	LimitCourseTokensPerMonth LimitKind = "course_tokens_per_month"
)

// LimitError reports a budget used up. It matches ErrLimitReached.
type LimitError struct {
	Kind LimitKind
	Max  int64
	Used int64
	// ResetsAt is the next UTC midnight for a daily limit, the first of
	// next month for the course's; it is zero when Max is 0, since a limit
	// of 0 allows no use whenever it is.
	ResetsAt time.Time
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("tutor limit %s reached: %d of %d used", e.Kind, e.Used, e.Max)
}

// Is matches ErrLimitReached.
func (e *LimitError) Is(target error) bool { return target == ErrLimitReached }

// Message is what the learner is told, with the time the limit resets.
func (e *LimitError) Message() string {
	if e.Max == 0 {
		return "The tutor is switched off here (its allowance is set to 0). " +
			"Please ask your instructor."
	}
	when := e.ResetsAt.UTC().Format("Monday 2 January 15:04 MST")
	switch e.Kind {
	case LimitMessagesPerDay:
		return fmt.Sprintf("You have sent today's %d messages to the tutor. "+
			"You can continue after the limit resets on %s.", e.Max, when)
	case LimitTokensPerDay:
		return "You have used today's tutor allowance. You can continue after " +
			"it resets on " + when + "."
	default:
		return "Your course has used this month's tutor allowance. The tutor " +
			"is available again from " + when + "."
	}
}

// Messages shown for the errors that carry no Message method.
const (
	busyMessage     = "The tutor is still answering your previous message."
	testOpenMessage = "The tutor is paused while your module test is open. " +
		"Submit the test to continue the lab."
	notConfiguredMessage = "The tutor is not configured yet."
)

// LearnerMessage returns the text to show a learner for an error of Send,
// Retry or Resume: the error's own message when it has one, or a safe
// general one. It never reveals the cause, which belongs in the log.
func LearnerMessage(err error) string {
	var (
		up  *UpstreamError
		lim *LimitError
	)
	switch {
	case errors.As(err, &up):
		return up.Message()
	case errors.As(err, &lim):
		return lim.Message()
	case errors.Is(err, ErrBusy):
		return busyMessage
	case errors.Is(err, ErrTestOpen):
		return testOpenMessage
	case errors.Is(err, ErrNotConfigured):
		return notConfiguredMessage
	case errors.Is(err, ErrEmptyMessage):
		return "Please write a message first."
	case errors.Is(err, ErrMessageTooLong):
		return fmt.Sprintf("Please keep your message under %d characters.", MaxMessageRunes)
	case errors.Is(err, ErrNotRetryable):
		return "That message has already been answered."
	}
	// An unexpected error may come before the message was stored, so this
	// promises nothing of it; the page keeps the text or says it is saved.
	return "Something went wrong on our side. Please try again in a moment."
}

// AdminMessage tells an administrator which settings switch the tutor on.
func (c Config) AdminMessage() string {
	m := c.Missing()
	if len(m) == 0 {
		return ""
	}
	return "The AI tutor is not configured. To switch it on, set " +
		strings.Join(m, " and ") + " in Aesop's environment and restart it."
}
