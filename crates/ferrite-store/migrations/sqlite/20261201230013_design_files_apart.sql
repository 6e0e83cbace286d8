-- Uploaded design files moved to a database file of their own (migrations/sqlite-uploads). Files
-- waiting here (kept for an hour at most) are dropped: their uploaders upload them again.
DROP TABLE design_files;
