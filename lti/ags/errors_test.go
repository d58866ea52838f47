package ags

import (
	"errors"
	"testing"

	"aesop/lti/oauth"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		op     op
		status int
		msg    string
		want   error
	}{
		{"canvas older timestamp", opScore, 400,
			"Provided timestamp of 2026-01-01T00:00:00Z before last updated timestamp of " +
				"2026-01-02T00:00:00.000Z", ErrSuperseded},
		{"moodle older timestamp", opScore, 409,
			"Refusing score with an earlier timestamp for item 5 and user 3", ErrSuperseded},
		{"bad timestamp is not superseded", opScore, 400,
			"Provided timestamp of yesterday not a valid timestamp", oauth.ErrRejected},
		{"canvas not a student", opScore, 422, "User not found in course or is not a student",
			ErrNotGradable},
		{"canvas 422 without words", opScore, 422, "", ErrNotGradable},
		{"moodle incorrect score", opScore, 400, "Incorrect score received", ErrNotGradable},
		{"not enrolled", opScore, 400, "user not enrolled as a student", ErrNotGradable},
		{"canvas attempts spent", opScore, 422,
			"The maximum number of allowed attempts has been reached for this submission",
			oauth.ErrRejected},
		{"score on deleted item", opScore, 404, "", ErrLineItemGone},
		{"moodle deleted item", opScore, 403, "Line item does not exist.", ErrLineItemGone},
		{"get deleted item", opItem, 404, "The specified resource does not exist.",
			ErrLineItemGone},
		{"results of deleted item", opResults, 410, "", ErrLineItemGone},
		{"container gone is not an item", opList, 404, "course concluded", oauth.ErrNotFound},
		{"grade sync only", opCreate, 403, "not allowed", ErrNoLineItemPermission},
		{"update forbidden", opUpdate, 403, "", ErrNoLineItemPermission},
		{"score forbidden", opScore, 403, "course not published", oauth.ErrForbidden},
		{"unauthorized stays", opScore, 401, "Invalid Developer Key", oauth.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &oauth.Error{Op: "x", Status: tt.status, Message: tt.msg,
				Kind: kindOf(tt.status)}
			err := classify(tt.op, in)
			if !errors.Is(err, tt.want) || oauth.PlatformMessage(err) != tt.msg {
				t.Errorf("got %v, want %v with the message kept", err, tt.want)
			}
		})
	}
	retry := &oauth.RetryableError{Status: 503, Err: oauth.ErrUnavailable}
	if err := classify(opScore, retry); err != retry {
		t.Errorf("retryable error changed to %v", err)
	}
}

// kindOf is oauth's sentinel for a status.
func kindOf(status int) error {
	switch status {
	case 401:
		return oauth.ErrUnauthorized
	case 403:
		return oauth.ErrForbidden
	case 404, 410:
		return oauth.ErrNotFound
	}
	return oauth.ErrRejected
}

func TestSentinelFamilies(t *testing.T) {
	for _, tt := range []struct{ err, family error }{
		{ErrSuperseded, oauth.ErrRejected},
		{ErrNotGradable, oauth.ErrRejected},
		{ErrLineItemGone, oauth.ErrNotFound},
		{ErrNoLineItemPermission, oauth.ErrForbidden},
	} {
		if !errors.Is(tt.err, tt.family) {
			t.Errorf("%v is not a kind of %v", tt.err, tt.family)
		}
	}
}
