package grading

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"aesop/content"
)

// Attempt is one go at a quiz or module test by one learner.
type Attempt struct {
	ID         int64
	UserID     int64
	ActivityID string
	// ResourceLinkRef is the link the attempt was made through, nil for none;
	// attempts, limits and grades are counted per link.
	ResourceLinkRef *int64
	ContextRef      *int64
	Kind            content.Kind
	// Number counts the learner's attempts at the activity through the link,
	// from 1.
	Number int
	// Seed fixes the order of the options shown; see
	// content.Question.ShuffledOptions.
	Seed        uint64
	StartedAt   time.Time
	SubmittedAt *time.Time
	// Score is the number of correct answers out of MaxScore, the number of
	// questions; both are 0 until the attempt is submitted.
	Score, MaxScore int
	Passed          bool
	// Answers holds the answers by question id. History and Grade leave it
	// nil; Attempt, Open and Submit fill it.
	Answers map[string]Answer
}

// Submitted reports whether the attempt is closed and scored.
func (a *Attempt) Submitted() bool { return a.SubmittedAt != nil }

// Answer is a learner's choice for one question of an attempt.
type Answer struct {
	QuestionID string
	OptionID   string
	Correct    bool
	AnsweredAt time.Time
}

// attemptRow is a row of attempts.
type attemptRow struct {
	ID              int64
	UserID          int64
	ActivityID      string
	ResourceLinkRef *int64
	LinkKey         int64
	ContextRef      *int64
	Kind            string
	Number          int
	Seed            int64
	StartedAt       time.Time
	SubmittedAt     *time.Time
	Score           int
	MaxScore        int
	Passed          bool
}

// TableName maps attemptRow to its table.
func (attemptRow) TableName() string { return "attempts" }

// answerRow is a row of answers.
type answerRow struct {
	AttemptID  int64  `gorm:"primaryKey"`
	QuestionID string `gorm:"primaryKey"`
	OptionID   string
	Correct    bool
	AnsweredAt time.Time
}

// TableName maps answerRow to its table.
func (answerRow) TableName() string { return "answers" }

// attempt turns a row into an Attempt without answers. The seed is stored
// in a signed column, so it is converted bit for bit.
func (r *attemptRow) attempt() *Attempt {
	return &Attempt{
		ID: r.ID, UserID: r.UserID, ActivityID: r.ActivityID,
		ResourceLinkRef: r.ResourceLinkRef, ContextRef: r.ContextRef,
		Kind: content.Kind(r.Kind), Number: r.Number, Seed: uint64(r.Seed),
		StartedAt: r.StartedAt.UTC(), SubmittedAt: utc(r.SubmittedAt),
		Score: r.Score, MaxScore: r.MaxScore, Passed: r.Passed,
	}
}

// Attempt returns one of the learner's attempts with its answers, for
// resuming it or reviewing it question by question.
func (s *Store) Attempt(ctx context.Context, attemptID, userID int64) (*Attempt, error) {
	db := s.db.WithContext(ctx)
	row, err := takeAttempt(db, attemptID, userID)
	if err != nil {
		return nil, err
	}
	return withAnswers(db, row)
}

// takeAttempt reads an attempt and checks that it is the learner's.
func takeAttempt(db *gorm.DB, attemptID, userID int64) (*attemptRow, error) {
	var row attemptRow
	err := db.Take(&row, "id = ?", attemptID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrAttemptNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load attempt: %w", err)
	}
	if row.UserID != userID {
		return nil, ErrNotYours
	}
	return &row, nil
}

// lockAttempt reads an attempt in tx, checked as the learner's, and if it
// is open locks it until tx ends, so that answers and a submission to one
// attempt take turns and a submitted attempt takes no more answers. It must
// come first in tx. The lock is an update that changes nothing rather than
// a SELECT … FOR UPDATE because SQLite transactions start deferred (the
// driver ignores _txlock=immediate once _time_format is set), so there the
// first statement decides the lock: a transaction that reads first and
// writes later fails with "database is locked" when another writer commits
// in between, where one that writes first waits its turn. A submitted
// attempt never changes, so it needs no lock.
func lockAttempt(tx *gorm.DB, attemptID, userID int64) (*attemptRow, error) {
	err := tx.Exec("UPDATE attempts SET seed = seed "+
		"WHERE id = ? AND user_id = ? AND submitted_at IS NULL", attemptID, userID).Error
	if err != nil {
		return nil, fmt.Errorf("lock attempt: %w", err)
	}
	return takeAttempt(tx, attemptID, userID)
}

// withAnswers returns the attempt of row with its answers.
func withAnswers(db *gorm.DB, row *attemptRow) (*Attempt, error) {
	a := row.attempt()
	answers, err := loadAnswers(db, row.ID)
	if err != nil {
		return nil, err
	}
	a.Answers = answers
	return a, nil
}

// loadAnswers returns an attempt's answers by question id.
func loadAnswers(db *gorm.DB, attemptID int64) (map[string]Answer, error) {
	var rows []answerRow
	if err := db.Where("attempt_id = ?", attemptID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load answers: %w", err)
	}
	answers := make(map[string]Answer, len(rows))
	for _, r := range rows {
		answers[r.QuestionID] = Answer{QuestionID: r.QuestionID, OptionID: r.OptionID,
			Correct: r.Correct, AnsweredAt: r.AnsweredAt.UTC()}
	}
	return answers, nil
}

// saveAnswers stores answers to an attempt, each replacing any earlier
// answer to the same question.
func saveAnswers(db *gorm.DB, attemptID int64, answers []Answer) error {
	if len(answers) == 0 {
		return nil
	}
	rows := make([]answerRow, len(answers))
	for i, a := range answers {
		rows[i] = answerRow{AttemptID: attemptID, QuestionID: a.QuestionID,
			OptionID: a.OptionID, Correct: a.Correct, AnsweredAt: a.AnsweredAt}
	}
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "attempt_id"}, {Name: "question_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"option_id", "correct", "answered_at"}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("store answers: %w", err)
	}
	return nil
}

// check returns the learner's answer to a question of quiz, marked against
// the answer key.
func check(quiz *content.Quiz, questionID, optionID string, at time.Time) (Answer, error) {
	q, ok := quiz.Question(questionID)
	if !ok {
		return Answer{}, fmt.Errorf("%w: %q", ErrUnknownQuestion, questionID)
	}
	for _, o := range q.Options {
		if o.ID == optionID {
			return Answer{QuestionID: questionID, OptionID: optionID,
				Correct: q.Correct(optionID), AnsweredAt: at}, nil
		}
	}
	return Answer{}, fmt.Errorf("%w: %q for %q", ErrUnknownOption, optionID, questionID)
}
