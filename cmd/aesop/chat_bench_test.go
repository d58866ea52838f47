//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aesop/lti/emulator"
	"aesop/migrations/dbtest"
)

// The chat benchmark's settings; see BenchmarkChatStreams.
var (
	chatStreams = flag.Int("chat.streams", 1000, "conversations BenchmarkChatStreams "+
		"runs at once")
	chatRamp = flag.Duration("chat.ramp", 10*time.Second, "time over which the "+
		"conversations send their messages")
	chatAnswer = flag.Duration("chat.answer", 10*time.Second, "how long each answer streams")
)

// Pacing of the benchmark's model: its first token comes chatFirst after a
// request, then one every chatGap, as a model writing 20 tokens a second.
const (
	chatFirst = 5 * time.Millisecond
	chatGap   = 50 * time.Millisecond
	chatLab   = "m3-l1-lab"
	// modelEnv runs the test binary as the paced model; see
	// TestPacedModelProcess.
	modelEnv = "AESOP_BENCH_PACED_MODEL"
)

// BenchmarkChatStreams measures what the tool adds to a learner's wait for
// the tutor's first token, and the tool's memory, with N conversations
// (-chat.streams) streaming at once.
//
// The tool is the real binary, `aesop serve`, in its own process on
// PostgreSQL (or SQLite with AESOP_BENCH_DB=sqlite), so that its memory and
// CPU are its own. The model, a paced OpenAI-compatible server that starts
// each answer chatFirst after the request and streams it for -chat.answer,
// runs in a process of its own too (TestPacedModelProcess): its writes, one
// per token of every answer, and its garbage collector then do not hold up
// this process, which plays the N learners' browsers and takes the
// measures. Each learner launches
// from the LMS emulator, opens the lab and, once per round, posts a message
// to the chat's event stream, the sends spread over -chat.ramp so that when
// the ramp ends all N answers stream at once.
//
// The added delay of one message is the time from the learner's POST to
// the first "delta" event the learner reads, less the model's own time to
// its first token: from the model's receiving the request to its writing
// the first chunk, which the model writes into that chunk's text. That
// leaves the tool's work in between: the session,
// the open-test check, the limits, the conversation's history, storing the
// message, building and sending the model request, reading the first chunk
// and writing it to the learner, along with the loopback network and the
// machine's scheduling. Both processes share the machine's CPUs.
func BenchmarkChatStreams(b *testing.B) {
	n := *chatStreams
	modelURL := startPacedModel(b, *chatAnswer)
	bin := buildAesop(b)
	settings := map[string]string{
		"AESOP_TUTOR_BASE_URL": modelURL + "/v1", "AESOP_TUTOR_MODEL": "bench",
		"AESOP_TUTOR_API_KEY": "bench-key", "AESOP_TUTOR_TIMEOUT": "2m",
		"AESOP_TUTOR_MESSAGES_PER_DAY": "1000000000", "AESOP_TUTOR_TOKENS_PER_DAY": "1000000000000",
		"AESOP_TUTOR_COURSE_TOKENS_PER_MONTH": "1000000000000000",
	}
	dbURL := ""
	if os.Getenv("AESOP_BENCH_DB") == "sqlite" {
		settings["AESOP_SQLITE_PATH"] = filepath.Join(b.TempDir(), "aesop.db")
	} else {
		u, drop := dbtest.NewSchemaURL(b)
		b.Cleanup(drop)
		dbURL = u
	}
	tool := newToolProcess(b, bin, dbURL, settings)
	tool.start()
	lms := newBenchLMS(b)
	run := &chatRun{b: b, tool: tool, tr: benchTransport()}
	run.register(lms)
	run.learners = run.openLabs(lms, n)

	// A first round opens the connections and the conversations, as a
	// running server has them open.
	run.round(0)
	var delays []time.Duration
	var peakRSS int64
	cpu0 := processTicks(tool.cmd.Process.Pid)
	b.ResetTimer()
	for i := range b.N {
		d, rss := run.round(i + 1)
		delays = append(delays, d...)
		peakRSS = max(peakRSS, rss)
	}
	b.StopTimer()
	cpu := processTicks(tool.cmd.Process.Pid) - cpu0
	slices.Sort(delays)
	pct := func(p float64) float64 {
		return float64(delays[int(p*float64(len(delays)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(n), "streams")
	b.ReportMetric(pct(0.50), "p50-added-ms")
	b.ReportMetric(pct(0.90), "p90-added-ms")
	b.ReportMetric(pct(0.95), "p95-added-ms")
	b.ReportMetric(pct(0.99), "p99-added-ms")
	b.ReportMetric(pct(1), "max-added-ms")
	b.ReportMetric(float64(peakRSS)/1024, "tool-rss-open-MB")
	b.ReportMetric(float64(procStatusOf(tool.cmd.Process.Pid, "VmHWM"))/1024, "tool-rss-peak-MB")
	b.ReportMetric(float64(cpu)*10/float64(b.N*n), "tool-cpu-ms/answer")
}

// benchWords returns the model's answer: one word per chatGap for d.
func benchWords(d time.Duration) []string {
	w := make([]string, max(int(d/chatGap), 1))
	for i := range w {
		w[i] = " word" + strconv.Itoa(i)
	}
	return w
}

// chatRun is the state of one BenchmarkChatStreams.
type chatRun struct {
	b        *testing.B
	tool     *toolProcess
	tr       *http.Transport
	learners []chatLearner
}

// chatLearner is one learner's browser on the lab page.
type chatLearner struct {
	client *http.Client
	stream string // the chat's event stream URL
	csrf   string
}

// benchTransport is one connection pool for all the learners' browsers, big
// enough that every stream keeps its connection between rounds.
func benchTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, 4096
	return tr
}

// newBenchLMS starts an LMS emulator that logs nothing.
func newBenchLMS(b *testing.B) *emulator.Emulator {
	srv := httptest.NewUnstartedServer(nil)
	emu, err := emulator.New(emulator.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		ProductFamily: "canvas"})
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = emu.Handler()
	srv.Start()
	b.Cleanup(srv.Close)
	return emu
}

// register registers the LMS with the tool through Dynamic Registration.
func (r *chatRun) register(lms *emulator.Emulator) {
	out := r.tool.run("registration", "create")
	u, _, _ := strings.Cut(out, "\n")
	if _, err := lms.Register(context.Background(), &http.Client{}, u); err != nil {
		r.b.Fatalf("dynamic registration with %q: %v", u, err)
	}
}

// openLabs launches n learners, eight at a time, and opens the lab.
func (r *chatRun) openLabs(lms *emulator.Emulator, n int) []chatLearner {
	out := make([]chatLearner, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				l, err := r.openLab(lms, i)
				if err != nil {
					errs <- fmt.Errorf("learner %d: %w", i, err)
					return
				}
				out[i] = l
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		r.b.Fatalf("%v\n%s", err, r.tool.tail("", 10))
	}
	return out
}

// openLab launches learner i and reads the lab page's chat form.
func (r *chatRun) openLab(lms *emulator.Emulator, i int) (chatLearner, error) {
	c := browser()
	c.Transport = r.tr
	u := emulator.Alice()
	u.Sub = fmt.Sprintf("chat-learner-%d", i)
	u.Name = fmt.Sprintf("Learner %d", i)
	resp, err := lms.Launch(context.Background(), c, emulator.LaunchRequest{User: u,
		Follow: true})
	if err != nil {
		return chatLearner{}, fmt.Errorf("launch: %w", err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK {
		return chatLearner{}, fmt.Errorf("launch answered %d", resp.StatusCode)
	}
	base := sessionBaseB(r.b, resp.Request.URL.String())
	page, err := c.Get(base + "/a/" + chatLab)
	if err != nil {
		return chatLearner{}, fmt.Errorf("lab page: %w", err)
	}
	body := readAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		return chatLearner{}, fmt.Errorf("lab page answered %d", page.StatusCode)
	}
	f := pageForm(r.b, body, "/chat")
	return chatLearner{client: c, stream: r.tool.url + strings.Replace(f.action, "/chat",
		"/chat/stream", 1), csrf: f.fields.Get("csrf")}, nil
}

// round has every learner send one message, their sends spread evenly over
// the ramp, reads every answer to its end, and returns the added delays and
// the tool's highest VmRSS while the answers streamed.
func (r *chatRun) round(k int) ([]time.Duration, int64) {
	n := len(r.learners)
	delays := make([]time.Duration, n)
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	stop := sampleRSSOf(r.tool.cmd.Process.Pid)
	spread := *chatRamp / time.Duration(n)
	begin := time.Now()
	for i, l := range r.learners {
		time.Sleep(time.Until(begin.Add(time.Duration(i) * spread)))
		wg.Go(func() {
			msg := fmt.Sprintf("Round %d, learner %d: how many seed tasks?", k, i)
			total, own, err := l.send(msg)
			delays[i] = total - own
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, fmt.Sprintf("learner %d: %v", i, err))
			}
		})
	}
	wg.Wait()
	rss := stop()
	if f := failed.Load(); f > 0 {
		r.b.Fatalf("%d of %d messages failed, first: %v\n%s", f, n, firstErr.Load(),
			r.tool.tail("", 10))
	}
	return delays, rss
}

// send posts msg to the chat's event stream and reads the answer to its
// end. It returns the time from the POST to the first delta event, and the
// model's own time to its first token, which that event carries.
func (l chatLearner) send(msg string) (total, own time.Duration, err error) {
	form := url.Values{"csrf": {l.csrf}, "message": {msg}}.Encode()
	req, err := http.NewRequest(http.MethodPost, l.stream, strings.NewReader(form))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("stream answered %d: %s", resp.StatusCode,
			readAll(resp.Body))
	}
	var first time.Duration
	done := false
	rd := bufio.NewReader(resp.Body)
	for {
		line, err := rd.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, err
		}
		switch {
		case first == 0 && bytes.Equal(line, []byte("event: delta\n")):
			first = time.Since(start)
			data, err := rd.ReadSlice('\n')
			if err != nil {
				return 0, 0, err
			}
			if own, err = modelTime(data); err != nil {
				return 0, 0, err
			}
		case bytes.Equal(line, []byte("event: done\n")):
			done = true
		case bytes.Equal(line, []byte("event: failed\n")):
			rest, _ := rd.ReadString('\n')
			return 0, 0, fmt.Errorf("answer failed: %s", rest)
		}
	}
	if first == 0 || !done {
		return 0, 0, errors.New("the stream ended without an answer")
	}
	return first, own, nil
}

