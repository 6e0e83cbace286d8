//! The operator's view from the command line: `list`/`show` for people, organizations, apps and
//! plans (text and JSON), `org set-plan`, and `user promote`/`demote`, on SQLite and PostgreSQL.

mod common;

use std::{io::Write, process::Output};

use common::{ferrite, run, stderr};
use ferrite_core::plan::Period;
use serde_json::Value;

/// One backend: a data directory, and a PostgreSQL URL when the state lives there.
struct Db {
    dir: tempfile::TempDir,
    url: Option<String>,
}

impl Db {
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = ferrite(args);
        command.args(["--data-dir", self.dir.path().to_str().unwrap()]);
        if let Some(url) = &self.url {
            command.args(["--database-url", url]);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        run(self.command(args))
    }

    /// Stdout of a command that must succeed.
    fn text(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let text = self.text(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }

    /// The error line of a command that must fail.
    fn error(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(output.status.code(), Some(1), "{args:?} should fail: {}", String::from_utf8_lossy(&output.stdout));
        let stderr = stderr(&output);
        let errors: Vec<_> = stderr.lines().filter(|line| line.starts_with("error: ")).collect();
        assert_eq!(errors.len(), 1, "one error line: {stderr}");
        errors[0].to_owned()
    }

    fn create_user(&self, email: &str) {
        let mut command = self.command(&["admin", "user", "create", "--email", email, "--password-stdin"]);
        command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(b"correct horse battery\n").unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    }

    fn store_url(&self) -> String {
        self.url.clone().unwrap_or_else(|| ferrite_store::testing::sqlite_url(self.dir.path()))
    }
}

async fn sqlite() -> Option<Db> {
    Some(Db { dir: tempfile::tempdir().unwrap(), url: None })
}

async fn postgres() -> Option<Db> {
    let base = ferrite_store::testing::postgres_url()?;
    let url = ferrite_store::testing::fresh_postgres_url(&base).await.unwrap();
    Some(Db { dir: tempfile::tempdir().unwrap(), url: Some(url) })
}

#[tokio::test]
async fn operators_see_everything_on_sqlite() {
    if let Some(db) = sqlite().await {
        operators_see_everything(db).await
    }
}

#[tokio::test]
async fn operators_see_everything_on_postgres() {
    if let Some(db) = postgres().await {
        operators_see_everything(db).await
    }
}

/// The column of `row` under `header` starts where the header does.
fn aligned(text: &str, header: &str, row_starts: &str, cell: &str) -> bool {
    let head = text.lines().find(|l| l.contains(header)).unwrap();
    let row = text.lines().find(|l| l.starts_with(row_starts)).unwrap_or_else(|| panic!("{row_starts}: {text}"));
    row.get(head.find(header).unwrap()..).is_some_and(|rest| rest.starts_with(cell))
}

/// The start of Ada's row among an organization's members: her id.
fn shown_owner_row(db: &Db) -> String {
    db.json(&["admin", "user", "show", "ada@example.com", "--json"])["id"].as_str().unwrap().to_owned()
}

async fn operators_see_everything(db: Db) {
    db.create_user("ada@example.com");
    db.create_user("bob@example.com");
    let acme = db.json(&["admin", "org", "create", "--name", "Acme", "--owner", "ada@example.com", "--json"]);
    let acme_id = acme["id"].as_str().unwrap();
    let twin = db.json(&["admin", "org", "create", "--name", "Acme", "--owner", "bob@example.com", "--json"]);
    db.json(&["admin", "org", "create", "--name", "Bolt", "--owner", "bob@example.com", "--json"]);

    // An operator's plan change applies at once, up as well as down.
    assert!(db.text(&["admin", "org", "set-plan", acme_id, "pro"]).contains("is on Pro now"));
    let mut secrets = Vec::new();
    let mut create = |name: &str, parts: &str| {
        let args = ["admin", "app", "create", "--org", acme_id, "--name", name, "--scopes", "supply", "--part-limit"];
        let app = db.json(&[&args[..], &[parts, "--json"]].concat());
        secrets.push(app["client_secret"].as_str().unwrap().to_owned());
        app
    };
    let a = create("bom-tool", "15000");
    let b = create("cad", "5000");
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let store = ferrite_store::Store::connect(&db.store_url(), &Default::default()).await.unwrap();
    let month = Period::month_of(chrono::Utc::now()).key();
    store.record_usage_for_tests(a_id.parse().unwrap(), &month, 42).await.unwrap();
    store.close().await;

    let orgs = db.json(&["admin", "org", "list", "--json"]);
    let names: Vec<_> = orgs.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme", "Acme", "Bolt"], "oldest first");
    assert_eq!(orgs[0]["id"], acme["id"]);
    assert_eq!((&orgs[0]["plan"], &orgs[0]["members"], &orgs[0]["apps"]), (&"Pro".into(), &1.into(), &3.into()));
    assert_eq!(orgs[0]["parts_used"], 42);
    assert_eq!((&orgs[2]["plan"], &orgs[2]["parts_used"]), (&"Evaluation".into(), &0.into()));
    let listed = db.text(&["admin", "org", "list"]);
    assert!(listed.starts_with("ID "), "{listed}");
    assert!(aligned(&listed, "PLAN", acme_id, "Pro"), "{listed}");
    assert!(aligned(&listed, "PARTS USED", acme_id, "42"), "{listed}");

    let shown = db.json(&["admin", "org", "show", acme_id, "--json"]);
    assert_eq!(shown["plan"]["name"], "Pro");
    assert_eq!((&shown["plan"]["allocated"], &shown["plan"]["unallocated"]), (&20_000.into(), &0.into()));
    assert_eq!(shown["members"][0]["email"], "ada@example.com");
    assert_eq!(shown["members"][0]["role"], "owner");
    assert_eq!(shown["apps"].as_array().unwrap().len(), 3);
    assert_eq!(shown["parts_used"], 42);

    // Down to Standard now: 15,000 + 5,000 are scaled to 1,500 + 500.
    assert!(db.text(&["admin", "org", "set-plan", acme_id, "Standard"]).contains("is on Standard now"));
    let limit = |id: &str| db.json(&["admin", "app", "show", id, "--json"])["part_limit"].as_i64().unwrap();
    assert_eq!((limit(a_id), limit(b_id)), (1_500, 500));
    let shown = db.text(&["admin", "org", "show", acme_id]);
    assert!(shown.contains("plan:      Standard (2,000 parts per month)"), "{shown}");
    assert!(shown.contains("allocated: 2,000 (0 unallocated)"), "{shown}");
    assert!(aligned(&shown, "ROLE", &shown_owner_row(&db), "owner"), "{shown}");
    assert!(shown.contains("ada@example.com") && shown.contains("bom-tool"), "{shown}");

    // Apps, by organization or all of them, and one by id or by client id.
    let apps = db.json(&["admin", "app", "list", "--org", acme_id, "--json"]);
    let app_names: Vec<_> = apps.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(app_names, ["Evaluation", "bom-tool", "cad"]);
    assert_eq!(apps[1]["parts_used"], 42);
    assert_eq!(db.json(&["admin", "app", "list", "--json"]).as_array().unwrap().len(), 5);
    let by_client = db.json(&["admin", "app", "show", a["client_id"].as_str().unwrap(), "--json"]);
    assert_eq!((&by_client["id"], &by_client["scopes"]), (&a["id"], &serde_json::json!(["supply"])));
    let text = db.text(&["admin", "app", "show", a_id]);
    assert!(text.contains("part limit:    1,500") && text.contains("parts used:    42 this period"), "{text}");

    // Operators: promoted and demoted, by email or by id.
    let users = db.json(&["admin", "user", "list", "--json"]);
    let ada_id = users[0]["id"].as_str().unwrap().to_owned();
    assert_eq!((&users[0]["email"], &users[0]["is_operator"]), (&"ada@example.com".into(), &false.into()));
    assert!(db.text(&["admin", "user", "promote", "ada@example.com"]).contains("is now an operator"));
    let users = db.json(&["admin", "user", "list", "--json"]);
    let operators: Vec<_> = users.as_array().unwrap().iter().map(|u| u["is_operator"].as_bool().unwrap()).collect();
    assert_eq!(operators, [true, false]);
    let ada = db.json(&["admin", "user", "show", &ada_id, "--json"]);
    assert_eq!((&ada["email"], &ada["is_operator"]), (&"ada@example.com".into(), &true.into()));
    assert_eq!(ada["organizations"], serde_json::json!([{ "id": acme_id, "name": "Acme", "role": "owner" }]));
    assert!(db.text(&["admin", "user", "show", "ADA@example.com"]).contains("operator: yes"));
    assert!(db.text(&["admin", "user", "demote", &ada_id]).contains("is no longer an operator"));
    assert!(db.text(&["admin", "user", "list"]).lines().any(|l| l.starts_with(&ada_id) && l.contains(" no ")));

    let plans = db.json(&["admin", "plan", "list", "--json"]);
    let catalogue: Vec<_> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["parts_per_month"].as_i64()))
        .collect();
    assert!(catalogue.contains(&("Evaluation", Some(1_000))) && catalogue.contains(&("Pro", Some(20_000))));
    assert!(aligned(&db.text(&["admin", "plan", "list"]), "PARTS", "Standard", "2,000"));

    // What cannot be found is named; a name two organizations share lists their ids.
    let twin_id = twin["id"].as_str().unwrap();
    for (args, says) in [
        (
            vec!["admin", "org", "show", "Acme"],
            "2 organizations are named \"Acme\"; give one of their ids: ".to_owned(),
        ),
        (vec!["admin", "org", "show", "Nobody"], "no organization is named \"Nobody\"".to_owned()),
        (vec!["admin", "org", "set-plan", acme_id, "Platinum"], "there is no plan named `Platinum`".to_owned()),
        (vec!["admin", "org", "set-plan", "Nobody", "Pro"], "no organization is named \"Nobody\"".to_owned()),
        (vec!["admin", "app", "list", "--org", "Nobody"], "no organization is named \"Nobody\"".to_owned()),
        (vec!["admin", "user", "show", "nobody@example.com"], "no person with email nobody@example.com".to_owned()),
        (vec!["admin", "user", "promote", "nobody"], "no person with email or id \"nobody\"".to_owned()),
        (vec!["admin", "app", "show", "nope"], "no app with id or client id nope".to_owned()),
    ] {
        let error = db.error(&args);
        assert!(error.contains(&says), "{args:?}: {error}");
        if args[3] == "Acme" {
            assert!(error.contains(acme_id) && error.contains(twin_id), "{error}");
        }
    }

    // No secret, nor its hash, in anything shown.
    for args in [
        vec!["admin", "app", "list"],
        vec!["admin", "app", "list", "--json"],
        vec!["admin", "app", "show", a_id],
        vec!["admin", "app", "show", a_id, "--json"],
        vec!["admin", "org", "show", acme_id],
        vec!["admin", "org", "show", acme_id, "--json"],
        vec!["admin", "org", "list", "--json"],
        vec!["admin", "user", "list", "--json"],
    ] {
        let out = db.text(&args);
        for secret in &secrets {
            assert!(!out.contains(secret.as_str()), "{args:?} shows a secret");
        }
        assert!(!out.contains("hash"), "{args:?}: {out}");
    }
}

#[test]
fn every_command_honours_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let db = Db { dir, url: None };
    db.create_user("ada@example.com");
    let elsewhere = Db { dir: other, url: None };
    assert_eq!(elsewhere.json(&["admin", "user", "list", "--json"]), serde_json::json!([]));
    assert_eq!(db.json(&["admin", "user", "list", "--json"]).as_array().unwrap().len(), 1);
}
