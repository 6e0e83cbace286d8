//! `POST /graphql` (and `/graphql/`), `GET /graphql` (the IDE). The token comes from
//! `Authorization: Bearer …` or from a header named `token`, as Nexar's examples and KiCost send it.

use std::sync::Arc;

use async_graphql::{ErrorExtensions, ServerError};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use ferrite_identity::{Identity, RateLimited, TokenError};
use serde_json::json;

use crate::{
    ApiSchema, Caller, PartCounter,
    bounds::{MAX_FIELDS, MAX_NESTING, Syntax, check_nesting, expanded_fields, find_nul},
    errors::TOKEN_INVALID_MESSAGE,
    metering::{Charged, Meter},
};
use ferrite_core::{
    metering::Outcome,
    requests::{RefusalReason, RequestOutcome},
    scope::Scope,
};

#[derive(Clone)]
pub struct ApiState {
    pub schema: ApiSchema,
    pub identity: Arc<Identity>,
    pub meter: Arc<Meter>,
}

pub fn routes(state: ApiState) -> Router {
    // `GET /graphql` is the portal's GraphiQL.
    Router::new().route("/graphql", post(execute)).route("/graphql/", post(execute)).with_state(state)
}

/// A whole-request error in GraphQL form: `{"data": null, "errors": [{message, extensions: {code}}]}`.
fn request_error(status: StatusCode, message: &str, code: &str) -> Response {
    let body = json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// A request without a valid token: Nexar's answer (HTTP 200, its message, `data: null`, which
/// clients parse), with the RFC 6750 challenge: `Bearer` alone when no token came, and
/// `error="invalid_token"` when one did.
fn token_refused(code: &str, challenge: &'static str) -> Response {
    let mut response = request_error(StatusCode::OK, TOKEN_INVALID_MESSAGE, code);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
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

/// Authenticates, holds the app to its rate limit, and runs one request; the caller of this
/// function decides what the parts cost.
pub async fn run(state: &ApiState, headers: &HeaderMap, body: &[u8]) -> Result<Executed, Response> {
    let claims = match token(headers).map(|t| state.identity.verify_api_token(t)) {
        Some(Ok(claims)) => claims,
        Some(Err(TokenError::Expired)) => {
            return Err(token_refused(
                "AuthExpiredToken",
                r#"Bearer error="invalid_token", error_description="The access token expired""#,
            ));
        }
        Some(Err(TokenError::Invalid)) => {
            return Err(token_refused(
                "AuthInvalidToken",
                r#"Bearer error="invalid_token", error_description="The access token is invalid""#,
            ));
        }
        None => return Err(token_refused("AuthInvalidToken", "Bearer")),
    };
    if let Err(limited) = state.identity.check_api_rate(&claims.client_id).await {
        return Err(rate_limited(&limited));
    }
    let request = match prepare(body) {
        Ok(request) => request,
        Err(refusal) => {
            // Answered all the same: with the reason the query cannot run.
            state.identity.count_request(&claims.client_id, RequestOutcome::Answered);
            return Err(refusal.into_response());
        }
    };
    let caller = Caller { claims };
    let counter = Arc::new(PartCounter::default());
    let request = request.data(caller.clone()).data(counter.clone());
    let response = state.schema.execute(request).await;
    Ok(Executed { parts: counter.total(), response, caller })
}

/// A request over its app's rate limit: 429 with `Retry-After` and the `RateLimit` headers, and
/// a Nexar-shaped error (`extensions.code: RateLimited`, `retryAfter` in seconds). Nothing ran,
/// so nothing is charged.
fn rate_limited(limited: &RateLimited) -> Response {
    let extra = json!({ "retryAfter": limited.retry_after_seconds() });
    let body = graphql_error(limited.message(), "RateLimited", extra);
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response.headers_mut().extend(limited.headers());
    response
}

/// A request refused before it runs: the status, message and code of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub code: &'static str,
}

impl Refusal {
    fn bad(message: String, code: &'static str) -> Refusal {
        Refusal { status: StatusCode::BAD_REQUEST, message, code }
    }

    pub fn into_response(self) -> Response {
        request_error(self.status, &self.message, self.code)
    }
}

/// Reads a request body into a GraphQL request, bounding it before anything recurses over it:
/// the nesting of the JSON body, then of the query text, are measured by a flat scan; only then
/// are they parsed; then the fields the query selects (fragments expanded) are counted and its
/// texts checked for NUL. Every request goes this way, and the `graphql_request` fuzz target too.
pub fn prepare(body: &[u8]) -> Result<async_graphql::Request, Refusal> {
    let too_deep = |what: &str, offset: usize| {
        Refusal::bad(
            format!("The {what} nests lists, objects or selections more than {MAX_NESTING} deep (at byte {offset})."),
            "QueryTooDeep",
        )
    };
    check_nesting(body, Syntax::Json, MAX_NESTING).map_err(|at| too_deep("request body", at.offset))?;
    let request: async_graphql::Request = serde_json::from_slice(body)
        .map_err(|err| Refusal::bad(format!("The request body is not a GraphQL request: {err}"), "BadRequest"))?;
    check_nesting(request.query.as_bytes(), Syntax::GraphQl, MAX_NESTING).map_err(|at| too_deep("query", at.offset))?;
    let Some(document) = crate::schema::parsed(&request.query) else { return Ok(request) };
    if expanded_fields(&document, MAX_FIELDS).is_none() {
        let message = format!("The query selects more than {MAX_FIELDS} fields once its fragments are expanded.");
        return Err(Refusal::bad(message, "QueryTooComplex"));
    }
    if let Some(place) = find_nul(&document, &request.variables) {
        let message = format!("Text may not contain the NUL character (U+0000), which {place} does.");
        return Err(Refusal::bad(message, "BadArgument"));
    }
    Ok(request)
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

/// Charges the parts an answer holds, then lets it go; or refuses it whole at the limit. Either
/// way the app's request is counted; an answer withheld because the meter failed is not (the app
/// refused nothing and got no answer).
async fn meter(state: &ApiState, executed: Executed) -> Response {
    let claims = &executed.caller.claims;
    if executed.parts == 0 && !claims.has_scope(Scope::SupplyDomain) {
        state.identity.count_request(&claims.client_id, RequestOutcome::Answered);
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
        Outcome::Refused { used, limit } => {
            state.identity.count_request(&claims.client_id, RequestOutcome::Refused(RefusalReason::PartLimit));
            return Json(limit_exceeded(&charged, used, limit)).into_response();
        }
    };
    state.identity.count_request(&claims.client_id, RequestOutcome::Answered);
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
