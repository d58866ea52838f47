package tutor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// streamFrom starts a server that answers every chat request with body as
// its event stream, and returns a model pointed at it and a count of the
// connections the server accepted.
func streamFrom(t *testing.T, body func(w http.ResponseWriter)) (*model, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		body(w)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.BaseURL, cfg.Model, cfg.APIKey = srv.URL+"/v1", "m", "k"
	return newModel(cfg), &conns
}

// ask streams an answer to one message from m.
func ask(m *model) (*streamed, []string, error) {
	var out streamed
	var deltas []string
	_, err := m.stream(context.Background(), []openai.ChatCompletionMessage{{
		Role: openai.ChatMessageRoleUser, Content: "hello"}}, func(d string) error {
		deltas = append(deltas, d)
		return nil
	}, &out)
	return &out, deltas, err
}

// TestEventStreamForms reads a stream in the forms servers send: comments
// that keep the connection open, event names, data with and without a
// space, CRLF line ends, chunks with no blank line between them, and a
// chunk longer than the read buffer. Two answers share one connection,
// since each stream is read to its end.
func TestEventStreamForms(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	m, conns := streamFrom(t, func(w http.ResponseWriter) {
		fmt.Fprint(w, ": keep-alive\n\n")
		fmt.Fprint(w, "event: chunk\nid: 1\n")
		fmt.Fprint(w, `data: {"choices":[{"delta":{"content":"one"}}]}`+"\n\n")
		fmt.Fprint(w, `data:{"choices":[{"delta":{"content":" two"}}]}`+"\r\n\r\n")
		fmt.Fprint(w, `data: {"choices":[{"delta":{"content":" `+long+`"}}]}`+"\n")
		fmt.Fprint(w, `data: {"choices":[{"delta":{},"finish_reason":"stop"}]}`+"\n")
		fmt.Fprint(w, `data: {"choices":[],"usage":{"prompt_tokens":7,`+
			`"completion_tokens":3,"total_tokens":10}}`+"\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
		// The stream's end comes apart from [DONE], as it does when a
		// server flushes each event.
		w.(http.Flusher).Flush()
		time.Sleep(20 * time.Millisecond)
	})
	for range 2 {
		out, deltas, err := ask(m)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"one", " two", " " + long}
		if strings.Join(deltas, "|") != strings.Join(want, "|") {
			t.Errorf("deltas %.60q, want %.60q", deltas, want)
		}
		if out.text.String() != "one two "+long || !out.complete {
			t.Errorf("text %.40q, complete %v", out.text.String(), out.complete)
		}
		if out.usage == nil || out.usage.TotalTokens != 10 {
			t.Errorf("usage %+v, want 10 tokens in all", out.usage)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("two answers took %d connections, want 1", n)
	}
}

// TestEventStreamFailures checks the streams that end an answer with an
// error, and how the learner is told.
func TestEventStreamFailures(t *testing.T) {
	first := `data: {"choices":[{"delta":{"content":"one"}}]}` + "\n\n"
	for _, tc := range []struct {
		name, body string
		want       error
	}{
		{"error event", first + `data: {"error":{"message":"overloaded",` +
			`"type":"server_error"}}` + "\n\n", ErrInterrupted},
		{"error event first", `data: {"error":{"message":"bad","code":"x"}}` + "\n\n",
			ErrUnavailable},
		{"unreadable chunk", first + "data: {\"choices\":\n\n", ErrInterrupted},
		{"no end", first, ErrInterrupted},
		{"line too long", first + "data: " + strings.Repeat("x", maxEventLine+10),
			ErrInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := streamFrom(t, func(w http.ResponseWriter) { fmt.Fprint(w, tc.body) })
			out, _, err := ask(m)
			if err == nil {
				t.Fatal("the answer succeeded")
			}
			got := classify(err, out.text.Len() > 0)
			if !errors.Is(got, tc.want) {
				t.Errorf("%v classified as %v, want %v", err, got, tc.want)
			}
		})
	}
}

// TestPacedReads checks that an answer's first piece is read at once and
// its later pieces together, a tenth of a second's worth at a time: a
// server sending a token every 10 ms for 200 ms reaches the tutor in a few
// bursts, not twenty.
func TestPacedReads(t *testing.T) {
	const tokens = 20
	m, _ := streamFrom(t, func(w http.ResponseWriter) {
		for i := range tokens + 1 {
			fmt.Fprintf(w, `data: {"choices":[{"delta":{"content":"t%d "}}]}`+"\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Fprint(w, `data: {"choices":[{"delta":{},"finish_reason":"stop"}]}`+"\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	start := time.Now()
	var at []time.Duration
	var out streamed
	_, err := m.stream(context.Background(), []openai.ChatCompletionMessage{{
		Role: openai.ChatMessageRoleUser, Content: "hello"}}, func(string) error {
		at = append(at, time.Since(start))
		return nil
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(at) != tokens+1 {
		t.Fatalf("got %d pieces, want %d", len(at), tokens+1)
	}
	if at[0] > 100*time.Millisecond {
		t.Errorf("first piece after %v; it should be read as soon as it comes", at[0])
	}
	bursts := 1
	for i := 2; i < len(at); i++ {
		if at[i]-at[i-1] > 5*time.Millisecond {
			bursts++
		}
	}
	if bursts > 4 {
		t.Errorf("later pieces came in %d bursts (times %v); want at most 4", bursts, at)
	}
	if !strings.HasPrefix(out.text.String(), "t0 t1 ") {
		t.Errorf("answer %q", out.text.String())
	}
}
