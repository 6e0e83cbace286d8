-- Revoking a grant revokes every token it gave (RFC 6749 §4.1.2, §10.4). A grant is what one
-- authorization code started: its refresh-token family and the access tokens of the family, which
-- carry the grant's id. A redeemed code is kept, marked used, so that a replay can find its grant.
ALTER TABLE authorization_codes ADD COLUMN used_at BIGINT;
ALTER TABLE authorization_codes ADD COLUMN grant_id TEXT;

CREATE TABLE revoked_grants (
    grant_id   TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL,                         -- when the last access token it gave expires
    revoked_at BIGINT NOT NULL
);
