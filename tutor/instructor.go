package tutor

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// LearnerTranscripts is what a course holds of one learner: their stored
// conversations, which an instructor may read and delete, and their use of
// the tutor over the retained period.
type LearnerTranscripts struct {
	UserID int64
	// Conversations are the learner's stored conversations, latest first.
	Conversations []ConversationSummary
	// Messages counts the messages of those conversations, openings included.
	Messages int64
	// LastActivity is the time of the learner's last stored message; zero
	// when none is stored.
	LastActivity time.Time
	// Usage is the learner's use over the retained period, which is zero when
	// every answer failed: failed answers count against no budget.
	Usage LearnerUsage
}

// add counts one of the learner's conversations in.
func (l *LearnerTranscripts) add(c ConversationSummary) {
	l.Conversations = append(l.Conversations, c)
	l.Messages += c.Messages
	if c.UpdatedAt.After(l.LastActivity) {
		l.LastActivity = c.UpdatedAt
	}
}

// lastSeen is when the learner was last active, as far as the course knows.
func (l *LearnerTranscripts) lastSeen() time.Time {
	if !l.LastActivity.IsZero() {
		return l.LastActivity
	}
	day, _ := time.Parse(time.DateOnly, l.Usage.LastDay)
	return day
}

// Learners lists the learners of a course that have a stored conversation
// or used the tutor in the retained period, the most recently active first.
// The list is built from the stored conversations rather than from the usage
// counts, so that a learner whose answers all failed, or who last wrote
// long ago, is listed while their transcript is kept. A learner listed for
// their usage alone has no conversation: it was deleted.
func (s *Service) Learners(ctx context.Context, contextRef int64) ([]LearnerTranscripts, error) {
	convs, err := s.Conversations(ctx, contextRef, 0)
	if err != nil {
		return nil, err
	}
	now := s.now()
	usage, err := s.Usage(ctx, contextRef, now.Add(-s.cfg.Retention), now)
	if err != nil {
		return nil, err
	}
	byUser := map[int64]*LearnerTranscripts{}
	var out []*LearnerTranscripts
	get := func(id int64) *LearnerTranscripts {
		l, ok := byUser[id]
		if !ok {
			l = &LearnerTranscripts{UserID: id}
			byUser[id] = l
			out = append(out, l)
		}
		return l
	}
	for _, c := range convs {
		get(c.UserID).add(c)
	}
	for _, u := range usage {
		get(u.UserID).Usage = u
	}
	slices.SortStableFunc(out, func(a, b *LearnerTranscripts) int {
		return b.lastSeen().Compare(a.lastSeen())
	})
	list := make([]LearnerTranscripts, len(out))
	for i, l := range out {
		list[i] = *l
	}
	return list, nil
}

// Learner returns the stored conversations of one learner of a course, for
// an instructor to confirm their deletion; ErrNotFound when the course holds
// none, as for a learner of another course. Usage is left zero.
func (s *Service) Learner(ctx context.Context, contextRef, userID int64) (
	*LearnerTranscripts, error) {
	if userID == 0 {
		return nil, ErrNotFound
	}
	convs, err := s.Conversations(ctx, contextRef, userID)
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		return nil, ErrNotFound
	}
	l := &LearnerTranscripts{UserID: userID}
	for _, c := range convs {
		l.add(c)
	}
	return l, nil
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

// Deleted is what DeleteLearner removed.
type Deleted struct {
	Conversations int64
	Messages      int64
}

// DeleteLearner deletes a learner's conversations in a course, with their
// messages, and returns how many of each went. Usage counts stay, since they
// carry no text and the budgets depend on them. The messages are deleted
// first, in the same transaction, only so that their number can be told to
// the instructor: the conversations' cascade would delete them anyway.
func (s *Service) DeleteLearner(ctx context.Context, contextRef, userID int64) (Deleted, error) {
	var d Deleted
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM tutor_messages WHERE conversation_id IN "+
			"(SELECT id FROM tutor_conversations WHERE context_ref = ? AND user_id = ?)",
			contextRef, userID)
		if res.Error != nil {
			return fmt.Errorf("delete learner messages: %w", res.Error)
		}
		d.Messages = res.RowsAffected
		res = tx.Where("context_ref = ? AND user_id = ?", contextRef, userID).
			Delete(&Conversation{})
		if res.Error != nil {
			return fmt.Errorf("delete learner transcripts: %w", res.Error)
		}
		d.Conversations = res.RowsAffected
		return nil
	})
	if err != nil {
		return Deleted{}, err
	}
	return d, nil
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
