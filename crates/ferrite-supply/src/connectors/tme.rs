//! TME's API (developers.tme.eu): form POSTs to `/Products/Search.json` (the MPN as
//! `SearchPlain`) and `/Products/GetPricesAndStocks.json` (the symbols found, as `SymbolList[n]`),
//! each with the application's `Token` and signed: `ApiSignature` is the Base64 of an HMAC-SHA1,
//! keyed by the application secret, of `POST&<url>&<parameters>`, the URL and the parameters
//! (sorted by name, RFC 3986 encoded) each encoded once more. The TME feed joins the two answers
//! by symbol into offers.

use aws_lc_rs::hmac;
use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::Value;

use super::{Answer, Api, CallError, Calls, Collected, ConnectorConfig};
use crate::{
    feeds::{
        merge::PartMerger,
        tme::{self, Answers},
    },
    model::FeedPart,
};
use ferrite_core::keys::mpn_key;

/// RFC 3986's unreserved characters stay; everything else is percent-encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Symbols priced per lookup: TME's variants of one MPN (reel, cut tape) are few.
const MAX_SYMBOLS: usize = 5;

pub(crate) struct Tme {
    token: String,
    key: hmac::Key,
    base_url: String,
    country: String,
    language: String,
    currency: String,
}

impl Tme {
    pub(crate) fn new(config: &ConnectorConfig) -> Tme {
        Tme {
            token: config.secret("token").to_owned(),
            key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, config.secret("app_secret").as_bytes()),
            base_url: config.base_url(),
            country: config.country.clone(),
            language: config.language.clone(),
            currency: config.currency.clone(),
        }
    }

    /// One signed call of `action` (`Products/Search`).
    fn call(&self, calls: &mut dyn Calls, action: &str, mut params: Vec<(String, String)>) -> Result<Value, CallError> {
        let url = format!("{}/{action}.json", self.base_url);
        params.push(("Token".into(), self.token.clone()));
        params.push(("Country".into(), self.country.clone()));
        params.push(("Language".into(), self.language.clone()));
        let signature = signature(&self.key, &url, &mut params);
        params.push(("ApiSignature".into(), signature));
        let answer: Answer = calls.call(calls.request(Method::POST, &url).form(&params))?;
        let document = answer.json()?;
        match document.get("Status").and_then(Value::as_str) {
            Some("OK") => Ok(document),
            Some(status) => {
                let message = format!("TME answered {status}");
                Err(if status.contains("AUTH") || status.contains("SIGNATURE") || status.contains("TOKEN") {
                    CallError::Refused(message)
                } else {
                    CallError::Upstream(message)
                })
            }
            None => Err(CallError::Malformed("a TME answer without a Status".into())),
        }
    }
}

/// `ApiSignature` of a POST of `params` (which it sorts) to `url`.
fn signature(key: &hmac::Key, url: &str, params: &mut [(String, String)]) -> String {
    params.sort();
    let encode = |text: &str| utf8_percent_encode(text, RFC3986).to_string();
    let query: Vec<String> = params.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect();
    let base = format!("POST&{}&{}", encode(url), encode(&query.join("&")));
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(key, base.as_bytes()).as_ref())
}

impl Api for Tme {
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError> {
        let search = self.call(calls, "Products/Search", vec![("SearchPlain".into(), mpn.to_owned())])?;
        let wanted = mpn_key(mpn);
        let symbols: Vec<String> = search
            .pointer("/Data/ProductList")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|p| p.get("OriginalSymbol").and_then(Value::as_str).is_some_and(|m| mpn_key(m) == wanted))
            .filter_map(|p| p.get("Symbol").and_then(Value::as_str).map(str::to_owned))
            .take(MAX_SYMBOLS)
            .collect();
        if symbols.is_empty() {
            return Ok(Vec::new());
        }
        let mut params: Vec<(String, String)> =
            symbols.iter().enumerate().map(|(i, symbol)| (format!("SymbolList[{i}]"), symbol.clone())).collect();
        params.push(("Currency".into(), self.currency.clone()));
        let prices = self.call(calls, "Products/GetPricesAndStocks", params)?;
        // The feed reads the currency of an answer that does not state it from its name.
        let label = format!("tme_{}_{}_{}.json", self.country, self.language, self.currency);
        let mut answers = Answers::default();
        let mut sink = Collected::default();
        for document in [search, prices] {
            let bytes = serde_json::to_vec(&document).expect("JSON serializes");
            tme::parse(&bytes, &label, &mut answers, &mut sink).map_err(|err| CallError::Malformed(err.to_string()))?;
        }
        let mut merger = PartMerger::default();
        answers.into_parts(&mut merger, &mut sink);
        merger.emit(&mut sink).map_err(|err| CallError::Malformed(err.to_string()))?;
        Ok(sink.parts.into_iter().filter(|part| mpn_key(&part.mpn) == wanted).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_an_hmac_of_the_sorted_encoded_request() {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, b"secret");
        let mut params =
            vec![("Token".to_owned(), "abc".to_owned()), ("SymbolList[0]".to_owned(), "1N4007 A".to_owned())];
        let signed = signature(&key, "https://api.tme.eu/Products/GetPrices.json", &mut params);
        // The base string, signed by hand: POST&https%3A%2F%2Fapi.tme.eu%2FProducts%2FGetPrices.json&
        // SymbolList%255B0%255D%3D1N4007%2520A%26Token%3Dabc
        let base = "POST&https%3A%2F%2Fapi.tme.eu%2FProducts%2FGetPrices.json&SymbolList%255B0%255D%3D1N4007%2520A%26Token%3Dabc";
        let expected = base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, base.as_bytes()).as_ref());
        assert_eq!(signed, expected);
        assert_eq!(params[0].0, "SymbolList[0]", "sorted by name");
    }
}
