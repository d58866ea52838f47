//go:build linux

package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// cpuMeter sums the CPU time the tool spends in its handler, request by
// request. The LMS emulator runs in the same process and signs every id_token
// with RSA, which is the platform's cost and not the tool's, so process-wide
// accounting would overstate the tool; a thread's own CPU clock does not.
type cpuMeter struct {
	cpu      atomic.Int64 // nanoseconds
	requests atomic.Int64
}

// wrap measures h. Locked to its thread, the handler's goroutine is the only
// one that thread runs until it returns, so the thread's CPU clock counts this
// request's work: routing, validation, the database driver's side of every
// query, templates, and the garbage collection the request's allocations
// assist with. It leaves out what net/http does around the handler (reading
// and writing the connection), the collector's background workers, and the
// database server's own process.
func (m *cpuMeter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := threadCPU()
		h.ServeHTTP(w, r)
		m.cpu.Add(int64(threadCPU() - start))
		m.requests.Add(1)
	})
}

func (m *cpuMeter) reset() {
	m.cpu.Store(0)
	m.requests.Store(0)
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(fmt.Sprintf("read thread cpu clock: %v", err))
	}
	return time.Duration(ts.Nano())
}

// gcBackgroundCPU is the CPU the garbage collector spent outside the
// goroutines it made assist: its mark workers and pauses, for the whole
// process. The tool's share of it is not known, so it is reported apart.
func gcBackgroundCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/mark/dedicated:cpu-seconds"},
		{Name: "/cpu/classes/gc/mark/idle:cpu-seconds"},
		{Name: "/cpu/classes/gc/pause:cpu-seconds"}}
	metrics.Read(s)
	var sec float64
	for _, v := range s {
		sec += v.Value.Float64()
	}
	return time.Duration(sec * 1e9)
}

// processCPU is the CPU time of the whole test process: tool, emulator and
// the simulated browsers together.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(fmt.Sprintf("getrusage: %v", err))
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLaunch measures the full launch a person makes from a course: login
// initiation, the LMS's authorization endpoint, the POST of the id_token, and
// the first page of the session. "serial" is one browser after another;
// "parallel" is several at once. Each reports launches per second, the tool's
// own CPU per launch, and the whole process's (tool, LMS and browsers) with
// the garbage collector's background share of it.
func BenchmarkLaunch(b *testing.B) {
	dbs := []struct {
		name string
		open func(testing.TB) *migrations.Database
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}}
	for _, db := range dbs {
		b.Run(db.name, func(b *testing.B) {
			meter := &cpuMeter{}
			env := newWrappedTestEnv(b, db.open(b), meter.wrap)
			tr := &http.Transport{MaxIdleConnsPerHost: 16}
			b.Cleanup(tr.CloseIdleConnections)
			// The first launch fetches and caches the LMS's keys.
			if err := env.fullLaunch(tr, 0); err != nil {
				b.Fatal(err)
			}
			b.Run("serial", func(b *testing.B) {
				meter.reset()
				cpu0, gc0 := processCPU(), gcBackgroundCPU()
				i := 0
				for b.Loop() {
					if err := env.fullLaunch(tr, i); err != nil {
						b.Fatal(err)
					}
					i++
				}
				reportLaunches(b, meter, i, processCPU()-cpu0, gcBackgroundCPU()-gc0)
			})
			b.Run("parallel", func(b *testing.B) {
				meter.reset()
				cpu0, gc0 := processCPU(), gcBackgroundCPU()
				var n atomic.Int64
				b.SetParallelism(2)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := env.fullLaunch(tr, int(n.Add(1))); err != nil {
							b.Error(err)
							return
						}
					}
				})
				reportLaunches(b, meter, int(n.Load()), processCPU()-cpu0,
					gcBackgroundCPU()-gc0)
			})
		})
	}
}

func reportLaunches(b *testing.B, m *cpuMeter, launches int, proc, gc time.Duration) {
	b.Helper()
	if launches == 0 {
		return
	}
	n := float64(launches)
	b.ReportMetric(n/b.Elapsed().Seconds(), "launches/s")
	b.ReportMetric(float64(m.cpu.Load())/n/1e3, "tool-cpu-µs/launch")
	b.ReportMetric(float64(proc)/n/1e3, "proc-cpu-µs/launch")
	b.ReportMetric(float64(gc)/n/1e3, "gc-bg-cpu-µs/launch")
	b.ReportMetric(float64(m.requests.Load())/n, "tool-requests/launch")
}

// fullLaunch is one person's launch in a fresh browser: one of 500 learners
// of the demo course, so the directory both inserts and updates.
func (e *testEnv) fullLaunch(tr http.RoundTripper, i int) error {
	c := browser()
	c.Transport = tr
	u := emulator.Alice()
	u.Sub = fmt.Sprintf("bench-learner-%d", i%500)
	u.Name = fmt.Sprintf("Learner %d", i%500)
	resp, err := e.emu.Launch(context.Background(), c, emulator.LaunchRequest{User: u})
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	loc := resp.Header.Get("Location")
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/s/") {
		return fmt.Errorf("launch answered %d, location %q", resp.StatusCode, loc)
	}
	page, err := c.Get(e.toolURL + loc)
	if err != nil {
		return fmt.Errorf("first page: %w", err)
	}
	drain(page)
	if page.StatusCode != http.StatusOK {
		return fmt.Errorf("first page answered %d", page.StatusCode)
	}
	return nil
}
