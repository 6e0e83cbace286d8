-- A part is one per manufacturer and exact MPN, as in Nexar: `C0603C103K5RACTU` and
-- `C0603C103K5RAC-TU` are two parts, each with its own offers. Matching still ignores case and
-- punctuation, through `mpn_key` (indexed by `parts_mpn_key`). Parts merged under one key before
-- stay one until their feeds import again: a second spelling then becomes its own part, and its
-- offers move to it.
--
-- SQLite cannot drop a table's UNIQUE constraint: the table is rebuilt. Foreign keys cannot be
-- turned off inside the migration's transaction, so dropping the old table deletes the offers
-- (and their history) by cascade: they are kept aside first and put back after.
CREATE TEMP TABLE kept_offers AS SELECT * FROM offers;
CREATE TEMP TABLE kept_offer_history AS SELECT * FROM offer_history;
CREATE TABLE parts_by_mpn (
    id              INTEGER PRIMARY KEY,
    manufacturer_id INTEGER NOT NULL REFERENCES manufacturers (id),
    mpn             TEXT NOT NULL,
    mpn_key         TEXT NOT NULL,          -- upper-cased, without punctuation or spaces: for matching
    description     TEXT,
    category_id     INTEGER REFERENCES categories (id),
    specs           TEXT NOT NULL,          -- JSON [[attribute_id, display_value, si_value|null], ...]
    datasheet_url   TEXT,
    image_url       TEXT,
    content_hash    INTEGER NOT NULL,       -- of everything above: an unchanged part is not rewritten
    updated_at      INTEGER NOT NULL,
    UNIQUE (manufacturer_id, mpn)
);
INSERT INTO parts_by_mpn (id, manufacturer_id, mpn, mpn_key, description, category_id, specs, datasheet_url,
                          image_url, content_hash, updated_at)
    SELECT id, manufacturer_id, mpn, mpn_key, description, category_id, specs, datasheet_url, image_url,
           content_hash, updated_at
    FROM parts;
DROP TABLE parts;
ALTER TABLE parts_by_mpn RENAME TO parts;
CREATE INDEX parts_mpn_key ON parts (mpn_key);
INSERT INTO offers SELECT * FROM kept_offers;
INSERT INTO offer_history SELECT * FROM kept_offer_history;
DROP TABLE kept_offers;
DROP TABLE kept_offer_history;

-- SKU lookups (`supMultiMatch` by `sku`, `mpnOrSku`) match a SKU as Nexar does, ignoring case,
-- punctuation and leading zeros (`166-327` is RS's `0166327`): by `sku_key`, which the importer
-- writes (`ferrite_core::keys::sku_key`) and which is computed here alike for the offers stored.
ALTER TABLE offers ADD COLUMN sku_key TEXT NOT NULL DEFAULT '';
UPDATE offers SET sku_key = upper(sku);
-- One character at a time: nested, the calls would pass the parser's depth.
UPDATE offers SET sku_key = replace(sku_key, ' ', '') WHERE instr(sku_key, ' ') > 0;
UPDATE offers SET sku_key = replace(sku_key, char(9), '') WHERE instr(sku_key, char(9)) > 0;
UPDATE offers SET sku_key = replace(sku_key, '!', '') WHERE instr(sku_key, '!') > 0;
UPDATE offers SET sku_key = replace(sku_key, '"', '') WHERE instr(sku_key, '"') > 0;
UPDATE offers SET sku_key = replace(sku_key, '#', '') WHERE instr(sku_key, '#') > 0;
UPDATE offers SET sku_key = replace(sku_key, '$', '') WHERE instr(sku_key, '$') > 0;
UPDATE offers SET sku_key = replace(sku_key, '%', '') WHERE instr(sku_key, '%') > 0;
UPDATE offers SET sku_key = replace(sku_key, '&', '') WHERE instr(sku_key, '&') > 0;
UPDATE offers SET sku_key = replace(sku_key, '''', '') WHERE instr(sku_key, '''') > 0;
UPDATE offers SET sku_key = replace(sku_key, '(', '') WHERE instr(sku_key, '(') > 0;
UPDATE offers SET sku_key = replace(sku_key, ')', '') WHERE instr(sku_key, ')') > 0;
UPDATE offers SET sku_key = replace(sku_key, '*', '') WHERE instr(sku_key, '*') > 0;
UPDATE offers SET sku_key = replace(sku_key, '+', '') WHERE instr(sku_key, '+') > 0;
UPDATE offers SET sku_key = replace(sku_key, ',', '') WHERE instr(sku_key, ',') > 0;
UPDATE offers SET sku_key = replace(sku_key, '-', '') WHERE instr(sku_key, '-') > 0;
UPDATE offers SET sku_key = replace(sku_key, '.', '') WHERE instr(sku_key, '.') > 0;
UPDATE offers SET sku_key = replace(sku_key, '/', '') WHERE instr(sku_key, '/') > 0;
UPDATE offers SET sku_key = replace(sku_key, ':', '') WHERE instr(sku_key, ':') > 0;
UPDATE offers SET sku_key = replace(sku_key, ';', '') WHERE instr(sku_key, ';') > 0;
UPDATE offers SET sku_key = replace(sku_key, '<', '') WHERE instr(sku_key, '<') > 0;
UPDATE offers SET sku_key = replace(sku_key, '=', '') WHERE instr(sku_key, '=') > 0;
UPDATE offers SET sku_key = replace(sku_key, '>', '') WHERE instr(sku_key, '>') > 0;
UPDATE offers SET sku_key = replace(sku_key, '?', '') WHERE instr(sku_key, '?') > 0;
UPDATE offers SET sku_key = replace(sku_key, '@', '') WHERE instr(sku_key, '@') > 0;
UPDATE offers SET sku_key = replace(sku_key, '[', '') WHERE instr(sku_key, '[') > 0;
UPDATE offers SET sku_key = replace(sku_key, '\', '') WHERE instr(sku_key, '\') > 0;
UPDATE offers SET sku_key = replace(sku_key, ']', '') WHERE instr(sku_key, ']') > 0;
UPDATE offers SET sku_key = replace(sku_key, '^', '') WHERE instr(sku_key, '^') > 0;
UPDATE offers SET sku_key = replace(sku_key, '_', '') WHERE instr(sku_key, '_') > 0;
UPDATE offers SET sku_key = replace(sku_key, '`', '') WHERE instr(sku_key, '`') > 0;
UPDATE offers SET sku_key = replace(sku_key, '{', '') WHERE instr(sku_key, '{') > 0;
UPDATE offers SET sku_key = replace(sku_key, '|', '') WHERE instr(sku_key, '|') > 0;
UPDATE offers SET sku_key = replace(sku_key, '}', '') WHERE instr(sku_key, '}') > 0;
UPDATE offers SET sku_key = replace(sku_key, '~', '') WHERE instr(sku_key, '~') > 0;
UPDATE offers SET sku_key = ltrim(sku_key, '0') WHERE ltrim(sku_key, '0') <> '';
DROP INDEX offers_sku;
CREATE INDEX offers_sku_key ON offers (sku_key);
