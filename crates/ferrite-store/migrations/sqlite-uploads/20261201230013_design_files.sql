-- Uploaded design files, kept until a project is made of them (which deletes them) or they expire.
-- On SQLite they have a database file of their own (`<main>-uploads.db`): megabytes of bytes per
-- upload never pass through the main file's write lock and WAL, which sessions and usage need.
-- `org_id` names an organization of the main file (so not a foreign key): a deleted
-- organization's files go when they expire.
CREATE TABLE design_files (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    uploader   TEXT NOT NULL,                  -- the token's subject: a person's id, or the client id
    client_id  TEXT NOT NULL,                  -- the app it was uploaded through
    name       TEXT NOT NULL,                  -- the file name as uploaded
    content    BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Being made a project (SQLite only: projects are in the main file, so the file is claimed,
    -- the project stored, then the file deleted). A claimed file makes no other project.
    claimed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX design_files_expires ON design_files (expires_at);
-- The pending bytes of an organization and of an uploader, for their quotas.
CREATE INDEX design_files_org ON design_files (org_id);
CREATE INDEX design_files_uploader ON design_files (uploader);
