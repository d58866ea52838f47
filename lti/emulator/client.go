package emulator

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Launch drives a whole OIDC launch over HTTP with c, whose cookie jar
// keeps the tool's cookies: login initiation on the tool (GET or POST as
// req says), the redirect to this emulator's authorization endpoint, the
// auto-submitting form_post page, and the POST of id_token and state to
// the tool's redirect_uri. A nil c means http.DefaultClient. It returns the tool's answer to that POST,
// following redirects only when req.Follow is set.
//
// A tool that answers the login initiation with anything but a redirect
// (an error, or a page that needs a browser, as with postMessage storage)
// has that answer returned as it is. A refusal by the authorization
// endpoint is an error wrapping ErrLaunchRefused with the reason.
func (e *Emulator) Launch(ctx context.Context, c *http.Client,
	req LaunchRequest) (*http.Response, error) {
	t, params, err := e.startLaunch(req, req.StorageTarget)
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	if c == nil {
		c = http.DefaultClient
	}
	stay := *c
	stay.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	resp, err := sendLogin(ctx, &stay, t.InitiateLoginURI, params, req.LoginMethod)
	if err != nil {
		return nil, fmt.Errorf("launch: login initiation: %w", err)
	}
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return resp, nil
	}
	drain(resp)
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("launch: %w: redirect without location", ErrToolResponse)
	}
	authURL := e.URL("/auth")
	if s := loc.String(); s != authURL && !strings.HasPrefix(s, authURL+"?") {
		return nil, fmt.Errorf("launch: %w: login redirected to %s, not %s",
			ErrToolResponse, s, authURL)
	}
	action, fields, err := e.authorize(ctx, &stay, loc.String())
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	post := &stay
	if req.Follow {
		post = c
	}
	resp, err = postForm(ctx, post, action, fields)
	if err != nil {
		return nil, fmt.Errorf("launch: post id_token: %w", err)
	}
	return resp, nil
}

// sendLogin sends the login initiation as a GET with the parameters added
// to the URL's own query, or as a form POST.
func sendLogin(ctx context.Context, c *http.Client, loginURI string, params url.Values,
	method string) (*http.Response, error) {
	switch strings.ToUpper(method) {
	case "", http.MethodGet:
		u, err := url.Parse(loginURI)
		if err != nil {
			return nil, fmt.Errorf("parse initiate_login_uri: %w", err)
		}
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += params.Encode()
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("build request: %w", err)
		}
		return c.Do(r)
	case http.MethodPost:
		return postForm(ctx, c, loginURI, params)
	}
	return nil, fmt.Errorf("%w: login method %q", ErrBadRequest, method)
}

// authorize follows the tool's redirect to the authorization endpoint
// and reads the form_post page it answers with.
func (e *Emulator) authorize(ctx context.Context, c *http.Client,
	u string) (string, url.Values, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", nil, fmt.Errorf("build auth request: %w", err)
	}
	resp, err := c.Do(r)
	if err != nil {
		return "", nil, fmt.Errorf("auth request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", nil, fmt.Errorf("read auth response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%w: %s", ErrLaunchRefused, pageReason(body))
	}
	return parseFormPost(body)
}

// postForm POSTs url-encoded fields.
func postForm(ctx context.Context, c *http.Client, u string,
	fields url.Values) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(fields.Encode()))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(r)
}

// drain reads and closes a body so the connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

var (
	formActionRE  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	reasonRE      = regexp.MustCompile(`(?s)<p class="reason">(.*?)</p>`)
)

// parseFormPost reads the action and hidden fields of the emulator's own
// auto-submitting form page.
func parseFormPost(body []byte) (string, url.Values, error) {
	m := formActionRE.FindSubmatch(body)
	if m == nil {
		return "", nil, fmt.Errorf("%w: authorization page has no form", ErrLaunchRefused)
	}
	fields := url.Values{}
	for _, in := range hiddenInputRE.FindAllSubmatch(body, -1) {
		fields.Add(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
	}
	return html.UnescapeString(string(m[1])), fields, nil
}

// pageReason extracts the reason from one of the emulator's error pages.
func pageReason(body []byte) string {
	if m := reasonRE.FindSubmatch(body); m != nil {
		return html.UnescapeString(string(m[1]))
	}
	return strings.TrimSpace(string(body))
}
