package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"
)

// AssertionType is the client_assertion_type of a JWT client assertion.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionTTL is the lifetime of a client assertion: long enough for the
// request, short enough that a stolen one is soon useless.
const AssertionTTL = 5 * time.Minute

// defaultTokenLife is assumed when a token answer has no expires_in.
const defaultTokenLife = 5 * time.Minute

// maxTokenBody bounds a token endpoint's answer.
const maxTokenBody = 1 << 20

// Token is an access token for some scopes of one platform.
type Token struct {
	AccessToken string
	// Scopes are those the platform said it granted, or those requested
	// when it did not say.
	Scopes  []string
	Expires time.Time
}

// cachedToken is a token with the moment it should be replaced.
type cachedToken struct {
	Token
	refresh time.Time
}

// tokenCall is a token request in flight, which other callers wanting the
// same token wait for instead of asking the platform again.
type tokenCall struct {
	done chan struct{}
	tok  cachedToken
	err  error
}

// Token returns an access token for the scopes, from the cache while it is
// fresh and otherwise from the platform's token endpoint.
func (c *Client) Token(ctx context.Context, ep Endpoint, scopes []string) (Token, error) {
	scopes = normalizeScopes(scopes)
	if len(scopes) == 0 {
		return Token{}, errors.New("access token: no scope requested")
	}
	key := cacheKey(ep, scopes)
	for {
		c.mu.Lock()
		if t, ok := c.tokens[key]; ok && c.now().Before(t.refresh) {
			c.mu.Unlock()
			return t.Token, nil
		}
		if call, ok := c.inflight[key]; ok {
			c.mu.Unlock()
			select {
			case <-ctx.Done():
				return Token{}, fmt.Errorf("access token: %w", ctx.Err())
			case <-call.done:
			}
			// Another caller's cancelled request says nothing about ours.
			if call.err != nil && ctx.Err() == nil && isContextError(call.err) {
				continue
			}
			return call.tok.Token, call.err
		}
		call := &tokenCall{done: make(chan struct{})}
		c.inflight[key] = call
		c.mu.Unlock()

		call.tok, call.err = c.fetch(ctx, ep, scopes)
		c.mu.Lock()
		delete(c.inflight, key)
		if call.err == nil {
			c.tokens[key] = call.tok
		}
		c.mu.Unlock()
		close(call.done)
		return call.tok.Token, call.err
	}
}

// Forget drops a cached token the platform no longer accepts, unless it was
// already replaced by a newer one.
func (c *Client) Forget(ep Endpoint, scopes []string, tok Token) {
	key := cacheKey(ep, normalizeScopes(scopes))
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tokens[key]; ok && t.AccessToken == tok.AccessToken {
		delete(c.tokens, key)
	}
}

// cacheKey names a token by platform, client and scope set.
func cacheKey(ep Endpoint, scopes []string) string {
	return ep.key() + "\x00" + ep.ClientID + "\x00" + strings.Join(scopes, " ")
}

// isContextError reports a cancelled or timed-out context.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fetch asks the token endpoint for a token by the client_credentials grant.
func (c *Client) fetch(ctx context.Context, ep Endpoint, scopes []string) (cachedToken, error) {
	const op = "access token"
	assertion, err := c.assertion(ctx, ep)
	if err != nil {
		return cachedToken{}, fmt.Errorf("%s: %w", op, err)
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {AssertionType},
		"client_assertion":      {assertion},
		"scope":                 {strings.Join(scopes, " ")},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.TokenURL,
		strings.NewReader(form.Encode()))
	if err != nil {
		return cachedToken{}, fmt.Errorf("%s: build request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if err := c.pacer.wait(ctx, ep.key()); err != nil {
		return cachedToken{}, &RetryableError{Op: op, Err: err}
	}
	sent := c.now()
	resp, err := c.http.Do(req)
	if err != nil {
		return cachedToken{}, &RetryableError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return cachedToken{}, &RetryableError{Op: op, Status: resp.StatusCode, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return cachedToken{}, c.tokenError(op, ep, resp, body)
	}
	return parseToken(body, scopes, sent)
}

// tokenError classifies a token endpoint's refusal: throttling and server
// errors may pass later; anything else is the registration's problem.
func (c *Client) tokenError(op string, ep Endpoint, resp *http.Response, body []byte) error {
	err := classify(op, resp, body, c.now())
	var re *RetryableError
	if errors.As(err, &re) {
		if re.After > 0 {
			c.pacer.pause(ep.key(), re.After)
		}
		return err
	}
	var pe *Error
	if errors.As(err, &pe) {
		pe.Kind = ErrTokenRefused
	}
	return err
}

// assertion signs a client assertion: the tool names itself as issuer and
// subject, for the platform's token endpoint, once (jti), for a short while.
func (c *Client) assertion(ctx context.Context, ep Endpoint) (string, error) {
	now := c.now()
	tok, err := jwt.NewBuilder().
		Issuer(ep.ClientID).
		Subject(ep.ClientID).
		Audience([]string{ep.audience()}).
		IssuedAt(now).
		Expiration(now.Add(AssertionTTL)).
		JwtID(randomID()).
		Build()
	if err != nil {
		return "", fmt.Errorf("build client assertion: %w", err)
	}
	// A single audience goes as a string, which every platform accepts.
	tok.Options().Enable(jwt.FlattenAudience)
	s, err := c.signer.Sign(ctx, tok)
	if err != nil {
		return "", fmt.Errorf("sign client assertion: %w", err)
	}
	return s, nil
}

// tokenAnswer is the token endpoint's JSON answer. Some platforms send
// expires_in as a string.
type tokenAnswer struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	Scope       string          `json:"scope"`
}

// parseToken reads a token answer received at sent.
func parseToken(body []byte, requested []string, sent time.Time) (cachedToken, error) {
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return cachedToken{}, fmt.Errorf("access token: %w: %v", ErrBadResponse, err)
	}
	if a.AccessToken == "" {
		return cachedToken{}, fmt.Errorf("access token: %w: no access_token", ErrBadResponse)
	}
	if a.TokenType != "" && !strings.EqualFold(a.TokenType, "bearer") {
		return cachedToken{}, fmt.Errorf("access token: %w: token_type %q is not Bearer",
			ErrBadResponse, a.TokenType)
	}
	life := defaultTokenLife
	secs, err := strconv.ParseFloat(strings.Trim(string(a.ExpiresIn), `"`), 64)
	if err == nil && secs > 0 {
		life = time.Duration(secs * float64(time.Second))
	}
	scopes := normalizeScopes(strings.Fields(a.Scope))
	if len(scopes) == 0 {
		scopes = requested
	}
	t := Token{AccessToken: a.AccessToken, Scopes: scopes, Expires: sent.Add(life)}
	// Replace the token a minute early, or halfway for short-lived ones,
	// so that no call starts with a token about to expire.
	return cachedToken{Token: t, refresh: t.Expires.Add(-min(time.Minute, life/2))}, nil
}

// randomID returns a unique jti.
func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