// ownTime marks, in the first token's text, the model's own time to that
// token in nanoseconds.
var ownTime = regexp.MustCompile(`\(model (\d+) ns\)`)

// modelTime reads the model's own time to the first token from the data
// line of the first delta event.
func modelTime(data []byte) (time.Duration, error) {
	m := ownTime.FindSubmatch(data)
	if m == nil {
		return 0, fmt.Errorf("the first token %q carries no model time", data)
	}
	ns, err := strconv.ParseInt(string(m[1]), 10, 64)
	return time.Duration(ns), err
}

// startPacedModel starts the paced model in a process of its own, with
// answers streaming for answer, and returns its URL.
func startPacedModel(b *testing.B, answer time.Duration) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPacedModelProcess$")
	cmd.Env = append(os.Environ(), modelEnv+"="+answer.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe() // closed, it ends the model
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the paced model: %v", err)
	}
	b.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			b.Errorf("paced model: %v", err)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "paced model at ")
	if err != nil || !ok {
		b.Fatalf("the paced model did not start: %q, %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return u
}

// TestPacedModelProcess is the paced model's process for
// BenchmarkChatStreams, which starts the test binary with this test and
// modelEnv set to the answers' length. It prints its URL and serves until
// its standard input closes.
func TestPacedModelProcess(t *testing.T) {
	answer, err := time.ParseDuration(os.Getenv(modelEnv))
	if err != nil {
		t.Skip("runs only as BenchmarkChatStreams's model")
	}
	m := newPacedModel(benchWords(answer))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(m.serve)}
	go srv.Serve(ln)
	fmt.Printf("paced model at http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// pacedModel is an OpenAI-compatible chat server that streams a fixed
// answer at a model's pace. Into the text of its first token it writes its
// own time to that token, from receiving the request to writing it.
type pacedModel struct {
	first  string   // the first token's text, before the model's time
	events [][]byte // the answer's later SSE events, encoded once
	tail   []byte   // the finish, usage and [DONE] events
}

// newPacedModel returns a paced model answering with words.
func newPacedModel(words []string) *pacedModel {
	m := &pacedModel{first: words[0]}
	for _, w := range words[1:] {
		m.events = append(m.events, sseChunk(map[string]any{"delta": map[string]any{
			"content": w}}, nil))
	}
	m.tail = append(sseChunk(map[string]any{"delta": map[string]any{},
		"finish_reason": "stop"}, nil), sseChunk(nil, map[string]any{"prompt_tokens": 1500,
		"completion_tokens": len(words), "total_tokens": 1500 + len(words)})...)
	m.tail = append(m.tail, "data: [DONE]\n\n"...)
	return m
}

// sseChunk encodes one chat.completion.chunk event with a choice or usage.
func sseChunk(choice, usage map[string]any) []byte {
	v := map[string]any{"id": "chatcmpl-bench", "object": "chat.completion.chunk",
		"model": "bench", "choices": []any{}}
	if choice != nil {
		choice["index"] = 0
		v["choices"] = []any{choice}
	}
	if usage != nil {
		v["usage"] = usage
	}
	j, _ := json.Marshal(v)
	return []byte("data: " + string(j) + "\n\n")
}

func (m *pacedModel) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flush := w.(http.Flusher).Flush
	t := time.NewTimer(time.Until(arrived.Add(chatFirst)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	own := time.Since(arrived)
	w.Write(sseChunk(map[string]any{"delta": map[string]any{"content": fmt.Sprintf(
		"%s (model %d ns)", m.first, own.Nanoseconds())}}, nil))
	flush()
	for _, ev := range m.events {
		t.Reset(chatGap)
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Write(ev)
		flush()
	}
	w.Write(m.tail)
	flush()
}

// sampleRSSOf reads a process's VmRSS every 50 ms until the returned
// function is called, which returns the highest value seen, in KiB.
func sampleRSSOf(pid int) func() int64 {
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, procStatusOf(pid, "VmRSS"))
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-result
	}
}

// procStatusOf reads a field of a process's /proc status in KiB.
func procStatusOf(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(line, ":")
		if ok && name == field {
			v := strings.TrimSuffix(strings.TrimSpace(value), " kB")
			kb, _ := strconv.ParseInt(v, 10, 64)
			return kb
		}
	}
	return 0
}

// processTicks returns the CPU a process has used, user and system, in
// clock ticks of 10 ms.
func processTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}
