-- The learner's record: the activity each resource link serves and how it is
-- graded, the attempts at quizzes and module tests with their answers, and each
-- learner's progress through the activities of a course.

-- +goose Up
CREATE TABLE link_settings (
    resource_link_ref BIGINT PRIMARY KEY REFERENCES resource_links (id) ON DELETE CASCADE,
    activity_id       TEXT NOT NULL,
    graded            BOOLEAN NOT NULL DEFAULT FALSE,
    score_maximum     INTEGER NOT NULL DEFAULT 0 CHECK (score_maximum >= 0),
    max_attempts      INTEGER NOT NULL DEFAULT 0 CHECK (max_attempts >= 0),
    grade_policy      TEXT NOT NULL DEFAULT 'best' CHECK (grade_policy IN ('best', 'latest')),
    line_item_url     TEXT NOT NULL DEFAULT '',
    updated_at        TIMESTAMPTZ NOT NULL
);

-- link_key repeats resource_link_ref, or holds 0 for an attempt made outside any
-- link, because the unique indexes need a value there: NULLs never conflict.
-- number counts a learner's attempts at one activity through one link from 1.
CREATE TABLE attempts (
    id                BIGSERIAL PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    activity_id       TEXT NOT NULL,
    resource_link_ref BIGINT REFERENCES resource_links (id) ON DELETE CASCADE,
    link_key          BIGINT NOT NULL DEFAULT 0,
    context_ref       BIGINT REFERENCES contexts (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('quiz', 'test')),
    number            INTEGER NOT NULL CHECK (number > 0),
    seed              BIGINT NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    submitted_at      TIMESTAMPTZ,
    score             INTEGER NOT NULL DEFAULT 0,
    max_score         INTEGER NOT NULL DEFAULT 0,
    passed            BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (link_key = COALESCE(resource_link_ref, 0))
);
-- Two starts racing for the same number make one attempt, so the maximum number
-- of attempts cannot be overrun.
CREATE UNIQUE INDEX attempts_number ON attempts (user_id, activity_id, link_key, number);
-- At most one open attempt per learner, activity and link: starting is idempotent.
CREATE UNIQUE INDEX attempts_open ON attempts (user_id, activity_id, link_key)
    WHERE submitted_at IS NULL;

CREATE TABLE answers (
    attempt_id  BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    option_id   TEXT NOT NULL,
    correct     BOOLEAN NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- context_ref is 0 for activities opened outside any course, so it is part of
-- the key and has no foreign key; the rows go with their user.
CREATE TABLE progress (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    context_ref  BIGINT NOT NULL,
    activity_id  TEXT NOT NULL,
    viewed_at    TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, context_ref, activity_id)
);

-- +goose Down
DROP TABLE progress;
DROP TABLE answers;
DROP TABLE attempts;
DROP TABLE link_settings;
