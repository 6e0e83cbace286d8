-- Design data: workspaces, the files uploaded to make projects, and projects with their designs
-- (variants) and BOMs. Every organization has a default workspace: created with the organization
-- (`create_org`), and for organizations that existed before this migration, here (they get one
-- whose id and URL slug are the organization's id).
CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    slug        TEXT NOT NULL UNIQUE,          -- the last segment of the workspace's URL
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX workspaces_org ON workspaces (org_id);
CREATE UNIQUE INDEX workspaces_one_default ON workspaces (org_id) WHERE is_default;
INSERT INTO workspaces (id, org_id, slug, name, is_default, created_at)
    SELECT id, id, id, name, TRUE, created_at FROM organizations;

-- Uploaded design files, kept until a project is made of them (which deletes them) or they expire.
-- Bytes live in the database so that every node sharing it can read them.
CREATE TABLE design_files (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    uploader   TEXT NOT NULL,                  -- the token's subject: a person's id, or the client id
    client_id  TEXT NOT NULL,                  -- the app it was uploaded through
    name       TEXT NOT NULL,                  -- the file name as uploaded
    content    BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX design_files_expires ON design_files (expires_at);

CREATE TABLE projects (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,                -- a person's id, or the client id of the app
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- Ids are UUIDv7, so id order is creation order: pages of a workspace's projects follow it.
CREATE INDEX projects_workspace ON projects (workspace_id, id);

CREATE TABLE project_parameters (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
);

CREATE TABLE design_variants (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (project_id, position)
);

CREATE TABLE bom_items (
    id             TEXT PRIMARY KEY,
    variant_id     TEXT NOT NULL REFERENCES design_variants (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL,
    value          TEXT NOT NULL,
    footprint      TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity >= 0),
    instances      TEXT NOT NULL,              -- JSON [[designator, fitted], ...]
    supplier_parts TEXT NOT NULL,              -- JSON [[seller, sku], ...]
    UNIQUE (variant_id, position)
);

-- The manufacturer parts of an item, preferred first; `supply_part_id` is the catalogue part
-- (in the catalogue's database, so not a foreign key) the MPN and manufacturer matched.
CREATE TABLE bom_manufacturer_parts (
    item_id        TEXT NOT NULL REFERENCES bom_items (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    company_name   TEXT NOT NULL,
    part_number    TEXT NOT NULL,
    supply_part_id INTEGER,
    PRIMARY KEY (item_id, position)
);
