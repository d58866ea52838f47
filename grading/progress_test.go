package grading

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		other, _ := f.launch("u2", "rl-1")
		course := f.course

		steps := []struct {
			name string
			do   func() error
			want map[string]Progress
		}{
			{"nothing yet", func() error { return nil }, map[string]Progress{}},
			{"lesson viewed", func() error {
				return f.s.MarkViewed(f.ctx, user, &course, lessonID)
			}, map[string]Progress{lessonID: {Viewed: true}}},
			{"viewed again", func() error {
				return f.s.MarkViewed(f.ctx, user, &course, lessonID)
			}, map[string]Progress{lessonID: {Viewed: true}}},
			{"lesson completed", func() error {
				return f.s.MarkCompleted(f.ctx, user, &course, lessonID)
			}, map[string]Progress{lessonID: {true, true}}},
			{"viewed after completion stays completed", func() error {
				return f.s.MarkViewed(f.ctx, user, &course, lessonID)
			}, map[string]Progress{lessonID: {true, true}}},
			{"quiz opened", func() error {
				f.open(user, quizID, &link)
				return f.s.MarkViewed(f.ctx, user, &course, quizID)
			}, map[string]Progress{lessonID: {true, true}, quizID: {Viewed: true}}},
			{"quiz completed by a submission, whatever the score", func() error {
				f.take(user, quizID, &link, 0)
				return nil
			}, map[string]Progress{lessonID: {true, true}, quizID: {true, true}}},
			{"test completed by a failed submission", func() error {
				f.take(user, testID, &link, 3)
				return nil
			}, map[string]Progress{lessonID: {true, true}, quizID: {true, true},
				testID: {true, true}}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if err := st.do(); err != nil {
					t.Fatal(err)
				}
				got, err := f.s.Progress(f.ctx, user, &course)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(st.want, got); diff != "" {
					t.Errorf("Progress (-want +got):\n%s", diff)
				}
			})
		}
		if n := f.count("progress", "user_id = ?", user); n != 3 {
			t.Errorf("%d progress rows, want 3", n)
		}
		for _, look := range []struct {
			user   int64
			course *int64
		}{{other, &course}, {user, nil}} {
			got, err := f.s.Progress(f.ctx, look.user, look.course)
			if err != nil || len(got) != 0 {
				t.Errorf("Progress of another learner or course = %v, %v; want none", got, err)
			}
		}
		err := f.s.MarkViewed(f.ctx, user, &course, "m9-l1")
		if !errors.Is(err, ErrUnknownActivity) {
			t.Errorf("MarkViewed of an unknown activity = %v, want ErrUnknownActivity", err)
		}
	})
}
