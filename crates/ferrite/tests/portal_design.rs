//! The design pages through the real router: workspaces, the upload form (CSRF-protected), a
//! project's BOM costed for a build with its exports, revisions, renaming and deletion — and
//! nothing of another organization's.

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
    let row = bom.between("<tr class=\"bom-line matched enough\">", "</tr>").unwrap();
    assert!(row.contains("R1, R2") && row.contains("class=\"qty\">2<"), "{row}");
    assert!(
        row.contains("class=\"stock\">100<") && row.contains(">0.1000<") && row.contains("Test Distributor"),
        "{row}"
    );
    // The matched line links to its part's page, which answers; the unmatched one links nowhere.
    let page = row.split("<a href=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a link to the part");
    assert!(page.starts_with("/part/test-00001-"), "{page}");
    assert_eq!(ada.get(page).await.status, StatusCode::OK);
    let unmatched = bom.between("<tr class=\"bom-line unmatched none\">", "</tr>").unwrap();
    assert!(unmatched.contains("Not in catalogue") && unmatched.contains("NOT-STOCKED"));
    assert!(!unmatched.contains("<a href"), "{unmatched}");
    assert!(bom.body.contains("<tr class=\"bom-line no-mpn none\">"));
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
        assert_eq!(page.body.matches("<tr class=\"bom-line matched enough\">").count(), LINES);
    }
}

/// Offers that make each case of the BOM tool: a reel sold by the hundred, a part no one seller
/// has enough of (two sellers, one pricing in euros), one out of stock everywhere.
const FEED: &str = "\
mpn,manufacturer,description,seller,sku,stock,moq,order_multiple,currency,price_breaks
RES-10K,Yageo,10k resistor,Acme,A-10K,10000,100,100,USD,100:0.01;1000:0.005
OPAMP-1,Texas Instruments,Op amp,Acme,A-OP,30,,,USD,1:0.50;10:0.40
OPAMP-1,Texas Instruments,Op amp,Bolt,B-OP,20,,,EUR,1:0.45
MCU-9,Microchip,Microcontroller,Acme,A-MCU,0,,,USD,1:2.00
";

const BOM: &str = "\
References,Qty,Manufacturer,MPN
\"R1,R2,R3,R4\",4,Yageo,RES-10K
U1,1,Texas Instruments,OPAMP-1
U2,1,Microchip,MCU-9
J1,1,,NOPE-1
";

/// The `<tr>` of the BOM line whose designators start with `designators`.
fn line(page: &browser::Response, designators: &str) -> String {
    let at = page.body.find(&format!("<td data-label=\"Designators\">{designators}")).expect(designators);
    let start = page.body[..at].rfind("<tr").unwrap();
    let end = page.body[at..].find("</tr>").unwrap() + at;
    page.body[start..end].to_owned()
}

/// The FEED's catalogue, and Ada with the BOM made into project "Amp": its page's path.
async fn amp() -> (TestApp, browser::Client, String) {
    let app = TestApp::new().await;
    app.import_csv("acme", FEED).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    ada.get("/workspaces/acme-labs").await;
    let made =
        ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "Amp")], ("amp.csv", BOM.as_bytes())).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let project = made.location().to_owned();
    ada.get(&project).await;
    (app, ada, project)
}

