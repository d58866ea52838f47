package oauth

import (
	"context"
	"fmt"
	"iter"
	"net/http"
)

// MaxPages bounds how many pages Pages fetches, in case a platform's next
// links never end.
const MaxPages = 500

// Pages makes a GET request and follows the rel="next" links of the answers,
// yielding each page in turn. It stops after yielding the first error.
func (c *Client) Pages(ctx context.Context, ep Endpoint, req Request) iter.Seq2[*Response, error] {
	req.Method = http.MethodGet
	return func(yield func(*Response, error) bool) {
		seen := map[string]bool{}
		for n := 0; req.URL != ""; n++ {
			if n == MaxPages || seen[req.URL] {
				yield(nil, fmt.Errorf("%s: %w: the next links do not end", req.Op, ErrBadResponse))
				return
			}
			seen[req.URL] = true
			resp, err := c.Do(ctx, ep, req)
			if !yield(resp, err) || err != nil {
				return
			}
			req.URL = NextPage(resp.Header, resp.URL)
		}
	}
}
