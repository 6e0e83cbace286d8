//! Part limits against real servers: many concurrent clients, two nodes on one PostgreSQL, and a
//! server killed under load. The invariant each time: no more parts served than the limit, and
//! no part served uncounted.

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use common::{Server, client_token, provision_supply_app};
use nix::sys::signal::Signal;
use serde_json::{Value, json};

const QUERY: &str = r#"{ supSearchMpn(q: "TEST", limit: 3) { results { part { id } } } }"#;

/// Queries until refused (or `stop` is set); returns the parts received. Every refusal must be
/// the part-limit error.
async fn client(bases: Vec<String>, token: String, served: Arc<AtomicI64>) {
    let http = reqwest::Client::new();
    for round in 0usize.. {
        let base = &bases[round % bases.len()];
        let Ok(response) =
            http.post(format!("{base}/graphql")).bearer_auth(&token).json(&json!({ "query": QUERY })).send().await
        else {
            return; // the server went away (the kill test)
        };
        let Ok(answer) = response.json::<Value>().await else { return };
        match answer["data"]["supSearchMpn"]["results"].as_array() {
            Some(parts) => {
                served.fetch_add(parts.len() as i64, Ordering::SeqCst);
            }
            None => {
                let error = &answer["errors"][0];
                assert_eq!(error["extensions"]["code"], "PartLimitExceeded", "{answer}");
                assert!(error["message"].as_str().unwrap().starts_with("You have exceeded your part limit of "));
                return;
            }
        }
    }
}

async fn hammer(bases: Vec<String>, token: &str, clients: usize) -> i64 {
    let served = Arc::new(AtomicI64::new(0));
    let tasks: Vec<_> =
        (0..clients).map(|_| tokio::spawn(client(bases.clone(), token.to_owned(), served.clone()))).collect();
    for task in tasks {
        task.await.unwrap();
    }
    served.load(Ordering::SeqCst)
}

async fn counted(database_url: &str, app_id: &str) -> i64 {
    let store = ferrite_store::Store::connect(database_url, &Default::default()).await.unwrap();
    let period = ferrite_core::plan::Period::for_app(false, chrono::Utc::now()).key();
    let used = store.part_usage(app_id.parse().unwrap(), &period).await.unwrap();
    store.close().await;
    used
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_clients_on_one_app_never_get_past_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (app, client_id, secret) = provision_supply_app(dir.path(), None, 500, 50).await;
    let server = Server::start(dir.path(), &[]);
    let token = client_token(&server.base, &client_id, &secret).await;
    let served = hammer(vec![server.base.clone()], &token, 64).await;
    let url = ferrite_store::testing::sqlite_url(dir.path());
    assert!(served <= 500, "served {served} parts past the limit of 500");
    assert_eq!(counted(&url, &app).await, served, "the counter equals the parts served");
    assert_eq!(served, 498, "3-part answers fill 500 up to 498");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgresql_share_the_limit() {
    let Some(base) = ferrite_store::testing::postgres_url() else { return };
    let url = ferrite_store::testing::fresh_postgres_url(&base).await.unwrap();
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (app, client_id, secret) = provision_supply_app(first_dir.path(), Some(&url), 600, 50).await;
    // Behind a load balancer every node has the same public URL: the tokens' issuer.
    let node = ["--database-url", url.as_str(), "--public-url", "http://ferrite.test"];
    let first = Server::start(first_dir.path(), &node);
    let second = Server::start(second_dir.path(), &node);
    let token = client_token(&first.base, &client_id, &secret).await;
    let served = hammer(vec![first.base.clone(), second.base.clone()], &token, 64).await;
    assert!(served <= 600, "served {served} parts past the limit of 600");
    assert_eq!(counted(&url, &app).await, served);
    assert_eq!(served, 600, "3-part answers fill 600 exactly");
    assert!(first.stop_with(Signal::SIGTERM).success());
    assert!(second.stop_with(Signal::SIGTERM).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_under_load_has_counted_every_part_it_served() {
    let dir = tempfile::tempdir().unwrap();
    let (app, client_id, secret) = provision_supply_app(dir.path(), None, 2000, 50).await;
    let server = Server::start(dir.path(), &[]);
    let token = client_token(&server.base, &client_id, &secret).await;
    let served = Arc::new(AtomicI64::new(0));
    let tasks: Vec<_> =
        (0..16).map(|_| tokio::spawn(client(vec![server.base.clone()], token.clone(), served.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let status = server.stop_with(Signal::SIGKILL);
    assert!(!status.success());
    for task in tasks {
        task.await.unwrap();
    }
    let received = served.load(Ordering::SeqCst);
    assert!(received > 0, "the clients got answers before the kill");
    // A restart finds the store as the dead process committed it.
    let restarted = Server::start(dir.path(), &[]);
    let url = ferrite_store::testing::sqlite_url(dir.path());
    let counted = counted(&url, &app).await;
    assert!(counted >= received, "counted {counted} < received {received}");
    assert!(restarted.stop_with(Signal::SIGTERM).success());
}
