//! Prices: an offer's price breaks, the price at a quantity, conversion between currencies with
//! exchange rates, and what a part costs and holds across its offers. Prices are stored in their
//! source currency and converted only to compare or to show.
//!
//! Rates come from a [`RateTable`]: the built-in reference table ([`reference_rates`]) until a rate
//! feed has answered, with the operator's configured rates over either ([`RateTable::overridden_by`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

/// From `quantity` pieces on, each costs `price` in `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceBreak {
    /// The quantity from which this price applies.
    pub quantity: i64,
    /// Unit price in `currency`, exactly as the source gives it.
    pub price: f64,
    /// ISO 4217 code (`USD`).
    pub currency: String,
}

impl PriceBreak {
    pub fn new(quantity: i64, price: f64, currency: &str) -> Self {
        PriceBreak { quantity, price, currency: currency.to_owned() }
    }

    fn is_price(&self) -> bool {
        self.price.is_finite() && self.price >= 0.0
    }
}

/// The break that applies to `quantity`: the one at the largest quantity up to it, among the
/// breaks of one currency (see [`one_currency`]). `None` below the first break.
pub fn price_at<'a>(breaks: &'a [PriceBreak], quantity: i64, preferred: &str) -> Option<&'a PriceBreak> {
    one_currency(breaks, preferred).filter(|b| b.quantity <= quantity).max_by_key(|b| b.quantity)
}

/// The priced breaks of one currency: `preferred` when the offer is priced in it, else the
/// currency of its first break. Some sellers price an offer in several currencies at once
/// (Octopart's LCSC in GBP, EUR and USD); their breaks are not one list.
pub fn one_currency<'a>(breaks: &'a [PriceBreak], preferred: &str) -> impl Iterator<Item = &'a PriceBreak> {
    let priced = || breaks.iter().filter(|b| b.is_price());
    let currency = priced()
        .find(|b| b.currency == preferred)
        .or_else(|| priced().next())
        .map(|b| b.currency.as_str())
        .unwrap_or_default();
    priced().filter(move |b| b.currency == currency)
}

/// The quantity Nexar's `medianPrice1000` and the `median_price_1000` sort are priced at.
pub const MEDIAN_QUANTITY: i64 = 1000;

/// The break an offer asks for [`MEDIAN_QUANTITY`] pieces: the one that applies, or the smallest
/// break when all are larger (an offer sold by the reel still has a price for the comparison).
pub fn price_at_1000<'a>(breaks: &'a [PriceBreak], preferred: &str) -> Option<&'a PriceBreak> {
    price_at(breaks, MEDIAN_QUANTITY, preferred).or_else(|| one_currency(breaks, preferred).min_by_key(|b| b.quantity))
}

/// Each offer's unit price at 1,000 ([`price_at_1000`]) converted to `currency`, lowest first.
/// The median and average of a part's prices are taken over these.
pub fn prices_at_1000<'a>(
    offers: impl IntoIterator<Item = &'a [PriceBreak]>,
    rates: &ExchangeRates,
    currency: &str,
) -> Vec<f64> {
    let mut prices: Vec<f64> = offers
        .into_iter()
        .filter_map(|breaks| price_at_1000(breaks, currency))
        .map(|b| rates.convert(b.price, &b.currency, currency).amount)
        .collect();
    prices.sort_by(f64::total_cmp);
    prices
}

/// The median of prices sorted lowest first (of an even number, the upper middle one).
pub fn median(sorted: &[f64]) -> Option<f64> {
    sorted.get(sorted.len() / 2).copied()
}

/// Units on hand across offers: the sum of the stock levels that are known and positive.
pub fn stock_total(levels: impl IntoIterator<Item = Option<i64>>) -> i64 {
    levels.into_iter().flatten().filter(|n| *n > 0).sum()
}

/// How many pieces to order for `needed` from an offer that sells at least `minimum` (its MOQ,
/// or its first price break when that is larger) in multiples of `multiple`: the smallest
/// quantity that is at least both and a whole number of multiples. A need of 0 orders nothing.
pub fn order_quantity(needed: i64, minimum: Option<i64>, multiple: Option<i64>) -> i64 {
    if needed <= 0 {
        return 0;
    }
    let at_least = needed.max(minimum.unwrap_or(1));
    match multiple.filter(|m| *m > 1) {
        Some(m) => at_least.div_euclid(m).saturating_add(i64::from(at_least % m != 0)).saturating_mul(m),
        None => at_least,
    }
}

