package oauth

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnauthorized means the platform refused the access token even after a
// fresh one was fetched, so the tool's registration or grants have changed.
var ErrUnauthorized = errors.New("platform refused the access token")

// ErrForbidden means the platform understood the request and will not allow
// it; the platform's message says why.
var ErrForbidden = errors.New("platform forbids the request")

// ErrNotFound means the platform does not know the URL that was called.
var ErrNotFound = errors.New("platform does not know the resource")

// ErrRejected means the platform refused the request as it was sent; sending
// it again unchanged will not help.
var ErrRejected = errors.New("platform rejected the request")

// ErrTokenRefused means the token endpoint refused the client assertion or
// the scopes, so the platform's registration of the tool needs attention.
var ErrTokenRefused = errors.New("platform refused to issue an access token")

// ErrBadResponse means a platform answered with success but with a body the
// protocol does not allow.
var ErrBadResponse = errors.New("unreadable answer from platform")

// ErrThrottled means the platform asked the tool to slow down.
var ErrThrottled = errors.New("platform throttled the request")

// ErrUnavailable means the platform failed or could not be reached.
var ErrUnavailable = errors.New("platform is unavailable")

// Error is a platform's refusal that retrying will not cure: the step that
// failed, the HTTP status, the platform's own words (bounded and sanitized,
// fit to show an instructor), and a sentinel saying what kind of refusal it
// is, so that errors.Is can tell them apart.
type Error struct {
	Op      string
	Status  int
	Message string
	Kind    error
}

// Error describes the refusal in one line.
func (e *Error) Error() string {
	return describe(e.Op, e.Kind, e.Status, e.Message)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// RetryableError is a failure that may pass if the call is made again later:
// throttling, a platform error, a timeout or a network failure. After is the
// wait the platform asked for with Retry-After, 0 when it named none.
type RetryableError struct {
	Op      string
	Status  int // 0 when no answer came
	After   time.Duration
	Message string
	// Err is the cause: ErrThrottled, ErrUnavailable or a network error.
	Err error
}

// Error describes the failure in one line.
func (e *RetryableError) Error() string {
	s := describe(e.Op, e.Err, e.Status, e.Message)
	if e.After > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.After)
	}
	return s
}

// Unwrap returns the cause.
func (e *RetryableError) Unwrap() error { return e.Err }

// describe joins the parts of an error message, leaving out empty ones.
func describe(op string, kind error, status int, msg string) string {
	var b strings.Builder
	if op != "" {
		b.WriteString(op + ": ")
	}
	if kind != nil {
		b.WriteString(kind.Error())
	}
	if status != 0 {
		fmt.Fprintf(&b, " (status %d)", status)
	}
	if msg != "" {
		b.WriteString(": " + msg)
	}
	return b.String()
}

// PlatformMessage returns the platform's own words carried by err, or "" when
// the platform gave none. They are safe to show an instructor, for example
// "User not found in course or is not a student".
func PlatformMessage(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	var re *RetryableError
	if errors.As(err, &re) {
		return re.Message
	}
	return ""
}
