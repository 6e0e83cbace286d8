-- A project's design is uploaded anew as a revision; the earlier revisions' variants and BOMs are
-- kept. A project's current design is its highest revision's variants.
CREATE TABLE design_revisions (
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,                -- 1, 2, … in upload order
    source_file TEXT NOT NULL,                 -- the file's name as uploaded
    created_by  TEXT NOT NULL,                 -- a person's id, or the client id of the app
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (project_id, number)
);
INSERT INTO design_revisions (project_id, number, source_file, created_by, created_at)
    SELECT p.id, 1, COALESCE((SELECT value FROM project_parameters
                              WHERE project_id = p.id AND name = 'SourceFile'), ''), p.created_by, p.created_at
    FROM projects p;

-- Variant positions stay unique within a project across revisions (a new revision's continue
-- after the last), so they order a revision's variants without a new key.
ALTER TABLE design_variants ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX design_variants_revision ON design_variants (project_id, revision);
