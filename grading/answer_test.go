package grading

import (
	"errors"
	"sync"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		stranger, _ := f.launch("u2", "rl-1")
		a := f.open(user, quizID, &link)
		q1, q2 := quiz(quizID).Questions[0], quiz(quizID).Questions[1]
		otherQuiz := quiz("m3-l2-quiz").Questions[0]
		cases := []struct {
			name             string
			attempt, user    int64
			question, option string
			wantCorrect      bool
			wantErr          error
		}{
			{"right", a.ID, user, q1.ID, q1.CorrectOption().ID, true, nil},
			{"wrong", a.ID, user, q2.ID, wrongOption(q2), false, nil},
			{"changed to right", a.ID, user, q2.ID, q2.CorrectOption().ID, true, nil},
			{"question of another quiz", a.ID, user, otherQuiz.ID, "a", false,
				ErrUnknownQuestion},
			{"unknown option", a.ID, user, q1.ID, "z", false, ErrUnknownOption},
			{"another learner's attempt", a.ID, stranger, q1.ID, wrongOption(q1), false,
				ErrNotYours},
			{"no such attempt", a.ID + 100, user, q1.ID, "a", false, ErrAttemptNotFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := now()
				got, err := f.s.Answer(f.ctx, tc.attempt, tc.user, tc.question, tc.option)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Answer = %v, want %v", err, tc.wantErr)
				}
				if err != nil {
					return
				}
				if got.Correct != tc.wantCorrect || got.AnsweredAt.Before(before) {
					t.Errorf("Answer = %+v, want correct %v, answered after %v",
						got, tc.wantCorrect, before)
				}
				stored, err := f.s.Attempt(f.ctx, a.ID, user)
				if err != nil {
					t.Fatal(err)
				}
				if s := stored.Answers[tc.question]; s != got {
					t.Errorf("stored answer %+v, want %+v", s, got)
				}
			})
		}
		if n := f.count("answers", "attempt_id = ?", a.ID); n != 2 {
			t.Errorf("%d answers stored, want 2: one per question, the last choice", n)
		}
	})
}

func TestAnswerAfterSubmitIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		q := quiz(testID).Questions[0]
		a := f.open(user, testID, &link)
		first, err := f.s.Answer(f.ctx, a.ID, user, q.ID, wrongOption(q))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
		if _, err := f.s.Submit(f.ctx, a.ID, user, nil); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Answer(f.ctx, a.ID, user, q.ID, q.CorrectOption().ID)
		if !errors.Is(err, ErrAttemptSubmitted) {
			t.Fatalf("Answer after submit = %v, want ErrAttemptSubmitted", err)
		}
		stored, err := f.s.Attempt(f.ctx, a.ID, user)
		if err != nil {
			t.Fatal(err)
		}
		if got := stored.Answers[q.ID]; got != first || stored.Score != 0 {
			t.Errorf("after a refused answer: %+v, score %d; want %+v, score 0",
				got, stored.Score, first)
		}
	})
}

// TestAnswersRacingSubmit checks that an answer arriving with the submission
// either counts in the score or is refused, never stored uncounted.
func TestAnswersRacingSubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		a := f.open(user, testID, &link)
		qs := quiz(testID).Questions[:6]
		errs := make([]error, len(qs))
		var wg sync.WaitGroup
		for i, q := range qs {
			wg.Go(func() {
				_, errs[i] = f.s.Answer(f.ctx, a.ID, user, q.ID, q.CorrectOption().ID)
			})
		}
		wg.Go(func() {
			if _, err := f.s.Submit(f.ctx, a.ID, user, nil); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		stored, err := f.s.Attempt(f.ctx, a.ID, user)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			_, kept := stored.Answers[q.ID]
			switch {
			case errs[i] == nil && !kept:
				t.Errorf("answer %s accepted but not stored", q.ID)
			case errors.Is(errs[i], ErrAttemptSubmitted) && kept:
				t.Errorf("answer %s refused but stored", q.ID)
			case errs[i] != nil && !errors.Is(errs[i], ErrAttemptSubmitted):
				t.Errorf("answer %s: %v", q.ID, errs[i])
			}
		}
		if stored.Score != len(stored.Answers) {
			t.Errorf("score %d, want %d: every stored answer is right",
				stored.Score, len(stored.Answers))
		}
	})
}
