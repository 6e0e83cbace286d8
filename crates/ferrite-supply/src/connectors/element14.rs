//! element14's Product Search API (partner.element14.com): `GET /catalog/products` with
//! `term=manuPartNum:<MPN>`, the store (`storeInfo.id`, which also says the seller and the
//! currency), the page (`resultsSettings.*`) and the key (`callInfo.apiKey`), answered as JSON.

use reqwest::Method;
use serde_json::Value;

use super::{Api, CallError, Calls, ConnectorConfig, read_answer};
use crate::{feeds::element14, model::FeedPart};

pub(crate) struct Element14 {
    api_key: String,
    base_url: String,
    store: String,
}

/// Farnell UK unless the connector names a store.
const DEFAULT_STORE: &str = "uk.farnell.com";

impl Element14 {
    pub(crate) fn new(config: &ConnectorConfig) -> Element14 {
        Element14 {
            api_key: config.secret("api_key").to_owned(),
            base_url: config.base_url(),
            store: config.store.clone().unwrap_or_else(|| DEFAULT_STORE.into()),
        }
    }
}

impl Api for Element14 {
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError> {
        let url = format!("{}/catalog/products", self.base_url);
        let term = format!("manuPartNum:{mpn}");
        let query = [
            ("term", term.as_str()),
            ("storeInfo.id", &self.store),
            ("resultsSettings.offset", "0"),
            ("resultsSettings.numberOfResults", "10"),
            ("resultsSettings.responseGroup", "large"),
            ("callInfo.responseDataFormat", "json"),
            ("callInfo.apiKey", &self.api_key),
        ];
        let answer = calls.call(calls.request(Method::GET, &url).query(&query))?;
        let document = answer.json()?;
        if let Some(fault) = document.get("Fault") {
            let reason =
                fault.pointer("/Description").and_then(Value::as_str).unwrap_or("a fault without a description");
            return Err(CallError::Upstream(reason.to_owned()));
        }
        let found = document.pointer("/manufacturerPartNumberSearchReturn/numberOfResults").and_then(Value::as_u64);
        if found == Some(0) {
            return Ok(Vec::new());
        }
        // The feed reads the store from the answer's name, as from KiCost's cache names.
        let label = format!("element14_{}.json", self.store);
        read_answer(element14::parse, &label, &answer.body)
    }
}
