//! Identity against a real store, with a fake clock: expiry, rotation, overlap, revocation across
//! nodes, throttling, and the token endpoint's errors through the real router.

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Duration, Utc};
use ferrite_core::{
    Clock, FakeClock,
    plan::PlanCatalogue,
    requests::{RefusalReason, RequestOutcome},
    scope::AppScopes,
};
use ferrite_identity::{
    Accounts, Algorithm, CreatedApp, Identity, Plans, TokenConfig, TokenError, TokenRequest, http::routes,
};
use ferrite_store::{
    Store,
    testing::{self, TestDb},
};
use serde_json::Value;
use tower::ServiceExt;

const ISSUER: &str = "http://ferrite.test";

struct Env {
    identity: Arc<Identity>,
    accounts: Accounts,
    clock: FakeClock,
    store: Store,
    app: CreatedApp,
    _db: TestDb,
}

fn start_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

async fn env_with(config: TokenConfig) -> Env {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let clock = FakeClock::at(start_time());
    let identity = Identity::start(store.clone(), Arc::new(clock.clone()), config, ISSUER).await.unwrap();
    let plans = Arc::new(Plans::new(store.clone(), Arc::new(clock.clone()), PlanCatalogue::default()));
    let accounts = Accounts::new(store.clone(), Arc::new(clock.clone()), identity.clone(), plans);
    let user = accounts.create_user("ada@example.com", "correct horse battery").await.unwrap();
    let org = accounts.create_org("Acme", user.id).await.unwrap();
    let scopes: AppScopes = "supply".parse().unwrap();
    let app = accounts.create_app(org.id, "bom tool", "", scopes, &[], 0).await.unwrap();
    Env { identity, accounts, clock, store, app, _db: db }
}

async fn env() -> Env {
    env_with(TokenConfig::default()).await
}

/// A second node on the same database, configured for `algorithm` (a node whose configured
/// algorithm differs from the current key's rotates to a key of its own on start).
async fn second_node_with(env: &Env, algorithm: Algorithm) -> Arc<Identity> {
    let config = TokenConfig { algorithm, ..TokenConfig::default() };
    Identity::start(env.store.clone(), Arc::new(env.clock.clone()), config, ISSUER).await.unwrap()
}

async fn second_node(env: &Env) -> Arc<Identity> {
    second_node_with(env, Algorithm::RS256).await
}

async fn client_token(identity: &Identity, app: &CreatedApp) -> String {
    let client = identity.authenticate_client(&app.app.client_id, &app.client_secret, "127.0.0.1").await.unwrap();
    let request = TokenRequest { grant_type: "client_credentials".into(), ..Default::default() };
    identity.token(&client, &request).await.unwrap().access_token
}

#[tokio::test]
async fn tokens_last_24_hours_then_are_reported_expired() {
    let env = env().await;
    let token = client_token(&env.identity, &env.app).await;
    let claims = env.identity.verify_access_token(&token).unwrap();
    assert_eq!(claims.exp - claims.iat, 24 * 3600);
    assert_eq!(claims.sub, env.app.app.client_id);
    assert_eq!(claims.scope, "supply.domain");
    env.clock.advance(Duration::hours(24) - Duration::seconds(1));
    assert!(env.identity.verify_access_token(&token).is_ok());
    env.clock.advance(Duration::seconds(1));
    assert_eq!(env.identity.verify_access_token(&token), Err(TokenError::Expired));
}

#[tokio::test]
async fn rotated_keys_stay_published_until_their_tokens_expire() {
    let env = env().await;
    let old_token = client_token(&env.identity, &env.app).await;
    let old_kid = env.identity.jwks()["keys"][0]["kid"].as_str().unwrap().to_owned();

    env.clock.advance(Duration::hours(1));
    let new_kid = env.identity.rotate_key(Algorithm::ES256).await.unwrap();
    let kids = |identity: &Identity| -> Vec<String> {
        identity.jwks()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(kids(&env.identity), vec![new_kid.clone(), old_kid.clone()]);
    assert!(env.identity.verify_access_token(&old_token).is_ok(), "tokens of the retired key still verify");
    let new_token = client_token(&env.identity, &env.app).await;
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (jsonwebtoken::Algorithm::ES256, Some(new_kid.as_str())));

    // Another node sees the rotation on its next refresh.
    let other = second_node_with(&env, Algorithm::ES256).await;
    assert!(other.verify_access_token(&new_token).is_ok());
    assert_eq!(kids(&other), kids(&env.identity), "it started on the same keys");

    // Once every token of the old key has expired, it leaves the JWKS.
    env.clock.advance(Duration::hours(24) + Duration::seconds(1));
    env.identity.refresh().await.unwrap();
    assert_eq!(kids(&env.identity), vec![new_kid]);
    assert!(env.identity.verify_access_token(&old_token).is_err(), "checked before, refused now");
}

