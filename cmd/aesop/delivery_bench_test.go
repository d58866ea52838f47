package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/content"
	"aesop/grading"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// benchLinks is how many graded links the delivery benchmark's course has;
// with the emulator's seven enrolled learners on each, 350 learners and
// links can have a score on its way at once.
const benchLinks = 50

// steadyRate is the rate at which learners submit in the steady case:
// half the throughput the issue asks for.
const steadyRate = 250

// deliveryBench is a tool and a healthy platform whose learners have each
// opened every graded link, ready to submit scores directly through the
// grading store.
type deliveryBench struct {
	*testEnv
	// w is the one worker: on SQLite a worker of another name would wait for
	// this one's lease to run out.
	w      *grading.Worker
	pairs  []benchPair
	choice []map[string]string // choices giving 0…15 right answers
	next   int

	mu       sync.Mutex
	received map[string]time.Time // "user timestamp" to the score's arrival
	latency  []time.Duration
}

// benchPair is one learner on one link.
type benchPair struct{ UserID, LinkRef, ContextRef int64 }

// BenchmarkDelivery measures grade delivery by the real worker to a healthy
// local platform (the emulator, Canvas flavour, unthrottled):
//
//   - burst: rounds of one score for each of 350 learner-links, submitted
//     through the grading store while the worker is stopped, then delivered;
//     scores/s is deliveries per second of delivery time.
//   - steady: learners submit at 250 scores a second with the worker
//     running, woken on each submission as the web handler does; p50-ms and
//     p99-ms are the time from a score's timestamp, set in the submission's
//     transaction, to the platform receiving it.
//
// Each delivery is what production does once a learner has a grade in the
// LMS: read the result (the "changed in the LMS" guard), post the score,
// read it back, and record it.
func BenchmarkDelivery(b *testing.B) {
	dbs := []struct {
		name string
		open func(testing.TB) *migrations.Database
	}{{"postgres", dbtest.Postgres}, {"sqlite", dbtest.SQLite}}
	for _, db := range dbs {
		b.Run(db.name, func(b *testing.B) {
			d := newDeliveryBench(b, db.open(b))
			b.Run("burst", d.burst)
			b.Run("steady", d.steady)
		})
	}
}

// newDeliveryBench sets up the course: graded links made through deep
// linking, each opened once by every learner, and a first grade of each
// delivered.
func newDeliveryBench(b *testing.B, db *migrations.Database) *deliveryBench {
	env := newTestEnv(b, db, withFamily(emulator.FamilyCanvas))
	d := &deliveryBench{testEnv: env, received: map[string]time.Time{}}
	links := env.deepLinkTests(benchLinks)
	for _, l := range links {
		for _, u := range emulator.Roster() {
			if slices.Contains(u.Roles, emulator.RoleLearner) {
				if resp, _ := env.openAs(browser(), u, l, ""); resp.StatusCode != 200 {
					b.Fatalf("launch: %d", resp.StatusCode)
				}
			}
		}
	}
	err := env.app.db.DB.Raw("SELECT m.user_id, r.id AS link_ref, r.context_ref FROM" +
		" link_settings s JOIN resource_links r ON r.id = s.resource_link_ref " +
		"JOIN memberships m ON m.context_ref = r.context_ref WHERE m.role = 'learner' " +
		"ORDER BY r.id, m.user_id").Scan(&d.pairs).Error
	if err != nil || len(d.pairs) != 7*benchLinks {
		b.Fatalf("%d learner links, want %d: %v", len(d.pairs), 7*benchLinks, err)
	}
	p, err := content.Load(content.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	a, _ := p.Activity("m3-test")
	for right := range len(a.Quiz.Questions) + 1 {
		c := map[string]string{}
		for i, q := range a.Quiz.Questions {
			c[q.ID] = pickOption(q, i < right)
		}
		d.choice = append(d.choice, c)
	}
	env.emu.InjectFaults(d.receive)
	// A first grade for everyone, so that each delivery measured checks the
	// grade in the LMS first, as most do in production.
	d.w = d.worker()
	d.round(b, len(d.pairs))
	return d
}

// receive records when a score arrives; it never faults.
func (d *deliveryBench) receive(r *http.Request) (emulator.Fault, bool) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/scores") {
		return emulator.Fault{}, false
	}
	at := time.Now()
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var sc struct{ UserID, Timestamp string }
	json.Unmarshal(body, &sc)
	ts, _ := time.Parse(time.RFC3339Nano, sc.Timestamp)
	d.mu.Lock()
	key := r.URL.Path + " " + sc.UserID + " " + sc.Timestamp
	if _, ok := d.received[key]; !ok {
		d.received[key] = at
		d.latency = append(d.latency, at.Sub(ts))
	}
	d.mu.Unlock()
	return emulator.Fault{}, false
}

