-- Nexar's category tree hangs under one root, id 4161 "Electronic Parts" (clients look for it:
-- web-supply-demo-blazor keeps the categories whose parent is 4161). The root's path is empty;
-- the importer hangs every new top category under it (`CatalogueWriter::category`), and this
-- hangs the existing ones. Ids after it are taken above it, so none ever collides with it. A
-- catalogue that already gave 4161 to a category of its own keeps its tree as it is.
INSERT INTO categories (id, parent_id, name, path)
SELECT 4161, NULL, 'Electronic Parts', ''
WHERE NOT EXISTS (SELECT 1 FROM categories WHERE id = 4161 OR path = '');

UPDATE categories SET parent_id = 4161
WHERE parent_id IS NULL AND path <> ''
  AND EXISTS (SELECT 1 FROM categories WHERE id = 4161 AND path = '');

-- A catalogue that has categories gets a new version, so that every node rebuilds its index with
-- the root among each part's categories (an empty one has no index to rebuild).
UPDATE catalogue_state SET version = version + 1
WHERE id = 1 AND EXISTS (SELECT 1 FROM categories WHERE path <> '');
