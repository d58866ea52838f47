package main

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/content"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// chaosLearner is one learner on one graded link, and the scores (right
// answers of 15) of the module test attempts they will submit, in order.
type chaosLearner struct {
	user   emulator.User
	link   emulator.ResourceLink
	scores []int
}

// final is the grade the link's policy, best attempt, gives.
func (l *chaosLearner) final() int { return slices.Max(l.scores) }

// key names the learner's cell in the LMS gradebook.
func (l *chaosLearner) key() string { return l.link.ID + " " + l.user.Sub }

// chaosJob is a learner's attempts (indexes into scores) for one phase.
type chaosJob struct {
	learner  *chaosLearner
	attempts []int
}

// chaosRun is the state of one chaos test.
type chaosRun struct {
	t        *testing.T
	lms      *chaosLMS
	tool     *toolProcess
	db       *migrations.Database
	quiz     *content.Quiz
	links    []emulator.ResourceLink
	learners []*chaosLearner
}

// TestChaosDelivery: 200 learners finish the module test while the platform
// fails half of all token and grade calls, and the tool, a separate `aesop
// serve` process on PostgreSQL, is killed with SIGKILL midway and started
// again on the same database and port. Afterwards the platform holds exactly
// the final score of every learner, none lost and none regressed, and no
// grade is left held, parked or failed.
//
// The emulator's gradebook takes grades only for its seven enrolled
// learners, so the 200 are those seven on each of 29 graded links of the
// course: 200 gradebook cells. One link is the course's own, whose column
// the tool makes itself under the faults; the others were added through
// deep linking with their columns.
func TestChaosDelivery(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 40
	}
	dbURL, drop := dbtest.NewSchemaURL(t)
	t.Cleanup(drop)
	start := time.Now()
	bin := buildAesop(t)
	r := &chaosRun{t: t, lms: newChaosLMS(t, emulator.FamilyMoodle, 7)}
	r.tool = newToolProcess(t, bin, dbURL, map[string]string{
		"AESOP_GRADE_RETRY_BASE": "50ms", "AESOP_GRADE_RETRY_MAX": "1s",
		"AESOP_GRADE_LEASE": "3s", "AESOP_GRADE_HORIZON": "1h", "AESOP_LMS_RATE": "1000"})
	r.tool.start()
	t.Logf("built and started aesop in %s", time.Since(start).Round(time.Millisecond))
	r.register()
	r.openDB(dbURL)
	a, _ := pack(t).Activity("m3-test")
	r.quiz = a.Quiz
	env := &testEnv{t: t, emu: r.lms.emu, toolURL: r.tool.url}
	r.links = append([]emulator.ResourceLink{testLink}, env.deepLinkTests((n-1)/7)...)
	r.learners = chaosLearners(r.links, n, 42)
	before, after := chaosPhases(r.learners, 42)
	t.Logf("set up %d links at %s", len(r.links), time.Since(start).Round(time.Millisecond))

	r.lms.startFaults()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.expireTokens(ctx)
	r.runPhase(before)
	r.killMidDelivery()
	r.tool.start()
	t.Logf("restarted aesop at %s", time.Since(start).Round(time.Millisecond))
	r.runPhase(after)
	t.Logf("all submitted at %s", time.Since(start).Round(time.Millisecond))
	r.awaitGrades(50 * time.Second)
	t.Logf("done in %s; %s", time.Since(start).Round(time.Millisecond), r.lms.stats())
}

// register registers the LMS with the tool through Dynamic Registration,
// with a URL from `aesop registration create`.
func (r *chaosRun) register() {
	out := r.tool.run("registration", "create")
	u, _, _ := strings.Cut(out, "\n")
	if _, err := r.lms.emu.Register(context.Background(), &http.Client{}, u); err != nil {
		r.t.Fatalf("dynamic registration with %q: %v", u, err)
	}
}

// openDB opens the tool's database to watch its outbox.
func (r *chaosRun) openDB(dbURL string) {
	db, err := migrations.Open(context.Background(), dbURL, "")
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	r.db = db
}

// deepLinkTests has an instructor add the module test to the course n
// times through deep linking, graded, and returns the links.
func (e *testEnv) deepLinkTests(n int) []emulator.ResourceLink {
	e.t.Helper()
	prof := browser()
	for range n {
		_, body := e.openAs(prof, emulator.Instructor(), emulator.ResourceLink{},
			emulator.MessageDeepLinking)
		_, body = e.post(prof, pageForm(e.t, body, "/deeplink"), url.Values{
			"activity": {"m3-test"}, "graded": {"m3-test"}})
		if resp, body := e.post(prof, pageForm(e.t, body, "/deep-link-return"),
			nil); resp.StatusCode != http.StatusOK {
			e.t.Fatalf("deep linking return: %d\n%s", resp.StatusCode, body)
		}
	}
	links := e.emu.ResourceLinks()
	if len(links) != n {
		e.t.Fatalf("%d links after %d deep links", len(links), n)
	}
	return links
}

