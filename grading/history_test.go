package grading

import (
	"errors"
	"fmt"
	"testing"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestGradePolicy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		cases := []struct {
			name       string
			policy     Policy
			scores     []int // right answers, attempt by attempt
			wantNumber int
		}{
			{"best", PolicyBest, []int{10, 13, 12}, 2},
			{"best takes the earliest of equal scores", PolicyBest, []int{9, 12, 12}, 2},
			{"default is best", "", []int{13, 11}, 1},
			{"latest", PolicyLatest, []int{10, 13, 12}, 3},
			{"latest even when worse", PolicyLatest, []int{15, 3}, 2},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				user, link := f.launch(fmt.Sprintf("u%d", i), fmt.Sprintf("rl-%d", i))
				f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID,
					Policy: tc.policy})
				if _, ok, err := f.s.Grade(f.ctx, user, testID, &link); ok || err != nil {
					t.Fatalf("Grade before any attempt = %v, %v; want none", ok, err)
				}
				for _, right := range tc.scores {
					f.take(user, testID, &link, right)
				}
				// An open attempt never counts.
				f.open(user, testID, &link)

				got, ok, err := f.s.Grade(f.ctx, user, testID, &link)
				if err != nil || !ok {
					t.Fatalf("Grade = %v, %v", ok, err)
				}
				want := tc.scores[tc.wantNumber-1]
				if got.Number != tc.wantNumber || got.Score != want {
					t.Errorf("Grade picked attempt %d scoring %d, want attempt %d scoring %d",
						got.Number, got.Score, tc.wantNumber, want)
				}

				history, err := f.s.History(f.ctx, user, testID, &link)
				if err != nil {
					t.Fatal(err)
				}
				if len(history) != len(tc.scores) {
					t.Fatalf("History has %d attempts, want %d", len(history), len(tc.scores))
				}
				for j, h := range history {
					n := len(tc.scores) - j
					if h.Number != n || h.Score != tc.scores[n-1] || !h.Submitted() {
						t.Errorf("History[%d] = attempt %d scoring %d, want attempt %d scoring %d",
							j, h.Number, h.Score, n, tc.scores[n-1])
					}
				}
			})
		}
	})
}

// TestOthersSeeNothing checks that a learner can neither read nor change
// another learner's attempt, and that their lists hold only their own.
func TestOthersSeeNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		owner, link := f.launch("owner", "rl-1")
		other, _ := f.launch("other", "rl-1")
		done := f.take(owner, testID, &link, 13)
		open := f.open(owner, quizID, &link)
		q := quiz(quizID).Questions[0]

		calls := []struct {
			name string
			call func() error
		}{
			{"read a submitted attempt", func() error {
				_, err := f.s.Attempt(f.ctx, done.ID, other)
				return err
			}},
			{"read an open attempt", func() error {
				_, err := f.s.Attempt(f.ctx, open.ID, other)
				return err
			}},
			{"answer", func() error {
				_, err := f.s.Answer(f.ctx, open.ID, other, q.ID, q.CorrectOption().ID)
				return err
			}},
			{"submit", func() error {
				_, err := f.s.Submit(f.ctx, open.ID, other, nil)
				return err
			}},
			{"resubmit", func() error {
				_, err := f.s.Submit(f.ctx, done.ID, other, nil)
				return err
			}},
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				if err := c.call(); !errors.Is(err, ErrNotYours) {
					t.Errorf("got %v, want ErrNotYours", err)
				}
			})
		}
		if n := f.count("answers", "attempt_id = ?", open.ID); n != 0 {
			t.Errorf("another learner's answer was stored")
		}
		history, err := f.s.History(f.ctx, other, testID, &link)
		if err != nil || len(history) != 0 {
			t.Errorf("History of the other learner = %v, %v; want none", history, err)
		}
		if _, ok, err := f.s.Grade(f.ctx, other, testID, &link); ok || err != nil {
			t.Errorf("Grade of the other learner = %v, %v; want none", ok, err)
		}
		if got := f.open(other, quizID, &link); got.ID == open.ID {
			t.Errorf("Open gave the other learner the owner's attempt")
		}
	})
}

func TestHasOpenTest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		course := f.course
		elsewhere := course + 1000
		has := func() bool {
			t.Helper()
			ok, err := f.s.HasOpenTest(f.ctx, user, &course)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if has() {
			t.Errorf("HasOpenTest before any attempt = true")
		}
		f.open(user, quizID, &link)
		if has() {
			t.Errorf("HasOpenTest with only a quiz open = true")
		}
		a := f.open(user, testID, &link)
		if !has() {
			t.Errorf("HasOpenTest with the test open = false")
		}
		for _, c := range []*int64{&elsewhere, nil} {
			if ok, err := f.s.HasOpenTest(f.ctx, user, c); ok || err != nil {
				t.Errorf("HasOpenTest in another course = %v, %v; want false", ok, err)
			}
		}
		if _, err := f.s.Submit(f.ctx, a.ID, user, nil); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Errorf("HasOpenTest after submitting = true")
		}
	})
}
