-- SQLite differs from PostgreSQL only in types: INTEGER PRIMARY KEY AUTOINCREMENT
-- for BIGSERIAL, DATETIME for TIMESTAMPTZ and INTEGER for BIGINT.
-- The foundation: tool keys, registered platforms and their deployments, one-time
-- registration links, OIDC login states, refused launches, the people and courses
-- seen in launches, and the sessions that follow a launch.

-- +goose Up
CREATE TABLE tool_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kid           TEXT NOT NULL UNIQUE,
    private_key   TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    retired_at    DATETIME,
    publish_until DATETIME
);

CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE platforms (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer                 TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    name                   TEXT NOT NULL DEFAULT '',
    product_family         TEXT NOT NULL DEFAULT '',
    auth_url               TEXT NOT NULL,
    token_url              TEXT NOT NULL,
    jwks_url               TEXT NOT NULL,
    token_audience         TEXT NOT NULL DEFAULT '',
    record_new_deployments BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL,
    UNIQUE (issuer, client_id)
);

CREATE TABLE deployments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id    INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id  TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    auto_recorded  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     DATETIME NOT NULL,
    last_launch_at DATETIME,
    UNIQUE (platform_id, deployment_id)
);

CREATE TABLE registration_tokens (
    token_hash  TEXT PRIMARY KEY,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME,
    platform_id INTEGER REFERENCES platforms (id) ON DELETE SET NULL
);

CREATE TABLE login_states (
    state_hash      TEXT PRIMARY KEY,
    nonce           TEXT NOT NULL,
    platform_id     INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id   TEXT NOT NULL DEFAULT '',
    target_link_uri TEXT NOT NULL,
    login_hint      TEXT NOT NULL,
    message_hint    TEXT NOT NULL DEFAULT '',
    binding_hash    TEXT NOT NULL,
    storage_target  TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL
);
CREATE INDEX login_states_expires_at ON login_states (expires_at);

CREATE TABLE launch_failures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              DATETIME NOT NULL,
    issuer          TEXT NOT NULL DEFAULT '',
    client_id       TEXT NOT NULL DEFAULT '',
    deployment_id   TEXT NOT NULL DEFAULT '',
    platform_id     INTEGER REFERENCES platforms (id) ON DELETE SET NULL,
    reason          TEXT NOT NULL,
    check_name      TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    clock_offset_ms INTEGER
);
CREATE INDEX launch_failures_at ON launch_failures (at);

CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    sub         TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    given_name  TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (platform_id, sub)
);

CREATE TABLE contexts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id   INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    context_id    TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (platform_id, deployment_id, context_id)
);

CREATE TABLE resource_links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id   INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    link_id       TEXT NOT NULL,
    context_ref   INTEGER REFERENCES contexts (id) ON DELETE CASCADE,
    title         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (platform_id, deployment_id, link_id)
);

CREATE TABLE memberships (
    context_ref INTEGER NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (context_ref, user_id)
);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    platform_id       INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    deployment_id     TEXT NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    context_ref       INTEGER REFERENCES contexts (id) ON DELETE CASCADE,
    resource_link_ref INTEGER REFERENCES resource_links (id) ON DELETE CASCADE,
    role              TEXT NOT NULL,
    message_type      TEXT NOT NULL,
    target_link_uri   TEXT NOT NULL DEFAULT '',
    launch            TEXT NOT NULL DEFAULT '',
    created_at        DATETIME NOT NULL,
    expires_at        DATETIME NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE resource_links;
DROP TABLE contexts;
DROP TABLE users;
DROP TABLE launch_failures;
DROP TABLE login_states;
DROP TABLE registration_tokens;
DROP TABLE deployments;
DROP TABLE platforms;
DROP TABLE app_secrets;
DROP TABLE tool_keys;
