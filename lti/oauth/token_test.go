package oauth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/lti/oauth"
	"aesop/lti/oauth/oauthtest"
)

// fakePlatform is a token endpoint and a service endpoint that record what
// they receive and answer as a test says.
type fakePlatform struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	forms  []url.Values
	auths  []string
	tokens []string // issued, newest last
	// tokenAnswer, when set, answers the n-th token request (from 0).
	tokenAnswer func(n int) (int, string)
	// serviceAnswer, when set, answers the n-th service request (from 0).
	serviceAnswer func(n int, auth string) (int, http.Header, string)
}

// newFakePlatform starts a fake platform.
func newFakePlatform(t *testing.T) *fakePlatform {
	fp := &fakePlatform{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", fp.handleToken)
	mux.HandleFunc("/svc", fp.handleService)
	fp.srv = httptest.NewServer(mux)
	t.Cleanup(fp.srv.Close)
	return fp
}

// endpoint returns the token endpoint as a client sees it.
func (fp *fakePlatform) endpoint() oauth.Endpoint {
	return oauth.Endpoint{Platform: "p1", ClientID: "client-7", TokenURL: fp.srv.URL + "/token"}
}

// handleToken records the form and issues a token.
func (fp *fakePlatform) handleToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	fp.mu.Lock()
	n := len(fp.forms)
	fp.forms = append(fp.forms, r.PostForm)
	tok := fmt.Sprintf("token-%d", n)
	fp.tokens = append(fp.tokens, tok)
	answer := fp.tokenAnswer
	fp.mu.Unlock()
	status, body := http.StatusOK, fmt.Sprintf(
		`{"access_token":%q,"token_type":"Bearer","expires_in":3600,"scope":%q}`,
		tok, r.PostForm.Get("scope"))
	if answer != nil {
		status, body = answer(n)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// handleService records the Authorization header and answers.
func (fp *fakePlatform) handleService(w http.ResponseWriter, r *http.Request) {
	fp.mu.Lock()
	n := len(fp.auths)
	fp.auths = append(fp.auths, r.Header.Get("Authorization"))
	answer := fp.serviceAnswer
	fp.mu.Unlock()
	status, hdr, body := http.StatusOK, http.Header{}, `{"ok":true}`
	if answer != nil {
		status, hdr, body = answer(n, r.Header.Get("Authorization"))
	}
	for k, vs := range hdr {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// tokenRequests returns how many token requests came.
func (fp *fakePlatform) tokenRequests() int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return len(fp.forms)
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock.
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newClient returns a client without pacing, on a test clock.
func newClient(t *testing.T, clock *testClock) (*oauth.Client, *oauthtest.Signer) {
	s := oauthtest.NewSigner(t)
	return oauth.New(s, oauth.Options{Now: clock.Now,
		Rate: oauth.Rate{PerSecond: 1e6, Burst: 1000}}), s
}

func TestTokenRequest(t *testing.T) {
	fp := newFakePlatform(t)
	clock := &testClock{now: time.Now().Truncate(time.Second)}
	c, signer := newClient(t, clock)
	ep := fp.endpoint()
	ep.Audience = "https://platform.example/oauth2/token"

	tok, err := c.Token(t.Context(), ep, []string{"b-scope", "a-scope", "b-scope", " "})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "token-0" || !tok.Expires.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("token = %+v", tok)
	}
	if _, err := c.Token(t.Context(), ep, []string{"x"}); err != nil {
		t.Fatal(err)
	}
	form := fp.forms[0]
	for k, want := range map[string]string{
		"grant_type":            "client_credentials",
		"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		"scope":                 "a-scope b-scope",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	a, err := signer.Verify(form.Get("client_assertion"))
	if err != nil {
		t.Fatalf("assertion signature: %v", err)
	}
	if a.Issuer() != "client-7" || a.Subject() != "client-7" ||
		fmt.Sprint(a.Audience()) != "["+ep.Audience+"]" ||
		!a.IssuedAt().Equal(clock.Now()) || a.Expiration().Sub(a.IssuedAt()) != 5*time.Minute {
		t.Errorf("assertion claims: iss %q sub %q aud %v iat %v exp %v", a.Issuer(), a.Subject(),
			a.Audience(), a.IssuedAt(), a.Expiration())
	}
	b, _ := signer.Verify(fp.forms[1].Get("client_assertion"))
	if a.JwtID() == "" || a.JwtID() == b.JwtID() {
		t.Errorf("jti %q and %q must be set and differ", a.JwtID(), b.JwtID())
	}
}

func TestTokenAudienceIsAString(t *testing.T) {
	fp := newFakePlatform(t)
	c, _ := newClient(t, &testClock{now: time.Now()})
	if _, err := c.Token(t.Context(), fp.endpoint(), []string{"s"}); err != nil {
		t.Fatal(err)
	}
	raw := fp.forms[0].Get("client_assertion")
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	want := fmt.Sprintf(`"aud":%q`, fp.endpoint().TokenURL)
	if !strings.Contains(string(payload), want) {
		t.Errorf("assertion payload %s lacks %s", payload, want)
	}
}

func TestTokenCache(t *testing.T) {
	fp := newFakePlatform(t)
	clock := &testClock{now: time.Now()}
	c, _ := newClient(t, clock)
	ep := fp.endpoint()
	other := ep
	other.Platform = "p2"
	ctx := t.Context()

	steps := []struct {
		name     string
		do       func() (oauth.Token, error)
		want     string
		requests int
	}{
		{"first", func() (oauth.Token, error) { return c.Token(ctx, ep, []string{"a", "b"}) },
			"token-0", 1},
		{"same set, other order", func() (oauth.Token, error) {
			return c.Token(ctx, ep, []string{"b", "a", "a"})
		}, "token-0", 1},
		{"other set", func() (oauth.Token, error) { return c.Token(ctx, ep, []string{"a"}) },
			"token-1", 2},
		{"other platform", func() (oauth.Token, error) {
			return c.Token(ctx, other, []string{"a", "b"})
		}, "token-2", 3},
		{"shortly before expiry", func() (oauth.Token, error) {
			clock.Add(time.Hour - 61*time.Second)
			return c.Token(ctx, ep, []string{"a", "b"})
		}, "token-0", 3},
		{"within the last minute", func() (oauth.Token, error) {
			clock.Add(2 * time.Second)
			return c.Token(ctx, ep, []string{"a", "b"})
		}, "token-3", 4},
		{"forgotten", func() (oauth.Token, error) {
			c.Forget(ep, []string{"b", "a"}, oauth.Token{AccessToken: "token-3"})
			return c.Token(ctx, ep, []string{"a", "b"})
		}, "token-4", 5},
		{"forgetting a stale token keeps the new one", func() (oauth.Token, error) {
			c.Forget(ep, []string{"a", "b"}, oauth.Token{AccessToken: "token-3"})
			return c.Token(ctx, ep, []string{"a", "b"})
		}, "token-4", 5},
	}
	for _, s := range steps {
		tok, err := s.do()
		if err != nil || tok.AccessToken != s.want || fp.tokenRequests() != s.requests {
			t.Errorf("%s: got %q, %v after %d requests; want %q after %d", s.name,
				tok.AccessToken, err, fp.tokenRequests(), s.want, s.requests)
		}
	}
}

func TestTokenConcurrentCallersShareOneRequest(t *testing.T) {
	fp := newFakePlatform(t)
	release := make(chan struct{})
	fp.tokenAnswer = func(n int) (int, string) {
		<-release
		return 200, fmt.Sprintf(`{"access_token":"shared-%d","token_type":"bearer",`+
			`"expires_in":"600"}`, n)
	}
	c, _ := newClient(t, &testClock{now: time.Now()})
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			tok, err := c.Token(t.Context(), fp.endpoint(), []string{"s"})
			if err != nil {
				t.Error(err)
			}
			got[i] = tok.AccessToken
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	for _, g := range got {
		if g != "shared-0" {
			t.Errorf("got %q, want every caller to get shared-0", g)
		}
	}
	if n := fp.tokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		kind      error
		retryable bool
		message   string
	}{
		{"invalid client", 401, `{"error":"invalid_client","error_description":"unknown kid"}`,
			oauth.ErrTokenRefused, false, "unknown kid"},
		{"invalid scope", 400, `{"error":"invalid_scope"}`, oauth.ErrTokenRefused, false,
			"invalid_scope"},
		{"server error", 502, `<html><title>Bad Gateway</title></html>`, oauth.ErrUnavailable,
			true, "Bad Gateway"},
		{"throttled", 429, `{}`, oauth.ErrThrottled, true, ""},
		{"not json", 200, `access_token=x`, oauth.ErrBadResponse, false, ""},
		{"no token", 200, `{"token_type":"Bearer"}`, oauth.ErrBadResponse, false, ""},
		{"not bearer", 200, `{"access_token":"x","token_type":"mac"}`, oauth.ErrBadResponse,
			false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := newFakePlatform(t)
			fp.tokenAnswer = func(int) (int, string) { return tt.status, tt.body }
			c, _ := newClient(t, &testClock{now: time.Now()})
			_, err := c.Token(t.Context(), fp.endpoint(), []string{"s"})
			var re *oauth.RetryableError
			if !errors.Is(err, tt.kind) || errors.As(err, &re) != tt.retryable ||
				oauth.PlatformMessage(err) != tt.message {
				t.Errorf("err = %v (message %q); want %v, retryable %v, message %q", err,
					oauth.PlatformMessage(err), tt.kind, tt.retryable, tt.message)
			}
		})
	}
}

func TestTokenUnreachable(t *testing.T) {
	c, _ := newClient(t, &testClock{now: time.Now()})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := c.Token(ctx, oauth.Endpoint{ClientID: "c", TokenURL: "http://127.0.0.1:1/token"},
		[]string{"s"})
	var re *oauth.RetryableError
	if !errors.As(err, &re) || re.Status != 0 {
		t.Errorf("err = %v, want a RetryableError without status", err)
	}
}

// contextWithTimeout returns a context of the test that ends after d.
func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}
