-- A part is one per manufacturer and exact MPN, as in Nexar: `C0603C103K5RACTU` and
-- `C0603C103K5RAC-TU` are two parts, each with its own offers. Matching still ignores case and
-- punctuation, through `mpn_key` (indexed by `parts_mpn_key`). Parts merged under one key before
-- stay one until their feeds import again: a second spelling then becomes its own part, and its
-- offers move to it.
ALTER TABLE parts DROP CONSTRAINT parts_manufacturer_id_mpn_key_key;
ALTER TABLE parts ADD CONSTRAINT parts_manufacturer_id_mpn_key UNIQUE (manufacturer_id, mpn);

-- SKU lookups (`supMultiMatch` by `sku`, `mpnOrSku`) match a SKU as Nexar does, ignoring case,
-- punctuation and leading zeros (`166-327` is RS's `0166327`): by `sku_key`, which the importer
-- writes (`ferrite_core::keys::sku_key`) and which is computed here alike for the offers stored.
ALTER TABLE offers ADD COLUMN sku_key TEXT NOT NULL DEFAULT '';
UPDATE offers SET sku_key = upper(translate(sku, E'\t' || ' !"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', ''));
UPDATE offers SET sku_key = ltrim(sku_key, '0') WHERE ltrim(sku_key, '0') <> '';
DROP INDEX offers_sku;
CREATE INDEX offers_sku_key ON offers (sku_key);