// pageForm is forms(…)[0] for tests and benchmarks alike.
func pageForm(tb testing.TB, body, part string) form {
	tb.Helper()
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		action := html.UnescapeString(m[1])
		if !strings.Contains(action, part) {
			continue
		}
		f := form{action: action, fields: url.Values{}}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			f.fields.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
		return f
	}
	tb.Fatalf("no form posting to %q in:\n%s", part, body)
	return form{}
}

// chaosLearners puts the emulator's seven enrolled learners on each link,
// n in all. Most submit once; some twice or three times, better or worse
// than before.
func chaosLearners(links []emulator.ResourceLink, n int, seed uint64) []*chaosLearner {
	rng := rand.New(rand.NewPCG(seed, 2))
	var enrolled []emulator.User
	for _, u := range emulator.Roster() {
		if slices.Contains(u.Roles, emulator.RoleLearner) {
			enrolled = append(enrolled, u)
		}
	}
	out := make([]*chaosLearner, n)
	for i := range out {
		l := &chaosLearner{user: enrolled[i%len(enrolled)], link: links[i/len(enrolled)]}
		attempts := 1
		switch p := rng.IntN(10); {
		case p >= 9:
			attempts = 3
		case p >= 6:
			attempts = 2
		}
		for range attempts {
			l.scores = append(l.scores, rng.IntN(16))
		}
		out[i] = l
	}
	return out
}

// chaosPhases splits the submissions in two halves around the restart: the
// first attempts of learners in random order until half of all
// submissions, then everything else.
func chaosPhases(learners []*chaosLearner, seed uint64) (before, after []chaosJob) {
	total := 0
	for _, l := range learners {
		total += len(l.scores)
	}
	order := rand.New(rand.NewPCG(seed, 3)).Perm(len(learners))
	for i, k := range order {
		l := learners[k]
		if i < total/2 {
			before = append(before, chaosJob{l, []int{0}})
			if len(l.scores) > 1 {
				after = append(after, chaosJob{l, seq(1, len(l.scores))})
			}
		} else {
			after = append(after, chaosJob{l, seq(0, len(l.scores))})
		}
	}
	return before, after
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// runPhase submits the jobs' attempts through the tool's pages, six
// browsers at a time. A learner's attempts are more than a second apart, as
// a person's are minutes apart: Moodle orders grades by whole seconds.
func (r *chaosRun) runPhase(jobs []chaosJob) {
	r.t.Helper()
	ch := make(chan chaosJob)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for j := range ch {
				for i, k := range j.attempts {
					if i > 0 {
						time.Sleep(1100 * time.Millisecond)
					}
					if err := r.attempt(j.learner, j.learner.scores[k]); err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("%s on %s: %w", j.learner.user.Name,
							j.learner.link.ID, err))
						mu.Unlock()
					}
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if len(errs) > 0 {
		r.t.Fatalf("%d submissions failed; first: %v", len(errs), errs[0])
	}
}

// attempt launches the learner into the test, starts an attempt and submits
// it with right answers right.
func (r *chaosRun) attempt(l *chaosLearner, right int) error {
	c := browser()
	resp, err := r.lms.emu.Launch(context.Background(), c, emulator.LaunchRequest{
		User: l.user, ResourceLink: l.link, Follow: true})
	if err != nil {
		return err
	}
	page := readAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("launch: %d", resp.StatusCode)
	}
	if page, err = r.submitForm(c, page, "/start", nil); err != nil {
		return err
	}
	answers := url.Values{}
	for i, q := range r.quiz.Questions {
		answers.Set("q-"+q.ID, pickOption(q, i < right))
	}
	if page, err = r.submitForm(c, page, "/submit", answers); err != nil {
		return err
	}
	if want := fmt.Sprintf("%d / 15", right); !strings.Contains(page, want) {
		return fmt.Errorf("result page lacks %q", want)
	}
	return nil
}

// submitForm posts the page's form whose action contains part.
func (r *chaosRun) submitForm(c *http.Client, page, part string, extra url.Values) (string,
	error) {
	for _, m := range formRE.FindAllStringSubmatch(page, -1) {
		action := html.UnescapeString(m[1])
		if !strings.Contains(action, part) {
			continue
		}
		v := url.Values{}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			v.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
		for k, vs := range extra {
			v[k] = vs
		}
		resp, err := c.PostForm(r.tool.url+action, v)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body := readAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("post %s: %d", part, resp.StatusCode)
		}
		return body, nil
	}
	return "", fmt.Errorf("no form posting to %s", part)
}

// expireTokens drops the platform's access tokens every two seconds, so
// the tool meets 401s and fetches tokens under the faults too.
func (r *chaosRun) expireTokens(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
			r.lms.emu.ExpireAccessTokens()
		}
	}
}

// killMidDelivery kills the tool with SIGKILL while it holds leases on
// scores it is delivering. It waits until the tool has made the course
// link's column, since a process killed while making it holds that link's
// deliveries back for a minute, longer than this test waits.
func (r *chaosRun) killMidDelivery() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (r.count("status = 'pending' AND lease_until > ?",
		time.Now()) == 0 || len(r.columns()[testLink.ID]) == 0 || r.lineItemLeases() > 0) {
		time.Sleep(5 * time.Millisecond)
	}
	leased := r.count("status = 'pending' AND lease_until > ?", time.Now())
	pending := r.count("status = 'pending'")
	r.tool.kill()
	r.t.Logf("killed aesop with %d scores pending, %d of them being delivered; "+
		"the LMS held %d grades", pending, leased, len(r.held()))
}

