//! Hostile GraphQL requests against the real binary: each gets a clear refusal, and the server
//! keeps serving.

mod common;

use common::{Server, client_token, provision_supply_app};
use serde_json::Value;

/// `depth` lists around one id: 1,600 of them are a 3 KB request.
fn nested_ids(depth: usize) -> String {
    format!("{}\"1\"{}", "[".repeat(depth), "]".repeat(depth))
}

/// Bodies written as text: a JSON value this deep could not even be built in the test.
fn hostile_bodies(depth: usize) -> Vec<(&'static str, String)> {
    let ids = nested_ids(depth);
    let objects = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    vec![
        // Today's debug build parses 1,600 nested lists but aborts on 1,600 nested objects in a
        // `Map` ("tokio-rt-worker has overflowed its stack"); a release build on both.
        ("Map argument", format!(r#"{{"query": "{{ supSearch(q: \"x\", filters: {{a: {objects}}}) {{ hits }} }}"}}"#)),
        ("argument", format!(r#"{{"query": "{{ supParts(ids: {}) {{ id }} }}"}}"#, ids.replace('"', "\\\""))),
        (
            "default value",
            format!(
                r#"{{"query": "query($ids: [String!]! = {}) {{ supParts(ids: $ids) {{ id }} }}"}}"#,
                ids.replace('"', "\\\"")
            ),
        ),
        (
            "variable",
            format!(
                r#"{{"query": "query($ids: [String!]!) {{ supParts(ids: $ids) {{ id }} }}", "variables": {{"ids": {ids}}}}}"#
            ),
        ),
    ]
}

#[tokio::test]
async fn deeply_nested_inputs_are_refused_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (_, client_id, secret) = provision_supply_app(dir.path(), None, 1_000, 3).await;
    let server = Server::start(dir.path(), &[]);
    let token = client_token(&server.base, &client_id, &secret).await;
    let http = reqwest::Client::new();
    for depth in [1_600, 20_000] {
        for (what, body) in hostile_bodies(depth) {
            let response = http
                .post(server.url("/graphql"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|err| {
                    panic!("{what} nested {depth} deep ({} bytes): {err}\n{}", body.len(), server.log())
                });
            assert_eq!(response.status(), 400, "{what} nested {depth} deep");
            let answer: Value = response.json().await.unwrap();
            assert_eq!(answer["errors"][0]["extensions"]["code"], "QueryTooDeep", "{what}, {depth}: {answer}");
            assert!(answer["errors"][0]["message"].as_str().unwrap().contains("64"), "{answer}");
            assert!(answer["data"].is_null());
        }
    }
    let health = http.get(server.url("/healthz")).send().await.expect("the server is still up");
    assert_eq!(health.status(), 200);
    let normal: Value = http
        .post(server.url("/graphql"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "query": "{ supSearchMpn(q: \"TEST\", limit: 1) { hits } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(normal["data"]["supSearchMpn"]["hits"], 3, "{normal}");
}
