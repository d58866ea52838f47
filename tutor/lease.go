package tutor

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A learner's answer in flight is their pending message: the unique index
// tutor_messages_in_flight allows one per learner, so storing it is taking
// the lease, on every instance at once, and marking it answered or
// unanswered releases it. A pending message whose lease_until has passed
// was left by an instance that stopped, and is marked unanswered by the
// next call that meets it.

// onePending is the conflict of a second pending message of a learner. The
// predicate is written out, not bound, so that PostgreSQL can match it to
// the partial index.
var onePending = clause.OnConflict{
	Columns:     []clause.Column{{Name: "user_id"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "status = 'pending'"}}},
	DoNothing:   true,
}

// storePending stores m as the learner's pending message, held until until;
// it returns ErrBusy while another of theirs is pending.
func storePending(db *gorm.DB, m *Message, at, until time.Time) error {
	m.Status, m.LeaseUntil = StatusPending, &until
	for range 2 {
		res := db.Clauses(onePending).Create(m)
		if res.Error != nil {
			return fmt.Errorf("store learner message: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return nil
		}
		m.ID = 0
		if n, err := sweepStale(db, m.UserID, at); err != nil || n == 0 {
			return busyOr(err)
		}
	}
	return ErrBusy
}

// markPending makes the learner's unanswered message pending again, held
// until until, for a retry; it returns ErrBusy while another is pending.
func markPending(db *gorm.DB, id, userID int64, at, until time.Time) error {
	for range 2 {
		res := db.Exec("UPDATE tutor_messages SET status = 'pending', failure = '', "+
			"lease_until = ? WHERE id = ? AND user_id = ? AND status = 'unanswered' "+
			"AND NOT EXISTS (SELECT 1 FROM tutor_messages p WHERE p.user_id = ? "+
			"AND p.status = 'pending')", until, id, userID, userID)
		if res.Error != nil {
			if uniqueViolation(res.Error) {
				return ErrBusy
			}
			return fmt.Errorf("mark message pending: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return nil
		}
		if n, err := sweepStale(db, userID, at); err != nil || n == 0 {
			return busyOr(err)
		}
	}
	return ErrBusy
}

// sweepStale marks unanswered the learner's pending message whose lease
// has passed at at, and returns how many it marked.
func sweepStale(db *gorm.DB, userID int64, at time.Time) (int64, error) {
	res := db.Exec("UPDATE tutor_messages SET status = 'unanswered', failure = ?, "+
		"lease_until = NULL WHERE user_id = ? AND status = 'pending' AND lease_until <= ?",
		failureName(ErrInterrupted), userID, at)
	if res.Error != nil {
		return 0, fmt.Errorf("mark interrupted messages: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// busyOr returns err, or ErrBusy when it is nil.
func busyOr(err error) error {
	if err != nil {
		return err
	}
	return ErrBusy
}

// uniqueViolation reports a unique index refusing a write, on PostgreSQL
// (SQLSTATE 23505) or SQLite.
func uniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "23505") || strings.Contains(s, "UNIQUE constraint failed")
}

// withoutFlush runs write in a transaction that PostgreSQL commits without
// waiting for its log to reach the disk.
//
// The learner's message is stored while the model is asked, and the first
// piece of the answer waits for it, since storing it takes the lease. A
// flushed commit waits for the disk, which at a busy disk's worst moments,
// or on network storage, takes tens of milliseconds, all of it added to the
// learner's wait for the first token. Unflushed, the message reaches the
// disk within three times wal_writer_delay (600 ms by default), and at the
// latest with the answer's own commit, which is flushed. Only a crash of
// the database server or its machine within that window could lose it,
// never a crash of the tool; the lease and the order of messages hold as
// with any commit.
// SQLite, in WAL mode with synchronous=NORMAL, commits every write this way.
func withoutFlush(db *gorm.DB, write func(*gorm.DB) error) error {
	if db.Name() != "postgres" {
		return write(db)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL synchronous_commit TO OFF").Error; err != nil {
			return fmt.Errorf("commit without flush: %w", err)
		}
		return write(tx)
	})
}
