//! Local replay servers for the connector tests, one per distributor: each checks a request the
//! way the real API does (path, parameters, headers, credentials, TME's signature) and answers
//! with a recorded answer of that API, or with a fault the test asks for.

#![allow(dead_code)] // Each test file uses its part.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

/// What the next answers of a replay server are, instead of the recorded ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// `429 Too Many Requests` with `Retry-After: 120`.
    RateLimited,
    /// `503 Service Unavailable`.
    Unavailable,
    /// The recorded answer, after this long.
    Slow(Duration),
    /// `200` with a body that is not the API's.
    Malformed,
}

pub struct Replay {
    pub address: SocketAddr,
    /// API calls answered (token requests not counted).
    pub calls: Arc<AtomicUsize>,
    pub token_requests: Arc<AtomicUsize>,
    /// The most calls answered at once (counted while a `Slow` fault holds them).
    pub most_at_once: Arc<AtomicUsize>,
    fault: Arc<Mutex<Fault>>,
    /// Tokens the server accepts: a test revokes them to make the kept one fail.
    tokens: Arc<Mutex<Vec<String>>>,
}

impl Replay {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    pub fn set_fault(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }
    /// Every token given so far stops working (as when one expires early).
    pub fn revoke_tokens(&self) {
        self.tokens.lock().unwrap().clear();
    }
}

/// Credentials the replay servers accept.
pub const CLIENT_ID: &str = "replay-client";
pub const CLIENT_SECRET: &str = "replay-secret";
pub const API_KEY: &str = "replay-key";
pub const TME_TOKEN: &str = "replay-tme-token";
pub const TME_SECRET: &str = "replay-tme-secret";

#[derive(Clone)]
struct Shared {
    calls: Arc<AtomicUsize>,
    token_requests: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
    fault: Arc<Mutex<Fault>>,
    tokens: Arc<Mutex<Vec<String>>>,
    /// Recorded answers by the key the API is asked by (an MPN, upper-cased).
    answers: Arc<HashMap<String, Value>>,
}

impl Shared {
    fn key(text: &str) -> String {
        text.trim().to_uppercase()
    }

    fn answer(&self, key: &str) -> Option<Value> {
        self.answers.get(&Shared::key(key)).cloned()
    }

    /// Counts an API call and answers the fault set, if any.
    async fn fault(&self) -> Option<Response> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let fault = *self.fault.lock().unwrap();
        match fault {
            Fault::None => None,
            Fault::RateLimited => {
                Some((StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "120")], "slow down").into_response())
            }
            Fault::Unavailable => Some((StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response()),
            Fault::Slow(wait) => {
                let at_once = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.most_at_once.fetch_max(at_once, Ordering::SeqCst);
                tokio::time::sleep(wait).await;
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                None
            }
            Fault::Malformed => Some((StatusCode::OK, "<html>not JSON</html>").into_response()),
        }
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        given.is_some_and(|token| self.tokens.lock().unwrap().iter().any(|t| t == token))
    }

    fn issue_token(&self, form: &HashMap<String, String>, scope: Option<&str>) -> Response {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
            && form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
            && scope.is_none_or(|scope| form.get("scope").map(String::as_str) == Some(scope));
        if !ok {
            return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": "invalid_client" }))).into_response();
        }
        let token = format!("token-{}", uuid::Uuid::new_v4());
        self.tokens.lock().unwrap().push(token.clone());
        axum::Json(json!({ "access_token": token, "expires_in": 599, "token_type": "Bearer" })).into_response()
    }
}

async fn start(router: Router<Shared>, answers: HashMap<String, Value>) -> Replay {
    let shared = Shared {
        calls: Arc::default(),
        token_requests: Arc::default(),
        in_flight: Arc::default(),
        most_at_once: Arc::default(),
        fault: Arc::new(Mutex::new(Fault::None)),
        tokens: Arc::default(),
        answers: Arc::new(answers.into_iter().map(|(k, v)| (Shared::key(&k), v)).collect()),
    };
    let replay = Replay {
        address: "127.0.0.1:0".parse().unwrap(),
        calls: shared.calls.clone(),
        token_requests: shared.token_requests.clone(),
        most_at_once: shared.most_at_once.clone(),
        fault: shared.fault.clone(),
        tokens: shared.tokens.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router.with_state(shared)).await });
    Replay { address, ..replay }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn refused(status: StatusCode, why: &str) -> Response {
    (status, axum::Json(json!({ "title": why, "status": status.as_u16() }))).into_response()
}

// ---- DigiKey: Product Information API v4 ----

