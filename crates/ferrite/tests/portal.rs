//! Every portal handler through the real router: sign-up, CSRF, sessions, apps, plans and
//! allocations, usage, playground, organizations and invitations — and that nobody reaches
//! another organization's data by guessing ids, nor injects HTML.

mod browser;
mod harness;

use axum::http::StatusCode;
use browser::{PASSWORD, TestApp};
use chrono::Duration;
use ferrite_core::{AppId, org::Role, plan::Period};

#[tokio::test]
async fn the_root_leads_to_apps_and_signed_out_people_to_sign_in() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    let root = visitor.get("/").await;
    assert_eq!((root.status, root.location()), (StatusCode::SEE_OTHER, "/apps"));
    let apps = visitor.get("/apps").await;
    assert_eq!((apps.status, apps.location()), (StatusCode::SEE_OTHER, "/signin?next=%2Fapps"));
    let signin = visitor.get("/signin?next=/apps").await;
    assert!(signin.body.contains("href=\"/signup?next=/apps\""), "sign-in links to sign-up");
    assert!(signin.body.contains("/assets/ferrite.css"));
}

#[tokio::test]
async fn sign_up_creates_the_person_the_organization_and_its_evaluation_app_then_one_signs_in() {
    let app = TestApp::new().await;
    let mut ada = app.client();
    let form = ada.get("/signup").await;
    assert_eq!(form.status, StatusCode::OK);
    let done =
        ada.post("/signup", &[("email", "Ada@Example.com"), ("password", PASSWORD), ("organization", "Acme")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/signin?next=%2Fwelcome&signed_up=1"));
    assert!(!ada.cookies.contains_key("ferrite_session"), "signing in proves the password");
    let signin = ada.get(done.location()).await;
    assert!(signin.body.contains("sign in with the password you chose"), "{}", signin.body);
    let signed_in =
        ada.post("/signin", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/apps")]).await;
    assert_eq!(signed_in.location(), "/apps");
    let apps = ada.get("/apps").await;
    assert_eq!(apps.status, StatusCode::OK);
    assert!(apps.body.contains("Evaluation") && apps.body.contains("evaluation</span>"));
    assert!(apps.body.contains("0 / 1,000"), "the evaluation allowance");
    assert!(apps.body.contains("Acme"));
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    assert_eq!(app.store.memberships_of(user.id).await.unwrap().len(), 1);
    // Signed in, /signup goes on to the portal.
    assert_eq!(ada.get("/signup").await.status, StatusCode::SEE_OTHER);
}

/// The first-steps page a newcomer lands on: the evaluation app's credentials (its secret made and
/// shown once on request), the URLs, and commands that work as shown.
#[tokio::test]
async fn first_steps_show_the_evaluation_apps_credentials_once_and_they_work() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let page = ada.get("/welcome").await;
    assert_eq!(page.status, StatusCode::OK);
    let client_id = page.between("<code id=\"client-id\">", "</code>").expect("the client id");
    assert!(page.body.contains("<code id=\"token-url\">http://ferrite.test/connect/token</code>"), "{}", page.body);
    assert!(page.body.contains("<code id=\"api-url\">http://ferrite.test/graphql</code>"));
    assert!(page.body.contains("Show a client secret") && page.body.contains("CLIENT_SECRET"), "{}", page.body);
    assert!(page.body.contains("href=\"/playground\""));
    assert_eq!(ada.post_raw("/welcome", &[]).await.status, StatusCode::FORBIDDEN, "CSRF-protected");

    let shown = ada.post("/welcome", &[]).await;
    assert_eq!((shown.status, shown.location()), (StatusCode::SEE_OTHER, "/welcome"));
    let page = ada.get("/welcome").await;
    let secret = page.between("<code id=\"client-secret\" class=\"secret\">", "</code>").expect("the secret, once");
    assert!(page.body.contains(&format!("{client_id}:{secret}")), "the curl has it filled in");
    let client = app.identity.authenticate_client(&client_id, &secret, "127.0.0.1").await;
    assert!(client.is_ok(), "the secret shown is the app's");
    let again = ada.get("/welcome").await;
    assert!(!again.body.contains(&secret), "shown only once");

    // Reached from sign-in (next=/apps, the default) sign-up leads here; a real destination is kept.
    let mut bob = app.client();
    bob.get("/signup").await;
    let fields = [("email", "bob@example.com"), ("password", PASSWORD), ("organization", "Bolt"), ("next", "/apps")];
    assert_eq!(bob.post("/signup", &fields).await.location(), "/signin?next=%2Fwelcome&signed_up=1");
    bob.get("/signup").await;
    let fields = [("email", "eve@example.com"), ("password", PASSWORD), ("organization", "Eve"), ("next", "/parts")];
    assert_eq!(bob.post("/signup", &fields).await.location(), "/signin?next=%2Fparts&signed_up=1");
}

#[tokio::test]
async fn sign_up_errors_are_shown_next_to_their_fields() {
    let app = TestApp::new().await;
    app.person("ada@example.com", "Acme").await;
    let mut visitor = app.client();
    visitor.get("/signup").await;
    let bad = visitor.post("/signup", &[("email", "not-an-email"), ("password", "short"), ("organization", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"email-error\">Email is not an email address."), "{}", bad.body);
    assert!(bad.body.contains("id=\"password-error\">Password must be at least 10 characters."));
    assert!(bad.body.contains("value=\"not-an-email\""), "what was typed is kept");
    let taken = visitor.post("/signup", &[("email", "ADA@example.com"), ("password", PASSWORD)]).await;
    assert!(!taken.body.contains("already"), "a taken email is not told apart: {}", taken.body);
    assert!(!visitor.cookies.contains_key("ferrite_session"));
}

#[tokio::test]
async fn forms_without_a_matching_csrf_token_are_refused() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    ada.get("/apps/new").await;
    for fields in
        [vec![("name", "x"), ("scopes", "supply")], vec![("csrf_token", "forged"), ("name", "x"), ("scopes", "supply")]]
    {
        let refused = ada.post_raw("/apps", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(refused.body.contains("The form expired"));
    }
    let org = ada.get("/apps").await;
    assert!(!org.body.contains(">x</a>"), "nothing was created");
    // Every state-changing form checks it, sign-up and plan changes included.
    let mut visitor = app.client();
    visitor.get("/signup").await;
    let signup = visitor.post_raw("/signup", &[("email", "eve@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(signup.status, StatusCode::FORBIDDEN);
    assert_eq!(ada.post_raw("/plans", &[("plan", "Pro")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ada.post_raw("/signout", &[]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_expired_session_sends_the_person_back_to_sign_in() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    assert_eq!(ada.get("/apps").await.status, StatusCode::OK);
    app.clock.advance(Duration::days(7) + Duration::seconds(1));
    let expired = ada.get("/plans").await;
    assert_eq!((expired.status, expired.location()), (StatusCode::SEE_OTHER, "/signin?next=%2Fplans"));
    let form = ada.post("/apps", &[("name", "x"), ("scopes", "supply")]).await;
    assert_eq!((form.status, form.location()), (StatusCode::SEE_OTHER, "/signin?next=%2Fapps"));
}

#[tokio::test]
async fn a_new_app_shows_its_secret_once_then_masked() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (id, client_id, secret) = ada.create_app("BOM tool", &["supply"]).await;
    assert_eq!(secret.len(), 43, "256 random bits");
    assert!(app.identity.authenticate_client(&client_id, &secret, "127.0.0.1").await.is_ok());
    let details = ada.get(&format!("/apps/{id}")).await;
    assert_eq!(details.status, StatusCode::OK);
    assert!(details.body.contains(&client_id));
    assert!(!details.body.contains(&secret), "the secret is never shown again");
    assert!(details.body.contains("aria-label=\"hidden secret\""));
    assert!(details.body.contains("0 of 0 parts used"), "new apps start at 0");
    assert_eq!(details.headers.get("cache-control").unwrap(), "no-store");
    let list = ada.get("/apps").await;
    assert!(list.body.contains("BOM tool") && list.body.contains(&client_id));
}

#[tokio::test]
async fn create_app_errors_are_shown_next_to_their_fields() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let long = "x".repeat(101);
    /// (fields, the error's element id, what it says)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: [Case; 4] = [
        (vec![("name", ""), ("scopes", "supply")], "name-error", "Name is required."),
        (vec![("name", &long), ("scopes", "supply")], "name-error", "Name must be at most 100 characters"),
        (vec![("name", "ok")], "scopes-error", "Choose Supply, Design or both."),
        (
            vec![("name", "ok"), ("scopes", "supply"), ("redirect_uris", "https://a.example/cb")],
            "redirect-error",
            "only for Design apps",
        ),
    ];
    for (fields, id, says) in cases {
        let page = ada.post("/apps", &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let shown = page.between(&format!("id=\"{id}\">"), "</p>").unwrap_or_default();
        assert!(shown.contains(says), "{fields:?}: {}", page.body);
    }
    let bad_uri =
        ada.post("/apps", &[("name", "cad"), ("scopes", "design"), ("redirect_uris", "javascript:alert(1)")]).await;
    assert!(bad_uri.body.contains("id=\"redirect-error\">Redirect URI"), "{}", bad_uri.body);
    let (id, _, _) = ada.create_app("cad", &["design"]).await;
    let with_uris = ada
        .post(
            &format!("/apps/{id}"),
            &[("name", "cad"), ("redirect_uris", "http://127.0.0.1:9/cb\nhttps://a.example/cb")],
        )
        .await;
    assert_eq!(with_uris.status, StatusCode::SEE_OTHER, "{}", with_uris.body);
    let stored = app.store.app_by_id(id.parse().unwrap()).await.unwrap();
    assert_eq!(stored.redirect_uris.len(), 2);
}

#[tokio::test]
async fn names_and_descriptions_render_as_text_never_as_html() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "<b>Acme</b>").await;
    let script = "<script>alert(1)</script>";
    let created = ada
        .post("/apps", &[("name", script), ("description", "\"><img src=x onerror=alert(2)>"), ("scopes", "supply")])
        .await;
    let page = ada.get(created.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    for path in ["/apps".to_owned(), "/usage".to_owned(), "/plans".to_owned(), "/playground".to_owned()] {
        let body = ada.get(&path).await.body;
        assert!(!body.contains(script), "{path} renders the name as HTML");
        assert!(!body.contains("<b>Acme</b>"), "{path}");
    }
    let list = ada.get("/apps").await;
    assert!(
        list.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;") || list.body.contains("&lt;script&gt;"),
        "{}",
        list.body
    );
    assert!(!page.body.contains("<img src=x"));
}

#[tokio::test]
async fn scopes_cannot_be_changed_and_the_rest_can() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (id, _, _) = ada.create_app("BOM tool", &["supply"]).await;
    let form = ada.get(&format!("/apps/{id}")).await;
    assert!(!form.body.contains("name=\"scopes\""), "the edit form does not offer scopes");
    let refused =
        ada.post(&format!("/apps/{id}"), &[("name", "renamed"), ("scopes", "supply"), ("scopes", "design")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Scopes cannot be changed"), "{}", refused.body);
    let stored = app.store.app_by_id(id.parse().unwrap()).await.unwrap();
    assert_eq!((stored.name.as_str(), stored.scopes.to_string().as_str()), ("BOM tool", "supply"), "nothing was saved");

    let saved = ada.post(&format!("/apps/{id}"), &[("name", "Renamed"), ("description", "for BOMs")]).await;
    assert_eq!((saved.status, saved.location()), (StatusCode::SEE_OTHER, format!("/apps/{id}?saved=1").as_str()));
    let page = ada.get(saved.location()).await;
    assert!(page.body.contains("Saved.") && page.body.contains("Renamed") && page.body.contains("for BOMs"));
    let invalid = ada.post(&format!("/apps/{id}"), &[("name", " ")]).await;
    assert!(invalid.body.contains("id=\"name-error\">Name is required."));
}

#[tokio::test]
async fn regenerating_shows_the_new_secret_and_how_long_the_old_one_works() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (id, client_id, old) = ada.create_app("BOM tool", &["supply"]).await;
    let details = ada.get(&format!("/apps/{id}")).await;
    assert!(details.body.contains("keeps working for 24 hours"));
    let regenerated = ada.post(&format!("/apps/{id}/secret"), &[]).await;
    assert_eq!(regenerated.location(), format!("/apps/{id}?regenerated=1"), "answered with a redirect");
    let page = ada.get(regenerated.location()).await;
    let new = page.between("<code id=\"client-secret\" class=\"secret\">", "</code>").unwrap();
    assert_ne!(new, old);
    assert!(page.body.contains("The previous secret keeps working for 24 hours, then stops."), "{}", page.body);
    let reloaded = ada.get(regenerated.location()).await;
    assert!(!reloaded.body.contains(&new), "shown once: a reload masks it");
    assert!(app.identity.authenticate_client(&client_id, &new, "127.0.0.1").await.is_ok());
    assert!(app.identity.authenticate_client(&client_id, &old, "127.0.0.1").await.is_ok(), "overlap");
}

#[tokio::test]
async fn deleting_asks_first_and_the_evaluation_app_stays() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (id, _, _) = ada.create_app("BOM tool", &["supply"]).await;
    let confirm = ada.get(&format!("/apps/{id}/delete")).await;
    assert!(confirm.body.contains("Delete BOM tool?"));
    let unconfirmed = ada.post(&format!("/apps/{id}/delete"), &[]).await;
    assert_eq!(unconfirmed.location(), format!("/apps/{id}/delete"));
    assert!(app.store.app_by_id(id.parse().unwrap()).await.is_ok());
    let deleted = ada.post(&format!("/apps/{id}/delete"), &[("confirm", "yes")]).await;
    assert_eq!(deleted.location(), "/apps?deleted=1");
    assert!(app.store.app_by_id(id.parse().unwrap()).await.is_err());
    assert_eq!(ada.get(&format!("/apps/{id}")).await.status, StatusCode::NOT_FOUND);

    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let org = app.store.memberships_of(user.id).await.unwrap()[0].0.id;
    let evaluation = app.store.apps_of_org(org).await.unwrap().into_iter().find(|a| a.is_evaluation).unwrap();
    let refused = ada.post(&format!("/apps/{}/delete", evaluation.id), &[("confirm", "yes")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_organizations_app_cannot_be_reached_by_its_id() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let mut bob = app.person("bob@example.com", "Bolt").await;
    let (id, client_id, secret) = ada.create_app("secret sauce", &["supply", "design"]).await;
    bob.post("/plans", &[("plan", "Pro")]).await;
    let attempts = [
        bob.get(&format!("/apps/{id}")).await,
        bob.get(&format!("/apps/{id}/delete")).await,
        bob.get(&format!("/playground?app={id}")).await,
        bob.post(&format!("/apps/{id}"), &[("name", "pwned")]).await,
        bob.post(&format!("/apps/{id}/secret"), &[]).await,
        bob.post(&format!("/apps/{id}/delete"), &[("confirm", "yes")]).await,
        bob.post("/plans/limits", &[(&format!("limit.{id}"), "100")]).await,
        bob.get(&format!("/apps/{}", AppId::new())).await,
        bob.get("/apps/not-a-uuid").await,
    ];
    for (i, response) in attempts.iter().enumerate() {
        assert_eq!(response.status, StatusCode::NOT_FOUND, "attempt {i}: {}", response.body);
        assert!(!response.body.contains("secret sauce") && !response.body.contains(&client_id), "attempt {i}");
    }
    let stored = app.store.app_by_id(id.parse().unwrap()).await.unwrap();
    assert_eq!((stored.name.as_str(), stored.part_limit), ("secret sauce", 0));
    assert!(app.identity.authenticate_client(&client_id, &secret, "127.0.0.1").await.is_ok(), "secret unchanged");
    // Nor through the organization switcher.
    let (ada_user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let acme = app.store.memberships_of(ada_user.id).await.unwrap()[0].0.id;
    assert_eq!(bob.post("/orgs/switch", &[("org", &acme.to_string())]).await.status, StatusCode::NOT_FOUND);
    bob.cookies.insert("ferrite_org".into(), acme.to_string());
    let list = bob.get("/apps").await;
    assert!(list.body.contains("Bolt") && !list.body.contains("secret sauce"), "a forged org cookie is ignored");
}

#[tokio::test]
async fn plans_upgrade_at_once_and_downgrade_next_period() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let plans = ada.get("/plans").await;
    assert!(plans.body.contains("Current plan: Evaluation"));
    for name in ["Standard", "Pro", "Enterprise"] {
        assert!(plans.body.contains(&format!("Upgrade to {name}")), "{name}");
    }
    let up = ada.post("/plans", &[("plan", "Pro")]).await;
    assert_eq!(up.location(), "/plans?done=now");
    let page = ada.get("/plans?done=now").await;
    assert!(page.body.contains("Current plan: Pro") && page.body.contains("The new plan applies now."));
    assert!(page.body.contains("November 2026, resets on 1 December 2026 at 00:00 UTC"), "{}", page.body);
    assert!(page.body.contains("<strong>20,000</strong> parts a month to distribute"));
    let down = ada.post("/plans", &[("plan", "Standard")]).await;
    assert_eq!(down.location(), "/plans?done=later");
    let page = ada.get("/plans").await;
    assert!(page.body.contains("Current plan: Pro"));
    assert!(page.body.contains("From 1 December 2026 the plan becomes Standard"), "{}", page.body);
    assert!(page.body.contains("Keep Pro"));
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 0, 0, 0).unwrap());
    ada.get("/signin").await; // the session of 15 November has expired by now
    ada.post("/signin", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    let december = ada.get("/plans").await;
    assert!(december.body.contains("Current plan: Standard"), "the downgrade applied at the period start");
    let unknown = ada.post("/plans", &[("plan", "Platinum")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn allocations_are_refused_beyond_the_plan_with_the_excess() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (a, _, _) = ada.create_app("alpha", &["supply"]).await;
    let (b, _, _) = ada.create_app("beta", &["supply"]).await;
    let (cad, _, _) = ada.create_app("cad", &["design"]).await;
    let page = ada.get("/plans").await;
    assert!(page.body.contains("lifetime, fixed"), "the evaluation app is shown fixed");
    assert!(!page.body.contains(&format!("limit.{cad}")), "design apps have no part limit");
    let on_eval = ada.post("/plans/limits", &[(&format!("limit.{a}"), "10"), (&format!("limit.{b}"), "0")]).await;
    assert!(on_eval.body.contains("exceeds the plan by 10 parts"), "the evaluation plan distributes nothing");

    ada.post("/plans", &[("plan", "Standard")]).await;
    let ok = ada.post("/plans/limits", &[(&format!("limit.{a}"), "1500"), (&format!("limit.{b}"), "0")]).await;
    assert_eq!(ok.location(), "/plans?done=limits#limits");
    let refused = ada.post("/plans/limits", &[(&format!("limit.{a}"), "1500"), (&format!("limit.{b}"), "800")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Not saved: this allocation exceeds the plan by 300 parts"), "{}", refused.body);
    assert!(refused.body.contains("value=\"800\""), "what was typed is kept");
    let moved = ada.post("/plans/limits", &[(&format!("limit.{a}"), "1000"), (&format!("limit.{b}"), "1000")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = ada.get("/plans").await;
    assert!(page.body.contains("<strong>0</strong> are unallocated"), "{}", page.body);
    let not_a_number = ada.post("/plans/limits", &[(&format!("limit.{a}"), "-3")]).await;
    assert!(not_a_number.body.contains("Enter a whole number of parts, 0 or more."));
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let org = app.store.memberships_of(user.id).await.unwrap()[0].0.id;
    let evaluation = app.store.apps_of_org(org).await.unwrap().into_iter().find(|x| x.is_evaluation).unwrap();
    let fixed = ada.post("/plans/limits", &[(&format!("limit.{}", evaluation.id), "5")]).await;
    assert!(
        fixed.body.contains("evaluation app&#39;s allowance is fixed") || fixed.body.contains("allowance is fixed"),
        "{}",
        fixed.body
    );
    assert_eq!(app.store.app_by_id(evaluation.id).await.unwrap().part_limit, 1_000);
}

#[tokio::test]
async fn usage_shows_parts_used_the_limit_the_reset_date_and_a_chart() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (a, _, _) = ada.create_app("alpha", &["supply"]).await;
    ada.post("/plans", &[("plan", "Standard")]).await;
    ada.post("/plans/limits", &[(&format!("limit.{a}"), "1200")]).await;
    let id: AppId = a.parse().unwrap();
    app.store.record_usage_for_tests(id, &Period::month_of(browser::start_time()).key(), 345).await.unwrap();
    for (day, parts) in [(3, 100), (10, 245)] {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        app.store.record_daily_usage_for_tests(id, date, parts).await.unwrap();
    }
    let page = ada.get("/usage").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<strong>345</strong> of <strong class=\"limit\">1,200</strong> parts used"),
        "{}",
        page.body
    );
    assert!(page.body.contains("resets on 1 December 2026"));
    assert!(page.body.contains("<svg") && page.body.contains("<title>2026-11-10: 245 parts</title>"));
    // The whole month, the days to come as well (20 units a day), with today (the 15th) marked.
    assert!(page.body.contains("viewBox=\"0 0 600 120\""), "{}", page.body);
    assert!(page.body.contains("<line x1=\"290\" y1=\"0\" x2=\"290\""), "{}", page.body);
    assert!(page.body.contains("never resets"), "the evaluation app's allowance is lifetime");
    let list = ada.get("/apps").await;
    assert!(list.body.contains("345 / 1,200"));
    assert!(!page.body.contains("limit-warning"), "345 of 1,200 and of 2,000 call for no warning");

    // Past the app's limit (as when a limit is lowered under its usage); the plan 82 % used.
    app.store.record_usage_for_tests(id, &Period::month_of(browser::start_time()).key(), 1_300).await.unwrap();
    let page = ada.get("/usage").await;
    let summary = page.between("<section class=\"card usage-summary\">", "</section>").unwrap();
    assert!(summary.contains("82 % of the plan&#39;s parts used (1,645 of 2,000)."), "{summary}");
    assert!(summary.contains("class=\"warning limit-warning near\""), "{summary}");
    let alpha = page.between(&format!("id=\"app-{a}\""), "</section>").unwrap();
    assert!(alpha.contains("Part limit reached: requests for parts are refused until 1 December 2026."), "{alpha}");
}

/// Issue 19: requests answered and refused (part limit, bad credentials, an expired token) are
/// counted per app and shown, with warnings at 80 % and at the limit; on SQLite and PostgreSQL.
#[tokio::test]
async fn usage_counts_requests_answered_and_refused_and_warns_near_and_at_the_limit() {
    let mut apps = vec![TestApp::new().await];
    apps.extend(TestApp::on_postgres().await);
    for app in apps {
        requests_are_counted_and_limits_warned(app).await;
    }
}

async fn requests_are_counted_and_limits_warned(app: TestApp) {
    app.write_synthetic_parts(20).await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (id, client_id, secret) = ada.create_app("alpha", &["supply"]).await;
    ada.post("/plans", &[("plan", "Standard")]).await;
    ada.post("/plans/limits", &[(&format!("limit.{id}"), "10")]).await;
    let mut bom_tool = app.client();
    assert_eq!(token_request(&mut bom_tool, &client_id, "not the secret").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(token_request(&mut bom_tool, "nobody-has-this-id", "x").await.status, StatusCode::UNAUTHORIZED);
    let issued = token_request(&mut bom_tool, &client_id, &secret).await;
    let token =
        serde_json::from_str::<serde_json::Value>(&issued.body).unwrap()["access_token"].as_str().unwrap().to_owned();
    let parts = |n: usize| format!(r#"{{ supSearchMpn(q: "TEST", limit: {n}) {{ results {{ part {{ id }} }} }} }}"#);
    let refused = |answer: &serde_json::Value| answer["errors"][0]["extensions"]["code"] == "PartLimitExceeded";
    let card = |page: &browser::Response| page.between(&format!("id=\"app-{id}\""), "</section>").unwrap();

    for _ in 0..2 {
        assert!(!refused(&app.graphql(&token, &parts(4)).await));
    }
    assert!(refused(&app.graphql(&token, &parts(4)).await), "8 + 4 would cross 10");
    let page = ada.get("/usage").await;
    let alpha = card(&page);
    assert!(alpha.contains("<strong>8</strong> of <strong class=\"limit\">10</strong> parts used"), "{alpha}");
    assert!(
        alpha.contains(
            "<p class=\"warning limit-warning near\" role=\"status\">80 % of the part limit used (8 of 10 parts). \
             At the limit, requests for parts are refused until 1 December 2026.</p>"
        ),
        "{alpha}"
    );
    assert!(!alpha.contains("limit-warning reached"));
    assert!(alpha.contains("<dd class=\"answered\">2</dd>"), "{alpha}");
    assert!(alpha.contains("<dd class=\"refused-part_limit\">1</dd>"), "{alpha}");
    assert!(alpha.contains("<dd class=\"refused-auth\">1</dd>"), "the wrong secret, not the unknown id: {alpha}");

    assert!(!refused(&app.graphql(&token, &parts(2)).await), "exactly to the limit");
    assert!(refused(&app.graphql(&token, &parts(1)).await));
    // A day later the token has expired: refused, and counted against the app that holds it.
    app.clock.advance(Duration::hours(25));
    let expired = app.graphql(&token, &parts(1)).await;
    assert_eq!(expired["errors"][0]["extensions"]["code"], "AuthExpiredToken", "{expired}");
    let forged = app.graphql("not.a.token", &parts(1)).await;
    assert_eq!(forged["errors"][0]["extensions"]["code"], "AuthInvalidToken", "counted nowhere");

    let page = ada.get("/usage").await;
    let alpha = card(&page);
    let reached = "<p class=\"error limit-warning reached\" role=\"alert\">Part limit reached: requests for parts \
                   are refused until 1 December 2026.</p>";
    assert!(alpha.contains(reached), "{alpha}");
    for (class, count) in
        [("total", 7), ("answered", 3), ("refused", 4), ("refused-part_limit", 2), ("refused-auth", 2)]
    {
        assert!(alpha.contains(&format!("<dd class=\"{class}\">{count}</dd>")), "{class} {count}: {alpha}");
    }
    // The chart: 10 parts on the 15th, on an axis of 0, 5 and 10; the 16th is today.
    assert!(alpha.contains("<span style=\"top: 3.3%\">10</span>"), "{alpha}");
    assert!(alpha.contains("<span style=\"top: 50.8%\">5</span>"), "{alpha}");
    assert!(alpha.contains("<title>2026-11-15: 10 parts</title>"), "{alpha}");
    assert!(
        alpha.contains(">16 Nov (today)</span>") && alpha.contains(">1 Nov</span>") && alpha.contains(">30 Nov</span>")
    );
    // The organization: alpha's parts against the Standard plan's 2,000, the evaluation app's
    // requests (none) added to alpha's.
    let summary = page.between("<section class=\"card usage-summary\">", "</section>").unwrap();
    assert!(summary.contains("Acme · Standard"), "{summary}");
    assert!(summary.contains("<strong>10</strong> of <strong class=\"limit\">2,000</strong> parts used across 1 app"));
    assert!(summary.contains("<dd class=\"refused\">4</dd>") && !summary.contains("limit-warning"), "{summary}");
    // The app's own page warns too.
    let details = ada.get(&format!("/apps/{id}")).await;
    assert!(details.body.contains(reached), "{}", details.body);

    // Counts are kept per app, never for a client id no app has.
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let org = app.store.memberships_of(user.id).await.unwrap()[0].0.id;
    let month =
        (chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let counts = app.store.request_counts(org, month.0, month.1).await.unwrap();
    assert_eq!(counts.keys().copied().collect::<Vec<_>>(), [id.parse::<AppId>().unwrap()]);
}

/// `POST /connect/token` with client credentials in the form, as an app sends it.
async fn token_request(client: &mut browser::Client, client_id: &str, secret: &str) -> browser::Response {
    let fields = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
    client.post_raw("/connect/token", &fields).await
}

#[tokio::test]
async fn the_playground_carries_a_fresh_token_of_an_own_app() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let (a, client_id, _) = ada.create_app("alpha", &["supply"]).await;
    let page = ada.get("/playground").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = page.between("data-token=\"", "\"").unwrap();
    let claims = app.identity.verify_access_token(&token).unwrap();
    assert_eq!((claims.client_id.as_str(), claims.scope.as_str()), (client_id.as_str(), "supply.domain"));
    assert!(page.body.contains("data-endpoint=\"/graphql\""));
    assert!(page.body.contains("/assets/portal/vendor/graphiql/graphiql.min.js"));
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    let other = ada.get(&format!("/playground?app={a}")).await;
    assert!(other.body.contains("<strong>alpha</strong>"));
}

#[tokio::test]
async fn assets_are_embedded_and_pages_carry_security_headers() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    for (path, kind) in [
        ("/assets/portal/portal.css", "text/css"),
        ("/assets/portal/portal.js", "text/javascript"),
        ("/assets/portal/vendor/graphiql/graphiql.min.js", "text/javascript"),
        ("/assets/portal/vendor/react/react.production.min.js", "text/javascript"),
        ("/assets/ferrite.css", "text/css"),
    ] {
        let asset = visitor.get(path).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        assert!(asset.headers["content-type"].to_str().unwrap().starts_with(kind), "{path}");
    }
    assert_eq!(visitor.get("/assets/portal/../Cargo.toml").await.status, StatusCode::NOT_FOUND);
    let page = visitor.get("/signup").await;
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert!(page.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn internal_errors_show_a_reference_never_the_error() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    ferrite_store::testing::execute_raw(&app.db_url, "DROP TABLE part_usage_daily").await.unwrap();
    let page = ada.get("/usage").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Something went wrong"));
    let reference = page.between("Reference: <code>", "</code>").unwrap();
    assert_eq!(page.headers["x-request-id"].to_str().unwrap(), reference);
    assert!(!page.body.contains("part_usage_daily") && !page.body.to_lowercase().contains("sql"), "{}", page.body);
}

#[tokio::test]
async fn owners_invite_members_who_accept_and_can_be_removed() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let mut bob = app.person("bob@example.com", "Bolt").await;
    let mut eve = app.person("eve@example.com", "Evil").await;
    let (secret_app, _, _) = ada.create_app("acme tool", &["supply"]).await;

    // Members cannot invite; owners can.
    let page = ada.post("/organization/invitations", &[("email", "Bob@Example.com"), ("role", "member")]).await;
    assert_eq!(page.status, StatusCode::OK);
    let link = page.between("<code id=\"invite-link\">", "</code>").unwrap();
    let path = link.strip_prefix(browser::ISSUER).unwrap().to_owned();
    assert!(path.starts_with("/invitations/"));
    let again = ada.get("/organization").await;
    assert!(!again.body.contains(&path), "the link is shown only once");
    assert!(again.body.contains("Bob@Example.com"), "the pending invitation is listed");
    let invalid = ada.post("/organization/invitations", &[("email", "nope")]).await;
    assert!(invalid.body.contains("id=\"email-error\">Email is not an email address."));

    // Someone else cannot use it, even with the link.
    let shown = eve.get(&path).await;
    assert!(shown.body.contains("You are signed in as eve@example.com"));
    assert_eq!(eve.post(&path, &[]).await.status, StatusCode::NOT_FOUND);
    let mut visitor = app.client();
    assert!(visitor.get(&path).await.body.contains("Sign in as Bob@Example.com"));

    let accepted = bob.post(&path, &[]).await;
    assert_eq!((accepted.status, accepted.location()), (StatusCode::SEE_OTHER, "/apps"));
    let apps = bob.get("/apps").await;
    assert!(apps.body.contains("acme tool"), "bob now works in Acme");
    assert!(apps.body.contains("Bolt"), "and can switch back to Bolt");
    assert_eq!(bob.post(&path, &[]).await.status, StatusCode::NOT_FOUND, "used once");

    // Bob is a member in Acme: apps yes, plans and limits no.
    assert_eq!(bob.get(&format!("/apps/{secret_app}")).await.status, StatusCode::OK);
    assert_eq!(bob.post("/plans", &[("plan", "Pro")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.post("/plans/limits", &[(&format!("limit.{secret_app}"), "0")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        bob.post("/organization/invitations", &[("email", "x@example.com")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!bob.get("/plans").await.body.contains("Upgrade to"), "members see no plan buttons");

    // Ada removes Bob; he is back to Bolt only.
    let (bob_user, _) = app.store.user_by_email("bob@example.com").await.unwrap();
    let removed = ada.post(&format!("/organization/members/{}/remove", bob_user.id), &[]).await;
    assert_eq!(removed.location(), "/organization?done=removed");
    assert_eq!(bob.get(&format!("/apps/{secret_app}")).await.status, StatusCode::NOT_FOUND);
    let (ada_user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let last = ada.post(&format!("/organization/members/{}/remove", ada_user.id), &[]).await;
    assert_eq!(last.status, StatusCode::FORBIDDEN, "the last owner stays");
}

#[tokio::test]
async fn an_invitee_who_signs_up_joins_the_inviting_organization_only_and_owners_change_roles() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    ada.get("/organization").await;
    let page = ada.post("/organization/invitations", &[("email", "carol@example.com"), ("role", "member")]).await;
    let link = page.between("<code id=\"invite-link\">", "</code>").unwrap();
    let path = link.strip_prefix(browser::ISSUER).unwrap().to_owned();

    // Carol has no account: from the invitation she signs up, told whom she joins, asked no name.
    let mut carol = app.client();
    let form = carol.get(&format!("/signup?next={path}")).await;
    assert!(form.body.contains("You are invited to join <strong>Acme</strong>"), "{}", form.body);
    assert!(!form.body.contains("name=\"organization\""));
    let fields = [("email", "carol@example.com"), ("password", PASSWORD), ("next", path.as_str())];
    let done = carol.post("/signup", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (user, _) = app.store.user_by_email("carol@example.com").await.unwrap();
    assert!(app.store.memberships_of(user.id).await.unwrap().is_empty(), "no organization of her own");
    carol.sign_in("carol@example.com").await;
    carol.get(&path).await;
    assert_eq!(carol.post(&path, &[]).await.location(), "/apps");
    let orgs = app.store.memberships_of(user.id).await.unwrap();
    assert_eq!(orgs.iter().map(|(o, r)| (o.name.as_str(), *r)).collect::<Vec<_>>(), [("Acme", Role::Member)]);

    // Someone signing up with another email than the invited one gets an organization as usual.
    let mut mallory = app.client();
    mallory.get(&format!("/signup?next={path}")).await;
    let fields = [("email", "mallory@example.com"), ("password", PASSWORD), ("next", path.as_str())];
    mallory.post("/signup", &fields).await;
    let (user, _) = app.store.user_by_email("mallory@example.com").await.unwrap();
    assert_eq!(app.store.memberships_of(user.id).await.unwrap().len(), 1);

    // Ada makes Carol an owner; then steps down herself. Carol, the last owner, cannot.
    let (carol_user, _) = app.store.user_by_email("carol@example.com").await.unwrap();
    let (ada_user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let members = ada.get("/organization").await;
    assert!(members.body.contains(&format!("/organization/members/{}/role", carol_user.id)), "{}", members.body);
    assert_eq!(
        carol.post(&format!("/organization/members/{}/role", ada_user.id), &[("role", "member")]).await.status,
        StatusCode::FORBIDDEN,
        "members cannot"
    );
    let promoted = ada.post(&format!("/organization/members/{}/role", carol_user.id), &[("role", "owner")]).await;
    assert_eq!(promoted.location(), "/organization?done=role");
    let acme = app.store.memberships_of(carol_user.id).await.unwrap()[0].0.id;
    assert_eq!(app.store.role_in(acme, carol_user.id).await.unwrap(), Role::Owner);
    ada.post(&format!("/organization/members/{}/role", ada_user.id), &[("role", "member")]).await;
    assert_eq!(app.store.role_in(acme, ada_user.id).await.unwrap(), Role::Member);
    carol.get("/organization").await;
    let last = carol.post(&format!("/organization/members/{}/role", carol_user.id), &[("role", "member")]).await;
    assert_eq!(last.status, StatusCode::FORBIDDEN, "the last owner stays one");
    let nonsense = carol.post(&format!("/organization/members/{}/role", ada_user.id), &[("role", "admin")]).await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn people_create_and_switch_between_organizations() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    assert_eq!(ada.get("/orgs/new").await.status, StatusCode::OK);
    let empty = ada.post("/orgs", &[("name", "")]).await;
    assert!(empty.body.contains("id=\"name-error\">Name is required."));
    let made = ada.post("/orgs", &[("name", "Second")]).await;
    assert_eq!(made.location(), "/apps");
    let apps = ada.get("/apps").await;
    assert!(apps.body.contains("<option value=") && apps.body.contains("selected>Second</option>"), "{}", apps.body);
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let orgs = app.store.memberships_of(user.id).await.unwrap();
    assert_eq!(orgs.len(), 2);
    let acme = orgs.iter().find(|(o, _)| o.name == "Acme").unwrap().0.id;
    let switched = ada.post("/orgs/switch", &[("org", &acme.to_string())]).await;
    assert_eq!(switched.location(), "/apps");
    assert!(ada.get("/apps").await.body.contains("selected>Acme</option>"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let apps = ada.get("/apps").await;
    assert!(apps.body.contains("action=\"/signout\""));
    let out = ada.post("/signout", &[]).await;
    assert_eq!(out.location(), "/signin");
    assert_eq!(ada.get("/apps").await.status, StatusCode::SEE_OTHER);
    // Signing in again works with the password chosen at sign-up.
    ada.get("/signin").await;
    let back = ada.post("/signin", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/usage")]).await;
    assert_eq!(back.location(), "/usage");
}

// ---- hardening ------------------------------------------------------------------------------

#[tokio::test]
async fn sign_up_never_redirects_off_the_site() {
    let app = TestApp::new().await;
    for (i, hostile) in [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/\n",
        "https:evil.example",
    ]
    .into_iter()
    .enumerate()
    {
        let mut visitor = app.client();
        let encoded: String = url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect();
        let form = visitor.get(&format!("/signup?next={encoded}")).await;
        assert!(form.body.contains("name=\"next\" value=\"/apps\""), "{hostile:?}: {}", form.body);
        let email = format!("person{i}@example.com");
        let done = visitor.post("/signup", &[("email", &email), ("password", PASSWORD), ("next", hostile)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{hostile:?}: {}", done.body);
        let location = done.location();
        assert!(location.starts_with('/') && !location.starts_with("//"), "{hostile:?}: {location}");
        assert!(!location.contains("evil") && !location.contains('\\'), "{hostile:?}: {location}");
    }
}

#[tokio::test]
async fn one_address_cannot_sign_up_without_bound() {
    let app = TestApp::new().await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let mut bot = app.client_from("203.0.113.9");
        bot.get("/signup").await;
        let email = format!("bot{i}@example.com");
        statuses.push(bot.post("/signup", &[("email", &email), ("password", PASSWORD)]).await.status);
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(refused >= 15, "{statuses:?}");
    let mut person = app.client_from("198.51.100.20");
    person.get("/signup").await;
    let other = person.post("/signup", &[("email", "someone@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "other addresses are not affected");
}

#[tokio::test]
async fn sign_up_does_not_tell_which_emails_have_accounts() {
    let app = TestApp::new().await;
    app.person("ada@example.com", "Acme").await;
    let attempt = |email: &'static str| {
        let mut visitor = app.client();
        async move {
            visitor.get("/signup").await;
            let response = visitor
                .post("/signup", &[("email", email), ("password", "another long passphrase"), ("organization", "Evil")])
                .await;
            let mut cookies: Vec<String> = response
                .headers
                .get_all("set-cookie")
                .iter()
                .map(|c| c.to_str().unwrap().split('=').next().unwrap().to_owned())
                .collect();
            cookies.sort();
            (response.status, response.location().to_owned(), response.body, cookies)
        }
    };
    let taken = attempt("ADA@example.com").await;
    let fresh = attempt("new@example.com").await;
    assert_eq!(taken, fresh);
    // The existing account is untouched: its password still works, the other one does not, and
    // no organization was added to it.
    let mut ada = app.client();
    ada.get("/signin").await;
    let wrong = ada.post("/signin", &[("email", "ada@example.com"), ("password", "another long passphrase")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    assert_eq!(app.store.memberships_of(user.id).await.unwrap().len(), 1);
    ada.sign_in("ada@example.com").await;
    assert!(ada.cookies.contains_key("ferrite_session"));
    // Sign-in says the same for an unknown email and a wrong password.
    let mut visitor = app.client();
    visitor.get("/signin").await;
    let unknown = visitor.post("/signin", &[("email", "nobody@example.com"), ("password", PASSWORD)]).await;
    let wrong = visitor.post("/signin", &[("email", "ada@example.com"), ("password", "not her password")]).await;
    assert_eq!(unknown.status, wrong.status);
    let error = |body: &str| body.split("role=\"alert\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(error(&unknown.body), error(&wrong.body));
}

#[tokio::test]
async fn a_planted_csrf_cookie_and_form_value_are_refused() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let planted = "A".repeat(43);
    ada.cookies.insert("ferrite_csrf".into(), planted.clone());
    let forged = ada.post_raw("/orgs", &[("csrf_token", &planted), ("name", "Forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    assert_eq!(app.store.memberships_of(user.id).await.unwrap().len(), 1, "nothing was created");
    // Before sign-in too.
    let mut visitor = app.client();
    visitor.cookies.insert("ferrite_csrf".into(), planted.clone());
    let forged = visitor
        .post_raw("/signup", &[("csrf_token", &planted), ("email", "eve@example.com"), ("password", PASSWORD)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // The real flow still works after all that.
    ada.get("/orgs/new").await;
    assert_eq!(ada.post("/orgs", &[("name", "Second")]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn weak_passwords_are_refused_at_sign_up() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    visitor.get("/signup").await;
    for weak in ["password123", "1234567890", "eve@example.com"] {
        let refused = visitor.post("/signup", &[("email", "eve@example.com"), ("password", weak)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert!(refused.body.contains("id=\"password-error\">"), "{weak}: {}", refused.body);
    }
}

#[tokio::test]
async fn nul_bytes_in_forms_are_refused_with_422() {
    nul_bytes_are_refused(TestApp::new().await).await;
}

#[tokio::test]
async fn nul_bytes_in_forms_are_refused_with_422_on_postgres() {
    if let Some(app) = TestApp::on_postgres().await {
        nul_bytes_are_refused(app).await;
    }
}

async fn nul_bytes_are_refused(app: TestApp) {
    let mut ada = app.person("ada@example.com", "Acme").await;
    ada.get("/apps/new").await;
    let refused = ada.post("/apps", &[("name", "nul\0name"), ("description", ""), ("scopes", "supply")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("NUL"), "{}", refused.body);
    let (user, _) = app.store.user_by_email("ada@example.com").await.unwrap();
    let org = app.store.memberships_of(user.id).await.unwrap()[0].0.id;
    assert_eq!(app.store.apps_of_org(org).await.unwrap().len(), 1, "nothing was created");
    let mut visitor = app.client();
    visitor.get("/signup").await;
    let refused = visitor.post("/signup", &[("email", "eve\0@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    visitor.get("/signin").await;
    let refused = visitor.post("/signin", &[("email", "ada\0@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
}

/// A newcomer's first Supply app has no parts of the plan yet: its page says so, and how to give
/// it some; a Design app, which needs none, says nothing of the kind.
#[tokio::test]
async fn a_supply_app_without_parts_says_so_and_how_to_give_it_some() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    let (id, _, _) = ada.create_app("Scanner", &["supply"]).await;
    let page = ada.get(&format!("/apps/{id}")).await;
    assert!(page.body.contains("This app has no parts yet"), "{}", page.body);
    assert!(
        page.body.contains("<a href=\"/plans#limits\">Give it some of your plan's parts</a>"),
        "an owner is shown where"
    );
    let design = ada.create_app("Viewer", &["design"]).await.0;
    assert!(!ada.get(&format!("/apps/{design}")).await.body.contains("no parts yet"), "a Design app needs none");
}

/// One GraphiQL: `GET /graphql` loads the Playground's own assets, which are served gzipped to
/// browsers that take it, with an ETag that spares a second download.
#[tokio::test]
async fn graphiql_is_one_and_its_assets_are_compressed_and_cached() {
    use std::io::Read as _;
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme").await;
    let assets = |body: &str| -> Vec<String> {
        let sources = body.split("src=\"").skip(1).filter_map(|rest| rest.split('"').next());
        sources.filter(|src| !src.ends_with("/portal.js")).map(str::to_owned).collect()
    };
    let playground = ada.get("/playground").await;
    let mut visitor = app.client();
    let ide = visitor.get("/graphql").await;
    assert_eq!(ide.status, StatusCode::OK, "no sign-in needed");
    assert!(ide.body.contains("data-endpoint=\"/graphql\" data-token=\"\""), "{}", ide.body);
    assert_eq!(assets(&ide.body), assets(&playground.body), "the same GraphiQL scripts");
    assert!(assets(&ide.body).iter().any(|src| src.ends_with("graphiql.min.js")));

    let path = "/assets/portal/vendor/graphiql/graphiql.min.js";
    let plain = visitor.get(path).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.headers.get("content-encoding"), None, "not asked for gzip");
    let gzipped = visitor.get_with(path, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(gzipped.headers["content-encoding"], "gzip");
    assert_eq!(gzipped.headers["vary"], "accept-encoding");
    assert!(gzipped.bytes.len() * 3 < plain.bytes.len(), "{} of {} bytes", gzipped.bytes.len(), plain.bytes.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzipped.bytes.as_slice()).read_to_end(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain.bytes);
    assert_eq!(gzipped.headers["cache-control"], "public, max-age=86400");
    let tag = gzipped.headers["etag"].to_str().unwrap().to_owned();
    let again = visitor.get_with(path, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    let stale = visitor.get_with(path, &[("if-none-match", "\"0\"")]).await;
    assert_eq!(stale.status, StatusCode::OK);
}
