//! Answers whose whole shape is the contract, checked whole: a part as the API answers it, a
//! refusal, the discovery document, and a token answer over a real socket. `insta` snapshots
//! (`snapshots/`), with ids, tokens and times redacted; `cargo insta review` updates them.

mod harness;

use harness::{Harness, redacted};
use serde_json::json;

const FEED: &str = "\
mpn,manufacturer,description,category,seller,sku,stock,moq,currency,price_breaks,spec:Case/Package
LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-1,5000,1,USD,1:0.45;1000:0.12,SOIC-8
LM358DR,Texas Instruments,,,Bolt,B-7,0,10,EUR,10:0.50,
";

#[tokio::test]
async fn a_part_as_the_api_answers_it() {
    let harness = Harness::start().await;
    harness.import_csv("acme", FEED).await;
    let token = harness.supply_token("Standard", 100).await;
    let answer = harness
        .graphql(
            &token,
            r#"{ supSearchMpn(q: "lm358dr", limit: 1) { hits results { part {
                id mpn manufacturer { name } shortDescription category { name path }
                specs { attribute { name shortname } displayValue }
                sellers { company { name } offers { sku inventoryLevel moq
                    prices { quantity price currency convertedPrice convertedCurrency } } }
            } } } }"#,
        )
        .await;
    insta::assert_json_snapshot!(redacted(answer));
}

#[tokio::test]
async fn an_invalid_token_is_refused_as_nexar_refuses_it() {
    let harness = Harness::start().await;
    let answer = harness.graphql("not-a-jwt", "{ supSearchMpn(q: \"LM358\") { hits } }").await;
    insta::assert_json_snapshot!(answer);
}

#[tokio::test]
async fn the_discovery_document() {
    let harness = Harness::start().await;
    let request = axum::http::Request::get("/.well-known/openid-configuration").body(Default::default()).unwrap();
    let answer = harness.send(request).await;
    assert_eq!(answer.status, 200);
    insta::assert_json_snapshot!(answer.json());
}

#[tokio::test]
async fn a_client_credentials_token_over_a_socket() {
    let harness = Harness::start().await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let app = harness.app(acme.id, "bom tool", "supply", &[], 100).await;
    let server = harness.listen().await;
    let response = reqwest::Client::new()
        .post(server.url("/connect/token"))
        .basic_auth(&app.app.client_id, Some(&app.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "supply.domain")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    let token = answer["access_token"].as_str().unwrap().to_owned();
    insta::assert_json_snapshot!(redacted(answer));
    // The token works against the same server.
    let hits = harness.graphql(&token, "{ supSearchMpn(q: \"LM358\") { hits } }").await;
    assert_eq!(hits["data"], json!({ "supSearchMpn": { "hits": 0 } }), "{hits}");
}
