-- How many units the seller has on order from the manufacturer, as its feed gives it (Nexar's
-- SupOffer.onOrderQuantity, which the Nexar recordings state). Null when the feed does not say.
ALTER TABLE offers ADD COLUMN on_order_quantity INTEGER;
