// Package oauth gets access tokens for the LTI Advantage services and makes
// authorized calls with them.
//
// Tokens come from the platform's token endpoint by the client_credentials
// grant, the tool authenticating with a JWT client assertion signed by its
// own key (1EdTech Security Framework, RFC 7523). They are cached per
// platform, client and scope set until shortly before they expire. Calls go
// through a per-platform pacer, are retried once with a fresh token when the
// platform answers 401, and every unsuccessful answer becomes an *Error or a
// *RetryableError that keeps the platform's own explanation.
package oauth

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Signer signs a JWT with the tool's active private key (RS256, kid in the
// header); keys.Store is one.
type Signer interface {
	Sign(ctx context.Context, tok jwt.Token) (string, error)
}

// Endpoint says where, and as which client, the tool asks one platform for
// tokens.
type Endpoint struct {
	// Platform names the platform in the token cache and the pacer, such as
	// its database id; the TokenURL when empty.
	Platform string
	ClientID string
	TokenURL string
	// Audience is the aud of client assertions; the TokenURL when empty.
	Audience string
}

// key names the platform for caches and the pacer.
func (ep Endpoint) key() string {
	if ep.Platform != "" {
		return ep.Platform
	}
	return ep.TokenURL
}

// audience returns the aud of client assertions.
func (ep Endpoint) audience() string {
	if ep.Audience != "" {
		return ep.Audience
	}
	return ep.TokenURL
}

// Options tune a Client; zero fields take defaults.
type Options struct {
	// HTTPClient sends every request; one with a 30-second timeout when nil.
	HTTPClient *http.Client
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Rate paces calls to each platform; DefaultRate when zero.
	Rate Rate
	// Rates overrides Rate for some platforms, by Endpoint.Platform.
	Rates map[string]Rate
}

// Client gets and caches access tokens and makes service calls. It is safe
// for concurrent use; make one per process.
type Client struct {
	signer Signer
	http   *http.Client
	now    func() time.Time
	pacer  *pacer

	mu       sync.Mutex
	tokens   map[string]cachedToken
	inflight map[string]*tokenCall
}

// New returns a Client that signs client assertions with signer.
func New(signer Signer, opts Options) *Client {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rate == (Rate{}) {
		opts.Rate = DefaultRate
	}
	return &Client{
		signer:   signer,
		http:     opts.HTTPClient,
		now:      opts.Now,
		pacer:    newPacer(opts.Rate, opts.Rates, opts.Now),
		tokens:   map[string]cachedToken{},
		inflight: map[string]*tokenCall{},
	}
}

// normalizeScopes sorts scopes and drops blanks and repeats, so that the
// same set always finds the same cached token.
func normalizeScopes(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
