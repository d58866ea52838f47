package tutor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// finish stores an exchange's outcome at once: the answer, the learner
// message's status, which releases the learner's lease, and the usage. It
// runs even when ctx is cancelled, since a stopped answer is kept.
func (s *Service) finish(ctx context.Context, who Learner, r *Reply, use spent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishWrites)
	defer cancel()
	db := s.db.WithContext(ctx)
	var err error
	if db.Dialector.Name() == "postgres" {
		err = finishInOne(db, who, s.now(), r, use)
	} else {
		err = finishInTx(db, who, s.now(), r, use)
	}
	if err != nil {
		s.log.Error("tutor answer not stored", "user_id", who.UserID,
			"message_id", r.Sent.ID, "error", err)
		s.release(ctx, &r.Sent)
	}
	return err
}

// markSent is the statement that closes the learner's message.
const markSent = "UPDATE tutor_messages SET status = ?, failure = ?, lease_until = NULL " +
	"WHERE id = ?"

// finishInTx finishes an exchange in a transaction, one statement after
// another: on SQLite, in the same process, a statement costs little.
func finishInTx(db *gorm.DB, who Learner, at time.Time, r *Reply, use spent) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if r.Answer != nil {
			if err := tx.Create(r.Answer).Error; err != nil {
				return fmt.Errorf("store answer: %w", err)
			}
		}
		err := tx.Exec(markSent, r.Sent.Status, r.Sent.Failure, r.Sent.ID).Error
		if err != nil {
			return fmt.Errorf("mark learner message %s: %w", r.Sent.Status, err)
		}
		return recordUsage(tx, who, at, use)
	})
}

// insertAnswer is the statement that stores a tutor's answer.
const insertAnswer = "INSERT INTO tutor_messages (conversation_id, user_id, role, " +
	"content, status, reply_to, failure, model, prompt_tokens, completion_tokens, " +
	"tokens_estimated, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"

// finishInOne finishes an exchange in one PostgreSQL statement, its other
// writes in data-modifying WITH clauses: one round trip and one commit in
// place of six, which matters when many answers end at once and share the
// connection pool. SQLite has no such clauses.
func finishInOne(db *gorm.DB, who Learner, at time.Time, r *Reply, use spent) error {
	var q strings.Builder
	q.WriteString("WITH sent AS (" + markSent + ")")
	args := []any{r.Sent.Status, r.Sent.Failure, r.Sent.ID}
	if use != (spent{}) {
		day, month := usageArgs(who, at, use)
		q.WriteString(", day AS (" + addDayUsage + "), month AS (" + addMonthUsage + ")")
		args = append(append(args, day...), month...)
	}
	if r.Answer == nil {
		q.WriteString(" SELECT 1")
		if err := db.Exec(q.String(), args...).Error; err != nil {
			return fmt.Errorf("finish exchange: %w", err)
		}
		return nil
	}
	a := r.Answer
	q.WriteString(" " + insertAnswer)
	args = append(args, a.ConversationID, a.UserID, a.Role, a.Content, a.Status, a.ReplyTo,
		a.Failure, a.Model, a.PromptTokens, a.CompletionTokens, a.TokensEstimated, a.CreatedAt)
	if err := db.Raw(q.String(), args...).Row().Scan(&a.ID); err != nil {
		return fmt.Errorf("finish exchange: %w", err)
	}
	return nil
}
