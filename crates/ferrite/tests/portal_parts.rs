//! A part's page at the URL the API's `octopartUrl` names: specs, every seller's offers with
//! their price breaks in the viewer's currency, and each offer's stock history as an SVG drawn on
//! the server, from two imports two days apart. Behind sign-in; an unknown part is a 404.

mod browser;
mod harness;

use axum::http::StatusCode;
use browser::TestApp;
use chrono::Duration;
use ferrite_core::{keys::mpn_key, slug::part_page};

const HEADER: &str =
    "mpn,manufacturer,description,category,seller,sku,stock,moq,currency,price_breaks,spec:Case/Package\n";

fn feed(stock: u32) -> String {
    format!(
        "{HEADER}LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-1,{stock},1,USD,1:0.45;1000:0.12,SOIC-8\n"
    )
}

#[tokio::test]
async fn a_part_page_shows_specs_offers_in_the_viewers_currency_and_stock_history() {
    let app = TestApp::new().await;
    app.import_csv("acme", &feed(5000)).await;
    app.clock.advance(Duration::days(2));
    app.import_csv("acme", &feed(1200)).await;
    let id = app.store.catalogue().part_ids_by_mpn_key(&mpn_key("LM358DR")).await.unwrap()[0];
    let path = part_page("LM358DR", "Texas Instruments", id);

    let stranger = app.client().get(&path).await;
    assert_eq!(stranger.status, StatusCode::SEE_OTHER, "behind sign-in");

    let mut ada = app.person("ada@example.com", "Acme Labs").await;
    let page = ada.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for expected in [
        "<span class=\"mpn\">LM358DR</span>",
        "Texas Instruments",
        "Dual op amp",
        "Integrated Circuits › Amplifiers",
        "<th scope=\"row\">Case/Package</th><td>SOIC-8</td>",
        "Acme <span class=\"small muted\">A-1</span>",
        "<strong class=\"stock\">1,200</strong>",
        "<td>1,000</td><td>0.1200 USD</td>",
        "Stock, most 5,000",
    ] {
        assert!(body.contains(expected), "no {expected:?} in\n{body}");
    }
    // The stock line steps down from 5,000 to 1,200 two days in and holds until now.
    let points = page.between("<polyline points=\"", "\"").expect("a stock history line");
    let points: Vec<(u32, u32)> = points
        .split(' ')
        .map(|p| p.split_once(',').map(|(x, y)| (x.parse().unwrap(), y.parse().unwrap())).unwrap())
        .collect();
    let [(x0, high), (x1, y1), (x2, low), (x3, y3)] = points[..] else { panic!("{points:?}") };
    assert_eq!((x0, x3), (0, 240), "from the first import until now");
    assert_eq!((x1, y1), (x2, high), "5,000 held until the second import");
    assert!(low > high && y3 == low, "then 1,200 (lower on the chart, so a larger y) until now");

    let euros = ada.get(&format!("{path}?currency=eur")).await;
    assert!(euros.body.contains("prices in EUR"), "{}", euros.body);
    assert!(euros.body.contains(" EUR</td>"), "{}", euros.body);

    // Another spelling of the name with the same id is the same part; an unknown id is not found.
    assert_eq!(ada.get(&format!("/part/anything-{id}")).await.status, StatusCode::OK);
    let missing = ada.get(&format!("/part/lm358dr-texas-instruments-{}", id + 1000)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(ada.get("/part/no-id-here").await.status, StatusCode::NOT_FOUND);
}

/// `/parts?q=…`: the API's keyword search with facets that narrow it and widen it again, "in
/// stock only", words no part holds reported, and results paged, each linking to its page.
#[tokio::test]
async fn part_search_narrows_by_facets_and_pages_through_results() {
    let app = TestApp::new().await;
    let mut csv = HEADER.to_owned();
    csv.push_str(
        "LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-1,5000,1,USD,1:0.45,SOIC-8\n",
    );
    csv.push_str("LM358N,onsemi,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-2,0,1,USD,1:0.30,DIP-8\n");
    csv.push_str("NE5532P,Texas Instruments,Dual low-noise op amp,Integrated Circuits > Amplifiers,Bolt,B-1,70,1,USD,1:0.80,DIP-8\n");
    for i in 0..30 {
        csv.push_str(&format!("OPA{i:03},Texas Instruments,Precision op amp {i},Integrated Circuits > Amplifiers,Acme,P-{i},10,1,USD,1:1.00,SOIC-8\n"));
    }
    app.import_csv("acme", &csv).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;

    let all = ada.get("/parts?q=dual+op+amp").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("aria-current=\"page\">Parts"), "in the navigation");
    assert!(all.body.contains("1–3 of 3 parts"), "{}", all.body);
    let id = app.store.catalogue().part_ids_by_mpn_key(&mpn_key("LM358DR")).await.unwrap()[0];
    assert!(
        all.body.contains(&format!(
            "<a href=\"{}\"><code>LM358DR</code></a>",
            part_page("LM358DR", "Texas Instruments", id)
        ))
    );

    // A manufacturer's link narrows the search; the same link, now on, widens it again.
    let makers = all.between("<h2>Manufacturer</h2>", "</ul>").expect("a manufacturer facet");
    let maker = makers.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    let narrowed = ada.get(&maker).await;
    let on = narrowed.between("class=\"on\" aria-current=\"true\">✓ ", "</a>").expect("the chosen value");
    let expected = if on == "Texas Instruments" { "1–2 of 2 parts" } else { "1–1 of 1 parts" };
    assert!(narrowed.body.contains(expected), "{on}: {}", narrowed.body);
    let chosen = narrowed.between("<h2>Manufacturer</h2>", "</ul>").unwrap();
    let widen = chosen.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    assert!(ada.get(&widen).await.body.contains("1–3 of 3 parts"), "{widen}");

    let in_stock = ada.get("/parts?q=dual+op+amp&in_stock=true").await;
    assert!(in_stock.body.contains("1–2 of 2 parts") && !in_stock.body.contains("LM358N"), "{}", in_stock.body);

    let misspelt = ada.get("/parts?q=dual+op+amp+zzqx").await;
    assert!(misspelt.body.contains("No part matches “zzqx”: searched without it"), "{}", misspelt.body);

    // 33 op amps: 20 a page, a next page, and a previous one from there.
    let first = ada.get("/parts?q=op+amp").await;
    assert!(first.body.contains("1–20 of 33 parts"), "{}", first.body);
    assert_eq!(first.body.matches("<tr class=\"part-hit\">").count(), 20);
    let pages = first.between("<nav class=\"pages\"", "</nav>").expect("page links");
    let next = pages
        .split("<a href=\"")
        .last()
        .and_then(|l| l.strip_suffix("\" rel=\"next\">Next →</a>"))
        .map(|l| l.replace("&#38;", "&"));
    let next = next.expect("a next page");
    let second = ada.get(&next).await;
    assert!(second.body.contains("21–33 of 33 parts"), "{}", second.body);
    assert!(second.body.contains("rel=\"prev\"") && !second.body.contains("rel=\"next\""));

    let form = ada.get("/parts").await;
    assert!(form.body.contains("Search by MPN") && !form.body.contains("class=\"hits\""), "{}", form.body);
    let nothing = ada.get("/parts?q=zzqx").await;
    assert!(nothing.body.contains("No parts match."), "{}", nothing.body);
}

