//! DigiKey's Product Information API v4 (developer.digikey.com): an OAuth 2.0 client-credentials
//! token ([`ClientCredentials`]), then product details
//! by part number (`GET /products/v4/search/{number}/productdetails`), and a keyword search
//! (`POST /products/v4/search/keyword`) when DigiKey knows no product by that number. Every call
//! carries `X-DIGIKEY-Client-Id` and the locale headers.
//!
//! The API answers in PascalCase (`ManufacturerProductNumber`); the DigiKey feed reads the
//! snake_case its Python client records (`manufacturer_product_number`), so answers are
//! re-keyed once and read by the same adapter.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, Api, CallError, Calls, ConnectorConfig, escape, oauth::ClientCredentials, read_answer};
use crate::{feeds::digikey_v4, model::FeedPart};

pub(crate) struct DigiKey {
    auth: ClientCredentials,
    base_url: String,
    locale: [(&'static str, String); 3],
}

impl DigiKey {
    pub(crate) fn new(config: &ConnectorConfig) -> DigiKey {
        DigiKey {
            auth: ClientCredentials::new(config, None),
            base_url: config.base_url(),
            locale: [
                ("X-DIGIKEY-Locale-Site", config.country.clone()),
                ("X-DIGIKEY-Locale-Language", config.language.clone()),
                ("X-DIGIKEY-Locale-Currency", config.currency.clone()),
            ],
        }
    }

    /// One API call with DigiKey's headers.
    fn call(
        &self,
        calls: &mut dyn Calls,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        let build = |calls: &dyn Calls| {
            let mut request = calls.request(method.clone(), url).header("X-DIGIKEY-Client-Id", &self.auth.client_id);
            for (name, value) in &self.locale {
                request = request.header(*name, value);
            }
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        self.auth.call(calls, &build, |_| false)
    }
}

impl Api for DigiKey {
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError> {
        let details = format!("{}/products/v4/search/{}/productdetails", self.base_url, escape(mpn));
        let answer = self.call(calls, Method::GET, &details, None)?;
        let answer = if answer.status == 404 {
            let search = format!("{}/products/v4/search/keyword", self.base_url);
            let body = json!({ "Keywords": mpn, "Limit": 10, "Offset": 0 });
            let answer = self.call(calls, Method::POST, &search, Some(&body))?;
            if answer.status == 404 {
                return Ok(Vec::new());
            }
            answer
        } else {
            answer
        };
        let body = serde_json::to_vec(&snake_keys(answer.json()?)).expect("JSON serializes");
        read_answer(digikey_v4::parse, &format!("digikey: {mpn}"), &body)
    }
}

/// `document` with every key in snake_case (`DigiKeyProductNumber` → `digi_key_product_number`).
fn snake_keys(document: Value) -> Value {
    match document {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(key, value)| (snake(&key), snake_keys(value))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(snake_keys).collect()),
        other => other,
    }
}

fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous: Option<char> = None;
    for c in key.chars() {
        if c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_keys_become_the_recorded_snake_case() {
        for (pascal, snake_case) in [
            ("DigiKeyProductNumber", "digi_key_product_number"),
            ("QuantityAvailableforPackageType", "quantity_availablefor_package_type"),
            ("ProductUrl", "product_url"),
            ("SearchLocaleUsed", "search_locale_used"),
            ("already_snake", "already_snake"),
        ] {
            assert_eq!(snake(pascal), snake_case);
        }
    }
}
