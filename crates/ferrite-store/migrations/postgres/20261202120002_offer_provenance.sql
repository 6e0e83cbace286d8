-- Where each offer came from, and whether its feed vouched for the seller.
--
-- `authorized_by_feed` is the feed's own word (a Nexar recording's `isAuthorized`, DigiKey's
-- Marketplace flag), null when the feed says nothing; the seller table (built-in defaults under
-- the operator's `[[sellers]]`) decides those at read, so a config change needs no re-import.
-- Before this, "said nothing" was stored as false: only the stored trues are kept as the feed's
-- word. The importer hashes offers differently from now on, so each feed's next import rewrites
-- its offers once and brings back the falses a feed did say.
--
-- `feed_source` is the path or URL the feed read (with `feed`, its name, and `updated_at`, when
-- the import wrote the offer): what an answer credits.
ALTER TABLE offers ADD COLUMN authorized_by_feed BOOLEAN;
ALTER TABLE offers ADD COLUMN feed_source TEXT NOT NULL DEFAULT '';
UPDATE offers SET authorized_by_feed = TRUE WHERE is_authorized;
ALTER TABLE offers DROP COLUMN is_authorized;
