package tutor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// model is the chat API with the settings of every request.
type model struct {
	client *openai.Client
	cfg    Config
}

// newModel returns a client for the configured API. Its connections are
// pooled generously, since each learner's answer holds one for as long as
// it streams.
func newModel(cfg Config) *model {
	var cc openai.ClientConfig
	if cfg.Provider == ProviderAzure {
		cc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		cc.APIVersion = cfg.AzureAPIVersion
		// The model setting is the deployment's name, used as written.
		cc.AzureModelMapperFunc = func(m string) string { return m }
	} else {
		cc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			cc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 1024
	tr.IdleConnTimeout = 90 * time.Second
	cc.HTTPClient = doer{client: &http.Client{Transport: tr}}
	return &model{client: openai.NewClientWithConfig(cc), cfg: cfg}
}

// request returns a streaming request for msgs. Reasoning models refuse a
// temperature and the old max_tokens field; for them both are adjusted.
func (m *model) request(msgs []openai.ChatCompletionMessage) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model:         m.cfg.Model,
		Messages:      msgs,
		Stream:        true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
		// A zero temperature would be left out of the JSON, so the smallest
		// positive one stands for it.
		Temperature: max(float32(m.cfg.Temperature), math.SmallestNonzeroFloat32),
	}
	if m.cfg.Provider == ProviderAny {
		// Ollama and older servers know only max_tokens.
		req.MaxTokens = m.cfg.MaxOutputTokens
	} else {
		req.MaxCompletionTokens = m.cfg.MaxOutputTokens
	}
	if openai.NewReasoningValidator().Validate(req) != nil {
		req.Temperature = 0
		req.MaxTokens = 0
		req.MaxCompletionTokens = m.cfg.MaxOutputTokens
	}
	return req
}

// streamed is what came back from one streamed answer.
type streamed struct {
	text  strings.Builder
	usage *openai.Usage
	// complete is set when the stream said it was done: a finish reason or
	// the usage chunk, which only a whole answer carries.
	complete bool
	// deltaErr is the error the caller's delta function returned.
	deltaErr error
}

// Errors that end a call and tell why; see classify.
var (
	errFirstTokenTimeout = errors.New("no first token in time")
	errAnswerTimeout     = errors.New("answer not finished in time")
	errBadChunk          = errors.New("unreadable answer chunk")
)

// stream sends msgs and passes each piece of the answer to onDelta as it
// arrives, in order. The call is bounded by RequestTimeout, and its first
// token by FirstTokenTimeout; ctx ends it early. It returns what arrived
// and the error that ended it, nil when the answer is complete.
func (m *model) stream(ctx context.Context, msgs []openai.ChatCompletionMessage,
	onDelta func(string) error, out *streamed) (retryAfter time.Duration, err error) {
	ctx, cancelAll := context.WithTimeoutCause(ctx, m.cfg.RequestTimeout, errAnswerTimeout)
	defer cancelAll()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	firstToken := time.AfterFunc(m.cfg.FirstTokenTimeout, func() {
		cancel(errFirstTokenTimeout)
	})
	defer firstToken.Stop()
	call := &modelCall{}
	ctx = context.WithValue(ctx, modelCallKey{}, call)

	s, err := m.client.CreateChatCompletionStream(ctx, m.request(msgs))
	if err != nil {
		return call.retryAfter, withCause(ctx, err)
	}
	// The client's stream has an empty body; doer took the answer's.
	_ = s.Close()
	if call.body == nil {
		return 0, errors.New("the API client sent the request without the tutor's doer")
	}
	events := newEventReader(call.body)
	defer events.close(func() { cancel(nil) })
	var resp chunk // reused: its Choices keep their array from chunk to chunk
	for {
		raw, err := events.next(ctx)
		if errors.Is(err, io.EOF) {
			if !out.complete {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, nil
		}
		if err != nil {
			return 0, withCause(ctx, err)
		}
		if err := resp.decode(raw); err != nil {
			return 0, err
		}
		if resp.Error != nil {
			return 0, fmt.Errorf("answer stream: %w", resp.Error)
		}
		if resp.Usage != nil {
			out.usage = resp.Usage
			out.complete = true
		}
		for _, ch := range resp.Choices {
			if ch.FinishReason != "" {
				out.complete = true
			}
			if ch.Delta.Content == "" {
				continue
			}
			firstToken.Stop()
			events.pace()
			out.text.WriteString(ch.Delta.Content)
			if err := onDelta(ch.Delta.Content); err != nil {
				out.deltaErr = err
				return 0, err
			}
		}
	}
}

// withCause returns the reason ctx ended, when it did, in place of err: a
// cancelled request's own error says only "context canceled".
func withCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// classify turns a failed call into the kind of failure the learner is
// told about.
func classify(err error, gotText bool) error {
	var (
		apiErr *openai.APIError
		reqErr *openai.RequestError
		netErr net.Error
	)
	status := 0
	switch {
	case errors.Is(err, errFirstTokenTimeout), errors.Is(err, errAnswerTimeout),
		errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	case errors.As(err, &netErr) && netErr.Timeout():
		return ErrTimeout
	}
	switch {
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusRequestTimeout:
		return ErrTimeout
	case status >= 500:
		return ErrUnavailable
	case status >= 400:
		return ErrRejected
	case status == 0 && apiErr == nil && reqErr == nil && !isNetwork(err):
		// Refused before sending, by the client's own checks.
		return ErrRejected
	case gotText:
		return ErrInterrupted
	}
	return ErrUnavailable
}

// isNetwork reports an error of the connection or of the stream's framing.
func isNetwork(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	return errors.As(err, &netErr) || errors.As(err, &opErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, errBadChunk) || errors.Is(err, errLongEvent)
}

// retryAfter reads the wait a response asks for: retry-after-ms, as OpenAI
// and Azure send, or Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
