package web

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// arrival is one event as the browser read it, and when.
type arrival struct {
	line string
	at   time.Duration
}

// readEvents reads the event lines of a stream from url as they arrive.
func readEvents(t *testing.T, url string) []arrival {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	var out []arrival
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: ") {
			out = append(out, arrival{sc.Text(), time.Since(start)})
		}
	}
	return out
}

// TestEventStreamGathers: the first event goes out at once; events that
// follow within gatherFor go out together when it has passed; closing
// sends what is held without waiting.
func TestEventStreamGathers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := newEventStream(w)
		defer s.close()
		s.send("delta", "one")
		time.Sleep(gatherFor / 2)
		s.send("delta", "two")
		s.send("delta", "three")
		time.Sleep(gatherFor * 7 / 10)
		s.send("delta", "four <b>")
		s.send("done", map[string]int{"answer": 1})
		time.Sleep(gatherFor * 3)
	}))
	defer srv.Close()
	got := readEvents(t, srv.URL)
	want := []string{`data: "one"`, `data: "two"`, `data: "three"`,
		`data: "four \u003cb\u003e"`, `data: {"answer":1}`}
	if len(got) != len(want) {
		t.Fatalf("events = %v", got)
	}
	for i, a := range got {
		if a.line != want[i] {
			t.Errorf("event %d = %s, want %s", i, a.line, want[i])
		}
	}
	if got[0].at >= gatherFor/2 {
		t.Errorf("the first event waited %s", got[0].at)
	}
	// "two" and "three" come together, gatherFor after "one".
	if d := got[1].at - got[0].at; d < gatherFor*8/10 {
		t.Errorf("the second event came %s after the first, within gatherFor", d)
	}
	if d := got[2].at - got[1].at; d > gatherFor/5 {
		t.Errorf("the third event came %s after the second: not sent together", d)
	}
	// "four" and "done" were held, then sent together by the timer.
	if d := got[3].at - got[2].at; d < gatherFor*8/10 {
		t.Errorf("four came %s after three, within gatherFor", d)
	}
	if d := got[4].at - got[3].at; d > gatherFor/5 {
		t.Errorf("done came %s after four", d)
	}
	if got[4].at > gatherFor*4 {
		t.Errorf("the held events waited for the handler to return (%s)", got[4].at)
	}
}

// TestEventStreamCloseSendsHeld: events held when the answer ends go out
// when the stream is closed, not after the timer.
func TestEventStreamCloseSendsHeld(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := newEventStream(w)
		s.send("delta", "one")
		s.send("done", "end")
		s.close()
		if err := s.send("delta", "late"); err != nil {
			t.Errorf("send after close: %v", err)
		}
		time.Sleep(gatherFor * 2)
	}))
	defer srv.Close()
	got := readEvents(t, srv.URL)
	if len(got) != 2 || got[1].line != `data: "end"` {
		t.Fatalf("events = %v", got)
	}
	if got[1].at >= gatherFor {
		t.Errorf("the held event waited %s for the timer", got[1].at)
	}
}
