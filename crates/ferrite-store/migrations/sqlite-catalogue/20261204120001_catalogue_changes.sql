-- The parts each catalogue version changed (their rows or their offers), so a node can update
-- its search index in place instead of building it again. `part_ids` is a JSON array of ids, or
-- NULL when the import changed too much to list (a node builds its index again then); a version
-- without a row (one before this table, a re-keying of manufacturers) is built again too.
CREATE TABLE catalogue_changes (
    version  BIGINT PRIMARY KEY,
    part_ids TEXT
);
