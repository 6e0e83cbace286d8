//! What parts cost and hold, across their offers, by the money rules of `ferrite_core::money`:
//! the median price at 1,000 that `medianPrice1000` shows and the index sorts by, the stock
//! total, and what a BOM line would be bought from at its quantity.

use ferrite_core::money::{self, ExchangeRates};
use ferrite_store::OfferRecord;

use crate::catalogue::PartView;

/// The currency a part's median is taken in (conversion keeps the order of any other).
pub const MEDIAN_CURRENCY: &str = "USD";

impl PartView {
    /// The median of the offers' unit prices at 1,000, in [`MEDIAN_CURRENCY`]; `None` without a
    /// priced offer. The search index sorts `median_price_1000` by this same value.
    pub fn median_price_1000(&self, rates: &ExchangeRates) -> Option<f64> {
        median_price_1000(&self.offers, rates)
    }

    /// Units on hand across the part's offers.
    pub fn stock(&self) -> i64 {
        stock(&self.offers)
    }
}

/// See [`PartView::median_price_1000`]; also what the index sorts by.
pub fn median_price_1000(offers: &[OfferRecord], rates: &ExchangeRates) -> Option<f64> {
    money::median(&prices_at_1000(offers, rates))
}

/// Each offer's unit price at 1,000 in [`MEDIAN_CURRENCY`], lowest first.
pub fn prices_at_1000(offers: &[OfferRecord], rates: &ExchangeRates) -> Vec<f64> {
    money::prices_at_1000(offers.iter().map(|o| o.prices.as_slice()), rates, MEDIAN_CURRENCY)
}

/// Units on hand across `offers`.
pub fn stock(offers: &[OfferRecord]) -> i64 {
    money::stock_total(offers.iter().map(|o| o.inventory_level))
}

/// Buying a BOM line's pieces from one offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Buy {
    pub offer_id: i64,
    pub seller_id: i64,
    pub sku: String,
    /// Pieces ordered: the need, raised to the offer's minimum and rounded up to its multiple.
    pub quantity: i64,
    /// The unit price at `quantity`, converted to the plan's currency.
    pub unit_price: f64,
    /// `quantity` × `unit_price`.
    pub extended: f64,
    /// The offer's stock (unknown counts as none).
    pub stock: i64,
}

impl Buy {
    /// Whether the offer's stock covers the order.
    pub fn covers(&self) -> bool {
        self.stock >= self.quantity
    }
}

/// Whether a line's pieces can be bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// One offer's stock covers the order.
    Enough,
    /// No offer's stock covers it; the chosen one falls this many pieces short.
    Short(i64),
    /// No offer has any stock (or none has a price).
    None,
}

/// What a BOM line would be bought from: the chosen offer, whether it can be filled, and — when
/// it cannot — the other offers with stock, cheapest first, to make up the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlan {
    pub choice: Option<Buy>,
    pub availability: Availability,
    pub alternates: Vec<Buy>,
}

/// Alternates listed for a short line.
pub const ALTERNATES: usize = 3;

