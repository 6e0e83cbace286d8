//! Heavy searches do not stall the server: they run off the async runtime's workers, so a health
//! check on the same runtime answers while they run.

mod harness;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    http::{Request, header},
};
use harness::Harness;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The server over `parts` synthetic parts; and a token.
async fn server(parts: usize) -> (Harness, String) {
    let harness = Harness::start().await;
    harness.synthetic_parts(parts).await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Enterprise").await;
    let app = harness.app(acme.id, "heavy", "supply", &[], 1_000_000).await;
    let token = harness.app_token(&app, None).await;
    (harness, token)
}

async fn post(router: &Router, token: &str, query: &str) -> Value {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 10 << 20).await.unwrap()).unwrap()
}

/// Enough parts that a search with facets takes milliseconds even in a debug build.
const PARTS: usize = 30_000;
const ROUNDS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_checks_answer_while_heavy_searches_run() {
    let (harness, token) = server(PARTS).await;
    let router = harness.router.clone();
    // As many searches with facets over every part as one request may cost.
    let search = "supSearch(q: \"synthetic\", limit: 0) { hits manufacturerAgg { count } distributorAgg { count } }";
    let query = format!("{{ {} }}", (0..20).map(|i| format!("s{i}: {search}")).collect::<Vec<_>>().join(" "));
    let started = Instant::now();
    let load: Vec<_> = (0..6)
        .map(|_| {
            let (router, token, query) = (router.clone(), token.clone(), query.clone());
            tokio::spawn(async move {
                for _ in 0..ROUNDS {
                    let answer = post(&router, &token, &query).await;
                    assert_eq!(answer["data"]["s19"]["hits"], PARTS, "{answer}");
                }
            })
        })
        .collect();
    // The health checks run as a task of their own, so on the runtime's workers like a request.
    let load_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let checker = {
        let (router, load_done) = (router.clone(), load_done.clone());
        tokio::spawn(async move {
            let (mut slowest, mut checks) = (Duration::ZERO, 0);
            while !load_done.load(std::sync::atomic::Ordering::SeqCst) {
                // From when the check is due: a worker held by a search could not even wake it.
                let due = tokio::time::Instant::now() + Duration::from_millis(5);
                tokio::time::sleep_until(due).await;
                let request = Request::get("/healthz").body(Body::empty()).unwrap();
                let response = router.clone().oneshot(request).await.unwrap();
                assert_eq!(response.status(), 200);
                slowest = slowest.max(due.elapsed());
                checks += 1;
            }
            (slowest, checks)
        })
    };
    for task in load {
        task.await.unwrap();
    }
    load_done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (slowest, checks) = checker.await.unwrap();
    let searching = started.elapsed();
    eprintln!(
        "{} searches with facets took {searching:?}; {checks} health checks, the slowest {slowest:?}",
        6 * ROUNDS * 20
    );
    assert!(checks >= 5, "the load ended before it could be observed ({searching:?})");
    // A guard only (the machine may be busy): with the searches on the runtime's workers the
    // slowest check waited 436 ms; off them, 8 ms.
    assert!(slowest < Duration::from_millis(200), "a health check waited {slowest:?} during {searching:?} of search");
}
