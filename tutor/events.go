package tutor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// The API client (go-openai) builds, signs and sends each request and turns
// a refused one into an *openai.APIError. The events of an answer the tutor
// reads itself, with eventReader: the client's reader copies every line and
// runs two regular expressions on it, and with a thousand answers streaming
// at once, each a few hundred events long, that garbage is most of what the
// tool allocates.

// modelCall holds what the HTTP layer saw of one model request; see doer.
type modelCall struct {
	// retryAfter is the wait a refused request asked for.
	retryAfter time.Duration
	// body is the answer's event stream, taken from the API client.
	body io.ReadCloser
}

// modelCallKey marks the context value of a request's *modelCall.
type modelCallKey struct{}

// doer sends the API client's requests. For a request whose context holds a
// *modelCall, it notes the Retry-After of a refused request, which the
// client does not pass on, and takes the body of an accepted one, leaving
// the client an empty body.
type doer struct{ client *http.Client }

// Do sends req.
func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		return resp, err
	}
	call, ok := req.Context().Value(modelCallKey{}).(*modelCall)
	if !ok {
		return resp, nil
	}
	// The client treats 400 and up as refused, and reads their bodies.
	if resp.StatusCode >= http.StatusBadRequest {
		call.retryAfter = retryAfter(resp.Header, time.Now())
		return resp, nil
	}
	call.body, resp.Body = resp.Body, http.NoBody
	return resp, nil
}

// Limits on reading an answer's event stream.
const (
	// maxEventLine bounds one line of the stream. A chunk event is a few
	// hundred bytes; a line of a megabyte is a server gone wrong.
	maxEventLine = 1 << 20
	// drainFor bounds the wait for the end of a stream after its [DONE]
	// event. A stream read to its end leaves its connection open for the
	// next answer, sparing that answer a new connection (and, to a remote
	// API, a TLS handshake); one closed early closes its connection.
	drainFor  = 250 * time.Millisecond
	drainSize = 64 << 10
	// readEvery spaces the reads of an answer once its first piece is
	// through. The chat page shows an answer's later pieces at most ten
	// times a second (web's gatherFor), so reading each token as it
	// arrives, a wake-up and a system call per token of every answer
	// streaming at once, would buy the learner nothing; read together,
	// the tokens of a tenth of a second cost one. The first piece is read
	// at once, since the learner is waiting for it.
	readEvery = 100 * time.Millisecond
)

// errLongEvent ends an answer whose stream has a line over maxEventLine.
var errLongEvent = fmt.Errorf("answer stream line over %d bytes", maxEventLine)

// readers are the buffers of the answers streaming at once.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// eventReader reads the data of an answer's server-sent events.
type eventReader struct {
	body io.ReadCloser
	rd   *bufio.Reader
	long []byte // a line longer than rd's buffer, put together
	done bool   // [DONE] was read
	// paced is set once the answer's first piece is through; from then on
	// reads are spaced by readEvery, lastRead being the last.
	paced    bool
	lastRead time.Time
	timer    *time.Timer
}

// newEventReader reads body, which close closes.
func newEventReader(body io.ReadCloser) *eventReader {
	rd := readers.Get().(*bufio.Reader)
	rd.Reset(body)
	return &eventReader{body: body, rd: rd}
}

// next returns the data of the next data line, valid until the next call.
// It returns io.EOF after the [DONE] event or at the end of the stream.
//
// Each data line is taken as a whole message, as OpenAI's servers and the
// API client do, rather than joined with the data lines that follow it
// until a blank line, as the event-stream format would: some servers send
// no blank line between their chunks. Other lines (blank lines, comments
// sent to keep the connection open, event names and ids) carry nothing the
// tutor reads.
func (e *eventReader) next(ctx context.Context) ([]byte, error) {
	for !e.done {
		if err := e.wait(ctx); err != nil {
			return nil, err
		}
		line, err := e.line()
		if err != nil {
			return nil, err
		}
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		data = bytes.TrimSpace(data)
		if string(data) == "[DONE]" {
			e.done = true
			break
		}
		return data, nil
	}
	return nil, io.EOF
}

// pace spaces the reads from now on; see readEvery.
func (e *eventReader) pace() {
	if !e.paced {
		e.paced, e.lastRead = true, time.Now()
	}
}

// wait holds a read that would go to the network until readEvery has
// passed since the last, once the reads are paced. It returns the cause of
// ctx's end, such as the learner's stop, at once.
func (e *eventReader) wait(ctx context.Context) error {
	if !e.paced || e.rd.Buffered() > 0 {
		return nil
	}
	if d := time.Until(e.lastRead.Add(readEvery)); d > 0 {
		if e.timer == nil {
			e.timer = time.NewTimer(d)
		} else {
			e.timer.Reset(d)
		}
		select {
		case <-e.timer.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	e.lastRead = time.Now()
	return nil
}

// line returns the next line of the stream, with its line end.
func (e *eventReader) line() ([]byte, error) {
	line, err := e.rd.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		e.long = append(e.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(e.long) > maxEventLine {
				return nil, errLongEvent
			}
			line, err = e.rd.ReadSlice('\n')
			e.long = append(e.long, line...)
		}
		line = e.long
	}
	if errors.Is(err, io.EOF) && len(line) > 0 {
		// The last line of a stream may lack its line end.
		return line, nil
	}
	return line, err
}

// close ends reading. After [DONE] it first reads what is left of the
// stream, up to drainSize and for at most drainFor, after which it calls
// cancel to end the request; see drainFor.
func (e *eventReader) close(cancel func()) {
	if e.done {
		t := time.AfterFunc(drainFor, cancel)
		_, _ = io.CopyN(io.Discard, e.rd, drainSize)
		t.Stop()
	}
	if e.timer != nil {
		e.timer.Stop()
	}
	_ = e.body.Close()
	e.rd.Reset(nil)
	readers.Put(e.rd)
	e.rd = nil
}
