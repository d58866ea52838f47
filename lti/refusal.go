package lti

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Reason is the machine-readable cause of a refused launch. It names the metric
// label, the log attribute and the row in `aesop launches --failed`.
type Reason string

// The reasons a launch or login is refused. Each maps to one HTTP status and one
// sentence an LMS administrator can act on; see Refuse.
const (
	ReasonBadRequest         Reason = "bad_request"
	ReasonUnknownPlatform    Reason = "unknown_platform"
	ReasonUnknownDeployment  Reason = "unknown_deployment"
	ReasonNotJWT             Reason = "not_jwt"
	ReasonAlgorithm          Reason = "alg_not_allowed"
	ReasonNoKID              Reason = "no_kid"
	ReasonUnknownKID         Reason = "unknown_kid"
	ReasonPlatformKeys       Reason = "platform_keys_unavailable"
	ReasonBadSignature       Reason = "bad_signature"
	ReasonBadIssuer          Reason = "bad_issuer"
	ReasonBadAudience        Reason = "bad_audience"
	ReasonAZP                Reason = "azp_mismatch"
	ReasonExpired            Reason = "expired"
	ReasonIssuedInFuture     Reason = "iat_in_future"
	ReasonNotYetValid        Reason = "not_yet_valid"
	ReasonNonce              Reason = "nonce_mismatch"
	ReasonStateUnknown       Reason = "state_unknown"
	ReasonBrowserMismatch    Reason = "browser_mismatch"
	ReasonMessageType        Reason = "unsupported_message_type"
	ReasonVersion            Reason = "unsupported_version"
	ReasonMissingClaim       Reason = "missing_claim"
	ReasonBadClaim           Reason = "bad_claim"
	ReasonOffSiteTarget      Reason = "off_site_target"
	ReasonRegistrationUsed   Reason = "registration_link_used"
	ReasonRegistrationFailed Reason = "registration_failed"
)

// Refusal is a refused login or launch: what the person sees, what the log and
// the failed-launch list record, and the HTTP status.
type Refusal struct {
	Reason Reason
	// Check names the validation step that failed, such as "exp" or "aud".
	Check string
	// Message is a plain sentence for the person and the LMS administrator. It
	// never contains a token or a secret.
	Message string
	// ClockOffset is how far the platform's clock seemed from ours, when the
	// check was a time check.
	ClockOffset *time.Duration
	// Issuer, ClientID and DeploymentID identify the platform when known.
	Issuer, ClientID, DeploymentID string
	cause                          error
}

// Refuse makes a Refusal. The format arguments fill the message.
func Refuse(reason Reason, check, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Check: check, Message: fmt.Sprintf(format, args...)}
}

// Wrap records the underlying error, for the log only.
func (r *Refusal) Wrap(err error) *Refusal {
	r.cause = err
	return r
}

func (r *Refusal) Error() string {
	if r.cause != nil {
		return fmt.Sprintf("launch refused (%s): %s: %v", r.Reason, r.Message, r.cause)
	}
	return fmt.Sprintf("launch refused (%s): %s", r.Reason, r.Message)
}

func (r *Refusal) Unwrap() error { return r.cause }

// Status is the HTTP status of the refusal: 401 when the launch could not be
// authenticated, 403 when it was authentic but is not allowed, 400 otherwise.
func (r *Refusal) Status() int {
	switch r.Reason {
	case ReasonUnknownPlatform, ReasonUnknownDeployment, ReasonOffSiteTarget,
		ReasonRegistrationUsed:
		return http.StatusForbidden
	case ReasonAlgorithm, ReasonNoKID, ReasonUnknownKID, ReasonBadSignature,
		ReasonBadIssuer, ReasonBadAudience, ReasonAZP, ReasonExpired,
		ReasonIssuedInFuture, ReasonNotYetValid, ReasonNonce, ReasonStateUnknown,
		ReasonBrowserMismatch:
		return http.StatusUnauthorized
	case ReasonPlatformKeys:
		// The platform's key endpoint failing is not the person's fault, but
		// it is not ours either: 424 would be unusual for a browser; 400 with
		// the message is what an admin can act on.
		return http.StatusBadRequest
	}
	return http.StatusBadRequest
}

// AsRefusal returns the Refusal inside err, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
