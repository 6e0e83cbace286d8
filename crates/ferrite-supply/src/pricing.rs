//! What parts cost and hold, across their offers, by the money rules of `ferrite_core::money`:
//! the median price at 1,000 that `medianPrice1000` shows and the index sorts by, the stock
//! total, and the offer a BOM line would be bought from at its quantity.

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

/// The offer a line would be bought from, at its quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// In the offer's own currency.
    pub unit_price: f64,
    pub currency: String,
    pub seller_id: i64,
    /// Whether that offer's stock covers the quantity.
    pub in_stock: bool,
}

/// The best quote for `quantity` pieces (a line of 0 is priced as 1): offers whose stock covers
/// the quantity first, then the lowest unit price compared in US dollars at `rates`. Offers in a
/// currency without a rate cannot be compared with the others and come after them, each
/// currency's by price.
pub fn best_quote(offers: &[OfferRecord], quantity: i64, rates: &ExchangeRates) -> Option<Quote> {
    let quantity = quantity.max(1);
    offers
        .iter()
        .filter_map(|offer| {
            let price = money::price_at(&offer.prices, quantity, "USD")?;
            let in_stock = offer.inventory_level.unwrap_or(0) >= quantity;
            let quote = Quote {
                unit_price: price.price,
                currency: price.currency.clone(),
                seller_id: offer.seller_id,
                in_stock,
            };
            // Unconvertible currencies compare by their code, then by their own price.
            let known = rates.knows(&price.currency);
            let usd = if known { rates.convert(price.price, &price.currency, "USD").amount } else { price.price };
            Some((quote, known, usd))
        })
        .min_by(|(a, a_known, a_usd), (b, b_known, b_usd)| {
            let unknown_currency = |q: &Quote, known: bool| if known { None } else { Some(q.currency.clone()) };
            (!a.in_stock, !a_known, unknown_currency(a, *a_known))
                .cmp(&(!b.in_stock, !b_known, unknown_currency(b, *b_known)))
                .then(a_usd.total_cmp(b_usd))
        })
        .map(|(quote, _, _)| quote)
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

    #[test]
    fn the_break_at_the_quantity_from_the_offer_that_can_fill_it() {
        let usd_only = ExchangeRates::default();
        let offers =
            [offer(1, 5, &[(1, 0.20, "USD")]), offer(2, 500, &[(1, 0.40, "USD")]), offer(3, 900, &[(1, 0.01, "EUR")])];
        let quote = best_quote(&offers, 10, &usd_only).unwrap();
        assert_eq!((quote.seller_id, quote.unit_price, quote.in_stock), (2, 0.40, true), "seller 1 has only 5");
        assert_eq!(best_quote(&offers, 3, &usd_only).unwrap().seller_id, 1);
        assert_eq!(best_quote(&offers[2..], 0, &usd_only).unwrap().unit_price, 0.01, "a line of 0 is priced as 1");
        assert_eq!(stock(&offers), 1405);
        assert_eq!(best_quote(&[], 1, &usd_only), None);
        assert_eq!(best_quote(&[offer(1, 9, &[(100, 0.1, "USD")])], 5, &usd_only), None, "below the first break");
    }

    #[test]
    fn currencies_with_a_rate_are_compared_converted() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)]));
        let offers = [offer(1, 500, &[(1, 0.40, "USD")]), offer(2, 500, &[(1, 0.15, "EUR")])];
        let quote = best_quote(&offers, 10, &rates).unwrap();
        assert_eq!((quote.seller_id, quote.unit_price, quote.currency.as_str()), (2, 0.15, "EUR"), "0.30 USD");
        assert_eq!(best_quote(&offers, 10, &ExchangeRates::default()).unwrap().seller_id, 1, "EUR has no rate");
    }

    #[test]
    fn the_median_at_1000_is_in_dollars() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)]));
        let offers = [offer(1, 0, &[(1, 2.0, "USD")]), offer(2, 0, &[(1, 1.5, "EUR")]), offer(3, 0, &[])];
        assert_eq!(median_price_1000(&offers, &rates), Some(3.0));
        assert_eq!(median_price_1000(&offers[2..], &rates), None);
    }
}
