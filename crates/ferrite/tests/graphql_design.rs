//! The design API through its HTTP edge: `POST /files/upload`, `desUploadProject`, and the
//! `des*` queries, on a real store with a small catalogue — with tokens acting for a person
//! (authorization code + PKCE) and for an app (client credentials), and another organization
//! that must see none of it.

mod harness;

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use ferrite_core::FakeClock;
use ferrite_core::money::ExchangeRates;
use ferrite_identity::{AuthorizationRequest, CreatedApp, Identity, TokenRequest};
use harness::Harness;
use serde_json::{Value, json};
use tower::ServiceExt;

const CALLBACK: &str = "http://127.0.0.1:9/cb";
/// RFC 7636's example verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A KiCad export using two synthetic catalogue parts (one named by its maker, one by another's).
const KICAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<export version="D">
  <design><source>board.sch</source><sheet number="1" name="/"><title_block><title>Blinky</title></title_block></sheet></design>
  <components>
    <comp ref="R2"><value>TEST1</value><footprint>R_0603</footprint>
      <fields><field name="manf">Testco</field><field name="manf#">TEST-00001</field><field name="digikey#">TD-00001</field></fields>
      <libsource lib="Device" part="R" description="Resistor"/></comp>
    <comp ref="R1"><value>TEST1</value><footprint>R_0603</footprint>
      <fields><field name="manf">TESTCO</field><field name="manf#">test00001</field></fields></comp>
    <comp ref="U1"><value>MCU</value>
      <fields><field name="manf">Elsewhere Inc</field><field name="manf#">TEST-00002</field></fields></comp>
    <comp ref="J1"><value>CONN_01x02</value><footprint>PinHeader_1x02</footprint><property name="dnp"/></comp>
  </components>
</export>"#;

struct Env {
    router: Router,
    identity: Arc<Identity>,
    /// Ada's organization's design app (client credentials and authorization code).
    design: CreatedApp,
    /// Bob's organization's design app.
    other: CreatedApp,
    ada: ferrite_core::UserId,
    clock: FakeClock,
    _harness: Harness,
}

async fn env() -> Env {
    env_with(Default::default()).await
}

async fn env_with(limits: ferrite_graphql::design::upload::UploadLimits) -> Env {
    let harness = Harness::setup()
        .configure(|config| {
            config.currency_rates = ExchangeRates(BTreeMap::from([("USD".into(), 1.0)]));
            config.uploads = limits;
        })
        .start()
        .await;
    harness.synthetic_parts(3).await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    let bob = harness.person("bob@example.com").await;
    let bolt = harness.org("Bolt", bob.id).await;
    let design = harness.app(acme.id, "cad", "design", &[CALLBACK.into()], 0).await;
    let other = harness.app(bolt.id, "theirs", "design,supply", &[], 0).await;
    Env {
        router: harness.router.clone(),
        identity: harness.state.identity.clone(),
        design,
        other,
        ada: ada.id,
        clock: harness.clock.clone(),
        _harness: harness,
    }
}

impl Env {
    async fn app_token(&self, app: &CreatedApp, scope: &str) -> String {
        let client =
            self.identity.authenticate_client(&app.app.client_id, &app.client_secret, "127.0.0.1").await.unwrap();
        let request =
            TokenRequest { grant_type: "client_credentials".into(), scope: Some(scope.into()), ..Default::default() };
        self.identity.token(&client, &request).await.unwrap().access_token
    }

