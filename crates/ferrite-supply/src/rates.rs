//! The daily exchange-rate refresh: the ECB's reference rates (per euro, turned to Ferrite's per
//! US dollar), kept in the store so every node and every restart converts at the latest, and put
//! into the catalogue in use. A feed that fails leaves the last good rates in place.

use std::{collections::BTreeMap, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};
use ferrite_core::money::{ExchangeRates, RateTable};
use ferrite_store::{Store, StoreError, StoredRates};
use serde::{Deserialize, Serialize};

use crate::{
    catalogue::{Catalogue, stored_rates},
    http::HttpClient,
};

/// The ECB's daily euro reference rates (about 30 currencies, published on working days ~16:00 CET).
pub const ECB_DAILY: &str = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml";

/// Where the rates come from and how often (`[exchange_rates]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatesFeed {
    /// Whether to fetch at all: off, the built-in table (and `currency_rates`) serve.
    pub refresh: bool,
    /// A document in the ECB's `eurofxref-daily.xml` format.
    pub feed_url: String,
    /// How old the stored rates may get before a node fetches again.
    #[serde(with = "humantime_serde")]
    pub refresh_every: Duration,
}

impl Default for RatesFeed {
    fn default() -> Self {
        RatesFeed { refresh: true, feed_url: ECB_DAILY.to_owned(), refresh_every: Duration::from_secs(12 * 3600) }
    }
}

impl RatesFeed {
    pub fn validate(&self) -> Result<(), String> {
        let lower = self.feed_url.to_ascii_lowercase();
        if self.refresh && !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(format!("`exchange_rates.feed_url` must be an http(s) URL, not `{}`", self.feed_url));
        }
        if self.refresh_every < Duration::from_secs(60) {
            return Err("`exchange_rates.refresh_every` must be at least 1m".into());
        }
        Ok(())
    }
}

/// The rates of an ECB daily reference-rate document.
pub fn parse_ecb(xml: &str, source: &str) -> Result<RateTable, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|err| format!("not XML: {err}"))?;
    let day = doc
        .descendants()
        .find(|n| n.has_tag_name("Cube") && n.has_attribute("time"))
        .ok_or("no <Cube time=\"…\"> element: not an ECB reference-rate document")?;
    let time = day.attribute("time").unwrap_or_default();
    let date = NaiveDate::parse_from_str(time, "%Y-%m-%d").map_err(|err| format!("time `{time}`: {err}"))?;
    let mut quotes = BTreeMap::new();
    for cube in day.children().filter(|n| n.has_tag_name("Cube")) {
        let (Some(code), Some(rate)) = (cube.attribute("currency"), cube.attribute("rate")) else { continue };
        let rate = rate.trim().parse::<f64>().map_err(|_| format!("{code}: rate `{rate}` is not a number"))?;
        quotes.insert(code.to_owned(), rate);
    }
    let rates = ExchangeRates::from_quotes("EUR", &quotes).map_err(|err| err.to_string())?;
    Ok(RateTable { rates, date, source: source.to_owned() })
}

/// Fetches and parses the feed. Blocking: call it on a thread that may block.
pub fn fetch(url: &str) -> Result<RateTable, String> {
    let client = HttpClient::configured().map_err(|err| err.to_string())?;
    let body =
        client.get(url).and_then(|r| r.text().map_err(|err| fetch_error(url, err))).map_err(|e| e.to_string())?;
    parse_ecb(&body, url).map_err(|err| format!("{url}: {err}"))
}

fn fetch_error(url: &str, err: reqwest::Error) -> crate::http::HttpError {
    crate::http::HttpError::Fetch { url: url.to_owned(), reason: format!("cannot read the body: {err}") }
}

/// One round of the refresh job: fetch when the stored rates are older than the feed's period
/// (on any node), keep what the feed gave, then convert at the store's latest.
pub async fn refresh(
    store: &Store,
    catalogue: &Catalogue,
    feed: &RatesFeed,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let last = store.catalogue().exchange_rates().await?;
    let due = last.as_ref().is_none_or(|row| {
        now.signed_duration_since(row.fetched_at).to_std().is_ok_and(|age| age >= feed.refresh_every)
    });
    if feed.refresh && due {
        let url = feed.feed_url.clone();
        // On a thread of its own, not the runtime's blocking pool: a shutdown during the fetch's
        // retries drops this round at once instead of waiting for them.
        let (sender, fetched) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || sender.send(fetch(&url)));
        let fetched = fetched.await.unwrap_or_else(|_| Err("the fetch thread stopped".to_owned()));
        match fetched {
            Ok(table) => {
                let rates = serde_json::to_string(&table.rates).expect("rates serialize");
                let row = StoredRates { date: table.date.to_string(), source: table.source, rates, fetched_at: now };
                store.catalogue().save_exchange_rates(&row).await?;
                tracing::info!(date = row.date, currencies = table.rates.0.len(), "exchange rates fetched");
            }
            Err(err) => {
                let in_use = catalogue.rates();
                tracing::warn!(
                    error = err,
                    rates_of = %in_use.date,
                    rates_from = in_use.source,
                    "the exchange-rate feed failed; converting at the last good rates"
                );
            }
        }
    }
    if let Some(table) = stored_rates(store).await? {
        catalogue.use_rates(table);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECB: &str = include_str!("../tests/data/eurofxref-daily.xml");

    #[test]
    fn an_ecb_document_gives_per_dollar_rates_of_its_day() {
        let table = parse_ecb(ECB, "test").unwrap();
        assert_eq!(table.date.to_string(), "2026-11-30");
        let usd_per_eur = 1.1571;
        assert!((table.rates.convert(usd_per_eur, "USD", "EUR").amount - 1.0).abs() < 1e-12);
        assert!((table.rates.convert(1.0, "USD", "GBP").amount - 0.87690 / usd_per_eur).abs() < 1e-12);
        assert!(table.rates.knows("JPY") && table.rates.knows("KRW"));

        assert!(parse_ecb("<html>busy</html>", "t").unwrap_err().contains("not an ECB reference-rate document"));
        assert!(parse_ecb("not xml", "t").unwrap_err().starts_with("not XML"));
        let no_usd =
            "<Envelope><Cube><Cube time='2026-11-30'><Cube currency='GBP' rate='0.8'/></Cube></Cube></Envelope>";
        assert!(parse_ecb(no_usd, "t").unwrap_err().contains("USD"));
        let bad = "<Envelope><Cube><Cube time='2026-11-30'><Cube currency='USD' rate='x'/></Cube></Cube></Envelope>";
        assert!(parse_ecb(bad, "t").unwrap_err().contains("not a number"));
    }
}