/// Plans buying `needed` pieces from `offers`, priced in `currency` at `rates`. Each offer is
/// priced at its own order quantity ([`money::order_quantity`], its minimum being its MOQ or its
/// first break, whichever is larger); offers in a currency the rates cannot convert are left out,
/// since they could not be added to the others. The choice is the cheapest order among the offers
/// whose stock covers it; when none does, the one with the most stock (short by the rest), whose
/// alternates are the other offers with stock. A need of 0 buys nothing and is `Enough`.
pub fn plan_line(offers: &[OfferRecord], needed: i64, rates: &ExchangeRates, currency: &str) -> LinePlan {
    if needed <= 0 {
        return LinePlan { choice: None, availability: Availability::Enough, alternates: Vec::new() };
    }
    let mut buys: Vec<Buy> = offers.iter().filter_map(|offer| buy(offer, needed, rates, currency)).collect();
    buys.sort_by(|a, b| a.extended.total_cmp(&b.extended).then(b.stock.cmp(&a.stock)));
    if let Some(at) = buys.iter().position(Buy::covers) {
        let choice = buys.swap_remove(at);
        return LinePlan { choice: Some(choice), availability: Availability::Enough, alternates: Vec::new() };
    }
    let Some(most) = buys.iter().enumerate().max_by_key(|(at, b)| (b.stock, std::cmp::Reverse(*at))).map(|(at, _)| at)
    else {
        return LinePlan { choice: None, availability: Availability::None, alternates: Vec::new() };
    };
    let choice = buys.remove(most);
    if choice.stock <= 0 {
        return LinePlan { choice: Some(choice), availability: Availability::None, alternates: Vec::new() };
    }
    let availability = Availability::Short(needed - choice.stock);
    let alternates = buys.into_iter().filter(|b| b.stock > 0).take(ALTERNATES).collect();
    LinePlan { choice: Some(choice), availability, alternates }
}

