package tutor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ConversationSummary is one line of a course's list of transcripts.
type ConversationSummary struct {
	ID        int64
	UserID    int64
	LabID     string
	Messages  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Conversations lists the conversations of a course, latest first; with
// userID other than 0, only that learner's.
func (s *Service) Conversations(ctx context.Context, contextRef, userID int64) (
	[]ConversationSummary, error) {
	q := s.db.WithContext(ctx).Table("tutor_conversations AS c").
		Select("c.id, c.user_id, c.lab_id, c.created_at, "+
			"(SELECT COUNT(*) FROM tutor_messages m WHERE m.conversation_id = c.id) "+
			"AS messages, last.created_at AS updated_at").
		// The time is read from the last message's row, not as MAX(created_at),
		// which SQLite would return as text. Every conversation has a message:
		// it starts with the opening.
		Joins("JOIN tutor_messages last ON last.id = (SELECT MAX(m.id) "+
			"FROM tutor_messages m WHERE m.conversation_id = c.id)").
		Where("c.context_ref = ?", contextRef)
	if userID != 0 {
		q = q.Where("c.user_id = ?", userID)
	}
	var out []ConversationSummary
	if err := q.Order("updated_at DESC, c.id DESC").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
		out[i].UpdatedAt = out[i].UpdatedAt.UTC()
	}
	return out, nil
}

// Transcript returns one conversation of a course with its messages, for
// an instructor to read. A conversation of another course is ErrNotFound.
func (s *Service) Transcript(ctx context.Context, contextRef, conversationID int64) (
	*Conversation, error) {
	db := s.db.WithContext(ctx)
	var c Conversation
	err := db.Take(&c, "id = ? AND context_ref = ?", conversationID, contextRef).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load conversation: %w", err)
	}
	ms, err := loadMessages(db, c.ID)
	if err != nil {
		return nil, err
	}
	c.withMessages(ms)
	return &c, nil
}

// DeleteLearner deletes a learner's conversations in a course, with their
// messages, and returns how many conversations went. Usage counts stay, since
// they carry no text and the budgets depend on them.
func (s *Service) DeleteLearner(ctx context.Context, contextRef, userID int64) (int64, error) {
	res := s.db.WithContext(ctx).Where("context_ref = ? AND user_id = ?", contextRef, userID).
		Delete(&Conversation{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete learner transcripts: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Cleanup deletes the conversations whose last message is older than the
// retention period, with their messages, and the usage rows of days before
// it; it returns how many conversations went. Run it daily from any
// instance: it is safe to run on several at once.
func (s *Service) Cleanup(ctx context.Context) (int64, error) {
	cutoff := s.now().Add(-s.cfg.Retention)
	db := s.db.WithContext(ctx)
	res := db.Exec("DELETE FROM tutor_conversations WHERE created_at < ? AND NOT EXISTS "+
		"(SELECT 1 FROM tutor_messages WHERE tutor_messages.conversation_id = "+
		"tutor_conversations.id AND tutor_messages.created_at >= ?)", cutoff, cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("delete old transcripts: %w", res.Error)
	}
	err := db.Exec("DELETE FROM tutor_usage WHERE day < ?", dayKey(cutoff)).Error
	if err != nil {
		return res.RowsAffected, fmt.Errorf("delete old usage: %w", err)
	}
	return res.RowsAffected, nil
}
