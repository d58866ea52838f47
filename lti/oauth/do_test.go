package oauth_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"aesop/lti/oauth"
)

// call makes one service call to the fake platform.
func call(t *testing.T, c *oauth.Client, fp *fakePlatform) (*oauth.Response, error) {
	return c.Do(t.Context(), fp.endpoint(), oauth.Request{Op: "test call",
		Method: http.MethodGet, URL: fp.srv.URL + "/svc", Scopes: []string{"s"}})
}

func TestDoRetriesOnceOn401(t *testing.T) {
	tests := []struct {
		name       string
		reject     int // how many service calls answer 401
		wantErr    error
		wantTokens int
		wantAuths  []string
	}{
		{"accepted", 0, nil, 1, []string{"Bearer token-0"}},
		{"refreshed", 1, nil, 2, []string{"Bearer token-0", "Bearer token-1"}},
		{"still refused", 5, oauth.ErrUnauthorized, 2,
			[]string{"Bearer token-0", "Bearer token-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := newFakePlatform(t)
			fp.serviceAnswer = func(n int, _ string) (int, http.Header, string) {
				if n < tt.reject {
					return 401, nil, `{"errors":{"message":"Invalid Developer Key"}}`
				}
				return 200, nil, `{}`
			}
			c, _ := newClient(t, &testClock{now: time.Now()})
			_, err := call(t, c, fp)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil && oauth.PlatformMessage(err) != "Invalid Developer Key" {
				t.Errorf("message %q", oauth.PlatformMessage(err))
			}
			if fp.tokenRequests() != tt.wantTokens ||
				fmt.Sprint(fp.auths) != fmt.Sprint(tt.wantAuths) {
				t.Errorf("%d token requests, calls %v; want %d, %v", fp.tokenRequests(), fp.auths,
					tt.wantTokens, tt.wantAuths)
			}
		})
	}
}

func TestDoClassifies(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		kind      error
		retryable bool
		after     time.Duration // lower bound
		message   string
	}{
		{"throttled", 429, http.Header{"Retry-After": {"7"}}, ``, oauth.ErrThrottled, true,
			7 * time.Second, ""},
		{"unavailable with date", 503, http.Header{"Retry-After": {date}},
			`{"message":"maintenance"}`, oauth.ErrUnavailable, true, 80 * time.Second,
			"maintenance"},
		{"canvas rate limit", 403, nil, `403 Forbidden (Rate Limit Exceeded)`,
			oauth.ErrThrottled, true, 0, "403 Forbidden (Rate Limit Exceeded)"},
		{"server error", 500, nil, `{"errors":[{"message":"An error occurred."}]}`,
			oauth.ErrUnavailable, true, 0, "An error occurred."},
		{"gateway timeout", 504, nil, ``, oauth.ErrUnavailable, true, 0, ""},
		{"forbidden", 403, nil, `{"errors":{"type":"forbidden","message":"course not published"}}`,
			oauth.ErrForbidden, false, 0, "course not published"},
		{"not found", 404, nil, `{"status":404,"reason":"Not Found: Course 3 doesn't exist"}`,
			oauth.ErrNotFound, false, 0, "Not Found: Course 3 doesn't exist"},
		{"bad request", 400, nil, `{"error":"invalid_request"}`, oauth.ErrRejected, false, 0,
			"invalid_request"},
		{"precondition", 412, nil, `{"errors":{"type":"precondition_failed","message":"nope"}}`,
			oauth.ErrRejected, false, 0, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := newFakePlatform(t)
			fp.serviceAnswer = func(int, string) (int, http.Header, string) {
				return tt.status, tt.header, tt.body
			}
			c, _ := newClient(t, &testClock{now: time.Now()})
			_, err := call(t, c, fp)
			var re *oauth.RetryableError
			isRetryable := errors.As(err, &re)
			if !errors.Is(err, tt.kind) || isRetryable != tt.retryable ||
				oauth.PlatformMessage(err) != tt.message {
				t.Fatalf("err = %v (message %q); want %v, retryable %v, message %q", err,
					oauth.PlatformMessage(err), tt.kind, tt.retryable, tt.message)
			}
			if isRetryable && (re.After < tt.after || re.After > tt.after+15*time.Second) {
				t.Errorf("After = %s, want about %s", re.After, tt.after)
			}
		})
	}
}

func TestDoPausesPlatformAfterRetryAfter(t *testing.T) {
	fp := newFakePlatform(t)
	fp.serviceAnswer = func(n int, _ string) (int, http.Header, string) {
		if n == 0 {
			return 429, http.Header{"Retry-After": {"1"}}, ""
		}
		return 200, nil, "{}"
	}
	clock := &testClock{now: time.Now()}
	c, _ := newClient(t, clock)
	if _, err := call(t, c, fp); !errors.Is(err, oauth.ErrThrottled) {
		t.Fatalf("first call: %v", err)
	}
	// The test clock stands still, so the pause never ends: the next call
	// waits until its context gives up.
	ctx, cancel := contextWithTimeout(t, 50*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, fp.endpoint(), oauth.Request{Op: "paused", Method: http.MethodGet,
		URL: fp.srv.URL + "/svc", Scopes: []string{"s"}})
	var re *oauth.RetryableError
	if !errors.As(err, &re) || len(fp.auths) != 1 {
		t.Errorf("err = %v after %d calls; want a retryable error without a call", err,
			len(fp.auths))
	}
	clock.Add(time.Second)
	if _, err := call(t, c, fp); err != nil {
		t.Errorf("after the pause: %v", err)
	}
}

func TestPages(t *testing.T) {
	fp := newFakePlatform(t)
	fp.serviceAnswer = func(n int, _ string) (int, http.Header, string) {
		h := http.Header{}
		switch n {
		case 0:
			h.Add("Link", `</svc?page=2>; rel="next", </svc?page=9>; rel="last"`)
		case 1:
			h.Add("Link", "<"+fp.srv.URL+"/svc?page=3>; rel=\u201cnext\u201d")
		case 2:
			h.Add("Link", `</svc?page=2>; rel=next`) // back to a page already read
		}
		return 200, h, fmt.Sprintf(`{"page":%d}`, n+1)
	}
	c, _ := newClient(t, &testClock{now: time.Now()})
	var got []string
	var last error
	for resp, err := range c.Pages(t.Context(), fp.endpoint(), oauth.Request{Op: "list",
		URL: fp.srv.URL + "/svc", Scopes: []string{"s"}}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, resp.URL.RequestURI()+" "+string(resp.Body))
	}
	want := `[/svc {"page":1} /svc?page=2 {"page":2} /svc?page=3 {"page":3}]`
	if fmt.Sprint(got) != want || !errors.Is(last, oauth.ErrBadResponse) {
		t.Errorf("pages %v, error %v; want %s and a paging loop error", got, last, want)
	}
}
