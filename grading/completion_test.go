package grading

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"aesop/lti"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// launchIn records a learner's launch of a link in another course, and
// returns the learner's id, the link's ref and the course's ref.
func (f *fixture) launchIn(sub, linkID, courseID string) (userID, linkRef, course int64) {
	f.t.Helper()
	rec, err := f.dir.Record(f.ctx, f.platformID, &lti.Launch{Subject: sub,
		DeploymentID: "d1", Roles: []string{learner},
		Context:      &lti.Context{ID: courseID},
		ResourceLink: &lti.ResourceLink{ID: linkID}})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec.User.ID, rec.ResourceLink.ID, rec.Context.ID
}

// completeLab marks the lab complete through a link and returns how many
// grades that queued.
func (f *fixture) completeLab(userID int64, course, linkRef *int64) int {
	f.t.Helper()
	n, err := f.s.CompleteLab(f.ctx, userID, course, linkRef, labID)
	if err != nil {
		f.t.Fatalf("complete lab: %v", err)
	}
	return n
}

// TestCompleteGradedLab: completing a lab on a graded link records the
// progress and queues one completion grade, 1 of 1, which marking again,
// even after delivery, does not repeat.
func TestCompleteGradedLab(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "lab-link")
		course := f.course
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID, Graded: true})
		before := now()
		if n := f.completeLab(user, &course, &link); n != 1 {
			t.Fatalf("first completion queued %d grades, want 1", n)
		}
		p, err := f.s.Progress(f.ctx, user, &course)
		if err != nil || !p[labID].Completed {
			t.Fatalf("progress after completion = %v, %v", p, err)
		}
		es := f.entries(link)
		if len(es) != 1 {
			t.Fatalf("%d entries after one completion, want 1", len(es))
		}
		e := es[0]
		want := Entry{ResourceLinkRef: link, UserID: user, ActivityID: labID, ScoreGiven: 1,
			ScoreMaximum: 1, Comment: "Lab completed", ActivityProgress: "Completed",
			GradingProgress: "FullyGraded", Status: StatusPending}
		got := Entry{ResourceLinkRef: e.ResourceLinkRef, UserID: e.UserID,
			ActivityID: e.ActivityID, ScoreGiven: e.ScoreGiven, ScoreMaximum: e.ScoreMaximum,
			Comment: e.Comment, ActivityProgress: e.ActivityProgress,
			GradingProgress: e.GradingProgress, Status: e.Status}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
		if e.AttemptID != nil || e.SubmittedAt.Before(before) || e.ScoreAt.Before(before) {
			t.Errorf("entry attempt %v, submitted %v, stamped %v; want none and after %v",
				e.AttemptID, e.SubmittedAt, e.ScoreAt, before)
		}

		if n := f.completeLab(user, &course, &link); n != 0 {
			t.Errorf("second completion queued %d grades", n)
		}
		w := testWorker(db, newFakeLMS(), "w1")
		if _, err := w.RunOnce(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.completeLab(user, &course, &link); n != 0 {
			t.Errorf("completion after delivery queued %d grades", n)
		}
		es = f.entries(link)
		if len(es) != 1 || es[0].Status != StatusDelivered {
			t.Errorf("entries after marking three times = %+v, want one delivered", es)
		}
	})
}

