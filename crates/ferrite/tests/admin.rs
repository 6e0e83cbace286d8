//! The admin CLI as scripts use it: JSON out, clear errors, every command honouring --data-dir.

mod common;

use std::io::Write;

use common::{ferrite, run, stderr};
use serde_json::Value;

fn admin(dir: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(["--data-dir", dir.path().to_str().unwrap()]);
    run(ferrite(&all))
}

fn json(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

fn create_user(dir: &tempfile::TempDir, email: &str, password: &str) -> std::process::Output {
    let mut command = ferrite(&["admin", "user", "create", "--email", email, "--password-stdin", "--json"]);
    command.args(["--data-dir", dir.path().to_str().unwrap()]);
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn people_organizations_and_apps_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let user = json(&create_user(&dir, "ada@example.com", "correct horse battery"));
    assert_eq!(user["email"], "ada@example.com");
    let again = create_user(&dir, "ADA@example.com", "correct horse battery");
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    let weak = create_user(&dir, "bob@example.com", "short");
    assert!(stderr(&weak).contains("password must be at least 10 characters"), "{}", stderr(&weak));
    let common = create_user(&dir, "bob@example.com", "password123");
    assert_eq!(common.status.code(), Some(1));
    assert!(stderr(&common).contains("password is one of the most common"), "{}", stderr(&common));

    let org = json(&admin(&dir, &["admin", "org", "create", "--name", "Acme", "--owner", "ada@example.com", "--json"]));
    let by_name = json(&admin(
        &dir,
        &["admin", "app", "create", "--org", "Acme", "--name", "bom", "--scopes", "supply,design", "--json"],
    ));
    assert_eq!(by_name["scopes"], serde_json::json!(["supply", "design"]));
    assert_eq!(by_name["client_secret"].as_str().unwrap().len(), 43, "256 random bits");
    let by_id = json(&admin(
        &dir,
        &[
            "admin",
            "app",
            "create",
            "--org",
            org["id"].as_str().unwrap(),
            "--name",
            "cad",
            "--scopes",
            "design",
            "--redirect-uri",
            "http://127.0.0.1:9/cb",
            "--json",
        ],
    ));
    assert_ne!(by_id["client_id"], by_name["client_id"]);

    let renewed = json(&admin(&dir, &["admin", "app", "regenerate-secret", by_id["id"].as_str().unwrap(), "--json"]));
    assert_eq!(renewed["client_id"], by_id["client_id"]);
    assert_ne!(renewed["client_secret"], by_id["client_secret"]);

    let deleted = admin(&dir, &["admin", "app", "delete", by_id["id"].as_str().unwrap()]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let gone = admin(&dir, &["admin", "app", "delete", by_id["id"].as_str().unwrap()]);
    assert!(stderr(&gone).contains("not found"), "{}", stderr(&gone));

    for (args, says) in [
        (
            vec!["admin", "app", "create", "--org", "Nobody", "--name", "x", "--scopes", "supply"],
            "no organization is named",
        ),
        (vec!["admin", "app", "create", "--org", "Acme", "--name", "x", "--scopes", "admin"], "not an app scope"),
        (vec!["admin", "app", "create", "--org", "Acme", "--name", "", "--scopes", "supply"], "name is required"),
        (vec!["admin", "org", "create", "--name", "Bolt", "--owner", "nobody@example.com"], "no person with email"),
        (vec!["admin", "app", "delete", "not-an-id"], "is not an app id"),
    ] {
        let output = admin(&dir, &args);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"));
    }
}

#[test]
fn keys_rotate_adds_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = admin(&dir, &["keys", "rotate", "--algorithm", "EdDSA"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("new signing key "));
    let bad = admin(&dir, &["keys", "rotate", "--algorithm", "HS256"]);
    assert_eq!(bad.status.code(), Some(2), "clap refuses it");
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The organization's apps as the store sees them (the CLI has no listing).
async fn app_names(dir: &tempfile::TempDir) -> Vec<(String, i64)> {
    let url = ferrite_store::testing::sqlite_url(dir.path());
    let store = ferrite_store::Store::connect(&url, &Default::default()).await.unwrap();
    let org = store.orgs_named("Acme").await.unwrap().remove(0);
    let apps = store.apps_of_org(org.id).await.unwrap().into_iter().map(|a| (a.name, a.part_limit)).collect();
    store.close().await;
    apps
}

#[tokio::test]
async fn plans_and_part_limits_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    json(&create_user(&dir, "ada@example.com", "correct horse battery"));
    json(&admin(&dir, &["admin", "org", "create", "--name", "Acme", "--owner", "ada@example.com", "--json"]));
    let create = |name: &str, parts: &str| {
        admin(
            &dir,
            &[
                "admin",
                "app",
                "create",
                "--org",
                "Acme",
                "--name",
                name,
                "--scopes",
                "supply",
                "--part-limit",
                parts,
                "--json",
            ],
        )
    };

    // On the evaluation plan there are no parts to give: refused, and nothing is created.
    let refused = create("early", "100");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused)
            .contains("refused: 100 parts cannot be allocated: this allocation exceeds the plan by 100 parts"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(app_names(&dir).await, vec![("Evaluation".to_owned(), 1_000)]);

    let upgraded = admin(&dir, &["admin", "plan", "set", "--org", "Acme", "--plan", "standard"]);
    assert!(stdout(&upgraded).contains("is on Standard now"), "{}{}", stdout(&upgraded), stderr(&upgraded));
    let first = json(&create("first", "1500"));
    let too_many = create("second", "600");
    assert!(stderr(&too_many).contains("exceeds the plan by 100 parts"), "{}", stderr(&too_many));
    assert_eq!(app_names(&dir).await.len(), 2, "the refused app was not created");

    let id = first["id"].as_str().unwrap();
    let raised = admin(&dir, &["admin", "app", "limit", id, "--parts", "2000"]);
    assert!(stdout(&raised).contains("now has a limit of 2000 parts"), "{}", stderr(&raised));
    let over = admin(&dir, &["admin", "app", "limit", id, "--parts", "2001"]);
    assert!(stderr(&over).contains("exceeds the plan by 1 parts"), "{}", stderr(&over));
    assert!(app_names(&dir).await.contains(&("first".to_owned(), 2_000)));

    let down = admin(&dir, &["admin", "plan", "set", "--org", "Acme", "--plan", "Evaluation"]);
    assert!(
        stdout(&down).contains("moves to Evaluation at ") && stdout(&down).contains("next period"),
        "{}",
        stdout(&down)
    );
    for (args, says) in [
        (vec!["admin", "plan", "set", "--org", "Acme", "--plan", "Platinum"], "no plan named `Platinum`"),
        (vec!["admin", "plan", "set", "--org", "Nobody", "--plan", "Pro"], "no organization is named"),
        (vec!["admin", "app", "limit", "not-an-id", "--parts", "1"], "is not an app id"),
    ] {
        let output = admin(&dir, &args);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
    }
}
