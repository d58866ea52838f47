-- Grade delivery: the outbox of scores to send to the LMS gradebook, the lease
-- that lets one SQLite worker run at a time, what was last sent for each learner
-- and link (so a grade changed in the LMS is not silently overwritten), the
-- grade service endpoints each link's launches offered, and the course roster.

-- +goose Up
ALTER TABLE link_settings ADD COLUMN ags_lineitems TEXT NOT NULL DEFAULT '';
ALTER TABLE link_settings ADD COLUMN ags_scopes TEXT NOT NULL DEFAULT '';

-- One row per score to deliver. status: pending (to send, or being sent while
-- lease_until is in the future), delivered, superseded (a newer score of the same
-- learner and link replaced it), held (the LMS grade was changed by hand; an
-- instructor decides), parked (the LMS refused the learner, e.g. not a gradable
-- student), failed (gave up after the horizon).
CREATE TABLE grade_outbox (
    id                BIGSERIAL PRIMARY KEY,
    resource_link_ref BIGINT NOT NULL REFERENCES resource_links (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempt_id        BIGINT REFERENCES attempts (id) ON DELETE SET NULL,
    activity_id       TEXT NOT NULL,
    score_given       DOUBLE PRECISION NOT NULL,
    score_maximum     DOUBLE PRECISION NOT NULL,
    comment           TEXT NOT NULL DEFAULT '',
    activity_progress TEXT NOT NULL,
    grading_progress  TEXT NOT NULL,
    submitted_at      TIMESTAMPTZ NOT NULL,
    score_at          TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending',
    forced            BOOLEAN NOT NULL DEFAULT FALSE,
    tries             INTEGER NOT NULL DEFAULT 0,
    next_try_at       TIMESTAMPTZ NOT NULL,
    lease_owner       TEXT NOT NULL DEFAULT '',
    lease_until       TIMESTAMPTZ,
    last_status       INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ
);
CREATE INDEX grade_outbox_due ON grade_outbox (status, next_try_at);
CREATE INDEX grade_outbox_learner ON grade_outbox (resource_link_ref, user_id, id);

CREATE TABLE worker_leases (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
);

CREATE TABLE grade_sync (
    resource_link_ref BIGINT NOT NULL REFERENCES resource_links (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_score        DOUBLE PRECISION NOT NULL,
    sent_maximum      DOUBLE PRECISION NOT NULL,
    sent_score_at     TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ NOT NULL,
    lms_score         DOUBLE PRECISION,
    lms_checked_at    TIMESTAMPTZ,
    PRIMARY KEY (resource_link_ref, user_id)
);

CREATE TABLE roster (
    context_ref BIGINT NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    sub         TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    roles       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    fetched_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (context_ref, sub)
);

-- +goose Down
DROP TABLE roster;
DROP TABLE grade_sync;
DROP TABLE worker_leases;
DROP TABLE grade_outbox;
ALTER TABLE link_settings DROP COLUMN ags_scopes;
ALTER TABLE link_settings DROP COLUMN ags_lineitems;