    /// A token acting for Ada, through the authorization-code flow with PKCE.
    async fn person_token(&self) -> String {
        let request = AuthorizationRequest {
            response_type: "code".into(),
            client_id: self.design.app.client_id.clone(),
            redirect_uri: CALLBACK.into(),
            scope: Some("openid design.domain".into()),
            code_challenge: Some(CHALLENGE.into()),
            code_challenge_method: Some("S256".into()),
            ..Default::default()
        };
        let (app, scopes) = self.identity.check_authorization(&request).await.unwrap();
        let code = self.identity.issue_code(&app, self.ada, &request, &scopes, self.identity.now()).await.unwrap();
        let redeem = TokenRequest {
            grant_type: "authorization_code".into(),
            code: Some(code),
            redirect_uri: Some(CALLBACK.into()),
            code_verifier: Some(VERIFIER.into()),
            ..Default::default()
        };
        let client = self
            .identity
            .authenticate_client(&self.design.app.client_id, &self.design.client_secret, "127.0.0.1")
            .await
            .unwrap();
        let token = self.identity.token(&client, &redeem).await.unwrap().access_token;
        assert!(self.identity.verify_access_token(&token).unwrap().is_for_person());
        token
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn upload(&self, token: &str, name: &str, content: &[u8]) -> (StatusCode, Value) {
        let boundary = "ferrite-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post("/files/upload")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    async fn upload_id(&self, token: &str, content: &[u8]) -> String {
        let (status, answer) = self.upload(token, "board.xml", content).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer["id"].as_str().unwrap().to_owned()
    }

    async fn query(&self, token: &str, query: &str, variables: Value) -> Value {
        let request = Request::post("/graphql")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "query": query, "variables": variables }).to_string()))
            .unwrap();
        self.send(request).await.1
    }

    async fn workspace_url(&self, token: &str) -> String {
        let answer = self.query(token, "{ desWorkspaceInfos { url isDefault } }", json!({})).await;
        answer["data"]["desWorkspaceInfos"][0]["url"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned()
    }

    async fn create(&self, token: &str, workspace_url: &str, file_id: &str, name: &str) -> Value {
        self.query(
            token,
            "mutation($input: DesUploadProjectInput!) { desUploadProject(input: $input) { projectId errors { message } } }",
            json!({ "input": { "workspaceUrl": workspace_url, "fileId": file_id, "name": name, "description": "rev A" } }),
        )
        .await
    }
}

const PROJECT: &str = "query($id: ID!) { desProjectById(id: $id) { id name description workspaceUrl createdAt
    parameters(names: [\"Title\", \"SourceFormat\"]) { name value }
    design { variants { name bom { bomItems { quantity bomItemInstances { designator isFitted }
      component { name description manufacturerParts { companyName partNumber octopartId
        supplierParts { companyName partNumber } } } } } } } } }";

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_person_uploads_a_kicad_export_makes_a_project_and_reads_its_bom_back() {
    let env = env().await;
    let token = env.person_token().await;
    let workspaces =
        env.query(&token, "{ desWorkspaceInfos { name url isDefault location { apiServiceUrl } } }", json!({})).await;
    assert_eq!(
        workspaces["data"]["desWorkspaceInfos"],
        json!([{ "name": "Acme", "url": "http://ferrite.test/workspaces/acme", "isDefault": true,
                 "location": { "apiServiceUrl": "http://ferrite.test/graphql" } }])
    );
    let file = env.upload_id(&token, KICAD.as_bytes()).await;
    let created = env.create(&token, "http://ferrite.test/workspaces/acme", &file, "Blinky").await;
    assert_eq!(created["data"]["desUploadProject"]["errors"], json!([]), "{created}");
    let id = created["data"]["desUploadProject"]["projectId"].as_str().unwrap().to_owned();

    let answer = env.query(&token, PROJECT, json!({ "id": id })).await;
    let project = &answer["data"]["desProjectById"];
    assert_eq!(project["name"], "Blinky", "{answer}");
    assert_eq!(project["description"], "rev A");
    assert_eq!(project["workspaceUrl"], "http://ferrite.test/workspaces/acme");
    assert_eq!(
        project["parameters"],
        json!([{ "name": "SourceFormat", "value": "KiCad XML" }, { "name": "Title", "value": "Blinky" }])
    );
    let variants = project["design"]["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 1);
    assert_eq!(variants[0]["name"], "[No Variations]");
    let items = variants[0]["bom"]["bomItems"].as_array().unwrap();
    let test1 = env.identity.store().catalogue().part_ids_by_mpn_key("TEST00001").await.unwrap()[0];
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0]["quantity"], 0, "J1 is not fitted");
    assert_eq!(items[0]["bomItemInstances"], json!([{ "designator": "J1", "isFitted": false }]));
    assert_eq!(items[1]["quantity"], 2);
    assert_eq!(
        items[1]["bomItemInstances"],
        json!([{ "designator": "R1", "isFitted": true }, { "designator": "R2", "isFitted": true }])
    );
    assert_eq!(
        items[1]["component"],
        json!({ "name": "TEST1", "description": "Resistor", "manufacturerParts": [{
            "companyName": "Testco", "partNumber": "TEST-00001", "octopartId": test1.to_string(),
            "supplierParts": [{ "companyName": "Digi-Key", "partNumber": "TD-00001" }] }] })
    );
    // TEST-00002 is in the catalogue, but Testco's, not "Elsewhere Inc"'s: not linked.
    assert_eq!(items[2]["component"]["manufacturerParts"][0]["octopartId"], Value::Null);

    // The same design through an app token of the same organization.
    let app_token = env.app_token(&env.design, "design.domain").await;
    let by_app = env.query(&app_token, PROJECT, json!({ "id": id })).await;
    assert_eq!(by_app["data"]["desProjectById"]["name"], "Blinky");
    let listed = env
        .query(
            &app_token,
            "query($w: String!) { desProjects(workspaceUrl: $w) { totalCount nodes { id name } } }",
            json!({ "w": "acme" }),
        )
        .await;
    assert_eq!(listed["data"]["desProjects"], json!({ "totalCount": 1, "nodes": [{ "id": id, "name": "Blinky" }] }));
}

