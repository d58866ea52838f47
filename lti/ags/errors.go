package ags

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"aesop/lti/oauth"
)

// ErrSuperseded means the platform holds a newer grade than the score sent:
// the score's timestamp is older than the result's last update, perhaps
// because an instructor changed the grade in the LMS. Sending it again will
// not help.
var ErrSuperseded = fmt.Errorf("%w: the platform holds a newer grade", oauth.ErrRejected)

// ErrNotGradable means the user is not a student the gradebook holds grades
// for: not enrolled, no longer enrolled, or enrolled with another role.
var ErrNotGradable = fmt.Errorf("%w: the user is not a gradable student", oauth.ErrRejected)

// ErrLineItemGone means the line item no longer exists on the platform; it
// was deleted, or the course was reset. The caller should find or create
// it again.
var ErrLineItemGone = fmt.Errorf("%w: the line item no longer exists", oauth.ErrNotFound)

// ErrNoLineItemPermission means the platform does not let the tool create or
// change line items, as with Moodle's "grade synchronization only" setting;
// an instructor must make the gradebook column by hand.
var ErrNoLineItemPermission = fmt.Errorf("%w: the tool may not manage line items",
	oauth.ErrForbidden)

// ErrNotGranted means the launch did not grant the scope a call needs, so
// the call was not made.
var ErrNotGranted = errors.New("the platform did not grant this service")

// ErrNoLineItem means no line item matches what was looked for.
var ErrNoLineItem = errors.New("no matching line item")

// ErrInvalid means what the caller asked to send breaks the protocol.
var ErrInvalid = errors.New("invalid grade service request")

// ErrUnauthorized, ErrForbidden and ErrThrottled are oauth's, repeated here
// so that callers of this package need not import oauth to test for them.
var (
	ErrUnauthorized = oauth.ErrUnauthorized
	ErrForbidden    = oauth.ErrForbidden
	ErrThrottled    = oauth.ErrThrottled
)

// RetryableError is oauth's: a failure that may pass later, with the wait
// the platform asked for in After.
type RetryableError = oauth.RetryableError

// op says which kind of call an answer came from, since the same status
// means different things for different calls.
type op int

const (
	opList op = iota
	opCreate
	opItem
	opUpdate
	opScore
	opResults
)

// classify gives a platform's refusal the sentinel that says what the
// caller can do about it, keeping its status and message.
func classify(o op, err error) error {
	var pe *oauth.Error
	if !errors.As(err, &pe) {
		return err
	}
	kind := refine(o, pe.Status, strings.ToLower(pe.Message))
	if kind == nil {
		return err
	}
	out := *pe
	out.Kind = kind
	return &out
}

// refine picks the sentinel for a refusal, or nil to keep oauth's.
func refine(o op, status int, msg string) error {
	onItem := o != opList && o != opCreate
	switch {
	case o == opScore && superseded(status, msg):
		return ErrSuperseded
	case o == opScore && notGradable(status, msg):
		return ErrNotGradable
	case onItem && (status == http.StatusNotFound || status == http.StatusGone):
		return ErrLineItemGone
	// Moodle answers 403 "Line item does not exist." for a deleted item.
	case onItem && status == http.StatusForbidden && containsAny(msg, "does not exist",
		"doesn't exist", "not found"):
		return ErrLineItemGone
	case (o == opCreate || o == opUpdate) && status == http.StatusForbidden:
		return ErrNoLineItemPermission
	}
	return nil
}

// superseded recognizes a score refused for its old timestamp: Canvas says
// 400 "... before last updated timestamp ...", Moodle 409 "Refusing score
// with an earlier timestamp ...".
func superseded(status int, msg string) bool {
	if status == http.StatusConflict {
		return true
	}
	return (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) &&
		strings.Contains(msg, "timestamp") &&
		containsAny(msg, "before", "earlier", "older", "newer", "stale", "out of date")
}

// notGradable recognizes a score refused for its user: Canvas says 422 "User
// not found in course or is not a student"; Moodle says only 400 "Incorrect
// score received", which for a well-formed score means the user cannot be
// graded.
func notGradable(status int, msg string) bool {
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
		return false
	}
	return containsAny(msg, "student", "enrol", "gradable", "user not found",
		"unknown user", "not a member", "incorrect score received") ||
		(status == http.StatusUnprocessableEntity && msg == "")
}

// containsAny reports whether s contains one of the parts.
func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
