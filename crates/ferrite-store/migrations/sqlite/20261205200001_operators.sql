-- Operators: server administrators, promoted with `ferrite admin user promote`. Nothing grants
-- anything for the flag yet; the admin console will.
ALTER TABLE users ADD COLUMN is_operator BOOLEAN NOT NULL DEFAULT FALSE;