/// Outside the portal's pages too: a path nothing answers is a readable HTML page, not an empty
/// body, and the site has an icon that every page names.
#[tokio::test]
async fn an_unknown_path_answers_an_html_page_and_the_site_has_an_icon() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    let missing = visitor.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let content_type = missing.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(missing.body.starts_with("<!doctype html>") && missing.body.contains("Not found"), "{}", missing.body);
    for path in ["/favicon.ico", "/favicon.svg"] {
        let icon = visitor.get(path).await;
        assert_eq!(icon.status, StatusCode::OK, "{path}");
        assert_eq!(icon.headers.get("content-type").unwrap(), "image/svg+xml");
        assert!(icon.body.starts_with("<svg"), "{path}");
    }
    let signin = visitor.get("/signin").await;
    assert!(signin.body.contains("<link rel=\"icon\" href=\"/favicon.svg\""), "{}", signin.body);
}

/// Resistors of one category in two values and two packages: a chosen category offers its specs
/// as filters, and a part's page lists the others of its value and package that are in stock.
#[tokio::test]
async fn a_category_filters_by_its_specs_and_a_part_page_shows_similar_parts() {
    let app = TestApp::new().await;
    let mut csv = "mpn,manufacturer,description,category,seller,sku,stock,currency,price_breaks,spec:Resistance,spec:Case/Package\n".to_owned();
    for (mpn, stock, resistance, package) in [
        ("RC0603-10K", 100, "10kΩ", "0603"),
        ("ERJ3-10K", 50, "10kΩ", "0603"),
        ("CRCW0603-10K", 0, "10kΩ", "0603"),
        ("RC0805-10K", 80, "10kΩ", "0805"),
        ("RC0603-22K", 70, "22kΩ", "0603"),
    ] {
        csv.push_str(&format!("{mpn},Yageo,Thick film resistor,Passives > Resistors,Acme,S-{mpn},{stock},USD,1:0.01,{resistance},{package}\n"));
    }
    app.import_csv("acme", &csv).await;
    let mut ada = app.person("ada@example.com", "Acme Labs").await;

    let all = ada.get("/parts?q=resistor").await;
    assert!(all.body.contains("1–5 of 5 parts"), "{}", all.body);
    assert!(!all.body.contains("<h2>Resistance</h2>"), "specs are offered once a category is chosen");
    let categories = all.between("<h2>Category</h2>", "</ul>").expect("a category facet");
    let category = categories.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    let in_category = ada.get(&category).await;
    let resistance = in_category.between("<h2>Resistance</h2>", "</ul>").expect("the resistance filter");
    assert!(resistance.contains("10 kΩ</a> <span class=\"small muted\">4</span>"), "{resistance}");
    let ten_k = resistance.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    let filtered = ada.get(&ten_k).await;
    assert!(filtered.body.contains("1–4 of 4 parts") && !filtered.body.contains("RC0603-22K"), "{}", filtered.body);
    let package = filtered.between("<h2>Case/Package</h2>", "</ul>").expect("the package filter");
    let p0603 = package.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    let both = ada.get(&p0603).await;
    assert!(both.body.contains("1–3 of 3 parts"), "10k and 0603: {}", both.body);
    let widened = both.between("<h2>Resistance</h2>", "</ul>").unwrap();
    let off = widened.split("href=\"").nth(1).and_then(|l| l.split('"').next()).unwrap().replace("&#38;", "&");
    assert!(ada.get(&off).await.body.contains("1–4 of 4 parts"), "0603 alone: {off}");
    let bad = ada.get("/parts?q=resistor&spec=resistance:(ten__)").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("`ten` is not a number"), "{}", bad.body);

    // RC0603-10K is like ERJ3-10K (in stock, 10k, 0603); not like the one out of stock, the 0805
    // or the 22k.
    let id = app.store.catalogue().part_ids_by_mpn_key(&mpn_key("RC0603-10K")).await.unwrap()[0];
    let page = ada.get(&part_page("RC0603-10K", "Yageo", id)).await;
    let similar = page.between("<section class=\"card similar\" id=\"similar\">", "</section>").unwrap();
    assert!(similar.contains("same Resistance, Case/Package"), "{similar}");
    assert!(similar.contains("ERJ3-10K"), "{similar}");
    for unlike in ["RC0603-10K<", "CRCW0603-10K", "RC0805-10K", "RC0603-22K"] {
        assert!(!similar.contains(unlike), "{unlike}: {similar}");
    }
}