// TestCompleteLabWhere: a completion is the learner's in the course, so it
// reaches the graded links of the lab in that course, whichever link the
// learner came through, and no other course's; an ungraded lab link, a
// lab link of another course and a quiz link get nothing.
func TestCompleteLabWhere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, quizLink := f.launch("u1", "quiz-link")
		course := f.course
		_, graded := f.launch("u1", "lab-graded")
		_, practice := f.launch("u1", "lab-practice")
		_, elsewhere, _ := f.launchIn("u1", "lab-elsewhere", "course-2")
		f.setLink(LinkSettings{ResourceLinkRef: quizLink, ActivityID: quizID, Graded: true})
		f.setLink(LinkSettings{ResourceLinkRef: graded, ActivityID: labID, Graded: true})
		f.setLink(LinkSettings{ResourceLinkRef: practice, ActivityID: labID})
		f.setLink(LinkSettings{ResourceLinkRef: elsewhere, ActivityID: labID, Graded: true})

		if n := f.completeLab(user, &course, &quizLink); n != 1 {
			t.Errorf("completion through the quiz link queued %d grades, want 1", n)
		}
		for name, l := range map[string]int64{"graded": graded, "practice": practice,
			"elsewhere": elsewhere, "quiz": quizLink} {
			want := 0
			if name == "graded" {
				want = 1
			}
			if n := len(f.entries(l)); n != want {
				t.Errorf("%s link: %d entries, want %d", name, n, want)
			}
		}

		// An ungraded lab records progress and sends nothing.
		other, _ := f.launch("u2", "lab-practice")
		if n := f.completeLab(other, &course, &practice); n != 1 {
			t.Errorf("completion queued %d grades, want 1 for the course's graded link", n)
		}
		if n := len(f.entries(practice)); n != 0 {
			t.Errorf("the ungraded link got %d entries", n)
		}

		// A learner in a session without a course reaches only their link.
		loner, _ := f.launch("u3", "lab-graded")
		if n := f.completeLab(loner, nil, &graded); n != 1 {
			t.Errorf("completion without a course queued %d grades, want 1", n)
		}
		if n := f.completeLab(loner, nil, nil); n != 0 {
			t.Errorf("completion without a course or link queued %d grades", n)
		}

		if _, err := f.s.CompleteLab(f.ctx, user, &course, &quizLink, quizID); !errors.Is(err,
			ErrNotLab) {
			t.Errorf("completing a quiz as a lab = %v, want ErrNotLab", err)
		}
	})
}

// TestCompleteLabTwiceAtOnce: two clicks at once queue one grade.
func TestCompleteLabTwiceAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "lab-link")
		course := f.course
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID, Graded: true})
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.CompleteLab(f.ctx, user, &course, &link, labID)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("concurrent completion: %v", err)
			}
		}
		if n := len(f.entries(link)); n != 1 {
			t.Errorf("%d entries after concurrent completions, want 1", n)
		}
	})
}

// TestLabGrade: the lab page learns whether the lab is graded and whether
// the learner's completion has yet to reach a graded link, as when they
// completed the lab before an instructor graded it.
func TestLabGrade(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		user, link := f.launch("u1", "lab-link")
		course := f.course
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID})
		labGrade := func() LabGrade {
			t.Helper()
			g, err := f.s.LabGrade(f.ctx, user, &course, &link, labID)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		if g := labGrade(); g != (LabGrade{}) {
			t.Errorf("ungraded lab: %+v", g)
		}
		f.completeLab(user, &course, &link)
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID, Graded: true})
		if g := labGrade(); g != (LabGrade{Graded: true, Unsent: 1}) {
			t.Errorf("completed before grading: %+v", g)
		}
		if n := f.completeLab(user, &course, &link); n != 1 {
			t.Errorf("marking again after grading queued %d grades, want 1", n)
		}
		if g := labGrade(); g != (LabGrade{Graded: true}) {
			t.Errorf("after marking again: %+v", g)
		}
	})
}

