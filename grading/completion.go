package grading

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// completionMaximum is the whole of a lab's grade: completed is 1 of 1.
const completionMaximum = 1

// ErrNotLab reports an activity completed as a lab that is not one: other
// activities are completed by reading them or by a submitted attempt.
var ErrNotLab = errors.New("activity is not a lab")

// LabGrade is what a learner's lab page says about the lab's grade.
type LabGrade struct {
	// Graded is true when a graded link serves the lab in the learner's
	// course, so that completing it sends a completion grade.
	Graded bool
	// Unsent counts those links that have no completion grade of the
	// learner yet: the learner completed the lab before it was graded
	// there, or has not completed it.
	Unsent int
}

// CompleteLab records that the learner finished a lab in the course (nil
// for none) and, in the same transaction, queues a completion grade, 1 of
// 1, for every graded link that serves the lab in that course, and for the
// session's link (nil for none) when it is one: the completion is the
// learner's in the whole course, whichever link they pressed the button
// from. A link that already has the learner's completion grade gets none
// again, so marking twice, or from two tabs at once, sends one grade. It
// returns how many grades it queued.
func (s *Store) CompleteLab(ctx context.Context, userID int64, contextRef, linkRef *int64,
	labID string) (int, error) {
	a, err := s.activity(labID)
	if err != nil {
		return 0, err
	}
	if a.Lab == nil {
		return 0, fmt.Errorf("%w: %q is a %s", ErrNotLab, labID, a.Kind)
	}
	n := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The progress write comes first: it locks the learner's progress
		// row (on SQLite, the database) until the end, so a second click
		// waits here and then finds the grade the first one queued.
		if err := markCompleted(tx, userID, contextRef, labID, now()); err != nil {
			return err
		}
		done, err := completedAt(tx, userID, contextRef, labID)
		if err != nil {
			return err
		}
		links, err := gradedLabLinks(tx, contextRef, linkRef, labID)
		if err != nil {
			return err
		}
		n, err = queueCompletion(tx, links, userID, done)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// queueCompletion queues the learner's completion grade, done at done, on
// each of links that has none yet, and returns how many it queued.
func queueCompletion(tx *gorm.DB, links []*LinkSettings, userID int64,
	done time.Time) (int, error) {
	n := 0
	for _, ls := range links {
		sent, err := hasCompletionGrade(tx, ls, userID)
		if err != nil {
			return 0, err
		}
		if sent {
			continue
		}
		if err := queue(tx, completionEntry(ls, userID, done)); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// LabGrade reports whether the lab is graded for the learner in the course
// (nil for none) or through the session's link (nil for none), and through
// how many graded links the learner's completion has not been sent.
func (s *Store) LabGrade(ctx context.Context, userID int64, contextRef, linkRef *int64,
	labID string) (LabGrade, error) {
	db := s.db.WithContext(ctx)
	links, err := gradedLabLinks(db, contextRef, linkRef, labID)
	if err != nil {
		return LabGrade{}, err
	}
	g := LabGrade{Graded: len(links) > 0}
	for _, ls := range links {
		sent, err := hasCompletionGrade(db, ls, userID)
		if err != nil {
			return LabGrade{}, err
		}
		if !sent {
			g.Unsent++
		}
	}
	return g, nil
}

// completedAt returns when the learner first completed the activity.
func completedAt(db *gorm.DB, userID int64, contextRef *int64, activityID string) (time.Time,
	error) {
	var row progressRow
	err := db.Take(&row, "user_id = ? AND context_ref = ? AND activity_id = ?", userID,
		refKey(contextRef), activityID).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("read completion: %w", err)
	}
	if row.CompletedAt == nil {
		return time.Time{}, fmt.Errorf("read completion: %s is not completed", activityID)
	}
	return row.CompletedAt.UTC(), nil
}

// gradedLabLinks returns the graded links that serve a lab in the course
// (nil for none), with the given link (nil for none) if it is one of them
// though it has no course.
func gradedLabLinks(db *gorm.DB, contextRef, linkRef *int64,
	labID string) ([]*LinkSettings, error) {
	var rows []linkRow
	// No link has the key 0, the one refKey gives for none.
	err := db.Model(&linkRow{}).Select("link_settings.*").
		Joins("JOIN resource_links ON resource_links.id = link_settings.resource_link_ref").
		Where("link_settings.activity_id = ? AND link_settings.graded = ? AND "+
			"(resource_links.context_ref = ? OR resource_links.id = ?)",
			labID, true, refKey(contextRef), refKey(linkRef)).
		Order("link_settings.resource_link_ref").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find graded links of lab: %w", err)
	}
	out := make([]*LinkSettings, len(rows))
	for i := range rows {
		out[i] = rows[i].settings()
	}
	return out, nil
}

// hasCompletionGrade reports whether the link's outbox holds a completion
// grade of the learner, in whatever state: delivered, on its way, or
// stopped for the instructor to look at, who may sync it again.
func hasCompletionGrade(db *gorm.DB, ls *LinkSettings, userID int64) (bool, error) {
	var n int64
	err := db.Model(&Entry{}).Where("resource_link_ref = ? AND user_id = ? AND activity_id = ?",
		ls.ResourceLinkRef, userID, ls.ActivityID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("look for completion grade: %w", err)
	}
	return n > 0, nil
}

// completionEntry is the grade of a lab the learner completed at done;
// queue stamps it.
func completionEntry(ls *LinkSettings, userID int64, done time.Time) *Entry {
	return &Entry{ResourceLinkRef: ls.ResourceLinkRef, UserID: userID,
		ActivityID: ls.ActivityID, ScoreGiven: completionMaximum,
		ScoreMaximum: completionMaximum, Comment: "Lab completed",
		ActivityProgress: ActivityCompleted, GradingProgress: GradingFullyGrade,
		SubmittedAt: done}
}

// completionGrades returns the entries that send the completion grade of a
// learner (or, with userID 0, of every learner who completed the lab) on a
// graded lab link.
func completionGrades(db *gorm.DB, ls *LinkSettings, userID int64) ([]*Entry, error) {
	done, err := labCompleters(db, ls)
	if err != nil {
		return nil, err
	}
	var es []*Entry
	for _, u := range sortedUsers(done) {
		if userID == 0 || u == userID {
			es = append(es, completionEntry(ls, u, done[u]))
		}
	}
	return es, nil
}

// labCompleters returns, by user, when each learner completed the lab of a
// link: everyone whose progress in the link's course says so, and everyone
// with a completion grade on the link, which a link with no course needs.
func labCompleters(db *gorm.DB, ls *LinkSettings) (map[int64]time.Time, error) {
	var rows []progressRow
	err := db.Model(&progressRow{}).Select("progress.user_id", "progress.completed_at").
		Joins("JOIN resource_links ON resource_links.context_ref = progress.context_ref").
		Where("resource_links.id = ? AND progress.activity_id = ? AND "+
			"progress.completed_at IS NOT NULL", ls.ResourceLinkRef, ls.ActivityID).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find learners who completed the lab: %w", err)
	}
	var sent []Entry
	err = db.Select("user_id", "submitted_at").Where("resource_link_ref = ? AND activity_id = ?",
		ls.ResourceLinkRef, ls.ActivityID).Find(&sent).Error
	if err != nil {
		return nil, fmt.Errorf("find completion grades: %w", err)
	}
	done := map[int64]time.Time{}
	for _, e := range sent {
		if t, ok := done[e.UserID]; !ok || e.SubmittedAt.Before(t) {
			done[e.UserID] = e.SubmittedAt.UTC()
		}
	}
	// The progress, where there is one, says when the learner first
	// completed the lab; a grade may have been queued later.
	for _, r := range rows {
		done[r.UserID] = r.CompletedAt.UTC()
	}
	return done, nil
}

// sortedUsers returns the keys of done in increasing order.
func sortedUsers(done map[int64]time.Time) []int64 {
	users := make([]int64, 0, len(done))
	for u := range done {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
	return users
}
