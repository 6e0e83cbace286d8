-- Every spelling feeds have given a manufacturer (`Murata Electronics`, `muRata`), for
-- `SupCompany.aliases`. Manufacturers are keyed by `ManufacturerAliases::key` (legal forms left
-- out, the alias table applied); that needs Rust, so existing manufacturers are re-keyed, and
-- those that come to share a key merged, by `CatalogueStore::rekey_manufacturers`, which the
-- catalogue runs when it opens and every import before it starts. The names stored so far are
-- spellings feeds gave.
CREATE TABLE manufacturer_spellings (
    manufacturer_id INTEGER NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
    spelling        TEXT NOT NULL,
    PRIMARY KEY (manufacturer_id, spelling)
);
INSERT INTO manufacturer_spellings (manufacturer_id, spelling) SELECT id, name FROM manufacturers;