// TestLabReportAndResync: a graded lab's gradebook lists who completed it,
// with its sync state, and syncs their completion again on request.
func TestLabReportAndResync(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		alice, link := f.launch("alice", "lab-link")
		bob, _ := f.launch("bob", "lab-link")
		carol, _ := f.launch("carol", "lab-link")
		course := f.course
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID})
		f.completeLab(alice, &course, &link) // before the lab was graded
		f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID, Graded: true})
		f.completeLab(bob, &course, &link)
		if err := f.s.MarkViewed(f.ctx, carol, &course, labID); err != nil {
			t.Fatal(err)
		}

		r, err := f.s.LinkReport(f.ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Completion || len(r.Questions) != 0 || len(r.Learners) != 2 {
			t.Fatalf("report = %+v, want a completion report of alice and bob", r)
		}
		a, b := r.Learners[0], r.Learners[1]
		if a.UserID != alice || a.Sync != nil || a.CompletedAt == nil || a.Grade != 1 ||
			a.Max != 1 {
			t.Errorf("alice's row = %+v, want completed and not sent", a)
		}
		if b.UserID != bob || b.Sync == nil || b.Sync.Status != StatusPending {
			t.Errorf("bob's row = %+v, want a pending grade", b)
		}

		n, err := f.s.Resync(f.ctx, link, 0, false)
		if err != nil || n != 2 {
			t.Fatalf("Resync all = %d, %v; want 2", n, err)
		}
		n, err = f.s.Resync(f.ctx, link, alice, true)
		if err != nil || n != 1 {
			t.Fatalf("Resync alice = %d, %v; want 1", n, err)
		}
		byUser := map[int64][]Entry{}
		for _, e := range f.entries(link) {
			byUser[e.UserID] = append(byUser[e.UserID], e)
		}
		if es := byUser[alice]; len(es) != 2 || !es[0].Forced || es[0].Status != StatusPending ||
			es[1].Status != StatusSuperseded || !es[0].ScoreAt.After(es[1].ScoreAt) ||
			!es[0].SubmittedAt.Equal(*a.CompletedAt) {
			t.Errorf("alice's entries after resync = %+v", es)
		}
		if es := byUser[bob]; len(es) != 2 || es[0].Status != StatusPending ||
			es[1].Status != StatusSuperseded {
			t.Errorf("bob's entries after resync = %+v", es)
		}
		if len(byUser[carol]) != 0 {
			t.Errorf("carol, who never completed the lab, got %d entries", len(byUser[carol]))
		}

		// An ungraded lab link shows who completed it and syncs nothing.
		_, practice := f.launch("alice", "lab-practice")
		f.setLink(LinkSettings{ResourceLinkRef: practice, ActivityID: labID})
		if r, err := f.s.LinkReport(f.ctx, practice); err != nil || len(r.Learners) != 2 {
			t.Errorf("ungraded lab report = %+v, %v", r, err)
		}
		if _, err := f.s.Resync(f.ctx, practice, 0, false); !errors.Is(err, ErrNotGraded) {
			t.Errorf("Resync of an ungraded lab = %v, want ErrNotGraded", err)
		}
		_, lesson := f.launch("alice", "lesson-link")
		f.setLink(LinkSettings{ResourceLinkRef: lesson, ActivityID: lessonID})
		if _, err := f.s.LinkReport(f.ctx, lesson); !errors.Is(err, ErrNotAssessed) {
			t.Errorf("LinkReport of a lesson = %v, want ErrNotAssessed", err)
		}
	})
}

// TestCompletionGradeDelivery: a completion grade goes through the worker
// like any score, retried after a failure.
func TestCompletionGradeDelivery(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	user, link := f.launch("u1", "lab-link")
	course := f.course
	f.setLink(LinkSettings{ResourceLinkRef: link, ActivityID: labID, Graded: true})
	f.completeLab(user, &course, &link)
	lms := newFakeLMS()
	failed := false
	lms.fail = func(e *Entry) error {
		if !failed {
			failed = true
			return &RetryError{Reason: "503 from the LMS", Status: 503}
		}
		return nil
	}
	w := testWorker(db, lms, "w1")
	deadline := time.Now().Add(5 * time.Second)
	for lms.delivered.Load() == 0 && time.Now().Before(deadline) {
		w.RunOnce(f.ctx)
		time.Sleep(2 * time.Millisecond)
	}
	es := f.entries(link)
	if len(es) != 1 || es[0].Status != StatusDelivered || es[0].Tries != 2 {
		t.Errorf("entries = %+v, want one delivered on the second try", es)
	}
}
