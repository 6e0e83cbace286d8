-- SKU lookups (`supMultiMatch` by `sku` or `mpnOrSku`) read offers by SKU alone; the unique
-- (seller_id, sku) index cannot serve them, so without this each one scanned every offer.
CREATE INDEX offers_sku ON offers (sku);
