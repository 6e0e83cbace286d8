//! `ferrite import` as an operator runs it, including being killed in the middle.

mod common;

use std::io::Write;

use common::{Server, admin, ferrite, run, stderr};
use nix::sys::signal::{self, Signal};

fn csv(dir: &std::path::Path, name: &str, rows: usize) -> String {
    let path = dir.join(name);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "mpn,manufacturer,description,seller,sku,stock,currency,price_breaks").unwrap();
    for n in 0..rows {
        writeln!(file, "PN-{n:07},Maker {},Part {n},Acme,ACME-{n:07},{},USD,1:0.{:02}", n % 50, n % 1000, 1 + n % 98)
            .unwrap();
    }
    file.flush().unwrap();
    path.to_str().unwrap().to_owned()
}

async fn part_count(dir: &std::path::Path) -> usize {
    let url = ferrite_store::testing::sqlite_url(dir);
    let store = ferrite_store::Store::connect(&url, &Default::default()).await.unwrap();
    let count = store.catalogue().part_ids_in_mpn_order().await.unwrap().len();
    store.close().await;
    count
}

#[tokio::test]
async fn an_import_killed_midway_leaves_the_previous_catalogue_and_the_next_run_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = csv(dir.path(), "base.csv", 20);
    let report = admin(&data, None, &["import", "csv", &base, "--feed", "acme", "--json"], None);
    assert!(report.contains("\"parts_added\":20"), "{report}");

    let big = csv(dir.path(), "big.csv", 150_000);
    let mut child = ferrite(&["import", "csv", &big, "--feed", "acme", "--data-dir", data.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the import is still running when it is killed");
    signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();

    assert_eq!(part_count(&data).await, 20, "the killed import left nothing behind");
    let again = admin(&data, None, &["import", "csv", &base, "--feed", "acme", "--json"], None);
    assert!(again.contains("\"parts_added\":0") && again.contains("\"catalogue_version\":1"), "{again}");
    let resumed = admin(&data, None, &["import", "csv", &big, "--feed", "acme", "--json"], None);
    assert!(resumed.contains("\"parts_added\":149980"), "{resumed}");
}

#[test]
fn bad_feeds_are_reported_with_file_and_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "mpn,manufacturer,stok\nA,B,1\n").unwrap();
    let output = run(ferrite(&["import", "csv", path.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("stok") && err.contains("bad.csv") && err.contains("unchanged"), "{err}");

    std::fs::write(&path, "mpn,manufacturer,seller,sku,stock\nA,B,S,1,1\nC,D,S,2,many\nE,F,S,3,2\n").unwrap();
    let output = run(ferrite(&["import", "csv", path.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.contains("2 added") && out.contains("skipped records: 1") && out.contains("bad.csv:3"), "{out}");
    let unknown = run(ferrite(&["import", "xml", "x", "--data-dir", data.to_str().unwrap()]));
    assert_eq!(unknown.status.code(), Some(2), "clap names the adapters: {}", stderr(&unknown));
}

#[test]
fn an_import_while_the_server_runs_on_the_same_directory_reports_and_the_index_is_built_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    admin(&data, None, &["migrate"], None);
    let server = Server::start(&data, &[]);
    // Large enough that the server's watcher (every 5 s) finds the new version while the import
    // still builds its index.
    let feed = csv(dir.path(), "feed.csv", 60_000);
    let output =
        run(ferrite(&["import", "csv", &feed, "--feed", "acme", "--json", "--data-dir", data.to_str().unwrap()]));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(report.contains("\"parts_added\":60000") && report.contains("\"catalogue_version\":1"), "{report}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !server.log().contains("catalogue version in use version=1") {
        assert!(std::time::Instant::now() < deadline, "the server never took version 1:\n{}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let log = server.log();
    assert!(!log.contains("could not be refreshed") && !log.contains("killed"), "{log}");
    let builds = log.matches("search index built").count() + stderr(&output).matches("search index built").count();
    assert_eq!(builds, 2, "version 0 at the start, version 1 once:\n{log}\n{}", stderr(&output));
    assert!(server.stop_with(Signal::SIGTERM).success());
}
