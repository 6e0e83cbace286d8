//! What browser and HTTP clients of Nexar need at the edge: CORS on the API and OAuth endpoints
//! (and never on the portal), `/graphql/` like `/graphql`, request errors with Nexar's codes and
//! sentences, and the RFC 6750 challenge on a refused token.

mod harness;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use ferrite::cors::AllowedOrigins;
use harness::{Answer, Harness};
use serde_json::{Value, json};

const PAGE: &str = "https://bom.example";

fn preflight(path: &str, origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,token,content-type")
        .body(Body::empty())
        .unwrap()
}

fn allowed_origin(answer: &Answer) -> Option<&str> {
    answer.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.to_str().unwrap())
}

fn header_list(answer: &Answer, name: header::HeaderName) -> String {
    answer.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect::<Vec<_>>().join(",")
}

/// A supply app's client-credentials token and the harness.
async fn supply(harness: &Harness) -> (String, String, String) {
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let app = harness.app(acme.id, "spa", "supply", &[], 100).await;
    let token = harness.app_token(&app, None).await;
    (app.app.client_id.clone(), app.client_secret.clone(), token)
}

fn search(token: Option<(&str, &str)>, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some((name, value)) = token {
        request = request.header(name, value);
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::from(json!({ "query": "{ supSearch(q: \"x\") { hits } }" }).to_string())).unwrap()
}

#[tokio::test]
async fn by_default_any_origin_may_call_the_api_and_the_token_endpoint_but_not_the_portal() {
    let harness = Harness::start().await;
    for path in ["/graphql", "/graphql/", "/connect/token", "/.well-known/openid-configuration"] {
        let answer = harness.send(preflight(path, PAGE)).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.status);
        assert_eq!(allowed_origin(&answer), Some("*"), "{path}");
        let methods = header_list(&answer, header::ACCESS_CONTROL_ALLOW_METHODS);
        assert!(methods.contains("post") && methods.contains("get"), "{path}: {methods}");
        let headers = header_list(&answer, header::ACCESS_CONTROL_ALLOW_HEADERS);
        for name in ["authorization", "token", "content-type"] {
            assert!(headers.contains(name), "{path}: {name} in {headers}");
        }
        assert!(answer.headers.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none(), "never with cookies");
    }
    for path in ["/", "/signin", "/apps", "/connect/authorize"] {
        let answer = harness.send(preflight(path, PAGE)).await;
        assert_eq!(allowed_origin(&answer), None, "{path} is for the portal's own pages only");
    }
    let answer = harness.send(Request::get("/signin").header(header::ORIGIN, PAGE).body(Body::empty()).unwrap()).await;
    assert_eq!(allowed_origin(&answer), None);
}

#[tokio::test]
async fn a_page_of_another_origin_reads_a_token_and_an_answer_with_its_headers() {
    let harness = Harness::start().await;
    let (client_id, secret, _) = supply(&harness).await;
    let form = format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let token_request = Request::post("/connect/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, PAGE)
        .body(Body::from(form))
        .unwrap();
    let issued = harness.send(token_request).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text());
    assert_eq!(allowed_origin(&issued), Some("*"));
    let token = issued.json()["access_token"].as_str().unwrap().to_owned();

    let answer = harness.send(search(Some(("token", &token)), Some(PAGE))).await;
    assert_eq!(answer.json()["data"]["supSearch"]["hits"], 0, "{}", answer.text());
    assert_eq!(allowed_origin(&answer), Some("*"));
    let exposed = header_list(&answer, header::ACCESS_CONTROL_EXPOSE_HEADERS);
    assert!(exposed.contains("x-part-remaining") && exposed.contains("www-authenticate"), "{exposed}");
}

#[tokio::test]
async fn restricted_origins_answer_only_the_origins_listed() {
    let harness = Harness::setup()
        .configure(|config| {
            config.cors.allowed_origins = AllowedOrigins::try_from(vec![PAGE.to_owned()]).unwrap();
        })
        .start()
        .await;
    let (_, _, token) = supply(&harness).await;
    let allowed = harness.send(preflight("/graphql", PAGE)).await;
    assert_eq!(allowed_origin(&allowed), Some(PAGE));
    assert!(header_list(&allowed, header::VARY).contains("origin"), "caches keep answers per origin");
    let refused = harness.send(preflight("/graphql", "https://evil.example")).await;
    assert_eq!(allowed_origin(&refused), None, "no header: the browser refuses the call");

    let answer = harness.send(search(Some(("token", &token)), Some(PAGE))).await;
    assert_eq!(allowed_origin(&answer), Some(PAGE));
    let foreign = harness.send(search(Some(("token", &token)), Some("https://evil.example"))).await;
    assert_eq!(allowed_origin(&foreign), None);
    assert_eq!(foreign.status, StatusCode::OK, "a client that is no browser is served as before");
}

