//! What one BOM line costs: the unit price at the line's quantity from the catalogue's offers of
//! its matched part, and the stock behind it.

use ferrite_store::OfferRecord;

/// The offer a line would be bought from, at its quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub unit_price: f64,
    pub currency: String,
    pub seller_id: i64,
    /// Whether that offer's stock covers the quantity.
    pub in_stock: bool,
}

/// The unit price of the break that applies to `quantity` (the largest break at or below it).
pub fn price_at(prices: &[(i64, f64, String)], quantity: i64) -> Option<(f64, &str)> {
    let quantity = quantity.max(1);
    prices
        .iter()
        .filter(|(breaks_at, price, _)| *breaks_at <= quantity && price.is_finite() && *price >= 0.0)
        .max_by_key(|(breaks_at, ..)| *breaks_at)
        .map(|(_, price, currency)| (*price, currency.as_str()))
}

/// The best quote: offers whose stock covers the quantity first, then US dollars (prices are not
/// converted here, so only like currencies are compared on price), then the lowest unit price.
pub fn best_quote(offers: &[OfferRecord], quantity: i64) -> Option<Quote> {
    offers
        .iter()
        .filter_map(|offer| {
            let (price, currency) = price_at(&offer.prices, quantity)?;
            let in_stock = offer.inventory_level.unwrap_or(0) >= quantity.max(1);
            Some(Quote { unit_price: price, currency: currency.to_owned(), seller_id: offer.seller_id, in_stock })
        })
        .min_by(|a, b| {
            (!a.in_stock, a.currency != "USD", &a.currency)
                .cmp(&(!b.in_stock, b.currency != "USD", &b.currency))
                .then(a.unit_price.total_cmp(&b.unit_price))
        })
}

/// Units on hand across the offers.
pub fn stock(offers: &[OfferRecord]) -> i64 {
    offers.iter().filter_map(|o| o.inventory_level).filter(|n| *n > 0).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(seller_id: i64, stock: i64, prices: &[(i64, f64, &str)]) -> OfferRecord {
        OfferRecord {
            id: seller_id,
            part_id: 1,
            seller_id,
            sku: format!("S{seller_id}"),
            is_authorized: true,
            inventory_level: Some(stock),
            moq: None,
            order_multiple: None,
            packaging: None,
            prices: prices.iter().map(|(q, p, c)| (*q, *p, (*c).to_owned())).collect(),
            click_url: None,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_break_at_the_quantity_from_the_offer_that_can_fill_it() {
        let prices = [(1, 0.50, "USD".to_owned()), (10, 0.30, "USD".to_owned()), (100, 0.10, "USD".to_owned())];
        assert_eq!(price_at(&prices, 9), Some((0.50, "USD")));
        assert_eq!(price_at(&prices, 10), Some((0.30, "USD")));
        assert_eq!(price_at(&prices, 0), Some((0.50, "USD")), "a line of 0 is priced as 1");
        assert_eq!(price_at(&[(100, 0.1, "USD".to_owned())], 5), None, "below the first break");

        let offers =
            [offer(1, 5, &[(1, 0.20, "USD")]), offer(2, 500, &[(1, 0.40, "USD")]), offer(3, 900, &[(1, 0.01, "EUR")])];
        let quote = best_quote(&offers, 10).unwrap();
        assert_eq!((quote.seller_id, quote.unit_price, quote.in_stock), (2, 0.40, true), "seller 1 has only 5");
        assert_eq!(best_quote(&offers, 3).unwrap().seller_id, 1);
        assert_eq!(stock(&offers), 1405);
        assert_eq!(best_quote(&[], 1), None);
    }
}
