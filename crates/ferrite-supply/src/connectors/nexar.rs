//! Nexar as an upstream (nexar.com/api): a client-credentials token from Nexar's identity server
//! (scope `supply.domain`), then `supMultiMatch` for the
//! MPN over GraphQL, asking for the fields the Nexar feed reads. Nexar charges its plan per part
//! returned, so Ferrite asks only for parts its catalogue lacks or holds stale, and at most
//! [`PARTS_PER_MPN`] of them.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, Api, CallError, Calls, ConnectorConfig, oauth::ClientCredentials, read_answer};
use crate::{feeds::nexar_json, model::FeedPart};

/// Parts asked for per MPN: the exact part and a few of its packagings.
const PARTS_PER_MPN: u32 = 3;

const MATCH: &str = "query Match($queries: [SupPartMatchQuery!]!, $country: String!, $currency: String!) {
  supMultiMatch(queries: $queries, country: $country, currency: $currency) {
    hits
    parts {
      mpn manufacturer { name homepageUrl } shortDescription
      category { name ancestors { name } }
      specs { attribute { name shortname group } displayValue value units }
      bestDatasheet { url } bestImage { url }
      sellers(authorizedOnly: false) {
        company { name homepageUrl } isAuthorized
        offers { sku inventoryLevel moq orderMultiple factoryLeadDays factoryPackQuantity onOrderQuantity
                 packaging clickUrl updated prices { quantity price currency } }
      }
    }
  }
}";

pub(crate) struct Nexar {
    auth: ClientCredentials,
    base_url: String,
    country: String,
    currency: String,
}

impl Nexar {
    pub(crate) fn new(config: &ConnectorConfig) -> Nexar {
        Nexar {
            auth: ClientCredentials::new(config, Some("supply.domain")),
            base_url: config.base_url(),
            country: config.country.clone(),
            currency: config.currency.clone(),
        }
    }
}

/// Nexar refuses a token with HTTP 200 and an `AuthInvalidToken` or `AuthExpiredToken` error.
fn refuses_token(answer: &Answer) -> bool {
    let document: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    let code = document.pointer("/errors/0/extensions/code").and_then(Value::as_str).unwrap_or_default();
    matches!(code, "AuthInvalidToken" | "AuthExpiredToken")
}

impl Api for Nexar {
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError> {
        let url = format!("{}/graphql", self.base_url);
        let body = json!({
            "query": MATCH,
            "variables": {
                "queries": [{ "mpn": mpn, "limit": PARTS_PER_MPN }],
                "country": self.country,
                "currency": self.currency,
            },
        });
        let answer = self.auth.call(calls, &|calls| calls.request(Method::POST, &url).json(&body), refuses_token)?;
        let document = answer.json()?;
        // Nexar answers a token or plan refusal with HTTP 200 and `data: null`.
        if let Some(error) = document.pointer("/errors/0") {
            let message = error.get("message").and_then(Value::as_str).unwrap_or("an error without a message");
            let code = error.pointer("/extensions/code").and_then(Value::as_str).unwrap_or_default();
            return Err(if code.starts_with("Auth") || message.contains("Token") || message.contains("part limit") {
                CallError::Refused(message.to_owned())
            } else {
                CallError::Upstream(message.to_owned())
            });
        }
        let hits = document.pointer("/data/supMultiMatch/0/parts").and_then(Value::as_array).map_or(0, Vec::len);
        if hits == 0 {
            return Ok(Vec::new());
        }
        read_answer(nexar_json::parse, &format!("nexar: {mpn}"), &answer.body)
    }
}
