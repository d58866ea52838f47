package main

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// BenchmarkPages serves lesson and quiz pages to many concurrent learners'
// sessions and reports pages per second and the 99th percentile latency. The
// client runs in the same process, so the figures include its cost: the tool
// alone does better. Run with bench/pages.sh.
func BenchmarkPages(b *testing.B) {
	dbs := map[string]func(testing.TB) *migrations.Database{
		"sqlite": func(tb testing.TB) *migrations.Database { return dbtest.SQLite(tb) },
		"postgres": func(tb testing.TB) *migrations.Database {
			return dbtest.Postgres(tb)
		},
	}
	for _, dbName := range []string{"sqlite", "postgres"} {
		for _, page := range []string{"m3-l1", "m3-l1-quiz"} {
			b.Run(dbName+"/"+page, func(b *testing.B) {
				env := newTestEnv(b, dbs[dbName](b))
				benchPage(b, env, page)
			})
		}
	}
}

func benchPage(b *testing.B, env *testEnv, page string) {
	const learners = 32
	urls := make([]string, learners)
	for i := range urls {
		u := emulator.Alice()
		u.Sub = u.Sub + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		c := browser()
		resp, err := env.emu.Launch(b.Context(), c, emulator.LaunchRequest{User: u,
			Follow: true})
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		urls[i] = sessionBaseB(b, resp.Request.URL.String()) + "/a/" + page
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var lat []time.Duration
	next := 0
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		u := urls[next%learners]
		next++
		mu.Unlock()
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "pages/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func sessionBaseB(b *testing.B, u string) string {
	i := len("http://")
	for j := i; j < len(u); j++ {
		if u[j] == '/' && len(u) > j+3 && u[j:j+3] == "/s/" {
			rest := u[j+3:]
			for k := 0; k < len(rest); k++ {
				if rest[k] == '/' {
					return u[:j+3+k]
				}
			}
			return u
		}
	}
	b.Fatalf("not a session URL: %s", u)
	return ""
}
