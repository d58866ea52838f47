package registration

import (
	"fmt"
	"strings"
)

// Section is everything an administrator does on one platform to register
// Aesop by hand: where to go, what to type there, what to copy back, and the
// command that records the platform in Aesop.
type Section struct {
	// Platform names the procedure, e.g. "Moodle (manual)".
	Platform string
	// Where is the navigation path to the form in the LMS.
	Where string
	// Fields are the values to type into the LMS form, in form order.
	Fields []Field
	// BringBack are the values the LMS shows that Aesop needs; Value is the
	// placeholder used for it in Command, or the value itself when known.
	BringBack []Field
	// Command is the aesop platform add line to run with those values.
	Command string
}

// Field is one labelled value, with the label the LMS form uses.
type Field struct {
	Label string
	// Value is what to type; empty means leave the field empty.
	Value string
	// Help explains the value or where to find it.
	Help string
}

// Placeholders in BringBack values and commands, replaced by the
// administrator with what the LMS shows.
const (
	placeholderClientID     = "<CLIENT_ID>"
	placeholderDeploymentID = "<DEPLOYMENT_ID>"
	placeholderMoodleSite   = "<MOODLE_SITE_URL>"
)

// SetupInfo returns the manual registration procedures for Moodle and for a
// Canvas developer key, generated from the same values as the Dynamic
// Registration request and the Canvas JSON.
func (t Tool) SetupInfo() []Section {
	return []Section{t.moodleSection(), t.canvasSection()}
}

// AddCommand renders the aesop platform add command line that records a
// platform's endpoints and identifiers. The token audience is only passed
// when it differs from the token endpoint, its default.
func AddCommand(e Endpoints, clientID, deploymentID string) string {
	args := [][2]string{
		{"--issuer", e.Issuer},
		{"--client-id", clientID},
		{"--deployment-id", deploymentID},
		{"--auth-url", e.AuthURL},
		{"--token-url", e.TokenURL},
		{"--jwks-url", e.JWKSURL},
	}
	if e.TokenAudience != "" && e.TokenAudience != e.TokenURL {
		args = append(args, [2]string{"--token-audience", e.TokenAudience})
	}
	if e.ProductFamily != "" {
		args = append(args, [2]string{"--product-family", e.ProductFamily})
	}
	lines := []string{"aesop platform add"}
	for _, a := range args {
		lines = append(lines, fmt.Sprintf("  %s %s", a[0], shellQuote(a[1])))
	}
	return strings.Join(lines, " \\\n")
}

// shellQuote quotes s for a POSIX shell unless it only holds characters
// that are safe bare, which keeps ordinary URLs readable.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !strings.ContainsRune(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,", r) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
