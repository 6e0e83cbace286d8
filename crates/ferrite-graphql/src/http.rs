//! `POST /graphql` (and `/graphql/`), `GET /graphql` (the IDE). The token comes from
//! `Authorization: Bearer …` or from a header named `token`, as Nexar's examples and KiCost send it.

use std::sync::{Arc, LazyLock};

use async_graphql::{ErrorExtensions, ServerError, parser::types::ExecutableDocument};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use ferrite_identity::{Identity, TokenError};
use serde_json::json;

use crate::{
    ApiSchema, Caller, PartCounter,
    errors::TOKEN_INVALID_MESSAGE,
    metering::{Charged, Meter},
};
use ferrite_core::{metering::Outcome, scope::Scope};

#[derive(Clone)]
pub struct ApiState {
    pub schema: ApiSchema,
    pub identity: Arc<Identity>,
    pub meter: Arc<Meter>,
}

pub fn routes(state: ApiState) -> Router {
    Router::new().route("/graphql", get(ide).post(execute)).route("/graphql/", get(ide).post(execute)).with_state(state)
}

/// A whole-request error in GraphQL form: `{"data": null, "errors": [{message, extensions: {code}}]}`.
fn request_error(status: StatusCode, message: &str, code: &str) -> Response {
    let body = json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

pub(crate) fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    bearer.or_else(|| headers.get("token").and_then(|v| v.to_str().ok()).map(str::trim)).filter(|t| !t.is_empty())
}

/// What running a request came to: the response, and the part objects it holds.
pub struct Executed {
    pub response: async_graphql::Response,
    pub parts: u64,
    pub caller: Caller,
}

/// Authenticates and runs one request; the caller of this function decides what the parts cost.
pub async fn run(state: &ApiState, headers: &HeaderMap, body: &[u8]) -> Result<Executed, Response> {
    let claims = match token(headers).map(|t| state.identity.verify_access_token(t)) {
        Some(Ok(claims)) => claims,
        Some(Err(TokenError::Expired)) => {
            return Err(request_error(StatusCode::OK, TOKEN_INVALID_MESSAGE, "AuthExpiredToken"));
        }
        Some(Err(TokenError::Invalid)) | None => {
            return Err(request_error(StatusCode::OK, TOKEN_INVALID_MESSAGE, "AuthInvalidToken"));
        }
    };
    let mut request: async_graphql::Request = serde_json::from_slice(body).map_err(|err| {
        request_error(
            StatusCode::BAD_REQUEST,
            &format!("The request body is not a GraphQL request: {err}"),
            "BadRequest",
        )
    })?;
    reuse_parse(&mut request);
    let caller = Caller { claims };
    let counter = Arc::new(PartCounter::default());
    let request = request.data(caller.clone()).data(counter.clone());
    let response = state.schema.execute(request).await;
    Ok(Executed { parts: counter.total(), response, caller })
}

#[derive(Clone)]
struct QueryBytes;

impl quick_cache::Weighter<String, ExecutableDocument> for QueryBytes {
    fn weight(&self, query: &String, _: &ExecutableDocument) -> u64 {
        query.len() as u64 + 64
    }
}

/// Parsed queries by their text. Clients send the same few queries over and over, and parsing
/// one (pest) costs about twice as much as validating it. Parsing is a pure function of the text,
/// so one memo serves the whole process; it is bounded by the text it holds (the documents are a
/// small multiple of it).
static PARSED: LazyLock<quick_cache::sync::Cache<String, ExecutableDocument, QueryBytes>> =
    LazyLock::new(|| quick_cache::sync::Cache::with_weighter(1024, 4 << 20, QueryBytes));

/// Gives the request its parsed query from the memo, or parses it and keeps it. A query that does
/// not parse is left to the executor, which answers with the parse error as before.
fn reuse_parse(request: &mut async_graphql::Request) {
    if let Some(document) = PARSED.get(request.query.as_str()) {
        request.set_parsed_query(document);
        return;
    }
    let query = request.query.clone();
    if let Ok(document) = request.parsed_query() {
        PARSED.insert(query, document.clone());
    }
}

async fn execute(State(state): State<ApiState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let message = format!("The request body was refused: {}", rejection.body_text());
            return request_error(rejection.status(), &message, "BadRequest");
        }
    };
    match run(&state, &headers, &body).await {
        Ok(executed) => meter(&state, executed).await,
        Err(response) => response,
    }
}

/// Charges the parts an answer holds, then lets it go; or refuses it whole at the limit.
async fn meter(state: &ApiState, executed: Executed) -> Response {
    let claims = &executed.caller.claims;
    if executed.parts == 0 && !claims.has_scope(Scope::SupplyDomain) {
        return Json(executed.response).into_response();
    }
    let charged = match state.meter.charge(&claims.client_id, executed.parts).await {
        Ok(charged) => charged,
        Err(err) => {
            tracing::error!(error = %err, client_id = %claims.client_id, "a charge could not be recorded");
            let message = "Usage could not be recorded, so the answer was withheld. Please try again.";
            return request_error(StatusCode::SERVICE_UNAVAILABLE, message, "MeteringUnavailable");
        }
    };
    let (used, limit) = match charged.outcome {
        Outcome::Charged { used, limit } => (used, limit),
        Outcome::Refused { used, limit } => return Json(limit_exceeded(&charged, used, limit)).into_response(),
    };
    let mut response = executed.response;
    response.extensions.insert("partLimit".into(), allowance(&charged, used, limit));
    let mut answer = Json(response).into_response();
    let headers = answer.headers_mut();
    for (name, value) in [("x-part-limit", limit), ("x-part-used", used), ("x-part-remaining", (limit - used).max(0))] {
        headers.insert(name, value.into());
    }
    answer
}

fn allowance(charged: &Charged, used: i64, limit: i64) -> async_graphql::Value {
    let value = json!({
        "limit": limit,
        "used": used,
        "remaining": (limit - used).max(0),
        "charged": charged.requested,
        "resetsAt": charged.resets_at.map(|t| t.to_rfc3339()),
    });
    async_graphql::Value::from_json(value).unwrap_or(async_graphql::Value::Null)
}

/// Nexar's answer at the limit: HTTP 200, `data: null`, its exact message; Ferrite adds a code and
/// the numbers so clients can tell it from "no results".
fn limit_exceeded(charged: &Charged, used: i64, limit: i64) -> async_graphql::Response {
    let message = format!("You have exceeded your part limit of {limit}. Please upgrade your plan.");
    let extra = json!({
        "limit": limit,
        "used": used,
        "requested": charged.requested,
        "resetsAt": charged.resets_at.map(|t| t.to_rfc3339()),
    });
    graphql_error(message, "PartLimitExceeded", extra)
}

/// Nexar-style error for the limit-exceeded answer (used by metering).
pub fn graphql_error(message: String, code: &'static str, extra: serde_json::Value) -> async_graphql::Response {
    let error = async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        if let serde_json::Value::Object(map) = &extra {
            for (key, value) in map {
                if let Ok(value) = async_graphql::Value::from_json(value.clone()) {
                    e.set(key.as_str(), value);
                }
            }
        }
    });
    async_graphql::Response::from_errors(vec![ServerError {
        extensions: error.extensions,
        ..ServerError::new(error.message, None)
    }])
}

/// The IDE: a small page that sends queries with a token the user pastes (or the portal fills in).
async fn ide() -> Html<&'static str> {
    Html(include_str!("ide.html"))
}
