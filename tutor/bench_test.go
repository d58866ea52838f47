package tutor

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/platform/platformtest"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// The benchmark's settings; see BenchmarkConcurrentStreams.
var (
	benchStreams = flag.Int("tutor.streams", 0, "conversations BenchmarkConcurrentStreams "+
		"runs at once (default $AESOP_BENCH_STREAMS, or 1000; 100 with -short)")
	benchRamp = flag.Duration("tutor.ramp", 0, "time over which the conversations "+
		"send their messages (default 10s; 1s with -short)")
	benchAnswer = flag.Duration("tutor.answer", 0, "how long each answer streams "+
		"(default 10s; 2s with -short)")
)

// Pacing of the fake model in BenchmarkConcurrentStreams: its first token
// comes fakeFirst after the request, then one every fakeGap, as a model
// writing 20 tokens a second.
const (
	fakeFirst = 5 * time.Millisecond
	fakeGap   = 50 * time.Millisecond
)

// streamCount returns how many conversations the benchmark runs at once.
func streamCount() int {
	if *benchStreams > 0 {
		return *benchStreams
	}
	if n, err := strconv.Atoi(os.Getenv("AESOP_BENCH_STREAMS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 100
	}
	return 1000
}

// orDefault returns d, or long, or short under -short, when d is 0.
func orDefault(d, long, short time.Duration) time.Duration {
	switch {
	case d > 0:
		return d
	case testing.Short():
		return short
	}
	return long
}

// BenchmarkConcurrentStreams has N learners (-tutor.streams) each send a
// message, their sends spread evenly over -tutor.ramp, to a fake model that
// starts streaming promptly (fakeFirst) and streams each answer for
// -tutor.answer, so that once the ramp is over all N answers stream at once.
// It reports the delay the tool adds before the first token reaches the
// caller (from the Send call to the first delta, less the fake's fakeFirst)
// at the 50th and 99th percentile and at worst, and the process's resident
// memory at its peak (VmHWM) and sampled while the answers streamed
// (VmRSS), and the process's CPU time per answer. The database is
// PostgreSQL unless AESOP_BENCH_DB=sqlite. The fake model runs in the same
// process, so the memory and CPU figures include it, and it shares the
// machine's CPUs with the tool.
func BenchmarkConcurrentStreams(b *testing.B) {
	n := streamCount()
	var db *migrations.Database
	if os.Getenv("AESOP_BENCH_DB") == "sqlite" {
		db = dbtest.SQLite(b)
	} else {
		db = dbtest.Postgres(b)
	}
	fake := newFakeModel(b)
	fake.keep = false
	fake.firstDelay, fake.chunkDelay = fakeFirst, fakeGap
	ramp := orDefault(*benchRamp, 10*time.Second, time.Second)
	chunks := benchChunks(orDefault(*benchAnswer, 10*time.Second, 2*time.Second))
	fake.reply = func(*openai.ChatCompletionRequest) []string { return chunks }
	cfg := fake.config()
	cfg.RequestTimeout, cfg.FirstTokenTimeout = time.Minute, 30*time.Second
	cfg.Limits = Limits{MessagesPerDay: 1e9, TokensPerDay: 1e12, CourseTokensPerMonth: 1e12}
	s, err := New(db.DB, builtin(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	learners := benchLearners(b, db, n)
	// A first round opens the database's and the model's connections and
	// the learners' conversations, as a running server has them open.
	benchRound(b, s, learners, ramp, "warm-up")

	var delays []time.Duration
	var peakRSS int64
	cpu0 := processCPU()
	b.ResetTimer()
	for i := range b.N {
		d, rss := benchRound(b, s, learners, ramp, fmt.Sprintf("round %d", i))
		delays = append(delays, d...)
		peakRSS = max(peakRSS, rss)
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	slices.Sort(delays)
	pct := func(p float64) float64 {
		return float64(delays[int(p*float64(len(delays)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(n), "streams")
	b.ReportMetric(pct(0.90), "p90-added-ms")
	b.ReportMetric(pct(0.95), "p95-added-ms")
	b.ReportMetric(pct(0.50), "p50-added-ms")
	b.ReportMetric(pct(0.99), "p99-added-ms")
	b.ReportMetric(pct(1), "max-added-ms")
	b.ReportMetric(float64(peakRSS)/1024, "rss-open-MB")
	b.ReportMetric(float64(procStatus("VmHWM"))/1024, "rss-peak-MB")
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N*n), "proc-cpu-ms/answer")
}

// benchChunks returns the fake's answer in the benchmark: one word per
// fakeGap for d.
func benchChunks(d time.Duration) []string {
	c := make([]string, max(int(d/fakeGap), 1))
	for i := range c {
		c[i] = " word" + strconv.Itoa(i)
	}
	return c
}

// benchRound has every learner send one message, their starts spread evenly
// over ramp, and returns the added delays and the highest VmRSS seen while
// the answers streamed.
func benchRound(b *testing.B, s *Service, learners []Learner, ramp time.Duration,
	text string) (
	[]time.Duration, int64) {
	ctx := context.Background()
	delays := make([]time.Duration, len(learners))
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	stopSampling := sampleRSS()
	spread := ramp / time.Duration(len(learners))
	begin := time.Now()
	for i, who := range learners {
		time.Sleep(time.Until(begin.Add(time.Duration(i) * spread)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var first time.Time
			_, err := s.Send(ctx, who, labID, text, nil, func(string) error {
				if first.IsZero() {
					first = time.Now()
				}
				return nil
			})
			if err != nil || first.IsZero() {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, fmt.Sprint(err))
				return
			}
			delays[i] = first.Sub(start) - fakeFirst
		}()
	}
	wg.Wait()
	rss := stopSampling()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d sends failed, first: %v", n, len(learners), firstErr.Load())
	}
	return delays, rss
}

// benchLearners records n learners of one course.
func benchLearners(b *testing.B, db *migrations.Database, n int) []Learner {
	ctx := context.Background()
	p := platformtest.Add(b, db.DB, "d1")
	dir := directory.NewStore(db.DB)
	out := make([]Learner, n)
	for i := range out {
		rec, err := dir.Record(ctx, p.ID, &lti.Launch{Subject: "learner-" + strconv.Itoa(i),
			DeploymentID: "d1", Roles: []string{learnerRole},
			Context: &lti.Context{ID: "course-1"}})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = Learner{UserID: rec.User.ID, ContextRef: rec.Context.ID}
	}
	return out
}

// sampleRSS reads VmRSS every 50 ms until the returned function is called,
// which returns the highest value seen, in KiB.
func sampleRSS() func() int64 {
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, procStatus("VmRSS"))
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

// processCPU returns the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads a field of /proc/self/status in KiB, or 0 where there
// is no such file.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