/// Ordering `needed` pieces from `offer`, priced in `currency`; `None` when the offer has no price
/// that can be converted to it.
fn buy(offer: &OfferRecord, needed: i64, rates: &ExchangeRates, currency: &str) -> Option<Buy> {
    let breaks: Vec<_> = money::one_currency(&offer.prices, currency).collect();
    let first_break = breaks.iter().map(|b| b.quantity).min()?;
    let own_currency = &breaks.first()?.currency;
    if !(rates.knows(own_currency) && rates.knows(currency)) {
        return None;
    }
    let minimum = offer.moq.map_or(first_break, |moq| moq.max(first_break));
    let quantity = money::order_quantity(needed, Some(minimum), offer.order_multiple);
    let price = breaks.iter().filter(|b| b.quantity <= quantity).max_by_key(|b| b.quantity)?;
    let unit_price = rates.convert(price.price, &price.currency, currency).amount;
    Some(Buy {
        offer_id: offer.id,
        seller_id: offer.seller_id,
        sku: offer.sku.clone(),
        quantity,
        unit_price,
        extended: unit_price * quantity as f64,
        stock: offer.inventory_level.unwrap_or(0).max(0),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ferrite_core::money::PriceBreak;

    use super::*;

    fn offer(seller_id: i64, stock: i64, prices: &[(i64, f64, &str)]) -> OfferRecord {
        OfferRecord {
            id: seller_id,
            part_id: 1,
            seller_id,
            sku: format!("S{seller_id}"),
            authorized_by_feed: Some(true),
            inventory_level: Some(stock),
            moq: None,
            order_multiple: None,
            factory_lead_days: None,
            factory_pack_quantity: None,
            on_order_quantity: None,
            packaging: None,
            prices: prices.iter().map(|(q, p, c)| PriceBreak::new(*q, *p, c)).collect(),
            click_url: None,
            updated_at: chrono::Utc::now(),
            feed: "test".into(),
            feed_source: "test".into(),
        }
    }

    fn plan(
        offers: &[OfferRecord],
        needed: i64,
        rates: &ExchangeRates,
    ) -> (Option<(i64, i64, f64)>, Availability, Vec<i64>) {
        let plan = plan_line(offers, needed, rates, "USD");
        let choice = plan.choice.map(|b| (b.seller_id, b.quantity, b.unit_price));
        (choice, plan.availability, plan.alternates.iter().map(|b| b.seller_id).collect())
    }

    #[test]
    fn the_cheapest_order_that_stock_covers() {
        let usd_only = ExchangeRates::default();
        let offers =
            [offer(1, 5, &[(1, 0.20, "USD")]), offer(2, 500, &[(1, 0.40, "USD")]), offer(3, 900, &[(1, 0.01, "EUR")])];
        assert_eq!(plan(&offers, 10, &usd_only), (Some((2, 10, 0.40)), Availability::Enough, vec![]), "1 has only 5");
        assert_eq!(plan(&offers, 3, &usd_only).0, Some((1, 3, 0.20)));
        assert_eq!(plan(&offers[2..], 3, &usd_only), (None, Availability::None, vec![]), "EUR cannot be converted");
        assert_eq!(plan(&offers, 0, &usd_only), (None, Availability::Enough, vec![]), "nothing needed");
        assert_eq!(stock(&offers), 1405);
        assert_eq!(plan(&[], 1, &usd_only), (None, Availability::None, vec![]));
    }

    #[test]
    fn orders_respect_minimums_multiples_and_the_first_break() {
        let usd_only = ExchangeRates::default();
        let mut reel = offer(1, 10_000, &[(1, 0.10, "USD"), (100, 0.05, "USD")]);
        reel.moq = Some(50);
        reel.order_multiple = Some(25);
        let reel_of_75 = plan_line(&[reel.clone()], 60, &usd_only, "USD").choice.unwrap();
        assert_eq!((reel_of_75.quantity, reel_of_75.unit_price, reel_of_75.extended), (75, 0.10, 7.5), "MOQ 50, by 25");
        assert_eq!(plan_line(&[reel], 90, &usd_only, "USD").choice.unwrap().unit_price, 0.05, "100 reaches the break");
        let from_ten = offer(2, 100, &[(10, 0.30, "USD")]);
        assert_eq!(plan_line(&[from_ten], 4, &usd_only, "USD").choice.unwrap().quantity, 10, "the first break");
        let cheaper_by_the_order = [offer(3, 100, &[(1, 0.12, "USD")]), {
            let mut big_moq = offer(4, 1000, &[(1, 0.01, "USD")]);
            big_moq.moq = Some(1000);
            big_moq
        }];
        assert_eq!(plan(&cheaper_by_the_order, 5, &usd_only).0, Some((3, 5, 0.12)), "0.60 beats 10.00");
    }

    #[test]
    fn a_short_line_takes_the_most_stock_and_lists_the_rest() {
        let usd_only = ExchangeRates::default();
        let offers = [
            offer(1, 30, &[(1, 0.10, "USD")]),
            offer(2, 60, &[(1, 0.50, "USD")]),
            offer(3, 0, &[(1, 0.01, "USD")]),
            offer(4, 20, &[(1, 0.20, "USD")]),
        ];
        assert_eq!(plan(&offers, 100, &usd_only), (Some((2, 100, 0.50)), Availability::Short(40), vec![1, 4]));
        let none = [offer(1, 0, &[(1, 0.10, "USD")]), offer(2, 0, &[(1, 0.05, "USD")])];
        assert_eq!(
            plan(&none, 5, &usd_only),
            (Some((2, 5, 0.05)), Availability::None, vec![]),
            "priced, none in stock"
        );
    }

    #[test]
    fn prices_are_converted_to_the_plans_currency() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)]));
        let offers = [offer(1, 500, &[(1, 0.40, "USD")]), offer(2, 500, &[(1, 0.15, "EUR")])];
        assert_eq!(plan(&offers, 10, &rates).0, Some((2, 10, 0.30)), "0.15 EUR is 0.30 USD");
        let in_euros = plan_line(&offers, 10, &rates, "EUR").choice.unwrap();
        assert_eq!((in_euros.seller_id, in_euros.unit_price), (2, 0.15), "an offer in the currency keeps its price");
    }

    #[test]
    fn the_median_at_1000_is_in_dollars() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)]));
        let offers = [offer(1, 0, &[(1, 2.0, "USD")]), offer(2, 0, &[(1, 1.5, "EUR")]), offer(3, 0, &[])];
        assert_eq!(median_price_1000(&offers, &rates), Some(3.0));
        assert_eq!(median_price_1000(&offers[2..], &rates), None);
    }
}
