package tutor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// fault is a failure the fake model server plays on one request.
type fault struct {
	status     int           // answer with this HTTP status and an error body
	retryAfter string        // the Retry-After header sent with status
	stall      time.Duration // wait this long before the first chunk
	cutAfter   int           // break the connection after this many chunks
	errorAfter int           // send an error event after this many chunks
	noUsage    bool          // leave out the usage chunk, as some servers do
	stallAfter int           // with stall: send this many chunks, then wait
}

// fakeModel is an OpenAI-compatible chat completions server: it answers
// /v1/chat/completions in stream mode with SSE chunks ending in a usage
// chunk and [DONE], or with one JSON object otherwise, and plays the faults
// queued for it.
type fakeModel struct {
	*httptest.Server
	// firstDelay and chunkDelay pace a stream: the wait before the first
	// chunk and between chunks.
	firstDelay, chunkDelay time.Duration
	// reply makes the answer's chunks from the request.
	reply func(req *openai.ChatCompletionRequest) []string

	encoded sync.Map // chunk text to its SSE event

	mu     sync.Mutex
	faults []fault
	// arrived, if set, receives each request as it arrives; hold, if set,
	// is waited for before the first chunk. See gate.
	arrived  chan *openai.ChatCompletionRequest
	hold     chan struct{}
	requests []*openai.ChatCompletionRequest
	keep     bool // record requests
	// window, when set, is the context window: a request whose prompt
	// counts more tokens is refused as OpenAI refuses it.
	window int
}

// newFakeModel starts a fake model server that t closes at its end.
func newFakeModel(t testing.TB) *fakeModel {
	f := &fakeModel{reply: echoReply, keep: true}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// echoReply answers with a question about the learner's last message, in
// chunks of one word.
func echoReply(req *openai.ChatCompletionRequest) []string {
	last := req.Messages[len(req.Messages)-1].Content
	text := "You wrote: " + last + ". Why do you think so?"
	var chunks []string
	for i, w := range strings.Fields(text) {
		if i > 0 {
			w = " " + w
		}
		chunks = append(chunks, w)
	}
	return chunks
}

// gate makes the fake report each request on the returned channel and hold
// its answer until release is called.
func (f *fakeModel) gate() (arrived <-chan *openai.ChatCompletionRequest, release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, h := make(chan *openai.ChatCompletionRequest, 64), make(chan struct{})
	f.arrived, f.hold = a, h
	return a, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		close(h)
		f.arrived, f.hold = nil, nil
	}
}

// fail queues faults for the next requests, one each.
func (f *fakeModel) fail(fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fs...)
}

// lastRequest returns the last request received.
func (f *fakeModel) lastRequest() *openai.ChatCompletionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return nil
	}
	return f.requests[len(f.requests)-1]
}

// requestCount returns how many requests arrived.
func (f *fakeModel) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// config returns tutor settings that point at the fake.
func (f *fakeModel) config() Config {
	c := DefaultConfig()
	c.BaseURL = f.URL + "/v1"
	c.Model = "fake-tutor"
	c.APIKey = "test-key"
	c.RequestTimeout = 5 * time.Second
	c.FirstTokenTimeout = 2 * time.Second
	return c
}

func (f *fakeModel) serve(w http.ResponseWriter, r *http.Request) {
	// OpenAI's path and key, or Azure's deployment path, version and key.
	azure := r.URL.Path == "/openai/deployments/tutor-deployment/chat/completions" &&
		r.URL.Query().Get("api-version") == "2024-10-21"
	if (r.URL.Path != "/v1/chat/completions" && !azure) || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if (!azure && r.Header.Get("Authorization") != "Bearer test-key") ||
		(azure && r.Header.Get("api-key") != "test-key") {
		writeAPIError(w, http.StatusUnauthorized, "bad key")
		return
	}
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeAPIError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.mu.Lock()
	if f.keep {
		f.requests = append(f.requests, &req)
	}
	var ft fault
	if len(f.faults) > 0 {
		ft, f.faults = f.faults[0], f.faults[1:]
	}
	arrived, hold, window := f.arrived, f.hold, f.window
	f.mu.Unlock()
	if n := promptTokens(&req); window > 0 && n > window {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": fmt.Sprintf("This model's maximum context length is %d tokens. "+
				"However, your messages resulted in %d tokens. Please reduce the length "+
				"of the messages.", window, n),
			"type": "invalid_request_error", "param": "messages",
			"code": "context_length_exceeded"}})
		return
	}
	if arrived != nil {
		arrived <- &req
	}
	if ft.status != 0 {
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		writeAPIError(w, ft.status, "injected fault")
		return
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	chunks := f.reply(&req)
	usage := &openai.Usage{PromptTokens: promptTokens(&req), CompletionTokens: len(chunks)}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	if !req.Stream {
		f.writeWhole(w, chunks, usage)
		return
	}
	f.writeStream(w, r, &req, chunks, usage, ft)
}

