package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/lti/emulator"
)

// chaosLMS is an LMS emulator on its own loopback server that fails about
// half of the tool's token and grade service calls, in the ways platforms
// fail: server errors, unavailability with Retry-After, throttling, slow
// answers, and answers lost after the platform acted on the request. It
// records every score it accepts, in order.
type chaosLMS struct {
	emu *emulator.Emulator
	url string

	mu        sync.Mutex
	rng       *rand.Rand
	failRate  float64
	nextPause time.Time // no Retry-After before this
	calls     int
	faults    map[string]int
	accepted  map[string][]float64 // "item user" to the scores accepted, in order
}

// faultKey carries the fault chosen for a request to the emulator's hook.
type faultKey struct{}

// newChaosLMS starts a chaos LMS imitating family.
func newChaosLMS(t *testing.T, family string, seed uint64) *chaosLMS {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	emu, err := emulator.New(emulator.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		ProductFamily: family, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l := &chaosLMS{emu: emu, url: emu.Issuer(), rng: rand.New(rand.NewPCG(seed, 1)),
		faults: map[string]int{}, accepted: map[string][]float64{}}
	emu.InjectFaults(func(r *http.Request) (emulator.Fault, bool) {
		f, ok := r.Context().Value(faultKey{}).(emulator.Fault)
		return f, ok
	})
	srv.Config.Handler = l
	srv.Start()
	t.Cleanup(srv.Close)
	return l
}

// startFaults makes half of the calls fail from now on.
func (l *chaosLMS) startFaults() {
	l.mu.Lock()
	l.failRate = 0.5
	l.mu.Unlock()
}

// ServeHTTP plays a fault on token and service calls, or serves them, and
// records accepted scores.
func (l *chaosLMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.Method == http.MethodPost && r.URL.Path == "/token"
	if !token && !strings.HasPrefix(r.URL.Path, "/api/lti/") {
		l.emu.Handler().ServeHTTP(w, r)
		return
	}
	kind, f := l.pick()
	var body []byte
	if strings.HasSuffix(r.URL.Path, "/scores") {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if token && kind != "" && kind != "lost" {
		// The emulator plays faults on its services only; the token
		// endpoint's are played here.
		if !l.playTokenFault(w, r, f) {
			return
		}
	} else if kind != "" && kind != "lost" {
		r = r.WithContext(context.WithValue(r.Context(), faultKey{}, f))
	}
	rec := httptest.NewRecorder()
	l.emu.Handler().ServeHTTP(rec, r)
	if rec.Code == http.StatusOK && body != nil {
		l.accept(r.URL.Path, body)
	}
	if kind == "lost" {
		// The platform acted on the request, but its answer never arrived.
		http.Error(w, "upstream connection reset", http.StatusBadGateway)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// pick chooses whether and how a call fails; "" serves it.
func (l *chaosLMS) pick() (string, emulator.Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.rng.Float64() >= l.failRate {
		return "", emulator.Fault{}
	}
	var kind string
	var f emulator.Fault
	switch n := l.rng.IntN(100); {
	case n < 25:
		kind, f = "500", emulator.Fault{Status: 500}
	case n < 45:
		kind, f = "503", emulator.Fault{Status: 503}
	case n < 60:
		kind, f = "429", emulator.Fault{Status: 429}
	case n < 75:
		kind, f = "slow", emulator.Fault{Delay: 800 * time.Millisecond}
	case n < 85:
		kind, f = "slow-504", emulator.Fault{Delay: 500 * time.Millisecond, Status: 504}
	default:
		kind = "lost"
	}
	// A Retry-After holds back all of the tool's calls to the platform, so
	// the platform asks for one now and then, not on every busy answer.
	if (kind == "503" || kind == "429") && time.Now().After(l.nextPause) {
		f.RetryAfter = time.Second
		kind += "+retry-after"
		l.nextPause = time.Now().Add(3 * time.Second)
	}
	l.faults[kind]++
	return kind, f
}

// playTokenFault answers a token request as a failing platform would; it
// returns true when the request should still be served.
func (l *chaosLMS) playTokenFault(w http.ResponseWriter, r *http.Request,
	f emulator.Fault) bool {
	if f.Delay > 0 {
		select {
		case <-r.Context().Done():
			return false
		case <-time.After(f.Delay):
		}
	}
	if f.Status == 0 {
		return true
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(f.RetryAfter.Seconds())))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	fmt.Fprintf(w, `{"error":"temporarily_unavailable","error_description":%q}`,
		http.StatusText(f.Status))
	return false
}

// accept records a score the emulator took.
func (l *chaosLMS) accept(path string, body []byte) {
	var sc struct {
		UserID     string   `json:"userId"`
		ScoreGiven *float64 `json:"scoreGiven"`
	}
	if json.Unmarshal(body, &sc) != nil || sc.ScoreGiven == nil {
		return
	}
	item := strings.TrimSuffix(path, "/scores")
	l.mu.Lock()
	defer l.mu.Unlock()
	k := item + " " + sc.UserID
	l.accepted[k] = append(l.accepted[k], *sc.ScoreGiven)
}

// regressions lists learners whose grade in the LMS ever went down.
func (l *chaosLMS) regressions() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k, vs := range l.accepted {
		for i := 1; i < len(vs); i++ {
			if vs[i] < vs[i-1] {
				out = append(out, fmt.Sprintf("%s: %v", k, vs))
				break
			}
		}
	}
	return out
}

// stats describes the calls and faults so far.
func (l *chaosLMS) stats() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.faults {
		n += c
	}
	return fmt.Sprintf("%d token and service calls, %d failed: %v", l.calls, n, l.faults)
}
