package registration

import "errors"

// Errors returned by this package. Each is wrapped with details, and each
// message is written for the LMS administrator who has to act on it.
var (
	// ErrInvalidTool means Aesop's own description is unusable, usually a
	// missing name or a base URL that is not a public https address.
	ErrInvalidTool = errors.New("aesop's public address or name is not set up correctly")

	// ErrUnknownEnvironment means a Canvas environment other than
	// production, beta or test was asked for.
	ErrUnknownEnvironment = errors.New("unknown canvas environment")

	// ErrInvalidSiteURL means a Moodle site address could not be used to
	// derive the platform's endpoints.
	ErrInvalidSiteURL = errors.New("the moodle site address is not usable")

	// ErrConfigURL means the openid_configuration address the platform sent
	// is malformed or not https, so it cannot be trusted.
	ErrConfigURL = errors.New("the platform's configuration URL is not a usable https address")

	// ErrConfigUnreachable means the platform's configuration URL could not
	// be reached at all (DNS, TLS, timeout or connection errors).
	ErrConfigUnreachable = errors.New("could not reach the platform's configuration URL")

	// ErrConfigStatus means the configuration URL answered with an HTTP
	// error instead of the platform's settings.
	ErrConfigStatus = errors.New("the platform's configuration URL answered with an error")

	// ErrConfigInvalid means the configuration URL answered with something
	// that is not a readable OpenID configuration.
	ErrConfigInvalid = errors.New("the platform's configuration is not readable")

	// ErrConfigIncomplete means the platform's configuration lacks a field
	// that registration needs, or gives an endpoint that is not https.
	ErrConfigIncomplete = errors.New("the platform's configuration is incomplete")

	// ErrIssuerMismatch means the issuer in the configuration is on another
	// host than the configuration URL; the LTI Dynamic Registration spec
	// requires the tool to stop, since the settings may not be genuine.
	ErrIssuerMismatch = errors.New("the platform's issuer does not match its configuration URL")

	// ErrRegistrationUnreachable means the registration endpoint could not
	// be reached.
	ErrRegistrationUnreachable = errors.New("could not reach the platform's registration endpoint")

	// ErrRegistrationRefused means the platform answered the registration
	// request with an HTTP error, often an expired or already used token.
	ErrRegistrationRefused = errors.New("the platform refused the registration")

	// ErrRegistrationInvalid means the platform's answer to the registration
	// request could not be read.
	ErrRegistrationInvalid = errors.New("the platform's answer to the registration is unreadable")

	// ErrNoClientID means the platform accepted the registration but did not
	// say which client_id it assigned.
	ErrNoClientID = errors.New("the platform's answer has no client_id")
)
