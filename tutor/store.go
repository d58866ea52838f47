package tutor

import (
	"errors"
	"fmt"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Learner is who talks to the tutor: a user in a course. ContextRef is the
// course's row id in contexts, or 0 for a lab opened outside any course.
type Learner struct {
	UserID     int64
	ContextRef int64
}

// Role says who wrote a message.
type Role string

// The two parties of a conversation.
const (
	RoleLearner Role = "learner"
	RoleTutor   Role = "tutor"
)

// apiRole returns the chat API's name for the role.
func (r Role) apiRole() string {
	if r == RoleTutor {
		return openai.ChatMessageRoleAssistant
	}
	return openai.ChatMessageRoleUser
}

// Status is where a message stands.
type Status string

// The statuses. A learner's message is pending while its answer is made,
// then answered, or unanswered when the model failed or the learner stopped
// it before any text came: it can then be retried. A tutor's message is
// answered, stopped by the learner part way, or failed when the stream broke
// part way; a stopped or failed message holds the text that arrived.
const (
	StatusPending    Status = "pending"
	StatusAnswered   Status = "answered"
	StatusUnanswered Status = "unanswered"
	StatusStopped    Status = "stopped"
	StatusFailed     Status = "failed"
)

// Message is one message of a conversation.
type Message struct {
	ID             int64
	ConversationID int64
	// UserID is the conversation's learner.
	UserID int64
	Role   Role
	// Content is the text as written: the learner's plain text, or the
	// tutor's Markdown (see RenderMarkdown).
	Content string
	Status  Status
	// LeaseUntil is set while the message is pending: until then the answer
	// is taken to be under way; after it, its instance has gone.
	LeaseUntil *time.Time
	// ReplyTo is the learner's message a tutor's message answers.
	ReplyTo *int64
	// Failure names why a message is unanswered or failed: rate_limited,
	// unavailable, timeout, interrupted, rejected or stopped.
	Failure string
	// Model is the model that wrote a tutor's message.
	Model string
	// PromptTokens and CompletionTokens are the API's counts for a tutor's
	// message; TokensEstimated is set when the API gave none, as when an
	// answer is stopped.
	PromptTokens     int
	CompletionTokens int
	TokensEstimated  bool
	CreatedAt        time.Time
}

// Retryable reports whether the message is a learner's that awaits an
// answer after a failure.
func (m *Message) Retryable() bool {
	return m.Role == RoleLearner && m.Status == StatusUnanswered
}

// TableName maps Message to its table.
func (Message) TableName() string { return "tutor_messages" }

// Conversation is one learner's conversation in one lab, in order, the
// opening message first.
type Conversation struct {
	ID         int64
	UserID     int64
	ContextRef int64
	LabID      string
	CreatedAt  time.Time
	// UpdatedAt is the time of the last message; retention counts from it.
	UpdatedAt time.Time `gorm:"-"`
	Messages  []Message `gorm:"-"`
}

// TableName maps Conversation to its table.
func (Conversation) TableName() string { return "tutor_conversations" }

// now returns the current time in UTC, cut to microseconds because
// PostgreSQL keeps no finer.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// findConversation returns the learner's conversation in a lab, or nil.
func findConversation(db *gorm.DB, who Learner, labID string) (*Conversation, error) {
	var c Conversation
	err := db.Take(&c, "user_id = ? AND context_ref = ? AND lab_id = ?",
		who.UserID, who.ContextRef, labID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load conversation: %w", err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// openConversation returns the learner's conversation in a lab, starting
// it with the opening message if there is none. Two starts at once make
// one conversation with one opening.
func openConversation(db *gorm.DB, who Learner, labID, opening string,
	at time.Time) (*Conversation, error) {
	c, err := findConversation(db, who, labID)
	if err != nil || c != nil {
		return c, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		c = &Conversation{UserID: who.UserID, ContextRef: who.ContextRef, LabID: labID,
			CreatedAt: at, UpdatedAt: at}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(c)
		if res.Error != nil {
			return fmt.Errorf("start conversation: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			c = nil
			return nil
		}
		m := &Message{ConversationID: c.ID, UserID: who.UserID, Role: RoleTutor,
			Content: opening, Status: StatusAnswered, CreatedAt: at}
		if err := tx.Create(m).Error; err != nil {
			return fmt.Errorf("store opening message: %w", err)
		}
		return nil
	})
	if err != nil || c != nil {
		return c, err
	}
	return findConversation(db, who, labID)
}

// loadMessages returns a conversation's messages in order.
func loadMessages(db *gorm.DB, conversationID int64) ([]Message, error) {
	var ms []Message
	err := db.Where("conversation_id = ?", conversationID).Order("id").Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	fixTimes(ms)
	return ms, nil
}

// loadHistory returns the messages of the learner's conversation in a lab,
// in order, or none when there is no conversation, in one query.
func loadHistory(db *gorm.DB, who Learner, labID string) ([]Message, error) {
	var ms []Message
	err := db.Raw("SELECT m.* FROM tutor_messages m JOIN tutor_conversations c "+
		"ON c.id = m.conversation_id WHERE c.user_id = ? AND c.context_ref = ? "+
		"AND c.lab_id = ? ORDER BY m.id", who.UserID, who.ContextRef, labID).Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	fixTimes(ms)
	return ms, nil
}

// fixTimes puts the times read back in UTC: drivers return the local zone.
func fixTimes(ms []Message) {
	for i := range ms {
		ms[i].CreatedAt = ms[i].CreatedAt.UTC()
		if t := ms[i].LeaseUntil; t != nil {
			u := t.UTC()
			ms[i].LeaseUntil = &u
		}
	}
}

// withMessages sets the conversation's messages and its time of last
// activity.
func (c *Conversation) withMessages(ms []Message) {
	c.CreatedAt = c.CreatedAt.UTC()
	c.Messages = ms
	c.UpdatedAt = c.CreatedAt
	if len(ms) > 0 {
		c.UpdatedAt = ms[len(ms)-1].CreatedAt
	}
}

// forModel returns the messages the model is shown: all but the tutor's
// failed ones, whose text broke off and which the learner may retry.
func forModel(ms []Message) []Message {
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		if m.Role == RoleTutor && m.Status == StatusFailed {
			continue
		}
		out = append(out, m)
	}
	return out
}
