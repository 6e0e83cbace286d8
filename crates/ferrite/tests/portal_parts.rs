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