/// A currency was asked for, or configured, that the rates cannot serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Unknown currency `{currency}`. Known currencies: {}.", known.join(", "))]
    UnknownCurrency { currency: String, known: Vec<String> },
    #[error("currency code `{0}` must be three upper-case letters")]
    BadCode(String),
    #[error("the rate of `{0}` must be a positive number")]
    BadRate(String),
    #[error("the rates have no rate for `{0}`, the currency they are quoted against")]
    NoBase(String),
}

/// An amount converted: in `currency`, at `rate` units of it per unit of the source currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub amount: f64,
    pub currency: String,
    pub rate: f64,
}

/// Units of each currency that one US dollar buys (`EUR = 0.92`). USD is always 1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct ExchangeRates(pub BTreeMap<String, f64>);

impl Default for ExchangeRates {
    fn default() -> Self {
        Self(BTreeMap::from([("USD".to_owned(), 1.0)]))
    }
}

impl ExchangeRates {
    fn rate(&self, currency: &str) -> Option<f64> {
        if currency == "USD" {
            return Some(1.0);
        }
        self.0.get(currency).copied().filter(|r| r.is_finite() && *r > 0.0)
    }

    /// Whether amounts in `currency` can be converted (USD, or a configured rate).
    pub fn knows(&self, currency: &str) -> bool {
        self.rate(currency).is_some()
    }

    /// Checks a requested currency: known, or an error naming it and the known ones.
    pub fn check(&self, currency: &str) -> Result<(), MoneyError> {
        if self.knows(currency) {
            Ok(())
        } else {
            Err(MoneyError::UnknownCurrency { currency: currency.to_owned(), known: self.0.keys().cloned().collect() })
        }
    }

    /// `amount` in `from`, converted to `to`. A currency without a rate is passed through
    /// unconverted (rate 1, in `from`) rather than invented.
    pub fn convert(&self, amount: f64, from: &str, to: &str) -> Converted {
        match (self.rate(from), self.rate(to)) {
            (Some(from_rate), Some(to_rate)) => {
                let rate = to_rate / from_rate;
                Converted { amount: amount * rate, currency: to.to_owned(), rate }
            }
            _ => Converted { amount, currency: from.to_owned(), rate: 1.0 },
        }
    }

    /// Rates quoted as units of each currency per one `base` (the ECB's are per euro), as
    /// Ferrite's units per US dollar. `per_base` must hold USD unless `base` is USD.
    pub fn from_quotes(base: &str, per_base: &BTreeMap<String, f64>) -> Result<ExchangeRates, MoneyError> {
        let mut quotes = per_base.clone();
        quotes.insert(base.to_owned(), 1.0);
        ExchangeRates(quotes.clone()).validate()?;
        let usd = *quotes.get("USD").ok_or_else(|| MoneyError::NoBase("USD".to_owned()))?;
        // Valid quotes can still divide to an infinite or zero rate (1e300 against 1e-300).
        let per_usd = ExchangeRates(quotes.into_iter().map(|(code, rate)| (code, rate / usd)).collect());
        per_usd.validate()?;
        Ok(per_usd)
    }

    /// These rates with each of `overrides` in place of the same currency's.
    pub fn overridden_by(&self, overrides: &ExchangeRates) -> ExchangeRates {
        let mut rates = self.0.clone();
        rates.extend(overrides.0.iter().map(|(code, rate)| (code.clone(), *rate)));
        ExchangeRates(rates)
    }

    /// Validates configured rates: positive, finite, three-letter codes.
    pub fn validate(&self) -> Result<(), MoneyError> {
        for (code, rate) in &self.0 {
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(MoneyError::BadCode(code.clone()));
            }
            if !rate.is_finite() || *rate <= 0.0 {
                return Err(MoneyError::BadRate(code.clone()));
            }
        }
        Ok(())
    }
}