#[tokio::test]
async fn a_regenerated_secret_keeps_the_old_one_working_for_the_overlap() {
    let env = env().await;
    let old = env.app.client_secret.clone();
    let auth = |secret: String| {
        let identity = env.identity.clone();
        let client_id = env.app.app.client_id.clone();
        async move { identity.authenticate_client(&client_id, &secret, "10.0.0.1").await.is_ok() }
    };
    assert!(auth(old.clone()).await, "the app is now in the client cache");
    let renewed = env.accounts.regenerate_secret(env.app.app.id).await.unwrap();
    assert_ne!(renewed.client_secret, old);
    assert!(auth(renewed.client_secret.clone()).await, "the cache does not hold the old secret");
    assert!(auth(old.clone()).await, "the previous secret works during the overlap");
    env.clock.advance(Duration::hours(24));
    assert!(!auth(old).await, "and not after it");
    assert!(auth(renewed.client_secret).await);
}

#[tokio::test]
async fn deleting_an_app_stops_its_tokens_here_at_once_and_on_other_nodes_at_their_refresh() {
    let env = env().await;
    let other = second_node(&env).await;
    let token = client_token(&env.identity, &env.app).await;
    assert!(other.verify_access_token(&token).is_ok());
    let (client_id, secret) = (&env.app.app.client_id, &env.app.client_secret);
    for node in [&env.identity, &other] {
        assert!(node.authenticate_client(client_id, secret, "10.0.0.1").await.is_ok(), "cached by both nodes");
    }
    env.accounts.delete_app(env.app.app.id).await.unwrap();
    assert_eq!(env.identity.verify_access_token(&token), Err(TokenError::Invalid));
    let login = env.identity.authenticate_client(client_id, secret, "10.0.0.1").await;
    assert!(login.is_err(), "its credentials are gone here at once");
    other.refresh().await.unwrap();
    assert_eq!(other.verify_access_token(&token), Err(TokenError::Invalid));
    let login = other.authenticate_client(client_id, secret, "10.0.0.1").await;
    assert!(login.is_err(), "and on the other node after its refresh");
}

#[tokio::test]
async fn a_revoked_token_is_refused_on_every_node() {
    let env = env().await;
    let other = second_node(&env).await;
    let token = client_token(&env.identity, &env.app).await;
    env.identity.revoke(&env.app.app, &token).await.unwrap();
    assert_eq!(env.identity.verify_access_token(&token), Err(TokenError::Invalid));
    other.refresh().await.unwrap();
    assert_eq!(other.verify_access_token(&token), Err(TokenError::Invalid));
    let answer = env.identity.introspect(&env.app.app, &token).await.unwrap();
    assert_eq!(answer["active"], false);
}

/// The auth refusals of each app in the store after a flush (its organization's, from the start).
async fn auth_refusals(env: &Env) -> i64 {
    env.identity.flush_request_counts().await.unwrap();
    let day = start_time().date_naive();
    let counts = env.store.request_counts(env.app.app.org_id, day, day + Duration::days(2)).await.unwrap();
    counts.get(&env.app.app.id).map_or(0, |c| c.get(RequestOutcome::Refused(RefusalReason::Auth)))
}

#[tokio::test]
async fn the_api_counts_refused_tokens_it_signed_and_the_token_endpoint_wrong_secrets_of_known_clients() {
    let env = env().await;
    let client_id = env.app.app.client_id.clone();
    assert!(env.identity.authenticate_client(&client_id, "not the secret", "10.0.0.1").await.is_err());
    assert!(env.identity.authenticate_client("nobody-has-this-id", "x", "10.0.0.1").await.is_err());
    assert_eq!(auth_refusals(&env).await, 1, "the wrong secret of a known client only");

    let revoked = client_token(&env.identity, &env.app).await;
    env.identity.revoke(&env.app.app, &revoked).await.unwrap();
    assert_eq!(env.identity.verify_api_token(&revoked), Err(TokenError::Invalid));
    assert_eq!(env.identity.verify_access_token(&revoked), Err(TokenError::Invalid), "not the API: not counted");
    let token = client_token(&env.identity, &env.app).await;
    assert!(env.identity.verify_api_token(&token).is_ok());
    env.clock.advance(Duration::hours(25));
    assert_eq!(env.identity.verify_api_token(&token), Err(TokenError::Expired));
    // Its client id, under a signature that is not the server's.
    let forged = format!("{}.AAAA", &token[..token.rfind('.').unwrap()]);
    assert_eq!(env.identity.verify_api_token(&forged), Err(TokenError::Invalid), "not signed here: not counted");
    assert_eq!(auth_refusals(&env).await, 3, "the revoked and the expired token");
}

