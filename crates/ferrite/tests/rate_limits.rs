//! Issue 20: request-rate limits per app, by plan, at the token endpoint and the API, through the
//! real router under 64 concurrent clients. The only timed assertion is the documented bound: an
//! app's requests accepted over `t` seconds are at most `burst + requests_per_second × t` (plus
//! one, for the request in flight when the clock was read).

mod harness;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Request, StatusCode, header},
};
use ferrite_core::{
    Clock,
    plan::RateLimit,
    requests::{RefusalReason, RequestOutcome},
};
use harness::{Harness, Setup};
use serde_json::{Value, json};
use tower::ServiceExt;

const CLIENTS: usize = 64;
const HAMMERING: Duration = Duration::from_secs(2);
const LIMITED: RateLimit = RateLimit { requests_per_second: 5, burst: 10 };

/// The default catalogue, with the Standard plan limited to [`LIMITED`].
fn limited_standard_plan() -> Setup {
    Harness::setup().configure(|config| {
        for plan in &mut config.plans {
            if plan.name == "Standard" {
                plan.rate_limit = Some(LIMITED);
            }
        }
    })
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn send(router: &Router, mut request: Request<Body>) -> Answer {
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer { status, headers, body: serde_json::from_slice(&body).unwrap_or(Value::Null) }
}

fn part_query(token: &str) -> Request<Body> {
    let query = r#"{ supSearchMpn(q: "TEST", limit: 1) { results { part { id } } } }"#;
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap()
}

fn token_request(client_id: &str, secret: &str) -> Request<Body> {
    let form = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    Request::post("/connect/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap()
}

/// Every answer of [`CLIENTS`] clients sending `request()` back to back for [`HAMMERING`], and
/// how long that took from the first request to the last answer.
async fn hammer(
    router: &Router,
    request: impl Fn() -> Request<Body> + Clone + Send + 'static,
) -> (Vec<Answer>, Duration) {
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (router, request) = (router.clone(), request.clone());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while started.elapsed() < HAMMERING {
                    answers.push(send(&router, request()).await);
                }
                answers
            })
        })
        .collect();
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.await.unwrap());
    }
    (answers, started.elapsed())
}

/// The documented bound for one node.
fn most_accepted(elapsed: Duration) -> usize {
    (f64::from(LIMITED.burst) + f64::from(LIMITED.requests_per_second) * elapsed.as_secs_f64()).floor() as usize + 1
}