// lineItemLeases counts the leases held on making gradebook columns.
func (r *chaosRun) lineItemLeases() int64 {
	var n int64
	err := r.db.Table("worker_leases").Where("name LIKE 'lineitem:%'").Count(&n).Error
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// count counts outbox entries matching a condition.
func (r *chaosRun) count(where string, args ...any) int64 {
	var n int64
	if err := r.db.Table("grade_outbox").Where(where, args...).Count(&n).Error; err != nil {
		r.t.Fatal(err)
	}
	return n
}

// columns returns the test's gradebook columns in the LMS by link id: those
// made with deep-linked links under their links, and any the tool made
// under the course's own link.
func (r *chaosRun) columns() map[string][]string {
	byItem := map[string]string{}
	for _, l := range r.links {
		if l.LineItem != nil {
			byItem[l.LineItem.ID] = l.ID
		}
	}
	out := map[string][]string{}
	for u, li := range r.lms.emu.LineItems(emulator.DefaultContext().ID) {
		link, ok := byItem[li.ID]
		if !ok && li.ResourceID == "m3-test" {
			link = testLink.ID
		}
		out[link] = append(out[link], u)
	}
	return out
}

// held returns the grades the LMS holds, by link and learner.
func (r *chaosRun) held() map[string]float64 {
	out := map[string]float64{}
	for link, items := range r.columns() {
		for _, u := range items {
			for sub, s := range r.lms.emu.Scores(u) {
				if s.ScoreGiven != nil {
					out[link+" "+sub] = *s.ScoreGiven
				}
			}
		}
	}
	return out
}

// awaitGrades waits until the LMS holds every learner's final grade and the
// outbox has nothing pending, then reports what is lost, wrong or stuck.
func (r *chaosRun) awaitGrades(limit time.Duration) {
	r.t.Helper()
	var wrong []string
	deadline := time.Now().Add(limit)
	for {
		wrong = r.wrongGrades()
		if len(wrong) == 0 && r.count("status = 'pending'") == 0 {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(wrong) > 0 {
		r.t.Errorf("%d of %d learners lack their final grade in the LMS:\n%s",
			len(wrong), len(r.learners), strings.Join(wrong, "\n"))
	}
	if reg := r.lms.regressions(); len(reg) > 0 {
		r.t.Errorf("grades that went down in the LMS:\n%s", strings.Join(reg, "\n"))
	}
	r.checkItems()
	r.checkOutbox()
	if r.t.Failed() {
		r.t.Logf("delivery logs:\n%s", r.tool.tail("grade", 30))
	}
	// AESOP_CHAOS_LOGS names a folder to keep the tool's logs in.
	if dir := os.Getenv("AESOP_CHAOS_LOGS"); dir != "" {
		r.tool.copyLogs(dir)
	}
}

// wrongGrades lists learners whose grade in the LMS is not their final one.
func (r *chaosRun) wrongGrades() []string {
	held := r.held()
	var out []string
	for _, l := range r.learners {
		got, ok := held[l.key()]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("lost: %s in %s, attempts %v", l.user.Name,
				l.link.ID, l.scores))
		case got < float64(l.final()):
			out = append(out, fmt.Sprintf("regressed: %s in %s holds %v, attempts %v",
				l.user.Name, l.link.ID, got, l.scores))
		case got != float64(l.final()):
			out = append(out, fmt.Sprintf("wrong: %s in %s holds %v, attempts %v",
				l.user.Name, l.link.ID, got, l.scores))
		}
	}
	return out
}

// checkItems checks that each link has one gradebook column.
func (r *chaosRun) checkItems() {
	cols := r.columns()
	for _, l := range r.links {
		if n := len(cols[l.ID]); n != 1 {
			r.t.Errorf("link %s has %d gradebook columns, want 1: %v", l.ID, n, cols[l.ID])
		}
	}
}

// checkOutbox reports scores the tool gave up on or holds back.
func (r *chaosRun) checkOutbox() {
	var stuck []struct {
		ID         int64
		UserID     int64
		Status     string
		Tries      int
		LastStatus int
		LastError  string
	}
	err := r.db.Table("grade_outbox").Where("status NOT IN ?",
		[]string{"delivered", "superseded"}).Find(&stuck).Error
	if err != nil {
		r.t.Fatal(err)
	}
	for _, e := range stuck {
		r.t.Errorf("outbox entry %d (user %d) is %s after %d tries: %d %s", e.ID, e.UserID,
			e.Status, e.Tries, e.LastStatus, e.LastError)
	}
	var counts []struct {
		Status string
		N      int
	}
	r.db.Table("grade_outbox").Select("status, count(*) AS n").Group("status").Scan(&counts)
	r.t.Logf("outbox: %v", counts)
}