/// A set of rates, the day they hold for and where they come from (`built-in`, a feed's URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateTable {
    pub rates: ExchangeRates,
    pub date: NaiveDate,
    pub source: String,
}

/// A table converts as its rates do.
impl std::ops::Deref for RateTable {
    type Target = ExchangeRates;

    fn deref(&self) -> &ExchangeRates {
        &self.rates
    }
}

impl RateTable {
    /// The table with the operator's configured rates over its own.
    pub fn overridden_by(&self, overrides: &ExchangeRates) -> RateTable {
        RateTable { rates: self.rates.overridden_by(overrides), ..self.clone() }
    }
}

/// The built-in table (`reference_rates.txt`: the ECB's reference rates of one day), so every
/// common currency converts on a fresh install before any feed has answered.
pub fn reference_rates() -> RateTable {
    parse_reference_table(include_str!("reference_rates.txt")).expect("the built-in rate table parses")
}

/// `date YYYY-MM-DD`, then `CODE units-per-euro` lines; `#` starts a comment.
fn parse_reference_table(text: &str) -> Result<RateTable, String> {
    let mut date = None;
    let mut quotes = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.split_once(' ').ok_or_else(|| format!("`{line}`: expected a key and a value"))?;
        if key == "date" {
            date = Some(NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|e| format!("`{line}`: {e}"))?);
        } else {
            quotes.insert(key.to_owned(), value.trim().parse::<f64>().map_err(|e| format!("`{line}`: {e}"))?);
        }
    }
    let rates = ExchangeRates::from_quotes("EUR", &quotes).map_err(|e| e.to_string())?;
    Ok(RateTable { rates, date: date.ok_or("no `date` line")?, source: "built-in".to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_at_least_the_minimum_in_whole_multiples() {
        assert_eq!(order_quantity(7, None, None), 7);
        assert_eq!(order_quantity(7, Some(10), None), 10);
        assert_eq!(order_quantity(7, None, Some(5)), 10);
        assert_eq!(order_quantity(10, None, Some(5)), 10, "already a multiple");
        assert_eq!(order_quantity(7, Some(10), Some(4)), 12, "the minimum, rounded up to the multiple");
        assert_eq!(order_quantity(0, Some(10), Some(4)), 0, "nothing needed, nothing ordered");
        assert_eq!(order_quantity(3, Some(-5), Some(0)), 3, "nonsense minimums and multiples are ignored");
        assert_eq!(order_quantity(i64::MAX - 1, None, Some(1000)), i64::MAX, "saturates");
    }

    fn breaks(list: &[(i64, f64, &str)]) -> Vec<PriceBreak> {
        list.iter().map(|(q, p, c)| PriceBreak::new(*q, *p, c)).collect()
    }

    #[test]
    fn quotes_that_divide_to_an_infinite_or_zero_rate_are_refused() {
        let quotes = |usd: f64, jpy: f64| BTreeMap::from([("USD".to_owned(), usd), ("JPY".to_owned(), jpy)]);
        assert!(
            matches!(ExchangeRates::from_quotes("EUR", &quotes(1e-300, 1e300)), Err(MoneyError::BadRate(c)) if c == "JPY")
        );
        assert!(
            matches!(ExchangeRates::from_quotes("EUR", &quotes(1e300, 1e-300)), Err(MoneyError::BadRate(c)) if c == "JPY")
        );
        assert!(ExchangeRates::from_quotes("EUR", &quotes(1.08, 170.0)).is_ok());
    }

    #[test]
    fn conversion_goes_through_usd() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5), ("GBP".into(), 0.25)]));
        let converted = |amount, from, to| {
            let c = rates.convert(amount, from, to);
            (c.amount, c.currency, c.rate)
        };
        assert_eq!(converted(10.0, "USD", "EUR"), (5.0, "EUR".into(), 0.5));
        assert_eq!(converted(10.0, "EUR", "GBP"), (5.0, "GBP".into(), 0.5));
        assert_eq!(converted(10.0, "XYZ", "EUR"), (10.0, "XYZ".into(), 1.0));
        assert!(rates.check("EUR").is_ok());
        assert_eq!(rates.check("JPY").unwrap_err().to_string(), "Unknown currency `JPY`. Known currencies: EUR, GBP.");
        assert!(ExchangeRates(BTreeMap::from([("eur".into(), 0.5)])).validate().is_err());
        assert!(ExchangeRates(BTreeMap::from([("EUR".into(), 0.0)])).validate().is_err());
    }

    #[test]
    fn the_built_in_table_converts_every_common_currency_from_usd() {
        let table = reference_rates();
        assert_eq!(table.date, NaiveDate::from_ymd_opt(2024, 6, 28).unwrap());
        for code in "USD EUR GBP JPY CNY CHF CAD AUD SEK DKK PLN CZK INR KRW SGD HKD".split(' ') {
            assert!(table.rates.knows(code), "{code}");
        }
        // 1 EUR = 1.0705 USD, so 1 USD = 1/1.0705 EUR; JPY per USD = 171.94 / 1.0705.
        assert!((table.rates.convert(1.0705, "USD", "EUR").amount - 1.0).abs() < 1e-12);
        assert!((table.rates.convert(1.0, "USD", "JPY").amount - 171.94 / 1.0705).abs() < 1e-9);
        assert_eq!(table.rates.convert(1.0, "USD", "USD").rate, 1.0);
        let overridden = table.overridden_by(&ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)])));
        assert_eq!(overridden.rates.convert(1.0, "USD", "EUR").amount, 0.5);
        assert!(overridden.rates.knows("GBP"), "an override replaces one currency, not the table");
        assert!(parse_reference_table("USD 1\n").is_err(), "no date");
        assert!(parse_reference_table("date 2024-01-01\nJPY 150\n").is_err(), "no USD to turn to a dollar base");
        assert!(parse_reference_table("date 2024-01-01\nUSD -1\n").is_err());
    }

    #[test]
    fn the_break_at_a_quantity_is_the_largest_at_or_below_it() {
        let prices = breaks(&[(1, 0.50, "USD"), (10, 0.30, "USD"), (100, 0.10, "USD")]);
        assert_eq!(price_at(&prices, 9, "USD").map(|b| b.price), Some(0.50));
        assert_eq!(price_at(&prices, 10, "USD").map(|b| b.price), Some(0.30));
        assert_eq!(price_at(&prices, 5000, "USD").map(|b| b.price), Some(0.10));
        assert_eq!(price_at(&breaks(&[(100, 0.1, "USD")]), 5, "USD"), None, "below the first break");
        let reel = breaks(&[(2500, 0.1, "USD"), (5000, 0.08, "USD")]);
        assert_eq!(price_at_1000(&reel, "USD").map(|b| b.price), Some(0.1));
        assert_eq!(price_at_1000(&[], "USD"), None);
    }

    #[test]
    fn an_offer_priced_in_several_currencies_is_read_in_one() {
        let prices = breaks(&[(1, 0.9, "GBP"), (100, 0.5, "GBP"), (1, 1.0, "EUR"), (10, 0.8, "EUR"), (1, 1.2, "USD")]);
        assert_eq!(price_at(&prices, 500, "EUR").map(|b| (b.price, b.currency.as_str())), Some((0.8, "EUR")));
        assert_eq!(price_at(&prices, 500, "USD").map(|b| b.price), Some(1.2), "not USD's 1 with GBP's 100");
        assert_eq!(price_at(&prices, 500, "JPY").map(|b| (b.price, b.currency.as_str())), Some((0.5, "GBP")));
    }

    #[test]
    fn the_median_at_1000_is_taken_in_one_currency() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5)]));
        let usd = breaks(&[(1, 2.0, "USD")]);
        let eur = breaks(&[(1, 1.5, "EUR")]); // 3 USD
        let cheap = breaks(&[(1, 2.5, "USD")]);
        let prices = prices_at_1000([&usd[..], &eur[..], &cheap[..]], &rates, "USD");
        assert_eq!(prices, [2.0, 2.5, 3.0]);
        assert_eq!(median(&prices), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(stock_total([Some(5), None, Some(-1), Some(10)]), 15);
    }
}
