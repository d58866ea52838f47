package grading

import (
	"context"
	"sync"
	"testing"

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

// The activities the tests use, from the built-in pack.
const (
	testID   = "m3-test"
	quizID   = "m3-l1-quiz"
	lessonID = "m3-l1"
	labID    = "m3-l1-lab"
)

// learner is the LTI role of a student in a course.
const learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"

// fixture is a migrated database with a platform and a course, and a Store
// on it.
type fixture struct {
	t          *testing.T
	ctx        context.Context
	db         *migrations.Database
	s          *Store
	dir        *directory.Store
	platformID int64
	course     int64
}

// newFixture registers a platform on db and returns a fixture for it.
func newFixture(t *testing.T, db *migrations.Database) *fixture {
	t.Helper()
	ctx := context.Background()
	p := platformtest.Add(t, db.DB, "d1")
	return &fixture{t: t, ctx: ctx, db: db, s: NewStore(db.DB, builtin()),
		dir: directory.NewStore(db.DB), platformID: p.ID}
}

// launch records a learner's launch of a link in the course, as the web
// layer does, and returns the learner's id and the link's ref.
func (f *fixture) launch(sub, linkID string) (userID, linkRef int64) {
	f.t.Helper()
	rec, err := f.dir.Record(f.ctx, f.platformID, &lti.Launch{Subject: sub,
		DeploymentID: "d1", Roles: []string{learner},
		Context:      &lti.Context{ID: "course-1"},
		ResourceLink: &lti.ResourceLink{ID: linkID}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.course = rec.Context.ID
	return rec.User.ID, rec.ResourceLink.ID
}

// setLink stores settings for a link, failing the test on error.
func (f *fixture) setLink(ls LinkSettings) {
	f.t.Helper()
	if err := f.s.SetLink(f.ctx, ls); err != nil {
		f.t.Fatal(err)
	}
}

// open opens an attempt, failing the test on error.
func (f *fixture) open(userID int64, activityID string, linkRef *int64) *Attempt {
	f.t.Helper()
	a, err := f.s.Open(f.ctx, userID, activityID, linkRef, &f.course)
	if err != nil {
		f.t.Fatalf("open %s: %v", activityID, err)
	}
	return a
}

// take opens an attempt and submits it with right answers correct.
func (f *fixture) take(userID int64, activityID string, linkRef *int64, right int) *Attempt {
	f.t.Helper()
	a := f.open(userID, activityID, linkRef)
	done, err := f.s.Submit(f.ctx, a.ID, userID, choices(quiz(activityID), right))
	if err != nil {
		f.t.Fatalf("submit %s: %v", activityID, err)
	}
	return done
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

// quiz returns a quiz or test of the built-in pack.
func quiz(id string) *content.Quiz {
	a, _ := builtin().Activity(id)
	return a.Quiz
}

// choices answers the first right questions of q correctly, the rest wrongly.
func choices(q *content.Quiz, right int) map[string]string {
	m := map[string]string{}
	for i, qu := range q.Questions {
		m[qu.ID] = wrongOption(qu)
		if i < right {
			m[qu.ID] = qu.CorrectOption().ID
		}
	}
	return m
}

// wrongOption returns the id of a wrong option of q.
func wrongOption(q *content.Question) string {
	for _, o := range q.Options {
		if !o.Correct {
			return o.ID
		}
	}
	return ""
}

// ref returns a pointer to v.
func ref(v int64) *int64 { return &v }
