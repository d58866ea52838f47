package grading

import (
	"fmt"
	"testing"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestLinkReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		_, link := f.launch("seed", "link-1")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, Graded: true})
		scores := [][]int{{15}, {9, 13}, {12, 6}, {3}}
		for i, ss := range scores {
			u, _ := f.launch(fmt.Sprintf("learner-%d", i), "link-1")
			for _, s := range ss {
				f.take(u, testID, ref(link), s)
			}
		}
		r, err := f.s.LinkReport(f.ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Learners) != 4 || r.PassScore != 12 {
			t.Fatalf("report = %+v", r)
		}
		want := []struct{ attempts, best, latest, grade int }{
			{1, 15, 15, 15}, {2, 13, 13, 13}, {2, 12, 6, 12}, {1, 3, 3, 3}}
		for i, w := range want {
			got := r.Learners[i]
			if got.Attempts != w.attempts || got.Best != w.best || got.Latest != w.latest ||
				got.Grade != w.grade || got.Passed != (w.grade >= 12) {
				t.Errorf("learner %d = %+v, want %+v", i, got, w)
			}
			if got.Sync == nil || got.Sync.Status != StatusPending {
				t.Errorf("learner %d has no pending delivery: %+v", i, got.Sync)
			}
		}
		if r.Distribution[15] != 1 || r.Distribution[13] != 1 || r.Distribution[12] != 1 ||
			r.Distribution[3] != 1 {
			t.Errorf("distribution = %v", r.Distribution)
		}
		// f.take answers the first n questions right, so the first question is
		// right for everyone (no discrimination) and question 13 only for the
		// two best.
		q1, q13 := r.Questions[0], r.Questions[12]
		if q1.ShareCorrect != 1 || q1.Discrimination != 0 {
			t.Errorf("question 1 = %+v", q1)
		}
		if q13.ShareCorrect != 0.5 || q13.Discrimination != 1 {
			t.Errorf("question 13 = %+v", q13)
		}
	})
}
