//! A part's page, at the URL the API's `octopartUrl` names (`/part/<mpn>-<manufacturer>-<id>`):
//! what the catalogue holds of it, every seller's offers with their price breaks in the viewer's
//! currency, and each offer's stock and price history drawn from the history imports keep.
//! Behind sign-in, as the rest of the portal: the catalogue's data is the organization's sources'.

use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use ferrite_core::{
    money::{PriceBreak, one_currency},
    plan::thousands,
    slug::category_path,
};
use ferrite_store::HistoryRecord;
use ferrite_supply::similar::similar_parts;

use super::{chart, name};
use crate::{
    error::PortalError,
    member::Member,
    state::Portal,
    views::{self, OfferView, PartPage, PriceView, SpecView},
};

/// Similar parts shown on a part's page.
const SIMILAR: usize = 6;

#[derive(serde::Deserialize)]
pub struct PartQuery {
    currency: Option<String>,
}

/// The id a part's slug ends with (`lm358dr-texas-instruments-42` → 42).
fn part_id(slug: &str) -> Option<i64> {
    slug.rsplit('-').next()?.parse().ok()
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Path(slug): Path<String>,
    Query(query): Query<PartQuery>,
) -> Result<Response, PortalError> {
    let id = part_id(&slug).ok_or(PortalError::NotFound)?;
    let catalogue = &portal.catalogue;
    let view = catalogue.parts(&[id]).await?.into_iter().next().ok_or(PortalError::NotFound)?;
    let (dictionary, rates) = (catalogue.dictionary(), catalogue.rates());
    let currency = query.currency.map(|c| c.trim().to_uppercase()).filter(|c| rates.knows(c));
    let currency = currency.unwrap_or_else(|| "USD".to_owned());
    let now = portal.now();
    let part = &view.part;
    let category = part.category_id.and_then(|id| dictionary.categories.get(&id));
    let specs = part
        .specs
        .iter()
        .filter_map(|(attribute, shown, _)| {
            let attribute = dictionary.attributes.get(attribute)?;
            Some(SpecView { name: attribute.name.clone(), value: shown.clone() })
        })
        .collect();
    let mut offers = Vec::new();
    let mut by_import_order = view.offers.clone();
    by_import_order.sort_by_key(|o| o.id);
    for offer in &by_import_order {
        let history = portal.store().catalogue().offer_history(offer.id).await?;
        let convert = |b: &PriceBreak| rates.convert(b.price, &b.currency, &currency);
        let prices = one_currency(&offer.prices, &currency)
            .map(|b| {
                let converted = convert(b);
                PriceView {
                    quantity: thousands(b.quantity),
                    price: format!("{:.4} {}", converted.amount, converted.currency),
                }
            })
            .collect();
        let stock: Vec<_> = history.iter().filter_map(|h| Some((h.recorded_at, h.inventory_level? as f64))).collect();
        let unit_price: Vec<_> = history
            .iter()
            .filter_map(|h| Some((h.recorded_at, first_price(h, &currency).map(|b| convert(b).amount)?)))
            .collect();
        offers.push(OfferView {
            seller: name(&dictionary.sellers, offer.seller_id).to_owned(),
            sku: offer.sku.clone(),
            stock: offer.inventory_level.map(thousands).unwrap_or_else(|| "–".to_owned()),
            moq: offer.moq.map(thousands).unwrap_or_default(),
            packaging: offer.packaging.clone().unwrap_or_default(),
            updated: views::datetime(offer.updated_at),
            prices,
            charts: vec![
                ("Stock", chart::history(&stock, now, |v| thousands(v as i64))),
                ("Unit price", chart::history(&unit_price, now, |v| format!("{v:.4} {currency}"))),
            ],
        });
    }
    let (similar, similar_by) = match similar_parts(part, &dictionary, SIMILAR) {
        Some((request, matched_on)) => {
            let found = catalogue.search(request).await.map_err(|err| PortalError::Internal(err.to_string()))?;
            let ids: Vec<i64> = found.part_ids.into_iter().filter(|id| *id != part.id).take(SIMILAR).collect();
            let views = catalogue.parts(&ids).await?;
            (views.iter().map(|v| super::search::hit(v, &dictionary)).collect(), matched_on.join(", "))
        }
        None => (Vec::new(), String::new()),
    };
    Ok(member.page(&PartPage {
        shell: member.shell("parts"),
        mpn: part.mpn.clone(),
        manufacturer: name(&dictionary.manufacturers, part.manufacturer_id).to_owned(),
        description: part.description.clone().unwrap_or_default(),
        category: category.map(|c| c.path.replace('/', " › ")).unwrap_or_default(),
        category_path: category.map(|c| category_path(&c.path)).unwrap_or_default(),
        datasheet: web_address(part.datasheet_url.as_deref()),
        image: web_address(part.image_url.as_deref()),
        currency,
        specs,
        offers,
        similar,
        similar_by,
    }))
}

/// A feed's link, when it is a web address (a page links nothing else a feed wrote).
fn web_address(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(str::to_owned)
}

/// The price of an offer's first break in `currency` (or its own) at one point of its history.
fn first_price<'a>(history: &'a HistoryRecord, currency: &str) -> Option<&'a PriceBreak> {
    one_currency(&history.prices, currency).next()
}
