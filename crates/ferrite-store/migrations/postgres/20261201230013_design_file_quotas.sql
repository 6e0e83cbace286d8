-- The pending bytes of an organization and of an uploader, for their quotas. (On PostgreSQL the
-- files stay in this table of their own: the bytes are TOASTed apart from the rows, and a project's
-- transaction uses its file up in the same commit.)
CREATE INDEX design_files_org ON design_files (org_id);
CREATE INDEX design_files_uploader ON design_files (uploader);
