package registration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Limits on what Aesop reads from a platform. Real configurations are a few
// tens of kilobytes; the bound keeps a misbehaving server from exhausting
// memory, and the timeout applies when the caller's context has no deadline.
const (
	maxConfigBytes = 1 << 20
	maxAnswerBytes = 1 << 20
	defaultTimeout = 30 * time.Second
)

// errTooLarge reports a response above the size limit.
var errTooLarge = errors.New("the answer is larger than expected")

// FetchPlatformConfig reads and checks the OpenID configuration at the URL a
// platform passed as openid_configuration. It requires the endpoints that
// registration needs, https outside localhost, and an issuer on the same
// host as the URL.
func FetchPlatformConfig(ctx context.Context, c *http.Client,
	openidConfigURL string) (PlatformConfig, error) {
	return FetchPlatformConfigWithToken(ctx, c, openidConfigURL, "")
}

// FetchPlatformConfigWithToken is FetchPlatformConfig sending the
// registration token as a bearer token, which Canvas requires for its
// configuration. The token never appears in returned errors.
func FetchPlatformConfigWithToken(ctx context.Context, c *http.Client,
	openidConfigURL, registrationToken string) (PlatformConfig, error) {
	if _, why := checkWebURL(openidConfigURL); why != "" {
		return PlatformConfig{}, fmt.Errorf("%w: %s %s", ErrConfigURL,
			redact(openidConfigURL), why)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, openidConfigURL, nil)
	if err != nil {
		return PlatformConfig{}, fmt.Errorf("%w: %s", ErrConfigURL, redact(openidConfigURL))
	}
	req.Header.Set("Accept", "application/json")
	if registrationToken != "" {
		req.Header.Set("Authorization", "Bearer "+registrationToken)
	}
	status, body, err := do(client(c), req, maxConfigBytes)
	where := redact(openidConfigURL)
	switch {
	case err != nil && status == 0:
		return PlatformConfig{}, fmt.Errorf("%w: %s: %w", ErrConfigUnreachable, where, err)
	case status != http.StatusOK:
		return PlatformConfig{}, fmt.Errorf("%w: %s answered %d %s%s", ErrConfigStatus,
			where, status, http.StatusText(status), configStatusHint(status))
	case err != nil:
		return PlatformConfig{}, fmt.Errorf("%w: %s: %w", ErrConfigInvalid, where, err)
	}
	var p PlatformConfig
	if err := json.Unmarshal(body, &p); err != nil {
		return PlatformConfig{}, fmt.Errorf("%w: %s did not answer with JSON settings (%v)",
			ErrConfigInvalid, where, err)
	}
	if err := p.check(openidConfigURL); err != nil {
		return PlatformConfig{}, err
	}
	return p, nil
}

// configStatusHint suggests what an administrator can do about a status.
func configStatusHint(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "; the registration link may have expired, so start the registration " +
			"again from the LMS"
	case http.StatusNotFound:
		return "; check that the LMS supports LTI Dynamic Registration and that the " +
			"registration was started from the LMS, not by opening Aesop's link directly"
	}
	return ""
}

// do sends req and reads at most limit bytes of the answer. A zero status
// means no answer arrived; the error then describes the network failure
// without the request URL, which may carry a token in its query.
func do(c *http.Client, req *http.Request, limit int64) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the answer: %w", err)
	}
	if int64(len(body)) > limit {
		return resp.StatusCode, nil, errTooLarge
	}
	return resp.StatusCode, body, nil
}

// client returns c, or the default client when c is nil.
func client(c *http.Client) *http.Client {
	if c == nil {
		return http.DefaultClient
	}
	return c
}

// withDefaultTimeout bounds ctx by defaultTimeout unless it already has a
// deadline, so a silent platform cannot hold an administrator's request.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultTimeout)
}
