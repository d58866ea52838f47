package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

// fakeModel is an OpenAI-compatible chat server for tests: it streams a fixed
// answer word by word, or fails while fail is set.
type fakeModel struct {
	srv     *httptest.Server
	fail    atomic.Bool
	mu      sync.Mutex
	prompts []string
}

func newFakeModel(t *testing.T) *fakeModel {
	m := &fakeModel{}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string }
		}
		json.NewDecoder(r.Body).Decode(&req)
		var all []string
		for _, msg := range req.Messages {
			all = append(all, msg.Role+": "+msg.Content)
		}
		m.mu.Lock()
		m.prompts = append(m.prompts, strings.Join(all, "\n"))
		m.mu.Unlock()
		if m.fail.Load() {
			http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields("What makes a **seed task** diverse? <script>x</script>") {
			chunk := map[string]any{"id": "c1", "object": "chat.completion.chunk",
				"model": "fake", "choices": []any{map[string]any{"index": 0,
					"delta": map[string]any{"content": word + " "}}}}
			b, _ := json.Marshal(chunk)
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		usage := map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "fake",
			"choices": []any{}, "usage": map[string]any{"prompt_tokens": 900,
				"completion_tokens": 12, "total_tokens": 912}}
		b, _ := json.Marshal(usage)
		fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// events reads server-sent events from a stream response.
func events(t *testing.T, r io.Reader) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			out[name] = append(out[name], line[6:])
		}
	}
	return out
}

func TestTutorNotConfigured(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	_, body := env.get(c, sessionBase(t, resp.Request.URL.String())+"/a/m3-l1-lab")
	if !strings.Contains(body, "The tutor is not available yet") ||
		!strings.Contains(body, "AESOP_TUTOR_MODEL") {
		t.Errorf("lab page without a model:\n%s", body)
	}
}

// TestTutorChat: the answer streams as server-sent events and is stored; the
// prompt holds the lab's objective; a failed answer keeps the learner's
// message with a retry; an open test attempt pauses the tutor.
func TestTutorChat(t *testing.T) {
	model := newFakeModel(t)
	t.Setenv("AESOP_TUTOR_BASE_URL", model.srv.URL+"/v1")
	t.Setenv("AESOP_TUTOR_MODEL", "fake")
	t.Setenv("AESOP_TUTOR_API_KEY", "test-key")
	env := newTestEnv(t, dbtest.SQLite(t))
	p := pack(t)
	lab, _ := p.Activity("m3-l1-lab")
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	base := sessionBase(t, resp.Request.URL.String())
	_, body := env.get(c, base+"/a/m3-l1-lab")
	if !strings.Contains(body, "Welcome to Lab 1.") || !strings.Contains(body,
		"Your instructors can read this conversation") {
		t.Fatalf("lab page:\n%s\nlogs:\n%s", body, env.logs)
	}
	composer := forms(t, body, "/chat")[0]
	stream := composer
	stream.action = strings.Replace(stream.action, "/chat", "/chat/stream", 1)
	resp, err := c.PostForm(env.toolURL+stream.action, url.Values{"csrf": stream.fields["csrf"],
		"message": {"How many seed tasks should I write?"}})
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || len(evs["delta"]) < 3 ||
		len(evs["done"]) != 1 {
		t.Fatalf("stream %s: %v", resp.Header.Get("Content-Type"), evs)
	}
	if strings.Contains(evs["done"][0], "<script") {
		t.Errorf("the model's raw HTML reached the page: %s", evs["done"][0])
	}
	model.mu.Lock()
	prompt := model.prompts[0]
	model.mu.Unlock()
	if !strings.Contains(prompt, lab.Lab.Objective) {
		t.Errorf("the prompt lacks the lab's objective:\n%s", prompt)
	}
	_, body = env.get(c, base+"/a/m3-l1-lab")
	if !strings.Contains(body, "How many seed tasks should I write?") ||
		!strings.Contains(body, "<strong>seed task</strong>") {
		t.Errorf("the conversation did not resume:\n%s", body)
	}

	// The model fails: the message stays, unanswered, with a retry.
	model.fail.Store(true)
	resp, body = env.post(c, composer, url.Values{"message": {"Is 150 enough?"}})
	if !strings.Contains(body, "Is 150 enough?") || !strings.Contains(body, "Retry") {
		t.Fatalf("after a failed answer (%d):\n%s", resp.StatusCode, body)
	}
	model.fail.Store(false)
	retry := forms(t, body, "/chat")[0]
	_, body = env.post(c, retry, nil)
	if strings.Count(body, "<strong>seed task</strong>") != 2 || strings.Contains(body, ">Retry<") {
		t.Errorf("retry did not answer:\n%s\nlogs:\n%s", body, env.logs)
	}

	// The instructor reads the conversation, exports it and can delete it.
	prof := browser()
	resp, _ = env.openAs(prof, emulator.Instructor(), emulator.ResourceLink{}, "")
	pbase := sessionBase(t, resp.Request.URL.String())
	_, list := env.get(prof, pbase+"/tutor")
	if !strings.Contains(list, "Alice Nguyen") || !strings.Contains(list, lab.Title) {
		t.Fatalf("transcript list:\n%s", list)
	}
	i := strings.Index(list, "/tutor/c/")
	link := list[i : i+strings.IndexByte(list[i:], '"')]
	_, tr := env.get(prof, pbase+link)
	if !strings.Contains(tr, "How many seed tasks should I write?") {
		t.Errorf("transcript:\n%s", tr)
	}
	_, exp := env.get(prof, pbase+"/tutor/export.json")
	if !strings.Contains(exp, "How many seed tasks should I write?") {
		t.Errorf("export:\n%s", exp)
	}
	if resp, _ := env.get(c, base+"/tutor"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a learner reached the transcripts: %d", resp.StatusCode)
	}

	// An open module test attempt pauses the tutor.
	_, tb := env.get(c, base+"/a/m3-test")
	env.post(c, forms(t, tb, "/start")[0], nil)
	resp, body = env.post(c, composer, url.Values{"message": {"What is on the test?"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "paused") {
		t.Errorf("tutor during an open test: %d\n%s", resp.StatusCode, body)
	}
}
