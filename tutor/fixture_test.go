package tutor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/content"
	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/platform/platformtest"
	"aesop/migrations"
)

// builtin is the built-in course pack, loaded once for every test.
var builtin = sync.OnceValue(func() *content.Pack {
	p, err := content.Load(content.Builtin())
	if err != nil {
		panic(err)
	}
	return p
})

// labID is the lab the tests talk in.
const labID = "m3-l1-lab"

// learnerRole is the LTI role of a student in a course.
const learnerRole = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"

// fixture is a migrated database with a platform, a fake model and a
// Service that talks to it.
type fixture struct {
	t          *testing.T
	ctx        context.Context
	db         *migrations.Database
	fake       *fakeModel
	s          *Service
	dir        *directory.Store
	platformID int64
}

// newFixture registers a platform on db and starts a fake model; change
// cfg before the Service is made.
func newFixture(t *testing.T, db *migrations.Database, change ...func(*Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	p := platformtest.Add(t, db.DB, "d1")
	f := &fixture{t: t, ctx: ctx, db: db, fake: newFakeModel(t),
		dir: directory.NewStore(db.DB), platformID: p.ID}
	cfg := f.fake.config()
	for _, c := range change {
		c(&cfg)
	}
	f.s = f.service(cfg)
	return f
}

// service returns another Service on the fixture's database, as another
// instance would run.
func (f *fixture) service(cfg Config) *Service {
	f.t.Helper()
	s, err := New(f.db.DB, builtin(), cfg, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// learner records a learner's launch in a course and returns them.
func (f *fixture) learner(sub, course string) Learner {
	f.t.Helper()
	rec, err := f.dir.Record(f.ctx, f.platformID, &lti.Launch{Subject: sub,
		DeploymentID: "d1", Roles: []string{learnerRole},
		Context:      &lti.Context{ID: course},
		ResourceLink: &lti.ResourceLink{ID: "link-" + course}})
	if err != nil {
		f.t.Fatal(err)
	}
	return Learner{UserID: rec.User.ID, ContextRef: rec.Context.ID}
}

// send sends text and returns the reply and the deltas that arrived,
// failing the test on error.
func (f *fixture) send(who Learner, text string) (*Reply, []string) {
	f.t.Helper()
	r, deltas, err := f.trySend(f.s, who, text)
	if err != nil {
		f.t.Fatalf("send %q: %v", text, err)
	}
	return r, deltas
}

// trySend sends text through s and returns what came back.
func (f *fixture) trySend(s *Service, who Learner, text string) (*Reply, []string, error) {
	var deltas []string
	r, err := s.Send(f.ctx, who, labID, text, nil, func(d string) error {
		deltas = append(deltas, d)
		return nil
	})
	return r, deltas, err
}

// resume returns the learner's conversation, failing the test on error.
func (f *fixture) resume(who Learner) *Conversation {
	f.t.Helper()
	c, err := f.s.Resume(f.ctx, who, labID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// count returns the number of rows of table that match where.
func (f *fixture) count(table, where string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		f.t.Fatal(err)
	}
	return n
}

// clock sets the Service's clock to t.
func (f *fixture) clock(t time.Time) {
	f.s.now = func() time.Time { return t }
}

// opening returns the test lab's opening message.
func opening() string {
	a, _ := builtin().Activity(labID)
	return a.Lab.Opening
}

// statuses lists the role and status of each message, as "tutor:answered".
func statuses(ms []Message) string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m.Role)+":"+string(m.Status))
	}
	return strings.Join(s, " ")
}
