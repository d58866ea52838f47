package grading

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestPassNeed(t *testing.T) {
	cases := []struct {
		mark  float64
		total int
		want  int
	}{
		{0.8, 15, 12},
		{0.8, 4, 4},
		{0.8, 10, 8},
		{0.56, 25, 14}, // 14.000000000000002 in floating point
		{0.07, 100, 7}, // 7.000000000000001 in floating point
		{0.5, 3, 2},
		{1, 15, 15},
		{0, 4, 0},
	}
	for _, tc := range cases {
		if got := PassScore(tc.mark, tc.total); got != tc.want {
			t.Errorf("PassScore(%v, %d) = %d, want %d", tc.mark, tc.total, got, tc.want)
		}
	}
}

func TestSubmitScores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		cases := []struct {
			activity   string
			right      int
			wantMax    int
			wantPassed bool
		}{
			{testID, 15, 15, true},
			{testID, 12, 15, true},
			{testID, 11, 15, false},
			{testID, 0, 15, false},
			{quizID, 4, 4, true},
			{quizID, 1, 4, true}, // a quiz has no pass mark
		}
		for i, tc := range cases {
			name := fmt.Sprintf("%s %d right", tc.activity, tc.right)
			t.Run(name, func(t *testing.T) {
				user, link := f.launch(fmt.Sprintf("u%d", i), "rl-1")
				a := f.take(user, tc.activity, &link, tc.right)
				if a.Score != tc.right || a.MaxScore != tc.wantMax || a.Passed != tc.wantPassed ||
					!a.Submitted() || len(a.Answers) != tc.wantMax {
					t.Errorf("Submit = %d/%d passed %v submitted %v with %d answers; "+
						"want %d/%d passed %v, submitted, with every answer",
						a.Score, a.MaxScore, a.Passed, a.Submitted(), len(a.Answers),
						tc.right, tc.wantMax, tc.wantPassed)
				}
				stored, err := f.s.Attempt(f.ctx, a.ID, user)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(a, stored); diff != "" {
					t.Errorf("stored attempt differs (-submitted +stored):\n%s", diff)
				}
			})
		}
	})
}

func TestSubmitMergesAnswers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		qs := quiz(quizID).Questions
		a := f.open(user, quizID, &link)
		// Two answers given one by one: q0 right, q1 wrong.
		first, err := f.s.Answer(f.ctx, a.ID, user, qs[0].ID, qs[0].CorrectOption().ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Answer(f.ctx, a.ID, user, qs[1].ID, wrongOption(qs[1])); err != nil {
			t.Fatal(err)
		}
		// The form posts q0 unchanged, corrects q1, leaves q2 blank, answers q3.
		done, err := f.s.Submit(f.ctx, a.ID, user, map[string]string{
			qs[0].ID: qs[0].CorrectOption().ID,
			qs[1].ID: qs[1].CorrectOption().ID,
			qs[2].ID: "",
			qs[3].ID: wrongOption(qs[3]),
		})
		if err != nil {
			t.Fatal(err)
		}
		if done.Score != 2 || done.MaxScore != 4 || len(done.Answers) != 3 {
			t.Errorf("Submit = %d/%d with %d answers, want 2/4 with 3",
				done.Score, done.MaxScore, len(done.Answers))
		}
		if got := done.Answers[qs[0].ID]; got != first {
			t.Errorf("unchanged answer %+v, want it kept as first given: %+v", got, first)
		}
	})
}

func TestSubmitRefusesBadChoices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		stranger, _ := f.launch("u2", "rl-1")
		q := quiz(quizID).Questions[0]
		a := f.open(user, quizID, &link)
		cases := []struct {
			name    string
			user    int64
			choices map[string]string
			wantErr error
		}{
			{"unknown question", user, map[string]string{"m3-test-q1": "a"}, ErrUnknownQuestion},
			{"unknown option", user, map[string]string{q.ID: "z"}, ErrUnknownOption},
			{"another learner's attempt", stranger, nil, ErrNotYours},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.s.Submit(f.ctx, a.ID, tc.user, tc.choices)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Submit = %v, want %v", err, tc.wantErr)
				}
				if n := f.count("attempts", "id = ? AND submitted_at IS NULL", a.ID); n != 1 {
					t.Errorf("a refused submission closed the attempt")
				}
			})
		}
	})
}

func TestSubmitIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		cases := []struct {
			name       string
			concurrent bool
		}{
			{"one after another", false},
			{"at once", true},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				user, link := f.launch(fmt.Sprintf("u%d", i), "rl-1")
				a := f.open(user, testID, &link)
				// Each submission posts a different number of right answers: only
				// the first to arrive may count.
				got := make([]*Attempt, 4)
				errs := make([]error, 4)
				submit := func(n int) {
					got[n], errs[n] = f.s.Submit(f.ctx, a.ID, user,
						choices(quiz(testID), 12+n))
				}
				var wg sync.WaitGroup
				for n := range got {
					if tc.concurrent {
						wg.Go(func() { submit(n) })
					} else {
						submit(n)
					}
				}
				wg.Wait()
				for n := range got {
					if errs[n] != nil {
						t.Fatalf("Submit %d: %v", n, errs[n])
					}
					if diff := cmp.Diff(got[0], got[n]); diff != "" {
						t.Errorf("Submit %d differs from the first (-first +got):\n%s", n, diff)
					}
				}
				if !tc.concurrent && got[0].Score != 12 {
					t.Errorf("score %d, want 12 from the first submission", got[0].Score)
				}
				stored, err := f.s.Attempt(f.ctx, a.ID, user)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(got[0], stored); diff != "" {
					t.Errorf("stored attempt differs (-returned +stored):\n%s", diff)
				}
				if score(stored.Answers) != stored.Score {
					t.Errorf("score %d, but %d stored answers are right",
						stored.Score, score(stored.Answers))
				}
				n := f.count("attempts", "user_id = ? AND submitted_at IS NOT NULL", user)
				if n != 1 {
					t.Errorf("%d submitted attempts, want 1", n)
				}
				progress, err := f.s.Progress(f.ctx, user, &f.course)
				if err != nil {
					t.Fatal(err)
				}
				if !progress[testID].Completed {
					t.Errorf("test not completed by its submission")
				}
			})
		}
	})
}