#[tokio::test]
async fn another_organization_sees_none_of_it_not_even_by_guessing_ids() {
    let env = env().await;
    let token = env.person_token().await;
    let acme = env.workspace_url(&token).await;
    let file = env.upload_id(&token, KICAD.as_bytes()).await;
    let created = env.create(&token, &acme, &file, "Secret board").await;
    let id = created["data"]["desUploadProject"]["projectId"].as_str().unwrap().to_owned();

    let theirs = env.app_token(&env.other, "design.domain").await;
    let workspaces = env.query(&theirs, "{ desWorkspaceInfos { name url } }", json!({})).await;
    assert_eq!(
        workspaces["data"]["desWorkspaceInfos"],
        json!([{ "name": "Bolt", "url": "http://ferrite.test/workspaces/bolt" }])
    );
    let guessed = env.query(&theirs, PROJECT, json!({ "id": id })).await;
    assert_eq!(guessed["data"]["desProjectById"], Value::Null, "{guessed}");
    assert!(guessed["errors"].is_null(), "a foreign project is like a missing one: {guessed}");
    let missing = env.query(&theirs, PROJECT, json!({ "id": ferrite_core::ProjectId::new().to_string() })).await;
    assert_eq!(missing, guessed);
    let listing = env
        .query(
            &theirs,
            "{ desProjects(workspaceUrl: \"http://ferrite.test/workspaces/acme\") { totalCount } }",
            json!({}),
        )
        .await;
    assert!(listing["data"]["desProjects"].is_null());
    assert_eq!(code(&listing), "NotFound");
    assert!(listing["errors"][0]["message"].as_str().unwrap().contains("no workspace"));
    // Nor can they make a project in Acme's workspace, with their file or with Ada's.
    let their_file = env.upload_id(&theirs, KICAD.as_bytes()).await;
    let intrusion = env.create(&theirs, &acme, &their_file, "Intruder").await;
    assert_eq!(code(&intrusion), "NotFound", "{intrusion}");
    let other_file = env.upload_id(&token, KICAD.as_bytes()).await;
    let stolen = env.create(&theirs, "bolt", &other_file, "Stolen").await;
    assert_eq!(code(&stolen), "NotFound", "someone else's upload: {stolen}");
    let count = env.query(&token, "{ desProjects(workspaceUrl: \"acme\") { totalCount } }", json!({})).await;
    assert_eq!(count["data"]["desProjects"]["totalCount"], 1);
}

