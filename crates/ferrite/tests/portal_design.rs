//! The design pages through the real router: workspaces, the upload form (CSRF-protected) and a
//! project's BOM with match status, stock and unit price — and nothing of another organization's.

mod browser;
mod harness;

use axum::http::StatusCode;
use browser::TestApp;

const KICAD: &str = r#"<export version="D"><components>
  <comp ref="R1"><value>TEST1</value><fields><field name="manf">Testco</field><field name="manf#">TEST-00001</field></fields></comp>
  <comp ref="R2"><value>TEST1</value><fields><field name="manf#">TEST-00001</field></fields></comp>
  <comp ref="U1"><value>MCU</value><fields><field name="manf#">NOT-STOCKED</field></fields></comp>
  <comp ref="J1"><value>CONN</value><footprint>Header_1x02</footprint></comp>
</components></export>"#;

#[tokio::test]
async fn a_member_uploads_a_design_and_reads_its_bom_with_stock_and_prices() {
    let app = TestApp::new().await;
    app.write_synthetic_parts(2).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    let list = ada.get("/workspaces").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("href=\"/workspaces/acme-labs\">Acme Labs</a> <span class=\"tag\">default</span>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("aria-current=\"page\">Designs"));
    let page = ada.get("/workspaces/acme-labs").await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("No projects yet."));

    // With a token that does not match the cookie's: refused, nothing made.
    let fields = [("csrf_token", "forged"), ("name", "Forged")];
    let refused = ada.post_multipart("/workspaces/acme-labs/projects", &fields, ("b.xml", KICAD.as_bytes())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = ada.get("/workspaces/acme-labs").await;
    assert!(page.body.contains("No projects yet."));

    // A bad file: the form again, naming the line.
    let bad = ada
        .post_multipart(
            "/workspaces/acme-labs/projects",
            &[("name", "Bad"), ("description", "")],
            ("bom.csv", b"Ref,Qty,MPN\nR1,x,Y\n"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(
            "The design file could not be read: line 2: the quantity `x` in column `Qty` is not a whole number."
        ),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"Bad\""), "what was typed is kept");

    let made = ada
        .post_multipart(
            "/workspaces/acme-labs/projects",
            &[("name", "Blinky <b>"), ("description", "rev A")],
            ("board.xml", KICAD.as_bytes()),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let location = made.location().to_owned();
    assert!(location.starts_with("/workspaces/acme-labs/projects/"), "{location}");
    let bom = ada.get(&location).await;
    assert_eq!(bom.status, StatusCode::OK);
    assert!(bom.body.contains("Blinky &#60;b&#62;") || bom.body.contains("Blinky &lt;b&gt;"), "escaped: {}", bom.body);
    assert!(bom.body.contains("3 lines, 1 matched in the catalogue"), "{}", bom.body);
    // TEST-00001: 2 units, matched, 100 in stock, 0.10 USD from the synthetic distributor.
    let row = bom.between("<tr class=\"bom-line matched\">", "</tr>").unwrap();
    assert!(row.contains("R1, R2") && row.contains("class=\"qty\">2<"), "{row}");
    assert!(
        row.contains("class=\"stock\">100<") && row.contains("0.1000 USD") && row.contains("Test Distributor"),
        "{row}"
    );
    // The matched line links to its part's page, which answers; the unmatched one links nowhere.
    let page = row.split("<a href=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a link to the part");
    assert!(page.starts_with("/part/test-00001-"), "{page}");
    assert_eq!(ada.get(page).await.status, StatusCode::OK);
    let unmatched = bom.between("<tr class=\"bom-line unmatched\">", "</tr>").unwrap();
    assert!(unmatched.contains("Not in catalogue") && unmatched.contains("NOT-STOCKED"));
    assert!(!unmatched.contains("<a href"), "{unmatched}");
    assert!(bom.body.contains("<tr class=\"bom-line no-mpn\">"));
    let listed = ada.get("/workspaces/acme-labs").await;
    assert!(listed.body.contains(&format!("href=\"{location}\">Blinky")), "{}", listed.body);

    // Another organization's member finds none of it.
    let mut bob = app.person("bob@example.com", "Bolt").await;
    assert_eq!(bob.get("/workspaces/acme-labs").await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.get(&location).await.status, StatusCode::NOT_FOUND);
    let theirs = bob.get("/workspaces/bolt").await;
    assert_eq!(theirs.status, StatusCode::OK);
    let project_id = location.rsplit('/').next().unwrap();
    assert_eq!(bob.get(&format!("/workspaces/bolt/projects/{project_id}")).await.status, StatusCode::NOT_FOUND);
    bob.get("/workspaces/bolt").await;
    let intrusion = bob
        .post_multipart("/workspaces/acme-labs/projects", &[("name", "Intruder")], ("b.xml", KICAD.as_bytes()))
        .await;
    assert_eq!(intrusion.status, StatusCode::NOT_FOUND);
}

/// Issue 13: 3,200 nested elements overflowed the XML parser's stack and aborted the server.
#[tokio::test]
async fn a_deeply_nested_xml_upload_is_refused_with_its_line() {
    let app = TestApp::new().await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    ada.get("/workspaces/acme-labs").await;
    let bomb = format!(
        "<export><components><comp ref=\"R1\"/></components>\n{}{}</export>",
        "<a>".repeat(3_200),
        "</a>".repeat(3_200)
    );
    let refused =
        ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "Deep")], ("deep.xml", bomb.as_bytes())).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("line 2: the XML nests elements more than 64 deep"), "{}", refused.body);
    let made =
        ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "Fine")], ("b.xml", KICAD.as_bytes())).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "the server lives on");
}

/// Issue 13: the page of a 40,000-line BOM answered 500 (one SQL parameter per matched part,
/// past SQLite's limit). On SQLite, and on PostgreSQL when a server is named.
#[tokio::test]
async fn the_page_of_a_40000_line_bom_shows_every_line() {
    const LINES: usize = 40_000;
    let mut apps = vec![TestApp::new().await];
    apps.extend(TestApp::on_postgres().await);
    for app in apps {
        app.write_synthetic_parts(LINES).await;
        let mut bom = String::from("References,Qty,Manufacturer,MPN\n");
        for n in 1..=LINES {
            bom.push_str(&format!("R{n},1,Testco,TEST-{n:05}\n"));
        }
        let mut ada = app.person("ada@example.com", "Acme Labs").await;
        ada.get("/workspaces/acme-labs").await;
        let made =
            ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "Big")], ("big.csv", bom.as_bytes())).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let page = ada.get(made.location()).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("40000 lines, 40000 matched in the catalogue"), "{}", &page.body[..2000]);
        assert_eq!(page.body.matches("<tr class=\"bom-line matched\">").count(), LINES);
    }
}
