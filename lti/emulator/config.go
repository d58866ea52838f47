package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Product families the emulator can imitate. They shape the small quirks
// in which real platforms differ.
const (
	FamilyEmulator = "aesop-emulator"
	FamilyCanvas   = "canvas"
	FamilyMoodle   = "moodle"
)

// Config says where the emulator is served and which platform it imitates.
type Config struct {
	// BaseURL is the public URL the emulator is served at, such as
	// http://127.0.0.1:8081; it is also the platform's issuer.
	BaseURL string
	// Name is the platform name shown on pages and sent in tool_platform.
	Name string
	// ProductFamily is "canvas", "moodle" or "aesop-emulator" (the default).
	// Canvas sends deployment_id instead of lti_deployment_id at login
	// initiation, always offers postMessage storage, and handles storage in
	// a named frame of its own rather than in the page itself.
	ProductFamily string
	// PostMessageStorage makes the course page implement the platform side
	// of the LTI client-side postMessage storage and send
	// lti_storage_target at login initiation.
	PostMessageStorage bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// HTTPClient fetches tools' key sets; a client with a short timeout
	// when nil.
	HTTPClient *http.Client
	// Logger records refusals and registrations; slog.Default() when nil.
	Logger *slog.Logger
}

// withDefaults checks the configuration and fills in what was left out.
func (c Config) withDefaults() (Config, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return c, fmt.Errorf("parse base url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, errors.New("base url must be an absolute http or https url")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return c, errors.New("base url must have no query or fragment")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Name == "" {
		c.Name = "Aesop LMS emulator"
	}
	switch c.ProductFamily {
	case "":
		c.ProductFamily = FamilyEmulator
	case FamilyEmulator, FamilyMoodle:
	case FamilyCanvas:
		c.PostMessageStorage = true
	default:
		return c, fmt.Errorf("unknown product family %q", c.ProductFamily)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