#[tokio::test]
async fn bad_files_and_bad_uploads_are_refused_clearly_and_store_nothing() {
    let env = env().await;
    let token = env.app_token(&env.design, "design.domain").await;
    let acme = env.workspace_url(&token).await;
    let bad = env.upload_id(&token, b"References,Qty,MPN\nR1,1,X\nR2,lots,Y\n").await;
    let refused = env.create(&token, &acme, &bad, "Broken").await;
    assert_eq!(code(&refused), "DesignFileInvalid", "{refused}");
    assert_eq!(
        refused["errors"][0]["message"],
        "The design file could not be read: line 3: the quantity `lots` in column `Qty` is not a whole number"
    );
    let unnamed = env.create(&token, &acme, &bad, " ").await;
    assert_eq!(code(&unnamed), "BadArgument");
    let count = env.query(&token, "{ desProjects(workspaceUrl: \"acme\") { totalCount } }", json!({})).await;
    assert_eq!(count["data"]["desProjects"]["totalCount"], 0, "nothing stored");

    // A file makes one project.
    let good = env.upload_id(&token, KICAD.as_bytes()).await;
    assert!(env.create(&token, &acme, &good, "First").await["errors"].is_null());
    assert_eq!(code(&env.create(&token, &acme, &good, "Second").await), "NotFound");

    let (status, answer) = env.upload("not-a-token", "x.xml", KICAD.as_bytes()).await;
    assert_eq!((status, answer["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("AuthInvalidToken")));
    let supply_only = env.app_token(&env.other, "supply.domain").await;
    let (status, answer) = env.upload(&supply_only, "x.xml", KICAD.as_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(answer["message"].as_str().unwrap().contains("design.domain"));
    let (status, answer) = env.upload(&token, "empty.csv", b"").await;
    assert_eq!((status, answer["message"].as_str()), (StatusCode::BAD_REQUEST, Some("The file is empty.")));
    let huge = vec![b'x'; ferrite_design::limits::MAX_FILE_BYTES + 1];
    let (status, answer) = env.upload(&token, "huge.csv", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["message"], "The file is larger than the limit of 10 MiB.");
    let not_a_form = Request::post("/files/upload")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("plain"))
        .unwrap();
    assert_eq!(env.send(not_a_form).await.0, StatusCode::BAD_REQUEST);
    let no_scope = env.app_token(&env.other, "supply.domain").await;
    let answer = env.query(&no_scope, "{ desWorkspaceInfos { name } }", json!({})).await;
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("design.domain"));
}

#[tokio::test]
async fn deeply_nested_xml_is_refused_and_the_server_lives_on() {
    let env = env().await;
    let token = env.app_token(&env.design, "design.domain").await;
    let acme = env.workspace_url(&token).await;
    // Issue 13: 3,200 nested elements (about 20 KB) overflowed the parser's stack and aborted.
    let bomb = format!(
        "<export><components><comp ref=\"R1\"/></components>\n{}{}</export>",
        "<a>".repeat(3_200),
        "</a>".repeat(3_200)
    );
    let file = env.upload_id(&token, bomb.as_bytes()).await;
    let refused = env.create(&token, &acme, &file, "Deep").await;
    assert_eq!(code(&refused), "DesignFileInvalid", "{refused}");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("line 2: the XML nests elements more than 64 deep"), "{message}");
    let good = env.upload_id(&token, KICAD.as_bytes()).await;
    assert!(env.create(&token, &acme, &good, "After").await["errors"].is_null(), "the server still serves");
}

#[tokio::test]
async fn uploads_waiting_to_become_projects_are_bounded_per_person() {
    let limits = ferrite_graphql::design::upload::UploadLimits {
        pending_bytes_per_person: 3 * KICAD.len() as u64,
        pending_bytes_per_org: 1 << 30,
    };
    let env = env_with(limits).await;
    let token = env.app_token(&env.design, "design.domain").await;
    let mut files = Vec::new();
    for _ in 0..3 {
        files.push(env.upload_id(&token, KICAD.as_bytes()).await);
    }
    // Issue 13: 1.2 GiB stored in 7 s. The fourth file waits for room.
    let request = |token: &str| {
        let boundary = "b";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xml\"\r\n\r\n{KICAD}\r\n--{boundary}--\r\n"
        );
        Request::post("/files/upload")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    let response = env.router.clone().oneshot(request(&token)).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&retry), "the first file expires in an hour: {retry}");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer["error"], "UploadQuotaExceeded");
    assert!(
        answer["message"].as_str().unwrap().starts_with("Files waiting to become projects already hold"),
        "{answer}"
    );
    // Another app of another organization has room of its own.
    let theirs = env.app_token(&env.other, "design.domain").await;
    assert_eq!(env.upload(&theirs, "x.xml", KICAD.as_bytes()).await.0, StatusCode::OK);
    // A file made a project no longer waits: its room is free again.
    let acme = env.workspace_url(&token).await;
    assert!(env.create(&token, &acme, &files[0], "Made").await["errors"].is_null());
    env.upload_id(&token, KICAD.as_bytes()).await;
}

