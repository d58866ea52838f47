-- The AI tutor: one conversation per learner, course and lab with its messages,
-- and each learner's use per day and each course's per month.

-- +goose Up

-- context_ref is 0 for a lab opened outside any course, so it is part of the key
-- and has no foreign key, as in progress; the rows go with their user.
CREATE TABLE tutor_conversations (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    context_ref BIGINT NOT NULL,
    lab_id      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, context_ref, lab_id)
);
CREATE INDEX tutor_conversations_course ON tutor_conversations (context_ref, user_id);
CREATE INDEX tutor_conversations_created_at ON tutor_conversations (created_at);

-- A learner's message is pending while its answer is made, then answered, or
-- unanswered when the model failed or the learner stopped the answer before any
-- text (it can then be retried). A tutor's message is answered, stopped (the
-- learner stopped it; the text is what was streamed) or failed (the stream broke;
-- the text is what arrived). reply_to links an answer to the learner's message;
-- failure names what went wrong, for the retry notice. Token counts are the
-- API's, or estimates when it gave none.
--
-- user_id repeats the conversation's, for the in-flight lease: the unique index
-- tutor_messages_in_flight lets a learner have one pending message at a time,
-- across every instance, and lease_until says when a pending message whose
-- instance has gone may be taken over (marked unanswered).
CREATE TABLE tutor_messages (
    id                BIGSERIAL PRIMARY KEY,
    conversation_id   BIGINT NOT NULL REFERENCES tutor_conversations (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('learner', 'tutor')),
    content           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN
                          ('pending', 'answered', 'unanswered', 'stopped', 'failed')),
    lease_until       TIMESTAMPTZ,
    reply_to          BIGINT REFERENCES tutor_messages (id) ON DELETE SET NULL,
    failure           TEXT NOT NULL DEFAULT '',
    model             TEXT NOT NULL DEFAULT '',
    prompt_tokens     INTEGER NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens INTEGER NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    tokens_estimated  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'pending') = (lease_until IS NOT NULL))
);
CREATE INDEX tutor_messages_conversation ON tutor_messages (conversation_id, id);
CREATE UNIQUE INDEX tutor_messages_in_flight ON tutor_messages (user_id)
    WHERE status = 'pending';

-- day is the UTC date as YYYY-MM-DD: the per-learner limits reset at UTC
-- midnight. messages counts the learner's messages that were answered.
CREATE TABLE tutor_usage (
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day               TEXT NOT NULL,
    context_ref       BIGINT NOT NULL,
    messages          INTEGER NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, context_ref)
);
CREATE INDEX tutor_usage_course ON tutor_usage (context_ref, day);

-- month is the UTC month as YYYY-MM: the course budget resets on the first.
-- A course's month is spread over a few rows, by shard (the learner's id modulo
-- a small number), so that learners finishing answers at once do not all wait
-- for one row lock; the course's use is the sum of its shards.
CREATE TABLE tutor_course_usage (
    context_ref       BIGINT NOT NULL,
    month             TEXT NOT NULL,
    shard             INTEGER NOT NULL,
    messages          INTEGER NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (context_ref, month, shard)
);

-- +goose Down
DROP TABLE tutor_course_usage;
DROP TABLE tutor_usage;
DROP TABLE tutor_messages;
DROP TABLE tutor_conversations;