/// DigiKey's replay: `answers` are product-details answers (PascalCase, as the API sends them)
/// by MPN or DigiKey part number.
pub async fn digikey(answers: HashMap<String, Value>) -> Replay {
    async fn token(State(s): State<Shared>, body: Bytes) -> Response {
        s.issue_token(&form(&body), None)
    }
    async fn details(State(s): State<Shared>, Path(number): Path<String>, headers: HeaderMap) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        if !s.bearer_ok(&headers) {
            return refused(StatusCode::UNAUTHORIZED, "Bearer token invalid");
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        if header("x-digikey-client-id") != CLIENT_ID {
            return refused(StatusCode::UNAUTHORIZED, "The Client ID is not valid");
        }
        if header("x-digikey-locale-site") != "US" || header("x-digikey-locale-currency") != "USD" {
            return refused(StatusCode::BAD_REQUEST, "locale headers missing");
        }
        match s.answer(&number) {
            Some(answer) => axum::Json(answer).into_response(),
            None => refused(StatusCode::NOT_FOUND, "Product not found"),
        }
    }
    async fn keyword(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        if !s.bearer_ok(&headers) {
            return refused(StatusCode::UNAUTHORIZED, "Bearer token invalid");
        }
        let Ok(request) = serde_json::from_slice::<Value>(&body) else {
            return refused(StatusCode::BAD_REQUEST, "not JSON");
        };
        let keywords = request["Keywords"].as_str().unwrap_or_default();
        let products: Vec<Value> = s.answer(keywords).map(|a| a["Product"].clone()).into_iter().collect();
        axum::Json(json!({ "Products": products, "ProductsCount": products.len(), "ExactMatches": [] })).into_response()
    }
    let router = Router::new()
        .route("/v1/oauth2/token", post(token))
        .route("/products/v4/search/{number}/productdetails", get(details))
        .route("/products/v4/search/keyword", post(keyword));
    start(router, answers).await
}

