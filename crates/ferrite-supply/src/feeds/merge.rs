//! One part per manufacturer and MPN, one offer per seller and SKU: for sources that may name the
//! same part more than once (Nexar result sets, DigiKey searches, CSV rows per offer).

use std::collections::HashMap;

use super::{FeedError, PROGRESS_EVERY, PartSink};
use crate::model::{FeedOffer, FeedPart};

#[derive(Default)]
pub(crate) struct PartMerger {
    parts: Vec<FeedPart>,
    by_key: HashMap<(String, String), usize>,
}

impl PartMerger {
    /// Adds `part`, or merges it into the part already there with the same manufacturer and MPN:
    /// fields the earlier part lacks are filled in, specs it lacks are added, and offers are
    /// merged with [`push_offer`] (so a later offer with the same seller and SKU replaces the
    /// earlier one: later records of a recording are at least as fresh).
    pub(crate) fn add(&mut self, part: FeedPart) {
        let key = (part.manufacturer.clone(), part.mpn.clone());
        let Some(&index) = self.by_key.get(&key) else {
            self.by_key.insert(key, self.parts.len());
            self.parts.push(part);
            return;
        };
        let into = &mut self.parts[index];
        into.description = into.description.take().or(part.description);
        into.datasheet_url = into.datasheet_url.take().or(part.datasheet_url);
        into.image_url = into.image_url.take().or(part.image_url);
        if into.category.is_empty() {
            into.category = part.category;
        }
        for spec in part.specs {
            if !into.specs.iter().any(|s| s.shortname == spec.shortname) {
                into.specs.push(spec);
            }
        }
        for offer in part.offers {
            push_offer(&mut into.offers, offer);
        }
    }

    /// Whether the part already has an offer from `seller` with `sku`.
    pub(crate) fn has_offer(&self, manufacturer: &str, mpn: &str, seller: &str, sku: &str) -> bool {
        self.by_key
            .get(&(manufacturer.to_owned(), mpn.to_owned()))
            .is_some_and(|&i| self.parts[i].offers.iter().any(|o| o.seller == seller && o.sku == sku))
    }

    pub(crate) fn len(&self) -> usize {
        self.parts.len()
    }

    /// Hands the parts to the sink, in the order they were first seen.
    pub(crate) fn emit(self, sink: &mut dyn PartSink) -> Result<(), FeedError> {
        let total = self.len() as u64;
        sink.progress(0, Some(total));
        for (done, part) in (1_u64..).zip(self.parts) {
            sink.part(part)?;
            if done.is_multiple_of(PROGRESS_EVERY) {
                sink.progress(done, Some(total));
            }
        }
        sink.progress(total, Some(total));
        Ok(())
    }
}

/// Adds `offer`, replacing an offer with the same seller and SKU.
pub(crate) fn push_offer(offers: &mut Vec<FeedOffer>, offer: FeedOffer) {
    match offers.iter_mut().find(|o| o.seller == offer.seller && o.sku == offer.sku) {
        Some(same) => *same = offer,
        None => offers.push(offer),
    }
}