#[tokio::test]
async fn a_bom_is_costed_for_a_build_and_exported() {
    let (app, mut ada, project) = amp().await;

    let page = ada.get(&format!("{project}?build=40")).await;
    assert_eq!(page.status, StatusCode::OK);
    // 160 resistors: the MOQ is 100 and they come by the hundred, so 200 at the 100-break.
    let resistors = line(&page, "R1, R2");
    assert!(resistors.contains("matched enough"), "{resistors}");
    for cell in ["class=\"needed\">160<", "class=\"order\">200<", ">0.0100<", "class=\"extended\">2.00<", "Enough"] {
        assert!(resistors.contains(cell), "{cell}: {resistors}");
    }
    // 40 op amps: Acme has 30 and Bolt 20, so Acme's offer falls short and Bolt's is the alternate.
    let op_amps = line(&page, "U1");
    assert!(op_amps.contains("matched short") && op_amps.contains("Short by 10"), "{op_amps}");
    assert!(op_amps.contains("A-OP") && op_amps.contains("class=\"extended\">16.00<"), "{op_amps}");
    let alternates = page.between("Also in stock:", "</tr>").expect("the short line's alternates");
    assert!(alternates.contains("Bolt <code>B-OP</code>: 20 at 0.4817"), "0.45 EUR in dollars: {alternates}");
    let mcu = line(&page, "U2");
    assert!(mcu.contains("matched none") && mcu.contains("None in stock"), "{mcu}");
    assert!(line(&page, "J1").contains("unmatched"));
    assert!(page.body.contains("<strong class=\"build-total\">98.00 USD</strong> for 40 boards"), "{}", page.body);
    assert!(page.body.contains("<strong class=\"board-total\">2.45 USD</strong>"));
    assert!(page.body.contains("<strong class=\"short-count\">2 short</strong>"));

    // In euros, at the built-in reference rate (1 EUR = 1.0705 USD); Bolt's euro price is its own.
    let in_euros = ada.get(&format!("{project}?build=40&currency=EUR")).await;
    assert!(in_euros.body.contains("<strong class=\"build-total\">91.55 EUR</strong>"), "{}", in_euros.body);
    assert!(in_euros.body.contains("Bolt <code>B-OP</code>: 20 at 0.4500"));
    let refused = ada.get(&format!("{project}?build=lots")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("The build quantity must be a whole number from 1 to 1,000,000"), "{}", refused.body);

    // The exports hold the same costing: read back as a spreadsheet would.
    let csv_file = ada.get(&format!("{project}/bom.csv?build=40&currency=USD")).await;
    assert_eq!(csv_file.status, StatusCode::OK);
    assert_eq!(csv_file.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv_file.headers["content-disposition"], "attachment; filename=\"amp-bom.csv\"");
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(csv_file.bytes.as_slice()).records().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 6, "4 lines and 2 totals");
    let designators: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(designators[..4], ["J1", "R1, R2, R3, R4", "U1", "U2"], "the page's order");
    assert_eq!((&rows[1][2], &rows[1][10], &rows[1][12], &rows[1][15]), ("160", "200", "2.000000", "Enough"));
    assert_eq!((&rows[2][8], &rows[2][15]), ("Acme", "Short by 10"));
    assert_eq!((&rows[4][0], &rows[4][12], &rows[4][13]), ("Build total (40 boards)", "98.00", "USD"));

    let xlsx = ada.get(&format!("{project}/bom.xlsx?build=40")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    use calamine::{Data, Reader as _};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes.clone())).expect("an XLSX workbook");
    let sheet = book.worksheet_range("BOM").expect("the BOM sheet");
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("Designators".into())));
    assert_eq!(sheet.get((2, 10)), Some(&Data::Float(200.0)), "numbers are numbers");
    assert_eq!(sheet.get((3, 15)), Some(&Data::String("Short by 10".into())));
    assert_eq!(sheet.get((5, 12)), Some(&Data::Float(98.0)));

    // Another organization can neither read nor change it.
    let mut bob = app.person("bob@example.com", "Bolt").await;
    bob.get("/workspaces/bolt").await;
    for path in
        [project.clone(), format!("{project}/bom.csv"), format!("{project}/bom.xlsx"), format!("{project}/delete")]
    {
        assert_eq!(bob.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(bob.post(&project, &[("name", "Mine")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.post(&format!("{project}/delete"), &[("confirm", "yes")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ada.get(&project).await.status, StatusCode::OK);
}

/// A line short at its first part looks at the line's other parts (a 1-click BOM's alternates).
#[tokio::test]
async fn a_short_lines_other_parts_are_its_alternates() {
    let app = TestApp::new().await;
    let feed = format!("{FEED}OPAMP-2,Microchip,Op amp,Bolt,B-OP2,500,,,USD,1:0.70\n");
    app.import_csv("acme", &feed).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    ada.get("/workspaces/acme-labs").await;
    let bom = "References,Qty,Manufacturer,MPN,Manufacturer,MPN\nU1,1,Texas Instruments,OPAMP-1,Microchip,OPAMP-2\n";
    let made =
        ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "Alt")], ("alt.csv", bom.as_bytes())).await;
    let page = ada.get(&format!("{}?build=40", made.location())).await;
    assert!(line(&page, "U1").contains("Short by 10"), "OPAMP-1 first: Acme's 30 of 40");
    let alternates = page.between("Also in stock:", "</tr>").expect("alternates");
    assert!(alternates.contains("Bolt <code>B-OP</code>: 20"), "{alternates}");
    assert!(alternates.contains("Bolt <code>B-OP2</code> (OPAMP-2): 500 at 0.7000"), "{alternates}");
    let enough = ada.get(&format!("{}?build=20", made.location())).await;
    assert!(enough.between("Also in stock:", "</tr>").is_none(), "a line that is covered lists none");
}

/// A line none of whose offers has stock gets a similar part in stock (same category and key specs).
#[tokio::test]
async fn a_line_out_of_stock_everywhere_gets_a_similar_part() {
    let app = TestApp::new().await;
    let feed = "mpn,manufacturer,description,category,seller,sku,stock,currency,price_breaks,spec:Resistance,spec:Case/Package\n\
                RES-A,Yageo,10k,Passives > Resistors,Acme,S-A,0,USD,1:0.01,10kΩ,0603\n\
                RES-B,Vishay,10k,Passives > Resistors,Bolt,S-B,5000,USD,1:0.02,10kΩ,0603\n\
                RES-C,Vishay,22k,Passives > Resistors,Bolt,S-C,9000,USD,1:0.01,22kΩ,0603\n";
    app.import_csv("acme", feed).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    ada.get("/workspaces/acme-labs").await;
    let bom = "References,Qty,Manufacturer,MPN\nR1,1,Yageo,RES-A\n";
    let made = ada.post_multipart("/workspaces/acme-labs/projects", &[("name", "R")], ("r.csv", bom.as_bytes())).await;
    let page = ada.get(made.location()).await;
    assert!(line(&page, "R1").contains("None in stock"));
    let alternates = page.between("Also in stock:", "</tr>").expect("a similar part");
    assert!(alternates.contains("Bolt <code>S-B</code> (RES-B): 5,000 at 0.0200"), "{alternates}");
    assert!(!alternates.contains("RES-C"), "another value is not alike");
}

#[tokio::test]
async fn a_project_is_revised_renamed_and_deleted() {
    let (_app, mut ada, project) = amp().await;

    let rev_b = "References,Qty,Manufacturer,MPN\nU1,2,Texas Instruments,OPAMP-1\n";
    let revised = ada.post_multipart(&format!("{project}/revisions"), &[], ("amp-b.csv", rev_b.as_bytes())).await;
    assert_eq!(revised.status, StatusCode::SEE_OTHER, "{}", revised.body);
    let page = ada.get(&project).await;
    assert!(page.body.contains("1 line, 1 matched") && page.body.contains("SourceFile: amp-b.csv"), "{}", page.body);
    assert!(page.body.contains("<strong>Revision 2</strong> (current) · amp-b.csv"), "{}", page.body);
    let first = ada.get(&format!("{project}?revision=1")).await;
    assert!(first.body.contains("You are looking at revision 1") && first.body.contains("4 lines, 3 matched"));
    let bad = ada.post_multipart(&format!("{project}/revisions"), &[], ("bad.csv", b"Ref,Qty,MPN\nR1,x,Y\n")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("line 2: the quantity `x`"), "{}", bad.body);
    assert!(!ada.get(&project).await.body.contains("Revision 3"), "a refused file stores nothing");

    let renamed = ada.post(&project, &[("name", "Amplifier"), ("description", "rev B")]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let page = ada.get(&project).await;
    assert!(page.body.contains("<h1>Amplifier</h1>") && page.body.contains("<p>rev B</p>"));
    let unnamed = ada.post(&project, &[("name", "  "), ("description", "")]).await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unnamed.body.contains("The project needs a name."), "{}", unnamed.body);
    assert_eq!(ada.post_raw(&project, &[("name", "Forged")]).await.status, StatusCode::FORBIDDEN);

    let confirm = ada.get(&format!("{project}/delete")).await;
    assert!(confirm.body.contains("its 2 revisions and their BOMs are deleted"), "{}", confirm.body);
    let unconfirmed = ada.post(&format!("{project}/delete"), &[]).await;
    assert_eq!(unconfirmed.location(), format!("{project}/delete"));
    let deleted = ada.post(&format!("{project}/delete"), &[("confirm", "yes")]).await;
    assert_eq!(deleted.location(), "/workspaces/acme-labs?deleted=1");
    assert!(ada.get(deleted.location()).await.body.contains("The project was deleted."));
    assert_eq!(ada.get(&project).await.status, StatusCode::NOT_FOUND);
}