#[tokio::test]
async fn counts_a_flush_could_not_write_are_written_by_the_next() {
    let env = env().await;
    let client_id = env.app.app.client_id.clone();
    assert!(env.identity.authenticate_client(&client_id, "not the secret", "10.0.0.1").await.is_err());
    testing::execute_raw(&env._db.url, "ALTER TABLE app_requests_daily RENAME TO requests_elsewhere").await.unwrap();
    assert!(env.identity.flush_request_counts().await.is_err());
    testing::execute_raw(&env._db.url, "ALTER TABLE requests_elsewhere RENAME TO app_requests_daily").await.unwrap();
    assert!(env.identity.authenticate_client(&client_id, "still not it", "10.0.0.1").await.is_err());
    assert_eq!(auth_refusals(&env).await, 2, "the first, kept, and the second");
}

// ---- the HTTP edge -------------------------------------------------------------------------

fn router(env: &Env) -> Router {
    routes(env.identity.clone())
}

fn token_request(body: &str, basic: Option<(&str, &str)>) -> Request<Body> {
    let mut request = Request::post("/connect/token").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        request = request.header(header::AUTHORIZATION, format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (parts.status, parts.headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_token_endpoint_answers_every_error_in_rfc_6749_form() {
    let env = env().await;
    let router = router(&env);
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            token_request("grant_type=client_credentials", Some((id, "wrong"))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            token_request("grant_type=client_credentials", Some(("nobody", secret))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (token_request("grant_type=client_credentials", None), StatusCode::UNAUTHORIZED, "invalid_client"),
        (token_request("grant_type=password", Some((id, secret))), StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        (token_request("scope=supply.domain", Some((id, secret))), StatusCode::BAD_REQUEST, "invalid_request"),
        (
            token_request("grant_type=client_credentials&scope=design.domain", Some((id, secret))),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            token_request("grant_type=client_credentials&scope=openid", Some((id, secret))),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            token_request("grant_type=client_credentials&grant_type=client_credentials", Some((id, secret))),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            token_request(
                &format!(
                    "grant_type=authorization_code&code=nope&redirect_uri=http://x/cb&code_verifier={}",
                    "v".repeat(43)
                ),
                Some((id, secret)),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            token_request("grant_type=refresh_token&refresh_token=nope", Some((id, secret))),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            Request::post("/connect/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"grant_type":"client_credentials"}"#))
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            token_request(&format!("grant_type=client_credentials&pad={}", "x".repeat(20_000)), Some((id, secret))),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (request, status, error) in cases {
        let (got_status, headers, body) = send(&router, request).await;
        assert_eq!((got_status, body["error"].as_str()), (status, Some(error)), "{body}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        if status == StatusCode::UNAUTHORIZED {
            assert!(headers.contains_key(header::WWW_AUTHENTICATE));
        }
    }
}

#[tokio::test]
async fn client_secret_post_and_basic_both_work() {
    let env = env().await;
    let router = router(&env);
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    let posted = token_request(&format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"), None);
    let (status, _, body) = send(&router, posted).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    let (status, _, body) = send(&router, token_request("grant_type=client_credentials", Some((id, secret)))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(env.identity.verify_access_token(body["access_token"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn failed_client_authentication_is_throttled_with_retry_after() {
    let env = env().await;
    let router = router(&env);
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    for _ in 0..TokenConfig::default().max_failures_per_minute {
        let (status, _, _) = send(&router, token_request("grant_type=client_credentials", Some((id, "guess")))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, body) =
        send(&router, token_request("grant_type=client_credentials", Some((id, secret)))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right secret waits: {body}");
    assert_eq!(headers[header::RETRY_AFTER], "60");
    env.clock.advance(Duration::seconds(61));
    let (status, _, _) = send(&router, token_request("grant_type=client_credentials", Some((id, secret)))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_authorization_endpoint_shows_untrusted_requests_as_pages_and_returns_the_rest() {
    let env = env().await;
    let design: AppScopes = "design".parse().unwrap();
    let org = env.store.apps_of_org(env.app.app.org_id).await.unwrap()[0].org_id;
    let app = env.accounts.create_app(org, "designer", "", design, &["http://127.0.0.1:9/cb".into()], 0).await.unwrap();
    let router = router(&env);
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let get = |query: String| Request::get(format!("/connect/authorize?{query}")).body(Body::empty()).unwrap();
    let base = |client: &str, redirect: &str| {
        format!(
            "response_type=code&client_id={client}&redirect_uri={redirect}&state=s1&code_challenge={challenge}&code_challenge_method=S256"
        )
    };
    let cb = "http%3A%2F%2F127.0.0.1%3A9%2Fcb";

    for query in [base("unknown", cb), base(&app.app.client_id, "http%3A%2F%2Fevil.example%2Fcb")] {
        let response = router.clone().oneshot(get(query)).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get(header::LOCATION).is_none(), "never redirected");
    }
    let redirected = |query: String| {
        let router = router.clone();
        async move {
            let response = router.oneshot(get(query)).await.unwrap();
            assert!(response.status().is_redirection());
            response.headers()[header::LOCATION].to_str().unwrap().to_owned()
        }
    };
    let plain = base(&app.app.client_id, cb).replace("S256", "plain");
    assert!(redirected(plain).await.starts_with("http://127.0.0.1:9/cb?error=invalid_request"));
    let no_pkce = format!("response_type=code&client_id={}&redirect_uri={cb}&state=s1", app.app.client_id);
    let location = redirected(no_pkce).await;
    assert!(location.contains("error=invalid_request") && location.contains("state=s1"), "{location}");
    let bad_scope = format!("{}&scope=supply.domain", base(&app.app.client_id, cb));
    assert!(redirected(bad_scope).await.contains("error=invalid_scope"));
    // A valid request from someone not signed in goes to the sign-in page, and comes back after.
    let location = redirected(base(&app.app.client_id, cb)).await;
    assert!(location.starts_with("/signin?next=%2Fconnect%2Fauthorize%3F"), "{location}");
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_client_redirect_and_verifier() {
    let env = env().await;
    let design: AppScopes = "design".parse().unwrap();
    let app = env
        .accounts
        .create_app(env.app.app.org_id, "designer", "", design, &["http://127.0.0.1:9/cb".into()], 0)
        .await
        .unwrap();
    let user = env.store.user_by_email("ada@example.com").await.unwrap().0;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let request = ferrite_identity::AuthorizationRequest {
        response_type: "code".into(),
        client_id: app.app.client_id.clone(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: Some("openid design.domain offline_access".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    let (checked_app, scopes) = env.identity.check_authorization(&request).await.unwrap();
    let issue = || env.identity.issue_code(&checked_app, user.id, &request, &scopes, env.clock.now());
    let redeem = |code: String, verifier: &str, redirect: &str| TokenRequest {
        grant_type: "authorization_code".into(),
        code: Some(code),
        redirect_uri: Some(redirect.into()),
        code_verifier: Some(verifier.into()),
        ..Default::default()
    };
    let err = |r: Result<ferrite_identity::TokenResponse, ferrite_identity::OAuthError>| r.unwrap_err().code();

    let code = issue().await.unwrap();
    let tokens = env.identity.token(&app.app, &redeem(code.clone(), verifier, "http://127.0.0.1:9/cb")).await.unwrap();
    assert!(tokens.id_token.is_some() && tokens.refresh_token.is_some());
    let claims = env.identity.verify_access_token(&tokens.access_token).unwrap();
    assert_eq!(claims.sub, user.id.to_string());
    assert!(claims.is_for_person());
    assert_eq!(
        err(env.identity.token(&app.app, &redeem(code, verifier, "http://127.0.0.1:9/cb")).await),
        "invalid_grant"
    );

    let wrong_verifier = "x".repeat(43);
    let code = issue().await.unwrap();
    assert_eq!(
        err(env.identity.token(&app.app, &redeem(code, &wrong_verifier, "http://127.0.0.1:9/cb")).await),
        "invalid_grant"
    );
    let code = issue().await.unwrap();
    assert_eq!(
        err(env.identity.token(&app.app, &redeem(code, verifier, "http://127.0.0.1:9/other")).await),
        "invalid_grant"
    );
    let code = issue().await.unwrap();
    assert_eq!(
        err(env.identity.token(&env.app.app, &redeem(code, verifier, "http://127.0.0.1:9/cb")).await),
        "invalid_grant"
    );
    let code = issue().await.unwrap();
    env.clock.advance(Duration::minutes(5));
    assert_eq!(
        err(env.identity.token(&app.app, &redeem(code, verifier, "http://127.0.0.1:9/cb")).await),
        "invalid_grant"
    );

    // Refresh tokens rotate; presenting a rotated one revokes the family. (A new grant: the
    // replay above revoked the first one.)
    assert!(env.identity.verify_access_token(&tokens.access_token).is_err(), "the replay revoked the first grant");
    let code = issue().await.unwrap();
    let tokens = env.identity.token(&app.app, &redeem(code, verifier, "http://127.0.0.1:9/cb")).await.unwrap();
    let first = tokens.refresh_token.unwrap();
    let refresh = |token: &str| TokenRequest {
        grant_type: "refresh_token".into(),
        refresh_token: Some(token.into()),
        ..Default::default()
    };
    let second = env.identity.token(&app.app, &refresh(&first)).await.unwrap().refresh_token.unwrap();
    assert_ne!(first, second);
    assert_eq!(err(env.identity.token(&app.app, &refresh(&first)).await), "invalid_grant");
    assert_eq!(err(env.identity.token(&app.app, &refresh(&second)).await), "invalid_grant", "the chain is revoked");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_email_and_address() {
    let env = env().await;
    let limit = TokenConfig::default().max_failures_per_minute;
    for _ in 0..limit {
        let failed = env.identity.sign_in("ada@example.com", "wrong password", "10.0.0.7").await;
        assert!(matches!(failed, Err(ferrite_identity::SignInError::Invalid)));
    }
    let locked = env.identity.sign_in("ADA@example.com", "correct horse battery", "10.0.0.7").await;
    assert!(
        matches!(locked, Err(ferrite_identity::SignInError::Throttled(_))),
        "the email is locked from that address"
    );
    let elsewhere = env.identity.sign_in("ada@example.com", "correct horse battery", "10.0.0.8").await;
    assert!(elsewhere.is_ok(), "and only from that address");
    env.clock.advance(Duration::seconds(61));
    let (user, session) = env.identity.sign_in("ada@example.com", "correct horse battery", "10.0.0.7").await.unwrap();
    assert_eq!(env.identity.session_user(&session).await.unwrap().map(|u| u.id), Some(user.id));
    env.identity.sign_out(&session).await.unwrap();
    assert_eq!(env.identity.session_user(&session).await.unwrap(), None);
}

#[tokio::test]
async fn sessions_expire_with_the_clock() {
    let env = env().await;
    let (_, session) = env.identity.sign_in("ada@example.com", "correct horse battery", "10.0.0.7").await.unwrap();
    env.clock.advance(Duration::days(7) - Duration::seconds(1));
    assert!(env.identity.session_user(&session).await.unwrap().is_some());
    env.clock.advance(Duration::seconds(1));
    assert!(env.identity.session_user(&session).await.unwrap().is_none());
}

// ---- hardening: sign-in pages, throttling, grants --------------------------------------------

/// A browser against the identity router: keeps cookies, remembers the CSRF token of the last
/// page it was shown, and connects from `peer`.
struct Browser {
    router: Router,
    cookies: std::collections::HashMap<String, String>,
    csrf: String,
    peer: std::net::SocketAddr,
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(
            self.body[start..end]
                .replace("&#x2f;", "/")
                .replace("&#47;", "/")
                .replace("&#38;", "&")
                .replace("&amp;", "&"),
        )
    }
}

impl Browser {
    fn new(env: &Env, peer: &str) -> Browser {
        Browser {
            router: router(env),
            cookies: Default::default(),
            csrf: String::new(),
            peer: format!("{peer}:40000").parse().unwrap(),
        }
    }

    async fn send(&mut self, mut request: Request<Body>) -> Page {
        let cookies = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        request.headers_mut().insert(header::COOKIE, cookies.parse().unwrap());
        request.extensions_mut().insert(axum::extract::ConnectInfo(self.peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let (pair, _) = value.to_str().unwrap().split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        let (parts, body) = response.into_parts();
        let body = String::from_utf8_lossy(&axum::body::to_bytes(body, 1 << 20).await.unwrap()).into_owned();
        let page = Page { status: parts.status, headers: parts.headers, body };
        if let Some(token) = page.hidden("csrf_token") {
            self.csrf = token;
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// Posts `fields` with the CSRF token of the last page shown.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }
}

/// Targets that must never take a person off the site after signing in, with how each works.
const HOSTILE_NEXT: &[&str] = &[
    "https://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example", // browsers drop tabs and newlines: `//evil.example`
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%0d%0aLocation:%20https://evil.example",
    " /evil",
    "/ evil",
    "\t",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\u{0}x",
    "/\u{a0}/evil.example",
    "",
];

#[tokio::test]
async fn sign_in_never_redirects_off_the_site() {
    let env = env().await;
    let mut ada = Browser::new(&env, "10.1.0.1");
    for hostile in HOSTILE_NEXT {
        let encoded: String = url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect();
        let form = ada.get(&format!("/signin?next={encoded}")).await;
        assert_eq!(form.status, StatusCode::OK, "{hostile:?}");
        assert_eq!(form.hidden("next").as_deref(), Some("/"), "{hostile:?}");
        let signed_in = ada
            .post("/signin", &[("email", "ada@example.com"), ("password", "correct horse battery"), ("next", hostile)])
            .await;
        assert_eq!((signed_in.status, signed_in.location()), (StatusCode::SEE_OTHER, "/"), "{hostile:?}");
    }
    let form = ada.get("/signin?next=%2Fconnect%2Fauthorize%3Fclient_id%3Dx%26state%3D1").await;
    assert_eq!(form.hidden("next").as_deref(), Some("/connect/authorize?client_id=x&state=1"));
}

#[tokio::test]
async fn identity_pages_cannot_be_framed_or_sniffed() {
    let env = env().await;
    let mut visitor = Browser::new(&env, "10.1.0.2");
    for path in ["/signin", "/signin?next=/apps", "/connect/authorize?client_id=unknown"] {
        let page = visitor.get(path).await;
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert_eq!(page.headers["x-frame-options"], "DENY", "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(page.headers.contains_key("referrer-policy"), "{path}");
    }
}

#[tokio::test]
async fn a_planted_csrf_cookie_and_form_value_are_refused() {
    let env = env().await;
    let mut eve_victim = Browser::new(&env, "10.1.0.3");
    // The attacker sets a cookie (from a sibling subdomain, say) and posts the same value.
    let planted = "A".repeat(43);
    eve_victim.cookies.insert("ferrite_csrf".into(), planted.clone());
    let forged = eve_victim
        .post_raw(
            "/signin",
            &[("csrf_token", &planted), ("email", "ada@example.com"), ("password", "correct horse battery")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(!eve_victim.cookies.contains_key("ferrite_session"));
    // The real flow works.
    let mut ada = Browser::new(&env, "10.1.0.4");
    ada.get("/signin").await;
    let signed_in = ada.post("/signin", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
}

#[tokio::test]
async fn an_attackers_failures_do_not_lock_out_the_right_secret_or_password_elsewhere() {
    let env = env().await;
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    let attempts = TokenConfig::default().max_failures_per_minute * 3;
    for _ in 0..attempts {
        let _ = env.identity.authenticate_client(id, "guess", "203.0.113.66").await;
    }
    for _ in 0..attempts {
        let _ = env.identity.sign_in("ada@example.com", "a wrong guess", "203.0.113.77").await;
    }
    let attacker = env.identity.authenticate_client(id, secret, "203.0.113.66").await;
    assert!(
        matches!(attacker, Err(ferrite_identity::OAuthError::Throttled(_))),
        "the attacker's address is locked out"
    );
    let attacker = env.identity.sign_in("ada@example.com", "correct horse battery", "203.0.113.77").await;
    assert!(matches!(attacker, Err(ferrite_identity::SignInError::Throttled(_))));
    assert!(env.identity.authenticate_client(id, secret, "198.51.100.7").await.is_ok(), "the app elsewhere is not");
    assert!(env.identity.sign_in("ada@example.com", "correct horse battery", "198.51.100.7").await.is_ok());
}

/// Redeems a fresh code for `scope` (with `offline_access`, a refresh token comes too).
async fn person_grant(env: &Env, scope: &str) -> (CreatedApp, TokenRequest, ferrite_identity::TokenResponse) {
    person_grant_for(env, "design", scope).await
}

/// [`person_grant`] for an app of `app_scopes` (`supply,design`).
async fn person_grant_for(
    env: &Env,
    app_scopes: &str,
    scope: &str,
) -> (CreatedApp, TokenRequest, ferrite_identity::TokenResponse) {
    let scopes: AppScopes = app_scopes.parse().unwrap();
    let name = format!("designer ({app_scopes})");
    let app = env
        .accounts
        .create_app(env.app.app.org_id, &name, "", scopes, &["http://127.0.0.1:9/cb".into()], 0)
        .await
        .unwrap();
    let user = env.store.user_by_email("ada@example.com").await.unwrap().0;
    let request = ferrite_identity::AuthorizationRequest {
        response_type: "code".into(),
        client_id: app.app.client_id.clone(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: Some(scope.into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    let (checked, scopes) = env.identity.check_authorization(&request).await.unwrap();
    let code = env.identity.issue_code(&checked, user.id, &request, &scopes, env.clock.now()).await.unwrap();
    let redeem = TokenRequest {
        grant_type: "authorization_code".into(),
        code: Some(code),
        redirect_uri: Some("http://127.0.0.1:9/cb".into()),
        code_verifier: Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()),
        ..Default::default()
    };
    let tokens = env.identity.token(&app.app, &redeem).await.unwrap();
    (app, redeem, tokens)
}

fn refresh_with(token: &str) -> TokenRequest {
    TokenRequest { grant_type: "refresh_token".into(), refresh_token: Some(token.into()), ..Default::default() }
}

#[tokio::test]
async fn the_scopes_nexar_clients_ask_for_sign_in_with_user_details_as_the_user_scope() {
    let env = env().await;
    // The Power Query connector's request (nexar-token-py asks the same with fewer API scopes).
    let power_query = "profile email openid user.details design.domain supply.domain offline_access";
    let (app, _, tokens) = person_grant_for(&env, "supply,design", power_query).await;
    assert_eq!(tokens.scope, "supply.domain design.domain user.access openid profile email offline_access");
    let claims = env.identity.verify_access_token(&tokens.access_token).unwrap();
    assert!(claims.has_scope(ferrite_core::scope::Scope::UserAccess));
    assert!(tokens.id_token.is_some() && tokens.refresh_token.is_some());
    // nexar-examples-py sends its scopes again when it refreshes.
    let mut refresh = refresh_with(tokens.refresh_token.as_deref().unwrap());
    refresh.scope = Some("openid profile email user.details design.domain".into());
    let refreshed = env.identity.token(&app.app, &refresh).await.unwrap();
    assert_eq!(refreshed.scope, "design.domain user.access openid profile email");

    // Client credentials, through the token endpoint.
    let router = router(&env);
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    let asked = token_request("grant_type=client_credentials&scope=supply.domain+user.details", Some((id, secret)));
    let (status, _, body) = send(&router, asked).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "supply.domain user.access");
}

#[tokio::test]
async fn a_replayed_code_revokes_the_tokens_it_gave_on_every_node() {
    let env = env().await;
    let other = second_node(&env).await;
    let (app, redeem, tokens) = person_grant(&env, "openid design.domain offline_access").await;
    assert!(env.identity.verify_access_token(&tokens.access_token).is_ok());
    let replay = env.identity.token(&app.app, &redeem).await;
    assert_eq!(replay.unwrap_err().code(), "invalid_grant");
    assert_eq!(env.identity.verify_access_token(&tokens.access_token), Err(TokenError::Invalid));
    other.refresh().await.unwrap();
    assert_eq!(other.verify_access_token(&tokens.access_token), Err(TokenError::Invalid));
    let refreshed = env.identity.token(&app.app, &refresh_with(tokens.refresh_token.as_deref().unwrap())).await;
    assert_eq!(refreshed.unwrap_err().code(), "invalid_grant", "the refresh token is revoked too");
    // Also without a refresh token, and after the code has expired.
    let (app, redeem, tokens) = person_grant(&env, "design.domain").await;
    env.clock.advance(Duration::minutes(30));
    assert_eq!(env.identity.token(&app.app, &redeem).await.unwrap_err().code(), "invalid_grant");
    assert_eq!(env.identity.verify_access_token(&tokens.access_token), Err(TokenError::Invalid));
}

#[tokio::test]
async fn a_revoked_refresh_family_takes_its_access_tokens_along() {
    let env = env().await;
    // Reuse of a rotated refresh token.
    let (app, _, first) = person_grant(&env, "design.domain offline_access").await;
    let second = env.identity.token(&app.app, &refresh_with(first.refresh_token.as_deref().unwrap())).await.unwrap();
    assert!(env.identity.verify_access_token(&second.access_token).is_ok());
    let reuse = env.identity.token(&app.app, &refresh_with(first.refresh_token.as_deref().unwrap())).await;
    assert_eq!(reuse.unwrap_err().code(), "invalid_grant");
    for token in [&first.access_token, &second.access_token] {
        assert_eq!(env.identity.verify_access_token(token), Err(TokenError::Invalid));
    }
    // Revocation (RFC 7009) of the refresh token.
    let (app, _, tokens) = person_grant(&env, "design.domain offline_access").await;
    env.identity.revoke(&app.app, tokens.refresh_token.as_deref().unwrap()).await.unwrap();
    assert_eq!(env.identity.verify_access_token(&tokens.access_token), Err(TokenError::Invalid));
    let other = second_node(&env).await;
    assert_eq!(other.verify_access_token(&tokens.access_token), Err(TokenError::Invalid), "on other nodes too");
}

#[tokio::test]
async fn weak_passwords_are_refused_wherever_one_is_set() {
    let env = env().await;
    for weak in ["password123", "Qwertyuiop", "1234567890", "bob@example.com", "BOB@example.com"] {
        let refused = env.accounts.create_user("bob@example.com", weak).await;
        assert!(matches!(refused, Err(ferrite_identity::AccountError::Invalid(_))), "{weak}: {refused:?}");
    }
    assert!(env.accounts.create_user("bob@example.com", "sixteen quiet lanterns").await.is_ok());
}

#[tokio::test]
async fn the_global_bound_still_stops_a_distributed_attack() {
    let env = env().await;
    let config = TokenConfig::default();
    let (id, secret) = (env.app.app.client_id.as_str(), env.app.client_secret.as_str());
    // Each address stays under its own bound; together they reach the global one.
    for i in 0..config.max_global_failures_per_minute {
        let ip = format!("203.0.{}.{}", i / 5, i % 5 + 1);
        assert!(env.identity.authenticate_client(id, "guess", &ip).await.is_err());
    }
    let locked = env.identity.authenticate_client(id, secret, "198.51.100.7").await;
    assert!(matches!(locked, Err(ferrite_identity::OAuthError::Throttled(_))), "{locked:?}");
    env.clock.advance(Duration::seconds(61));
    assert!(env.identity.authenticate_client(id, secret, "198.51.100.7").await.is_ok());
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let config = TokenConfig { trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()], ..TokenConfig::default() };
    let env = env_with(config).await;
    let router = router(&env);
    let (id, secret) = (env.app.app.client_id.clone(), env.app.client_secret.clone());
    let attempt = |peer: &str, forwarded_for: String, secret: &str| {
        let mut request = token_request("grant_type=client_credentials", Some((&id, secret)));
        request.headers_mut().insert("x-forwarded-for", forwarded_for.parse().unwrap());
        let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        let router = router.clone();
        async move { router.oneshot(request).await.unwrap().status() }
    };
    let limit = TokenConfig::default().max_failures_per_minute;
    // An untrusted peer that makes up a new address each time is still one address.
    for i in 0..limit {
        assert_eq!(attempt("203.0.113.5", format!("192.0.2.{i}"), "guess").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("203.0.113.5", "192.0.2.200".into(), &secret).await, StatusCode::TOO_MANY_REQUESTS);
    // Behind the proxy, one client's failures do not lock out the others.
    for _ in 0..limit {
        let chain = "6.6.6.6, 198.51.100.1".to_owned();
        assert_eq!(attempt("10.0.0.2", chain, "guess").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("10.0.0.2", "198.51.100.1".into(), &secret).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(attempt("10.0.0.2", "198.51.100.2".into(), &secret).await, StatusCode::OK);
}

/// An organization's evaluation app holds the configured allowance from the moment it exists:
/// it is written in the transaction that creates the organization, with no correcting write after.
#[tokio::test]
async fn an_organization_starts_with_the_configured_evaluation_allowance() {
    let env = env().await;
    let trial = ferrite_core::plan::Plan {
        name: "Trial".into(),
        parts_per_month: 500,
        lifetime: true,
        features: Vec::new(),
        rate_limit: None,
    };
    let catalogue = PlanCatalogue::new(vec![trial]).unwrap();
    let (accounts, _) = ferrite_identity::services(&env.identity, catalogue);
    let owner = accounts.create_user("bob@example.com", "correct horse battery").await.unwrap();
    let org = accounts.create_org("Bolt", owner.id).await.unwrap();
    let apps = env.store.apps_of_org(org.id).await.unwrap();
    let limits: Vec<_> = apps.iter().map(|app| (app.is_evaluation, app.part_limit)).collect();
    assert_eq!(limits, [(true, 500)]);
}