fn assert_rate_limit_headers(answer: &Answer) {
    let header = |name: &str| answer.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let retry_after: u64 = header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry_after >= 1, "whole seconds, at least 1");
    assert_eq!(header("ratelimit-policy").as_deref(), Some("\"default\";q=5;w=1"));
    assert_eq!(header("ratelimit"), Some(format!("\"default\";r=0;t={retry_after}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_app_over_its_plans_rate_limit_is_refused_within_the_bound_and_other_apps_are_not() {
    let harness = limited_standard_plan().start().await;
    harness.synthetic_parts(3).await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let busy = harness.app(acme.id, "busy", "supply", &[], 1_000).await;
    let quiet = harness.app(acme.id, "quiet", "supply", &[], 1_000).await;
    let (busy_token, quiet_token) = (harness.app_token(&busy, None).await, harness.app_token(&quiet, None).await);

    let token = busy_token.clone();
    let (answers, elapsed) = hammer(&harness.router, move || part_query(&token)).await;
    let (accepted, refused): (Vec<_>, Vec<_>) = answers.iter().partition(|answer| answer.status == StatusCode::OK);
    assert!(accepted.len() >= LIMITED.burst as usize, "at least the burst is accepted: {}", accepted.len());
    assert!(
        accepted.len() <= most_accepted(elapsed),
        "{} accepted in {elapsed:?}, more than the bound {}",
        accepted.len(),
        most_accepted(elapsed)
    );
    assert!(!refused.is_empty());
    for answer in &refused {
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_rate_limit_headers(answer);
        let error = &answer.body["errors"][0];
        assert_eq!(error["extensions"]["code"], "RateLimited", "{}", answer.body);
        assert!(error["extensions"]["retryAfter"].as_u64().is_some_and(|s| s >= 1), "{}", answer.body);
        assert!(error["message"].as_str().unwrap().contains("5 a second"), "{}", answer.body);
    }
    // Refused queries ran nothing and were charged nothing: the parts used are the accepted ones'.
    let used = accepted.iter().filter_map(|a| a.body["extensions"]["partLimit"]["used"].as_i64()).max();
    assert_eq!(used, Some(accepted.len() as i64));

    let other = send(&harness.router, part_query(&quiet_token)).await;
    assert_eq!(other.status, StatusCode::OK, "another app of the same organization has its own limit");
    assert!(other.body["data"]["supSearchMpn"]["results"].is_array(), "{}", other.body);

    harness.state.identity.flush_request_counts().await.unwrap();
    let today = harness.clock.now().date_naive();
    let counts = harness.state.store.request_counts(acme.id, today, today).await.unwrap();
    let busy_counts = &counts[&busy.app.id];
    assert_eq!(busy_counts.get(RequestOutcome::Refused(RefusalReason::RateLimit)), refused.len() as i64);
    assert_eq!(busy_counts.answered(), accepted.len() as i64);
    assert_eq!(counts[&quiet.app.id].get(RequestOutcome::Refused(RefusalReason::RateLimit)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_token_endpoint_is_limited_too_and_an_unlimited_plan_is_not() {
    let harness = limited_standard_plan().start().await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let app = harness.app(acme.id, "cli", "supply", &[], 100).await;
    let bob = harness.person("bob@example.com").await;
    let bolt = harness.org("Bolt", bob.id).await;
    harness.plan(bolt.id, "Pro").await;
    let unlimited = harness.app(bolt.id, "cli", "supply", &[], 100).await;

    let (id, secret) = (app.app.client_id.clone(), app.client_secret.clone());
    let (answers, elapsed) = hammer(&harness.router, move || token_request(&id, &secret)).await;
    let (accepted, refused): (Vec<_>, Vec<_>) = answers.iter().partition(|answer| answer.status == StatusCode::OK);
    assert!(accepted.len() >= LIMITED.burst as usize && accepted.len() <= most_accepted(elapsed), "{}", accepted.len());
    assert!(accepted.iter().all(|answer| answer.body["access_token"].is_string()));
    assert!(!refused.is_empty());
    for answer in &refused {
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_rate_limit_headers(answer);
        assert_eq!(answer.body["error"], "temporarily_unavailable", "{}", answer.body);
        assert!(answer.body["error_description"].as_str().unwrap().contains("Too many requests"));
    }

    // The Pro plan sets no limit: as many tokens at once as the Standard plan's whole burst and more.
    for _ in 0..3 * LIMITED.burst {
        let answer = send(&harness.router, token_request(&unlimited.app.client_id, &unlimited.client_secret)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }

    harness.state.identity.flush_request_counts().await.unwrap();
    let today = harness.clock.now().date_naive();
    let counts = harness.state.store.request_counts(acme.id, today, today).await.unwrap();
    assert_eq!(counts[&app.app.id].get(RequestOutcome::Refused(RefusalReason::RateLimit)), refused.len() as i64);
}

/// The evaluation app is limited by the evaluation plan, whatever plan its organization is on; a
/// plan change applies at the next identity refresh.
#[tokio::test]
async fn the_evaluation_app_follows_the_evaluation_plan_and_a_plan_change_applies_at_the_refresh() {
    let one_a_second = RateLimit { requests_per_second: 1, burst: 1 };
    let harness = Harness::setup()
        .configure(|config| {
            for plan in &mut config.plans {
                plan.rate_limit = (plan.name != "Pro").then_some(one_a_second);
            }
        })
        .start()
        .await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let evaluation =
        harness.state.store.apps_of_org(acme.id).await.unwrap().into_iter().find(|a| a.is_evaluation).unwrap();
    let app = harness.app(acme.id, "cli", "supply", &[], 100).await;
    // One accepted of three at once: the limit of one a second (the bound allows no second
    // within the same second).
    let refusals = |app: ferrite_core::app::App| {
        let identity = harness.state.identity.clone();
        async move {
            let mut refused = 0;
            for _ in 0..3 {
                refused += usize::from(identity.check_rate(&app).await.is_err());
            }
            refused
        }
    };
    assert_eq!(refusals(app.app.clone()).await, 2);
    harness.state.plans.choose(acme.id, "Pro").await.unwrap();
    assert_eq!(refusals(app.app.clone()).await, 3, "the plan looked up before the change holds until the refresh");
    harness.state.identity.refresh().await.unwrap();
    assert_eq!(refusals(app.app.clone()).await, 0, "Pro sets no limit");
    assert_eq!(refusals(evaluation).await, 2, "the evaluation plan's limit, not Pro's");
}