// worker is a delivery worker with the production settings, its calls to
// the platform unthrottled.
func (d *deliveryBench) worker() *grading.Worker {
	d.app.cfg.LMSRate = 1e9
	return d.app.newDeliveryWorker(d.app.grades, d.app.dir, d.app.lmsClient(&http.Client{}),
		d.app.deliveryConfig())
}

// nextPair returns the learner-link whose turn it is to submit.
func (d *deliveryBench) nextPair() benchPair {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.pairs[d.next%len(d.pairs)]
	d.next++
	return p
}

// submit has a learner take the test on a link, as the web handler does;
// scores vary so that some attempts raise the grade.
func (d *deliveryBench) submit(b *testing.B, p benchPair) {
	ctx := context.Background()
	a, err := d.app.grades.Open(ctx, p.UserID, "m3-test", &p.LinkRef, &p.ContextRef)
	if err == nil {
		right := int(a.ID) % len(d.choice)
		_, err = d.app.grades.Submit(ctx, a.ID, p.UserID, d.choice[right])
	}
	if err != nil {
		b.Error(err)
	}
}

// arrived counts the scores received so far.
func (d *deliveryBench) arrived() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.received)
}

// await waits until want scores have arrived and the outbox is settled.
func (d *deliveryBench) await(b *testing.B, want int) {
	deadline := time.Now().Add(time.Minute)
	for d.arrived() < want || d.pending(b) > 0 {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d scores arrived in a minute", d.arrived(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func (d *deliveryBench) pending(b *testing.B) int64 {
	var n int64
	err := d.app.db.DB.Model(&grading.Entry{}).Where("status = ?", grading.StatusPending).
		Count(&n).Error
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// burst delivers b.N scores in rounds of at most one per learner-link,
// timing only the delivery.
func (d *deliveryBench) burst(b *testing.B) {
	b.ResetTimer()
	b.StopTimer()
	for delivered := 0; delivered < b.N; {
		n := min(b.N-delivered, len(d.pairs))
		d.round(b, n)
		delivered += n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scores/s")
}

// round submits n scores with the worker stopped, then runs the worker
// until they have arrived, timing only that.
func (d *deliveryBench) round(b *testing.B, n int) {
	start := d.arrived()
	for range n {
		d.submit(b, d.nextPair())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.StartTimer()
	go func() {
		d.w.Run(ctx)
		close(done)
	}()
	d.await(b, start+n)
	b.StopTimer()
	cancel()
	<-done
}

// steady submits b.N scores at steadyRate, from eight learners' requests at
// a time as the web handlers would, with the worker running, and reports
// the time each took to reach the platform.
func (d *deliveryBench) steady(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		d.w.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	d.mu.Lock()
	d.latency = nil
	d.mu.Unlock()
	start := d.arrived()
	jobs := make(chan benchPair)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for p := range jobs {
				d.submit(b, p)
				d.w.Wake()
			}
		})
	}
	tick := time.NewTicker(time.Second / steadyRate)
	defer tick.Stop()
	b.ResetTimer()
	for range b.N {
		<-tick.C
		jobs <- d.nextPair()
	}
	close(jobs)
	wg.Wait()
	offered := float64(b.N) / b.Elapsed().Seconds()
	d.await(b, start+b.N)
	b.StopTimer()
	d.mu.Lock()
	lat := slices.Clone(d.latency)
	d.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(offered, "submitted/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scores/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