#[tokio::test]
async fn graphql_with_a_trailing_slash_answers_like_graphql() {
    let harness = Harness::start().await;
    let (_, _, token) = supply(&harness).await;
    let bearer = format!("Bearer {token}");
    let query = json!({ "query": "{ supSearch(q: \"x\") { hits } }" });
    let plain = harness.post_json("/graphql", Some(("authorization", &bearer)), &query).await.json();
    let slash = harness.post_json("/graphql/", Some(("authorization", &bearer)), &query).await.json();
    assert_eq!(plain["data"], slash["data"]);
    let ide = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let (plain, slash) = (harness.send(ide("/graphql")).await, harness.send(ide("/graphql/")).await);
    assert_eq!(slash.status, StatusCode::OK);
    assert_eq!(plain.text(), slash.text());
}

#[tokio::test]
async fn a_refused_token_keeps_nexars_answer_and_adds_the_bearer_challenge() {
    let harness = Harness::start().await;
    let missing = harness.send(search(None, None)).await;
    assert_eq!(missing.status, StatusCode::OK, "clients that throw on other statuses read the message");
    assert_eq!(missing.json()["errors"][0]["message"], "Token validation failed. Please provide a valid access token.");
    assert_eq!(missing.headers[header::WWW_AUTHENTICATE], "Bearer", "no token: no error code (RFC 6750 §3.1)");
    for given in [("authorization", "Bearer not-a-jwt"), ("token", "a.b.c")] {
        let refused = harness.send(search(Some(given), None)).await;
        assert_eq!(refused.json()["errors"][0]["extensions"]["code"], "AuthInvalidToken");
        let challenge = refused.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.starts_with("Bearer error=\"invalid_token\""), "{challenge}");
    }
}

fn errors(answer: &Value) -> Vec<(String, String)> {
    answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["message"].as_str().unwrap().to_owned(), e["extensions"]["code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn request_errors_carry_nexars_codes_and_read_as_sentences() {
    let harness = Harness::start().await;
    let (_, _, token) = supply(&harness).await;

    let unknown = harness.graphql(&token, "{ supSearch { results { part { nosuch(x: 1, y: 2) } } } }").await;
    assert!(unknown["data"].is_null());
    assert_eq!(
        errors(&unknown),
        [("Unknown field \"nosuch\" on type \"SupPart\".".to_owned(), "GRAPHQL_VALIDATION_FAILED".to_owned())],
        "the unknown field's arguments are not blamed on `part`: {unknown}"
    );
    let argument = harness.graphql(&token, "{ supSearch { results { part { mpn(x: 1) } } } }").await;
    assert_eq!(
        errors(&argument),
        [(
            "Unknown argument \"x\" on field \"mpn\" of type \"SupPart\".".to_owned(),
            "GRAPHQL_VALIDATION_FAILED".to_owned()
        )]
    );

    let syntax = harness.graphql(&token, "{ supSearch { hits ").await;
    let (message, code) = &errors(&syntax)[0];
    assert_eq!(code, "GRAPHQL_PARSE_FAILED");
    assert!(message.starts_with("Syntax error at line 1, column 20: expected "), "{message}");
    assert!(message.ends_with('.') && !message.contains('\n') && !message.contains('_'), "{message}");
    assert_eq!(syntax["errors"][0]["locations"], json!([{ "line": 1, "column": 20 }]));
    let empty = harness.graphql(&token, "").await;
    assert_eq!(errors(&empty)[0].0, "Syntax error at line 1, column 1: expected an operation or fragment.");
}

#[tokio::test]
async fn a_search_with_words_no_part_holds_answers_without_them_and_says_so() {
    let harness = Harness::start().await;
    harness
        .import_csv(
            "acme",
            "mpn,manufacturer,description,category,seller,sku,stock\nBP-4MM,Cal Test,Banana plug,Connectors,LCSC,C1,10\n",
        )
        .await;
    let (_, _, token) = supply(&harness).await;
    let answer = harness.graphql(&token, r#"{ supSearch(q: "banana conector zzzq") { hits warnings } }"#).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(answer["data"]["supSearch"]["hits"], 1, "{answer}");
    assert_eq!(
        answer["data"]["supSearch"]["warnings"],
        json!([
            "no part matches \"conector\", searched without it (did you mean \"connectors\"?)",
            "no part matches \"zzzq\", searched without it",
        ]),
        "{answer}"
    );
    let known = harness.graphql(&token, r#"{ supSearch(q: "connectors") { hits warnings } }"#).await;
    assert_eq!(known["data"]["supSearch"]["warnings"], Value::Null, "{known}");
}
