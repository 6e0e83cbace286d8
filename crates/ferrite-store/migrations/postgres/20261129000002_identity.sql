-- Applications and their credentials, signing keys, and the state of OAuth grants.
CREATE TABLE applications (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    scopes                 TEXT NOT NULL,              -- fixed at creation: 'supply', 'design' or 'supply,design'
    client_id              TEXT NOT NULL UNIQUE,
    secret_hash            BYTEA NOT NULL,              -- keyed hash; the secret itself is never stored
    previous_secret_hash   BYTEA,                       -- still accepted until previous_secret_expires
    previous_secret_expires BIGINT,
    is_evaluation          BOOLEAN NOT NULL DEFAULT FALSE,
    part_limit             BIGINT NOT NULL DEFAULT 0,
    created_at             BIGINT NOT NULL
);
CREATE INDEX applications_org ON applications (org_id);

CREATE TABLE app_redirect_uris (
    app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    uri    TEXT NOT NULL,
    PRIMARY KEY (app_id, uri)
);

-- Tombstones: tokens of a deleted app must stop working on every node.
CREATE TABLE deleted_apps (
    app_id     TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    deleted_at BIGINT NOT NULL
);

-- Server-wide secrets, created once by whichever node starts first.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_der BYTEA NOT NULL,                         -- PKCS#8
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT                                 -- no longer signs; published until its tokens expire
);

CREATE TABLE authorization_codes (
    code_hash      BYTEA PRIMARY KEY,
    app_id         TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT,
    auth_time      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

-- Refresh tokens rotate: each use replaces the token with a new one in the same family; a reuse of
-- a replaced token revokes the family.
CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    family_id  TEXT NOT NULL,
    app_id     TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Access tokens revoked before they expire (JWTs are otherwise self-contained).
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_revoked_at ON revoked_tokens (revoked_at);

-- Signed-in people (portal and authorization). The cookie holds a random token; only its hash is kept.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