/// A recorded DigiKey answer in the API's own casing: KiCost's Python client records snake_case
/// with its models' `discriminator` fields.
pub fn digikey_wire(recorded: &Value) -> Value {
    match recorded {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| *key != "discriminator")
                .map(|(key, value)| {
                    let pascal: String = key
                        .split('_')
                        .map(|word| {
                            let mut chars = word.chars();
                            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
                        })
                        .collect();
                    (pascal, digikey_wire(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(digikey_wire).collect()),
        other => other.clone(),
    }
}

// ---- Mouser: Search API v1 ----

/// Mouser's replay: `answers` are whole Search API answers by the part number asked for.
pub async fn mouser(answers: HashMap<String, Value>) -> Replay {
    async fn partnumber(
        State(s): State<Shared>,
        Query(query): Query<HashMap<String, String>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        if query.get("apiKey").map(String::as_str) != Some(API_KEY) {
            let error = json!({ "Id": 0, "Code": "Invalid", "Message": "Invalid unique identifier.",
                                "ResourceKey": "InvalidIdentifier", "PropertyName": "API Key" });
            return axum::Json(json!({ "Errors": [error], "SearchResults": null })).into_response();
        }
        let json_body = headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let Some(number) = request.pointer("/SearchByPartRequest/mouserPartNumber").and_then(Value::as_str) else {
            return refused(StatusCode::BAD_REQUEST, "SearchByPartRequest.mouserPartNumber is required");
        };
        if !json_body {
            return refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON expected");
        }
        let empty = json!({ "Errors": [], "SearchResults": { "NumberOfResult": 0, "Parts": [] } });
        axum::Json(s.answer(number).unwrap_or(empty)).into_response()
    }
    start(Router::new().route("/api/v1/search/partnumber", post(partnumber)), answers).await
}

// ---- element14: Product Search API ----

/// element14's replay: `answers` are whole answers by `<MPN>_<store>`.
pub async fn element14(answers: HashMap<String, Value>) -> Replay {
    async fn products(State(s): State<Shared>, Query(query): Query<HashMap<String, String>>) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        let given = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
        if given("callInfo.apiKey") != API_KEY {
            return (
                StatusCode::FORBIDDEN,
                [("X-Mashery-Error-Code", "ERR_403_DEVELOPER_INACTIVE")],
                "<h1>Developer Inactive</h1>",
            )
                .into_response();
        }
        if given("callInfo.responseDataFormat").to_lowercase() != "json"
            || given("resultsSettings.responseGroup").is_empty()
        {
            return refused(StatusCode::BAD_REQUEST, "callInfo.responseDataFormat and resultsSettings are required");
        }
        let Some(mpn) = given("term").strip_prefix("manuPartNum:") else {
            return refused(StatusCode::BAD_REQUEST, "term must be manuPartNum:…");
        };
        let store = given("storeInfo.id");
        let empty = json!({ "manufacturerPartNumberSearchReturn": { "numberOfResults": 0 } });
        axum::Json(s.answer(&format!("{mpn}_{store}")).unwrap_or(empty)).into_response()
    }
    start(Router::new().route("/catalog/products", get(products)), answers).await
}

// ---- TME: signed API ----

/// TME's replay: `answers` map `Search:<MPN>` to a search answer and `Prices:<symbol>` to one
/// product of a prices-and-stocks answer. Every request's `ApiSignature` is checked.
pub async fn tme(answers: HashMap<String, Value>) -> Replay {
    async fn action(State(s): State<Shared>, Path(action): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let params: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
        if get("Token") != TME_TOKEN {
            return axum::Json(json!({ "Status": "E_AUTHENTICATION_FAILED", "Error": "Invalid token" }))
                .into_response();
        }
        let url = format!("http://{host}/Products/{action}");
        if get("ApiSignature") != tme_signature(&url, &params) {
            return axum::Json(json!({ "Status": "E_INVALID_SIGNATURE" })).into_response();
        }
        match action.as_str() {
            "Search.json" => {
                let found = s.answer(&format!("Search:{}", get("SearchPlain")));
                let list = found.unwrap_or(json!([]));
                axum::Json(json!({ "Status": "OK", "Data": { "ProductList": list, "Amount": 1, "PageNumber": 1 } }))
                    .into_response()
            }
            "GetPricesAndStocks.json" => {
                let list: Vec<Value> = params
                    .iter()
                    .filter(|(name, _)| name.starts_with("SymbolList["))
                    .filter_map(|(_, symbol)| s.answer(&format!("Prices:{symbol}")))
                    .collect();
                let currency = get("Currency");
                axum::Json(json!({ "Status": "OK", "Data": { "Currency": currency, "PriceType": "NET", "ProductList": list } }))
                    .into_response()
            }
            _ => refused(StatusCode::NOT_FOUND, "no such action"),
        }
    }
    start(Router::new().route("/Products/{action}", post(action)), answers).await
}

/// TME's signature, written from its documentation (developers.tme.eu): Base64 of HMAC-SHA1 over
/// `POST&urlencode(url)&urlencode(sorted RFC 3986 query)`, without `ApiSignature` itself.
fn tme_signature(url: &str, params: &[(String, String)]) -> String {
    use aws_lc_rs::hmac;
    use base64::Engine;
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    let encode = |text: &str| percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string();
    let mut signed: Vec<&(String, String)> = params.iter().filter(|(name, _)| name != "ApiSignature").collect();
    signed.sort();
    let query = signed.iter().map(|(n, v)| format!("{}={}", encode(n), encode(v))).collect::<Vec<_>>().join("&");
    let base = format!("POST&{}&{}", encode(url), encode(&query));
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, TME_SECRET.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, base.as_bytes()).as_ref())
}

// ---- Nexar: identity server and GraphQL API ----

/// Nexar's replay: `answers` are `supMultiMatch` results (`{"hits", "parts"}`) by MPN.
pub async fn nexar(answers: HashMap<String, Value>) -> Replay {
    async fn token(State(s): State<Shared>, body: Bytes) -> Response {
        s.issue_token(&form(&body), Some("supply.domain"))
    }
    async fn graphql(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        if let Some(fault) = s.fault().await {
            return fault;
        }
        if !s.bearer_ok(&headers) {
            let error = json!({ "message": "Token validation failed. Please provide a valid access token.",
                                "extensions": { "code": "AuthInvalidToken" } });
            return axum::Json(json!({ "data": null, "errors": [error] })).into_response();
        }
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let query = request["query"].as_str().unwrap_or_default();
        let queries = request.pointer("/variables/queries").and_then(Value::as_array).cloned().unwrap_or_default();
        if !query.contains("supMultiMatch") || queries.is_empty() {
            let error =
                json!({ "message": "expected a supMultiMatch with $queries", "extensions": { "code": "BadRequest" } });
            return axum::Json(json!({ "data": null, "errors": [error] })).into_response();
        }
        let results: Vec<Value> = queries
            .iter()
            .map(|q| s.answer(q["mpn"].as_str().unwrap_or_default()).unwrap_or(json!({ "hits": 0, "parts": [] })))
            .collect();
        axum::Json(json!({ "data": { "supMultiMatch": results } })).into_response()
    }
    let router = Router::new().route("/connect/token", post(token)).route("/graphql", post(graphql));
    start(router, answers).await
}
