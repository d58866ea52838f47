package grading

import (
	"context"

	"gorm.io/gorm"
)

// Answer records the learner's choice for one question of an open attempt
// at once, so that nothing is lost if the session ends, and returns it
// marked right or wrong for immediate feedback. Answering the question
// again replaces the choice and its time.
func (s *Store) Answer(ctx context.Context, attemptID, userID int64,
	questionID, optionID string) (Answer, error) {
	var ans Answer
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := lockAttempt(tx, attemptID, userID)
		if err != nil {
			return err
		}
		if row.SubmittedAt != nil {
			return ErrAttemptSubmitted
		}
		quiz, err := s.quiz(row.ActivityID)
		if err != nil {
			return err
		}
		ans, err = check(quiz, questionID, optionID, now())
		if err != nil {
			return err
		}
		return saveAnswers(tx, attemptID, []Answer{ans})
	})
	if err != nil {
		return Answer{}, err
	}
	return ans, nil
}
