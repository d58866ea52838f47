package grading

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"aesop/content"
)

// Submit stores the learner's choices (question id to option id) with the
// answers already given, scores the attempt and closes it, in one
// transaction; a choice left empty is skipped, and an unanswered question
// counts as wrong. Submitting an attempt already submitted returns it as it
// is, without error and without reading choices, so a double click or a
// form posted again counts once; of two submissions at once, one scores and
// the other gets its result.
func (s *Store) Submit(ctx context.Context, attemptID, userID int64,
	choices map[string]string) (*Attempt, error) {
	var a *Attempt
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The lock makes a second submission wait here and then find the
		// attempt submitted.
		row, err := lockAttempt(tx, attemptID, userID)
		if err != nil {
			return err
		}
		if row.SubmittedAt != nil {
			a, err = withAnswers(tx, row)
			return err
		}
		a, err = s.finish(tx, row, choices)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// finish records choices to the open attempt of row, scores it, marks it
// submitted and records what follows from that, on tx.
func (s *Store) finish(tx *gorm.DB, row *attemptRow, choices map[string]string) (*Attempt, error) {
	quiz, err := s.quiz(row.ActivityID)
	if err != nil {
		return nil, err
	}
	answers, err := loadAnswers(tx, row.ID)
	if err != nil {
		return nil, err
	}
	at := now()
	changed, err := merge(quiz, answers, choices, at)
	if err != nil {
		return nil, err
	}
	if err := saveAnswers(tx, row.ID, changed); err != nil {
		return nil, err
	}
	row.Score, row.MaxScore = score(answers), len(quiz.Questions)
	row.Passed = row.Score >= PassScore(quiz.PassMark, row.MaxScore)
	row.SubmittedAt = &at
	res := tx.Model(&attemptRow{}).Where("id = ? AND submitted_at IS NULL", row.ID).
		Updates(map[string]any{"submitted_at": at, "score": row.Score,
			"max_score": row.MaxScore, "passed": row.Passed})
	if res.Error != nil {
		return nil, fmt.Errorf("close attempt: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("close attempt %d: it was submitted meanwhile", row.ID)
	}
	a := row.attempt()
	a.Answers = answers
	if err := s.submitted(tx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// submitted records what follows from a submitted attempt, in the
// transaction that submits it so that neither is ever kept without the
// other: the activity is completed. Grade delivery belongs here too.
func (s *Store) submitted(tx *gorm.DB, a *Attempt) error {
	if err := markCompleted(tx, a.UserID, a.ContextRef, a.ActivityID, *a.SubmittedAt); err != nil {
		return err
	}
	return enqueue(tx, a)
}

// merge checks choices against quiz, puts them into answers and returns
// those that differ from what was stored, the only ones to write: choosing
// the same option again keeps the time it was first chosen.
func merge(quiz *content.Quiz, answers map[string]Answer, choices map[string]string,
	at time.Time) ([]Answer, error) {
	var changed []Answer
	for qid, oid := range choices {
		if oid == "" {
			continue
		}
		ans, err := check(quiz, qid, oid, at)
		if err != nil {
			return nil, err
		}
		if old, ok := answers[qid]; ok && old.OptionID == oid {
			continue
		}
		answers[qid] = ans
		changed = append(changed, ans)
	}
	return changed, nil
}

// score returns the number of correct answers.
func score(answers map[string]Answer) int {
	n := 0
	for _, a := range answers {
		if a.Correct {
			n++
		}
	}
	return n
}

// PassScore returns the score that passes a quiz or test of questions
// questions at passMark: passMark × questions rounded up to a whole
// question, so 12 of 15 and 4 of 4 at 0.8. The mark is taken in hundredths
// of a percent and the sum done in integers, because in floating point
// some products land a hair above a whole number (0.56 × 25 gives
// 14.000000000000002) and would round up one question too many. A pass
// mark of 0, as on a quiz, needs nothing.
func PassScore(passMark float64, questions int) int {
	basis := int(math.Round(passMark * 10000))
	return (basis*questions + 9999) / 10000
}