#[tokio::test]
async fn the_sweeper_removes_expired_uploads() {
    let env = env().await;
    let token = env.app_token(&env.design, "design.domain").await;
    let file: ferrite_core::DesignFileId = env.upload_id(&token, KICAD.as_bytes()).await.parse().unwrap();
    let uploaded = env.identity.now();
    let sweep = || ferrite_graphql::design::upload::remove_expired_files(&env.identity, env.identity.now());
    sweep().await.unwrap();
    assert!(env.identity.store().design_file(file, uploaded).await.is_ok(), "not expired: kept");
    env.clock.advance(chrono::Duration::hours(1));
    sweep().await.unwrap();
    // Asked as of upload time: gone from the database, not only hidden by its expiry.
    assert!(env.identity.store().design_file(file, uploaded).await.is_err(), "the sweep removed the expired file");
}

#[tokio::test]
async fn projects_page_as_a_relay_connection() {
    let env = env().await;
    let token = env.app_token(&env.design, "design.domain").await;
    for n in 0..5 {
        let file = env.upload_id(&token, KICAD.as_bytes()).await;
        let made = env.create(&token, "acme", &file, &format!("p{n}")).await;
        assert!(made["errors"].is_null(), "{made}");
    }
    let page = |args: &str| {
        format!(
            "{{ desProjects(workspaceUrl: \"acme\", {args}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ name }} }} }} }}"
        )
    };
    let first = env.query(&token, &page("first: 2"), json!({})).await;
    let connection = &first["data"]["desProjects"];
    let names = |c: &Value| {
        c["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(connection), ["p0", "p1"], "{first}");
    assert_eq!(connection["totalCount"], 5);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], false);
    let end = connection["pageInfo"]["endCursor"].as_str().unwrap();
    let second = env.query(&token, &page(&format!("first: 2, after: \"{end}\"")), json!({})).await;
    assert_eq!(names(&second["data"]["desProjects"]), ["p2", "p3"]);
    let last = env.query(&token, &page("last: 2"), json!({})).await;
    assert_eq!(names(&last["data"]["desProjects"]), ["p3", "p4"]);
    assert_eq!(last["data"]["desProjects"]["pageInfo"]["hasPreviousPage"], true);
    let bad = env.query(&token, &page("first: 101"), json!({})).await;
    assert_eq!(bad["errors"][0]["message"], "first must be between 0 and 100");
    let bad_cursor = env.query(&token, &page("after: \"nope\""), json!({})).await;
    assert_eq!(code(&bad_cursor), "BadArgument");
}
