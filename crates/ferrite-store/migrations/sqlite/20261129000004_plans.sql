-- Supply plans and part usage. The plan catalogue is configuration; an organization stores the
-- name of its plan and of a downgrade waiting for the next period.
ALTER TABLE organizations ADD COLUMN plan TEXT;               -- NULL: the catalogue's evaluation plan
ALTER TABLE organizations ADD COLUMN pending_plan TEXT;       -- a downgrade, effective at pending_plan_at
ALTER TABLE organizations ADD COLUMN pending_plan_at INTEGER;
CREATE INDEX organizations_pending_plan ON organizations (pending_plan_at) WHERE pending_plan_at IS NOT NULL;

-- Parts charged per app and period: `YYYY-MM` for monthly plans, `lifetime` for the evaluation app.
CREATE TABLE part_usage (app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE, period TEXT NOT NULL, used BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (app_id, period));

-- Parts charged per app and UTC day (`YYYY-MM-DD`), for the portal's chart.
CREATE TABLE part_usage_daily (app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE, day TEXT NOT NULL, parts BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (app_id, day));

-- Invitations to join an organization. The link carries a random token; only its hash is kept.
-- An invitation is for one email address, used once, and expires.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,                 -- lower-cased, compared with the accepting person's
    role        TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    invited_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER
);
CREATE INDEX invitations_org ON invitations (org_id);
