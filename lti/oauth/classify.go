package oauth

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter bounds the wait taken from a Retry-After header, so that a
// platform's odd value cannot park a platform's calls for days.
const MaxRetryAfter = time.Hour

// classify turns a platform's unsuccessful answer into an *Error or, when
// the call may pass later, a *RetryableError.
func classify(op string, resp *http.Response, body []byte, now time.Time) error {
	msg := answerMessage(resp, body)
	status := resp.StatusCode
	switch {
	case status == http.StatusTooManyRequests || rateLimited(status, msg):
		return &RetryableError{Op: op, Status: status, Message: msg, Err: ErrThrottled,
			After: RetryAfter(resp.Header, now)}
	case status >= 500 || status == http.StatusRequestTimeout:
		return &RetryableError{Op: op, Status: status, Message: msg, Err: ErrUnavailable,
			After: RetryAfter(resp.Header, now)}
	}
	kind := ErrRejected
	switch status {
	case http.StatusUnauthorized:
		kind = ErrUnauthorized
	case http.StatusForbidden:
		kind = ErrForbidden
	case http.StatusNotFound, http.StatusGone:
		kind = ErrNotFound
	}
	return &Error{Op: op, Status: status, Message: msg, Kind: kind}
}

// rateLimited reports a throttling answer that is not a 429: Canvas answers
// "403 Forbidden (Rate Limit Exceeded)" when a tool spends its quota.
func rateLimited(status int, msg string) bool {
	return status == http.StatusForbidden &&
		strings.Contains(strings.ToLower(msg), "rate limit exceeded")
}

// RetryAfter reads a Retry-After header given either as seconds or as an
// HTTP date, relative to now. It returns 0 when the header is absent,
// unreadable or in the past, and at most MaxRetryAfter.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		d = time.Duration(min(secs, int64(MaxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
