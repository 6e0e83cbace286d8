//! Mouser's Search API v1 (api.mouser.com/api/docs): `POST /api/v1/search/partnumber?apiKey=…`
//! with `{"SearchByPartRequest": {"mouserPartNumber", "partSearchOptions"}}`. Mouser answers
//! HTTP 200 even for a refused key, with the reason in `Errors`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Api, CallError, Calls, ConnectorConfig, read_answer};
use crate::{feeds::mouser, model::FeedPart};

pub(crate) struct Mouser {
    api_key: String,
    base_url: String,
}

impl Mouser {
    pub(crate) fn new(config: &ConnectorConfig) -> Mouser {
        Mouser { api_key: config.secret("api_key").to_owned(), base_url: config.base_url() }
    }
}

impl Api for Mouser {
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError> {
        let url = format!("{}/api/v1/search/partnumber", self.base_url);
        let body = json!({ "SearchByPartRequest": { "mouserPartNumber": mpn, "partSearchOptions": "Exact" } });
        let request = calls.request(Method::POST, &url).query(&[("apiKey", &self.api_key)]).json(&body);
        let answer = calls.call(request)?;
        let document = answer.json()?;
        if let Some(error) = document.get("Errors").and_then(Value::as_array).and_then(|errors| errors.first()) {
            let message = error.get("Message").and_then(Value::as_str).unwrap_or("an error without a message");
            let about_the_key =
                error.get("PropertyName").and_then(Value::as_str).is_some_and(|p| p.contains("API Key"));
            return Err(if about_the_key {
                CallError::Refused(message.to_owned())
            } else {
                CallError::Upstream(message.to_owned())
            });
        }
        if document.pointer("/SearchResults/NumberOfResult").and_then(Value::as_u64) == Some(0) {
            return Ok(Vec::new());
        }
        read_answer(mouser::parse, &format!("mouser: {mpn}"), &answer.body)
    }
}
