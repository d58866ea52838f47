package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// gatherFor is how long later pieces of an answer wait to go out together.
// A model streams tens of tokens a second; sending each in its own write
// costs the tool a system call and the browser a repaint per token, while
// ten updates a second read as smooth.
const gatherFor = 100 * time.Millisecond

// eventStream writes server-sent events to a response. The first event
// goes out at once, since the learner is waiting for it; later ones are
// gathered and sent together at most every gatherFor. A timer sends what
// is gathered when no event follows in time.
type eventStream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	mu   sync.Mutex
	sent time.Time // when the response was last flushed
	// held is set while written events wait for the timer.
	held   bool
	timer  *time.Timer
	closed bool
	err    error // the first write or flush error, returned from then on
	buf    bytes.Buffer
	enc    *json.Encoder // encodes into buf
}

// newEventStream starts an event stream on w: it writes the headers.
func newEventStream(w http.ResponseWriter) *eventStream {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &eventStream{w: w, rc: http.NewResponseController(w)}
	s.enc = json.NewEncoder(&s.buf)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush()
	s.sent = time.Time{} // the first event is not held back by the headers
	return s
}

// send writes one event with a JSON payload, which keeps new lines and
// markup inside the data line. It returns the stream's first error, such
// as a browser that went away.
func (s *eventStream) send(name string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.closed {
		return s.err
	}
	// One buffer serves every event of the stream: an answer has hundreds.
	s.buf.Reset()
	s.buf.WriteString("event: " + name + "\ndata: ")
	if err := s.enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s event: %w", name, err)
	}
	s.buf.WriteByte('\n') // Encode ended the data line; this ends the event
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		s.err = err
		return err
	}
	wait := gatherFor - time.Since(s.sent)
	switch {
	case wait <= 0:
		s.flush()
	case s.held:
		// The timer is already set.
	case s.timer == nil:
		s.held = true
		s.timer = time.AfterFunc(wait, s.flushHeld)
	default:
		s.held = true
		s.timer.Reset(wait)
	}
	return s.err
}

// flushHeld sends the events the timer waited for.
func (s *eventStream) flushHeld() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held && !s.closed {
		s.flush()
	}
}

// close sends what is held and stops the timer: nothing may be written to
// the response once the handler returns.
func (s *eventStream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.held && s.err == nil {
		s.flush()
	}
	s.closed = true
}

// flush sends what is written; s.mu is held.
func (s *eventStream) flush() {
	s.held = false
	s.sent = time.Now()
	if err := s.rc.Flush(); err != nil && s.err == nil {
		s.err = err
	}
}
