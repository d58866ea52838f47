package grading

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// LearnerRow is one learner's line in an instructor's gradebook.
type LearnerRow struct {
	UserID   int64
	Attempts int
	Best     int
	Latest   int
	Max      int
	// Grade is the score the link's policy sends; Passed is that attempt's.
	Grade  int
	Passed bool
	// CompletedAt is when the learner completed a lab; nil on a quiz or test.
	CompletedAt *time.Time
	// Sync is the newest delivery of the learner's grade, nil if none.
	Sync *Entry
}

// QuestionStat is how the class did on one question, over the graded
// attempts.
type QuestionStat struct {
	QuestionID string
	Number     int
	Prompt     string
	Answered   int
	// ShareCorrect is the share of graded attempts that got it right.
	ShareCorrect float64
	// Discrimination is the upper-lower index: the share correct among the
	// best-scoring 27% minus that among the lowest-scoring 27%. Near zero or
	// negative, the question does not separate who knows from who does not.
	Discrimination float64
}

// Report is the gradebook of one link.
type Report struct {
	Settings LinkSettings
	// Completion is true for a lab, whose learners are those who completed
	// it, each with a grade of 1 of 1, and which has no distribution,
	// questions or pass mark.
	Completion   bool
	Learners     []LearnerRow
	Distribution []int // Distribution[s] learners whose grade is s
	Questions    []QuestionStat
	PassScore    int
}

// LinkReport builds the gradebook of a link from its submitted attempts, or
// for a lab from who completed it, and from its outbox. A lesson has none:
// ErrNotAssessed.
func (s *Store) LinkReport(ctx context.Context, linkRef int64) (*Report, error) {
	db := s.db.WithContext(ctx)
	ls, err := loadLink(db, linkRef)
	if err != nil {
		return nil, err
	}
	if ls == nil {
		return nil, ErrLinkNotSet
	}
	if a, err := s.activity(ls.ActivityID); err == nil && a.Lab != nil {
		return s.labReport(ctx, ls)
	}
	quiz, err := s.quiz(ls.ActivityID)
	if err != nil {
		return nil, err
	}
	var rows []attemptRow
	err = db.Where("link_key = ? AND activity_id = ? AND submitted_at IS NOT NULL", linkRef,
		ls.ActivityID).Order("user_id, number").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	r := &Report{Settings: *ls, Distribution: make([]int, len(quiz.Questions)+1),
		PassScore: PassScore(quiz.PassMark, len(quiz.Questions))}
	graded := map[int64]int64{} // user -> attempt the policy picks
	byUser := map[int64]*LearnerRow{}
	for _, a := range rows {
		lr := byUser[a.UserID]
		if lr == nil {
			lr = &LearnerRow{UserID: a.UserID, Best: -1, Max: a.MaxScore}
			byUser[a.UserID] = lr
		}
		lr.Attempts++
		lr.Latest = a.Score
		better := a.Score > lr.Best
		if better {
			lr.Best = a.Score
		}
		if ls.Policy == PolicyLatest || better {
			lr.Grade, lr.Passed, graded[a.UserID] = a.Score, a.Passed, a.ID
		}
	}
	for _, lr := range byUser {
		if lr.Grade >= 0 && lr.Grade < len(r.Distribution) {
			r.Distribution[lr.Grade]++
		}
		r.Learners = append(r.Learners, *lr)
	}
	sort.Slice(r.Learners, func(i, j int) bool { return r.Learners[i].UserID < r.Learners[j].UserID })
	if err := s.attachSync(ctx, linkRef, r.Learners); err != nil {
		return nil, err
	}
	r.Questions, err = s.questionStats(ctx, quiz.Questions, graded, byUser)
	return r, err
}

// labReport builds the gradebook of a lab link: the learners who completed
// the lab in the link's course, each with the grade a completion sends.
func (s *Store) labReport(ctx context.Context, ls *LinkSettings) (*Report, error) {
	done, err := labCompleters(s.db.WithContext(ctx), ls)
	if err != nil {
		return nil, err
	}
	r := &Report{Settings: *ls, Completion: true}
	for _, u := range sortedUsers(done) {
		at := done[u]
		r.Learners = append(r.Learners, LearnerRow{UserID: u, Best: completionMaximum,
			Latest: completionMaximum, Max: completionMaximum, Grade: completionMaximum,
			CompletedAt: &at})
	}
	if err := s.attachSync(ctx, ls.ResourceLinkRef, r.Learners); err != nil {
		return nil, err
	}
	return r, nil
}

// attachSync sets each learner's newest outbox entry.
func (s *Store) attachSync(ctx context.Context, linkRef int64, learners []LearnerRow) error {
	var entries []Entry
	err := s.db.WithContext(ctx).Where("resource_link_ref = ?", linkRef).Order("id").
		Find(&entries).Error
	if err != nil {
		return fmt.Errorf("load outbox: %w", err)
	}
	newest := map[int64]*Entry{}
	for i := range entries {
		newest[entries[i].UserID] = &entries[i]
	}
	for i := range learners {
		learners[i].Sync = newest[learners[i].UserID]
	}
	return nil
}

// Synced reports when the learner's grade last reached the LMS.
func (r LearnerRow) Synced() *time.Time {
	if r.Sync == nil {
		return nil
	}
	return r.Sync.DeliveredAt
}
