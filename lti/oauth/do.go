package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxBody bounds a service answer: a page of a large course's roster fits.
const MaxBody = 8 << 20

// Request is one call to an LTI Advantage service.
type Request struct {
	// Op names the step for errors, such as "post score".
	Op          string
	Method      string
	URL         string
	Accept      string
	ContentType string
	Body        []byte
	// Scopes are those the access token is requested for.
	Scopes []string
}

// Response is a service's successful (2xx) answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the URL called, against which links in the answer resolve.
	URL *url.URL
}

// Do makes an authorized call. When the platform answers 401 it drops the
// token and tries once more with a fresh one. An unsuccessful answer is
// returned as an *Error or a *RetryableError; a Retry-After also holds back
// the platform's other calls for that long.
func (c *Client) Do(ctx context.Context, ep Endpoint, req Request) (*Response, error) {
	tok, err := c.Token(ctx, ep, req.Scopes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	resp, err := c.send(ctx, ep, req, tok)
	if !errors.Is(err, ErrUnauthorized) {
		return resp, err
	}
	c.Forget(ep, req.Scopes, tok)
	if tok, err = c.Token(ctx, ep, req.Scopes); err != nil {
		return nil, fmt.Errorf("%s: %w", req.Op, err)
	}
	return c.send(ctx, ep, req, tok)
}

// send makes one paced call with a token.
func (c *Client) send(ctx context.Context, ep Endpoint, req Request,
	tok Token) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %w", req.Op, err)
	}
	hr.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if req.Accept != "" {
		hr.Header.Set("Accept", req.Accept)
	}
	if req.ContentType != "" {
		hr.Header.Set("Content-Type", req.ContentType)
	}
	if err := c.pacer.wait(ctx, ep.key()); err != nil {
		return nil, &RetryableError{Op: req.Op, Err: err}
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, &RetryableError{Op: req.Op, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, &RetryableError{Op: req.Op, Status: resp.StatusCode, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := classify(req.Op, resp, data, c.now())
		var re *RetryableError
		if errors.As(err, &re) && re.After > 0 {
			c.pacer.pause(ep.key(), re.After)
		}
		return nil, err
	}
	if len(data) > MaxBody {
		return nil, fmt.Errorf("%s: %w: answer larger than %d bytes",
			req.Op, ErrBadResponse, MaxBody)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data,
		URL: hr.URL}, nil
}