// promptTokens counts a request's prompt the way the fake's tokenizer
// does: four characters a token.
func promptTokens(req *openai.ChatCompletionRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)/4 + 4
	}
	return n
}

func (f *fakeModel) writeWhole(w http.ResponseWriter, chunks []string, u *openai.Usage) {
	resp := openai.ChatCompletionResponse{ID: "chatcmpl-fake", Object: "chat.completion",
		Model: "fake-tutor", Usage: *u, Choices: []openai.ChatCompletionChoice{{
			Message: openai.ChatCompletionMessage{Role: "assistant",
				Content: strings.Join(chunks, "")}, FinishReason: openai.FinishReasonStop}}}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func (f *fakeModel) writeStream(w http.ResponseWriter, r *http.Request,
	req *openai.ChatCompletionRequest, chunks []string, u *openai.Usage, ft fault) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	flusher.Flush()
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		select {
		case <-time.After(d):
			return true
		case <-r.Context().Done():
			return false
		}
	}
	if !wait(f.firstDelay) {
		return
	}
	if ft.stall > 0 && ft.stallAfter == 0 && !wait(ft.stall) {
		return
	}
	send := func(v openai.ChatCompletionStreamResponse) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		flusher.Flush()
	}
	sendDelta := func(c string) {
		// The benchmark's many streams repeat the same chunks: each is
		// encoded once.
		if ev, ok := f.encoded.Load(c); ok {
			w.Write(ev.([]byte))
			flusher.Flush()
			return
		}
		b, _ := json.Marshal(openai.ChatCompletionStreamResponse{ID: "chatcmpl-fake",
			Object: "chat.completion.chunk", Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{
				Delta: openai.ChatCompletionStreamChoiceDelta{Content: c}}}})
		ev := []byte("data: " + string(b) + "\n\n")
		f.encoded.Store(c, ev)
		w.Write(ev)
		flusher.Flush()
	}
	for i, c := range chunks {
		if ft.errorAfter > 0 && i == ft.errorAfter {
			fmt.Fprint(w, `data: {"error":{"message":"overloaded","type":"server_error"}}`+"\n\n")
			flusher.Flush()
			return
		}
		if ft.cutAfter > 0 && i == ft.cutAfter {
			panic(http.ErrAbortHandler) // drops the connection mid-stream
		}
		if ft.stall > 0 && ft.stallAfter > 0 && i == ft.stallAfter && !wait(ft.stall) {
			return
		}
		if i > 0 && !wait(f.chunkDelay) {
			return
		}
		sendDelta(c)
	}
	send(openai.ChatCompletionStreamResponse{ID: "chatcmpl-fake",
		Object: "chat.completion.chunk", Model: req.Model,
		Choices: []openai.ChatCompletionStreamChoice{{
			FinishReason: openai.FinishReasonStop}}})
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage && !ft.noUsage {
		send(openai.ChatCompletionStreamResponse{ID: "chatcmpl-fake",
			Object: "chat.completion.chunk", Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{}, Usage: u})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	flusher.Flush()
}

// writeAPIError answers as OpenAI does when it refuses a request.
func writeAPIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": "fake_error", "code": status}})
}

func TestFakeModelAnswersWithoutStreaming(t *testing.T) {
	f := newFakeModel(t)
	cc := openai.DefaultConfig("test-key")
	cc.BaseURL = f.URL + "/v1"
	resp, err := openai.NewClientWithConfig(cc).CreateChatCompletion(t.Context(),
		openai.ChatCompletionRequest{Model: "fake-tutor", Messages: []openai.ChatCompletionMessage{
			{Role: "user", Content: "hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "You wrote: hello. Why do you think so?" {
		t.Errorf("answer = %q", got)
	}
	if resp.Usage.CompletionTokens != 8 || resp.Usage.PromptTokens == 0 {
		t.Errorf("usage = %+v", resp.Usage)
	}
}
