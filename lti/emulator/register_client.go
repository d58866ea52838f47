package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// closeSubject is the postMessage subject a tool's registration page
// sends when registration is over.
const closeSubject = "org.imsglobal.lti.close"

// Register acts like an administrator pasting the tool's registration URL
// into the LMS: it opens toolRegistrationURL with openid_configuration and
// a fresh registration_token appended, expects a 2xx page that posts
// org.imsglobal.lti.close, and returns the tool registered meanwhile.
func (e *Emulator) Register(ctx context.Context, c *http.Client,
	toolRegistrationURL string) (Tool, error) {
	tok := e.NewRegistrationToken()
	u, err := registrationLaunchURL(toolRegistrationURL, e.configURL(), tok)
	if err != nil {
		return Tool{}, fmt.Errorf("register: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Tool{}, fmt.Errorf("register: build request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return Tool{}, fmt.Errorf("register: open registration url: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Tool{}, fmt.Errorf("register: read registration page: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Tool{}, fmt.Errorf("register: %w: status %d: %.200s",
			ErrToolResponse, resp.StatusCode, body)
	}
	if !bytes.Contains(body, []byte(closeSubject)) {
		return Tool{}, fmt.Errorf("register: %w: page does not post %s", ErrToolResponse, closeSubject)
	}
	e.mu.Lock()
	clientID := e.regTokens[tok].clientID
	e.mu.Unlock()
	if clientID == "" {
		return Tool{}, fmt.Errorf("register: %w: tool did not register", ErrToolResponse)
	}
	return e.tool(clientID)
}

// configURL is the URL of the platform's OpenID configuration.
func (e *Emulator) configURL() string { return e.URL("/.well-known/openid-configuration") }

// registrationLaunchURL appends the Dynamic Registration parameters to the
// tool's URL, keeping its own query string as it was.
func registrationLaunchURL(toolURL, configURL, token string) (string, error) {
	u, err := url.Parse(toolURL)
	if err != nil {
		return "", fmt.Errorf("parse registration url: %w", err)
	}
	if !u.IsAbs() {
		return "", fmt.Errorf("registration url %q is not absolute", toolURL)
	}
	extra := url.Values{"openid_configuration": {configURL}, "registration_token": {token}}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += extra.Encode()
	return u.String(), nil
}
