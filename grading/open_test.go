package grading

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"aesop/content"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestOpenIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		cases := []struct {
			name     string
			activity string
			link     *int64
			kind     content.Kind
		}{
			{"test through a link", testID, &link, content.KindTest},
			{"quiz through a link", quizID, &link, content.KindQuiz},
			{"quiz outside any link", quizID, nil, content.KindQuiz},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := time.Now().UTC()
				var wg sync.WaitGroup
				got := make([]*Attempt, 4)
				errs := make([]error, 4)
				for i := range got {
					wg.Go(func() {
						got[i], errs[i] = f.s.Open(f.ctx, user, tc.activity, tc.link, &f.course)
					})
				}
				wg.Wait()
				for i := range got {
					if errs[i] != nil {
						t.Fatalf("Open %d: %v", i, errs[i])
					}
					if diff := cmp.Diff(got[0], got[i]); diff != "" {
						t.Errorf("Open %d gave another attempt (-first +got):\n%s", i, diff)
					}
				}
				a := got[0]
				if a.Kind != tc.kind || a.Number != 1 || a.Submitted() ||
					a.StartedAt.Before(before.Add(-time.Second)) {
					t.Errorf("Open = %+v, want attempt 1 of kind %s, open, started now",
						a, tc.kind)
				}
				again := f.open(user, tc.activity, tc.link)
				stored, err := f.s.Attempt(f.ctx, a.ID, user)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range []*Attempt{again, stored} {
					if diff := cmp.Diff(a, b); diff != "" {
						t.Errorf("attempt read back differs (-opened +read):\n%s", diff)
					}
				}
				n := f.count("attempts", "activity_id = ? AND link_key = ?",
					tc.activity, refKey(tc.link))
				if n != 1 {
					t.Errorf("%d attempts stored, want 1", n)
				}
			})
		}
		if n := f.count("attempts", "submitted_at IS NULL"); n != int64(len(cases)) {
			t.Errorf("%d open attempts stored, want %d", n, len(cases))
		}
	})
}

func TestMaxAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		_, other := f.launch("u1", "rl-2")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, MaxAttempts: 2})
		f.setLink(LinkSettings{ResourceLinkRef: other, ActivityID: quizID, MaxAttempts: 1})

		// Each step opens an attempt, and then submits it unless it was refused.
		steps := []struct {
			name      string
			activity  string
			link      *int64
			leftAfter int
			unlimited bool
			wantErr   error
		}{
			{"first attempt", testID, &link, 1, false, nil},
			{"second attempt", testID, &link, 0, false, nil},
			{"third is refused", testID, &link, 0, false, ErrNoAttemptsLeft},
			{"the limit belongs to the link", testID, nil, 0, true, nil},
			{"a link naming another activity does not limit", testID, &other, 0, true, nil},
			{"the other link limits its own activity", quizID, &other, 0, false, nil},
			{"and refuses a second", quizID, &other, 0, false, ErrNoAttemptsLeft},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				a, err := f.s.Open(f.ctx, user, st.activity, st.link, &f.course)
				if !errors.Is(err, st.wantErr) {
					t.Fatalf("Open = %v, want %v", err, st.wantErr)
				}
				if err == nil {
					if _, err := f.s.Submit(f.ctx, a.ID, user, nil); err != nil {
						t.Fatal(err)
					}
				}
				left, unlimited, err := f.s.AttemptsLeft(f.ctx, user, st.activity, st.link)
				if err != nil {
					t.Fatal(err)
				}
				if left != st.leftAfter || unlimited != st.unlimited {
					t.Errorf("AttemptsLeft = %d, %v; want %d, %v",
						left, unlimited, st.leftAfter, st.unlimited)
				}
			})
		}
	})
}

func TestAttemptsLeftCountsTheOpenAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: testID, MaxAttempts: 1})
		a := f.open(user, testID, &link)
		if left, _, _ := f.s.AttemptsLeft(f.ctx, user, testID, &link); left != 0 {
			t.Errorf("AttemptsLeft with the only attempt open = %d, want 0", left)
		}
		// The open attempt is still served: the limit only refuses new ones.
		if again := f.open(user, testID, &link); again.ID != a.ID {
			t.Errorf("Open gave attempt %d, want the open attempt %d", again.ID, a.ID)
		}
	})
}

func TestCurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "rl-1")
		current := func() *Attempt {
			t.Helper()
			a, err := f.s.Current(f.ctx, user, testID, &link)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		if a := current(); a != nil {
			t.Fatalf("Current before any attempt = %+v, want nil", a)
		}
		a := f.open(user, testID, &link)
		q := quiz(testID).Questions[0]
		ans, err := f.s.Answer(f.ctx, a.ID, user, q.ID, wrongOption(q))
		if err != nil {
			t.Fatal(err)
		}
		a.Answers[q.ID] = ans
		if diff := cmp.Diff(a, current()); diff != "" {
			t.Errorf("Current (-opened +current):\n%s", diff)
		}
		if _, err := f.s.Submit(f.ctx, a.ID, user, nil); err != nil {
			t.Fatal(err)
		}
		if a := current(); a != nil {
			t.Errorf("Current after submitting = %+v, want nil", a)
		}
	})
}
