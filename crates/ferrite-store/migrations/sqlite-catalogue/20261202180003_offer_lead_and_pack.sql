-- The manufacturer's lead time (days) and standard pack (units) of an offer, as its feed gives
-- them (DigiKey, Mouser, element14, TME, LCSC's reel size): Nexar's SupOffer.factoryLeadDays and
-- factoryPackQuantity. Null when the feed does not say.
ALTER TABLE offers ADD COLUMN factory_lead_days INTEGER;
ALTER TABLE offers ADD COLUMN factory_pack_quantity INTEGER;
