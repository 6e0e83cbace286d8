//! Building an index of the whole catalogue from the store, page by page, and updating a
//! version's index in place for the next when that changed few parts.

use std::{collections::HashMap, path::Path};

use ferrite_core::{keys::mpn_key, money::ExchangeRates};
use ferrite_store::{OfferRecord, PartRecord, Store};
use serde_json::{Map, Value};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::{
    pricing,
    sellers::{SellerProfile, SellerTable},
};

use super::{
    COMPLETE_MARKER, SearchError, SearchIndex, complete_marker, schema, si_term, spec_term,
    understand::{self, package_keys},
};

const PAGE: i64 = 5_000;
/// The attribute a part's package is read from, in every feed's vocabulary.
const PACKAGE: &str = "case_package";
const WRITER_MEMORY: usize = 200 << 20;
/// An update writes a few documents, on one thread (tantivy's least is 15 MB a thread).
const UPDATE_WRITER_MEMORY: usize = 32 << 20;

/// Builds the index of catalogue `version` in `root/v<version>` and opens it, with prices
/// compared in US dollars at `rates` and authorized sellers counted by `sellers`; its marker
/// records the operator's `configured` rates and the seller table (see
/// [`SearchIndex::open`]). A leftover of an interrupted build of the same version, or a build for
/// other configured rates, is discarded first.
pub async fn build(
    store: &Store,
    root: &Path,
    version: i64,
    rates: &ExchangeRates,
    configured: &ExchangeRates,
    sellers: &SellerTable,
) -> Result<SearchIndex, SearchError> {
    let dir = root.join(format!("v{version}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(&dir, schema)?;
    schema::register_tokenizers(&index);
    let writer: IndexWriter = index.writer(WRITER_MEMORY)?;

    let names = Names::load(store, sellers).await?;
    let mut after = 0;
    loop {
        let parts = store.catalogue().parts_page(after, PAGE).await?;
        let Some(last) = parts.last().map(|p| p.id) else { break };
        let mut offers: HashMap<i64, Vec<OfferRecord>> = HashMap::new();
        for offer in store.catalogue().offers_in_part_range(after, last).await? {
            offers.entry(offer.part_id).or_default().push(offer);
        }
        for part in &parts {
            let doc = document(&fields, &names, part, offers.get(&part.id).map_or(&[][..], Vec::as_slice), rates);
            writer.add_document(doc)?;
        }
        after = last;
    }
    finish(writer, index, dir, version, configured, sellers).await
}

/// Makes the index of catalogue `version` from `previous`, the index of an earlier version built
/// for the same configured rates and seller table, by rewriting only the documents of `changed`
/// parts (those the store no longer holds are left out). The new directory starts as hard links
/// to the previous one's files, which tantivy never rewrites, so `previous` keeps serving
/// searches meanwhile and is not touched.
pub async fn update(
    store: &Store,
    previous: &SearchIndex,
    version: i64,
    changed: &[i64],
    rates: &ExchangeRates,
    configured: &ExchangeRates,
    sellers: &SellerTable,
) -> Result<SearchIndex, SearchError> {
    let root = previous.dir().parent().expect("an index directory is under the search root");
    let dir = root.join(format!("v{version}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(previous.dir())? {
        let entry = entry?;
        let name = entry.file_name();
        // The marker is written when this build completes; locks belong to their own index.
        if name == COMPLETE_MARKER || name.to_string_lossy().ends_with(".lock") {
            continue;
        }
        let target = dir.join(&name);
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    let index = Index::open_in_dir(&dir)?;
    schema::register_tokenizers(&index);
    let writer: IndexWriter = index.writer_with_num_threads(1, UPDATE_WRITER_MEMORY)?;
    // Updates leave deleted documents behind: a segment that is a tenth deleted is merged.
    let mut merges = tantivy::merge_policy::LogMergePolicy::default();
    merges.set_del_docs_ratio_before_merge(0.1);
    writer.set_merge_policy(Box::new(merges));
    let (_, fields) = schema::build();
    for id in changed {
        writer.delete_term(tantivy::Term::from_field_u64(fields.id, *id as u64));
    }
    let names = Names::load(store, sellers).await?;
    for (part, offers) in store.catalogue().parts_with_offers(changed).await? {
        writer.add_document(document(&fields, &names, &part, &offers, rates))?;
    }
    finish(writer, index, dir, version, configured, sellers).await
}

/// Commits what `writer` wrote (off the async runtime: it waits for merges), marks the build
/// complete and opens it.
async fn finish(
    mut writer: IndexWriter,
    index: Index,
    dir: std::path::PathBuf,
    version: i64,
    configured: &ExchangeRates,
    sellers: &SellerTable,
) -> Result<SearchIndex, SearchError> {
    tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(())
    })
    .await
    .map_err(|err| std::io::Error::other(err.to_string()))??;
    std::fs::write(dir.join(COMPLETE_MARKER), complete_marker(version, configured, sellers))?;
    SearchIndex::from_index(index, dir, version)
}

/// A part's place in MPN order, from its MPN key alone (so a part's document never depends on
/// the others'): the key's first twelve characters and its next twelve, each read as a number in
/// base 38 (end of key, digits, letters, anything else) that compares as the text does.
pub(super) fn mpn_order(key: &str) -> (u64, u64) {
    let digit = |c: Option<char>| match c {
        None => 0,
        Some(c @ '0'..='9') => 1 + u64::from(c as u8 - b'0'),
        Some(c @ 'A'..='Z') => 11 + u64::from(c as u8 - b'A'),
        Some(_) => 37,
    };
    let mut chars = key.chars();
    let mut number = || (0..12).fold(0u64, |n, _| n * 38 + digit(chars.next()));
    (number(), number())
}

/// Names the index needs for text search, by id.
struct Names {
    manufacturers: HashMap<i64, String>,
    /// id → (name, parent)
    categories: HashMap<i64, (String, Option<i64>)>,
    /// id → shortname
    attributes: HashMap<i64, String>,
    /// id → the kinds of part (`understand::kinds`) that cover the category's own name
    kinds: HashMap<i64, Vec<&'static str>>,
    /// Every seller as the seller table and its feeds describe it.
    sellers: HashMap<i64, SellerProfile>,
}

impl Names {
    async fn load(store: &Store, table: &SellerTable) -> Result<Names, SearchError> {
        let categories: HashMap<i64, (String, Option<i64>)> =
            store.catalogue().categories().await?.into_iter().map(|c| (c.id, (c.name, c.parent_id))).collect();
        let kinds = categories
            .iter()
            .map(|(id, (name, _))| {
                (*id, understand::kinds().iter().filter(|k| k.covers(name)).map(|k| k.name.as_str()).collect())
            })
            .collect();
        Ok(Names {
            sellers: store
                .catalogue()
                .sellers()
                .await?
                .into_iter()
                .map(|s| (s.id, table.profile(&s.name, s.homepage_url.as_deref())))
                .collect(),
            manufacturers: store.catalogue().manufacturers().await?.into_iter().map(|m| (m.id, m.name)).collect(),
            categories,
            kinds,
            attributes: store.catalogue().attributes().await?.into_iter().map(|a| (a.id, a.shortname)).collect(),
        })
    }

    /// The category and its ancestors, nearest first.
    fn lineage(&self, category: Option<i64>) -> Vec<(i64, &str)> {
        let mut lineage = Vec::new();
        let mut next = category;
        while let Some(id) = next {
            let Some((name, parent)) = self.categories.get(&id) else { break };
            lineage.push((id, name.as_str()));
            next = *parent;
            if lineage.len() > 32 {
                break; // a cycle would be a corrupt catalogue; do not loop forever on it
            }
        }
        lineage
    }
}

fn document(
    f: &schema::Fields,
    names: &Names,
    part: &PartRecord,
    offers: &[OfferRecord],
    rates: &ExchangeRates,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let key = mpn_key(&part.mpn);
    doc.add_u64(f.id, part.id as u64);
    doc.add_text(f.mpn_exact, &key);
    doc.add_text(f.mpn_prefix, &key);
    doc.add_u64(f.manufacturer_id, part.manufacturer_id as u64);
    let (order, order_tail) = mpn_order(&key);
    doc.add_u64(f.mpn_order, order);
    doc.add_u64(f.mpn_order_tail, order_tail);
    doc.add_text(f.mpn, &part.mpn);
    if let Some(category) = part.category_id {
        doc.add_u64(f.category_id, category as u64);
    }

    let manufacturer = names.manufacturers.get(&part.manufacturer_id).map_or("", String::as_str);
    let mut text = format!("{} {} {}", part.mpn, manufacturer, part.description.as_deref().unwrap_or(""));
    let mut kinds: Vec<&str> = Vec::new();
    for (id, name) in names.lineage(part.category_id) {
        doc.add_u64(f.category_ids, id as u64);
        kinds.extend(names.kinds.get(&id).into_iter().flatten());
        // Every part is under the root: its name ("Electronic Parts") would make `parts` match all.
        if id != ferrite_store::ROOT_CATEGORY_ID {
            text.push(' ');
            text.push_str(name);
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        doc.add_text(f.kinds, kind);
    }
    let (mut values, mut displays) = (Map::new(), Map::new());
    let mut attributes: Vec<u64> = Vec::new();
    for (attribute, display, si) in &part.specs {
        let Some(shortname) = names.attributes.get(attribute) else { continue };
        text.push(' ');
        text.push_str(display);
        doc.add_text(f.spec_terms, spec_term(shortname, display));
        attributes.push(*attribute as u64);
        if shortname == PACKAGE {
            for key in package_keys(display) {
                doc.add_text(f.package, key);
            }
        }
        displays.insert(shortname.clone(), Value::from(display.as_str()));
        if let Some(si) = si.filter(|v| v.is_finite()) {
            doc.add_text(f.spec_si, si_term(shortname, si));
            values.insert(shortname.clone(), Value::from(canonical(si)));
        }
    }
    attributes.sort_unstable();
    attributes.dedup();
    for attribute in attributes {
        doc.add_u64(f.attribute_ids, attribute);
    }
    doc.add_object(f.spec_values, values.into_iter().map(|(k, v)| (k, json_to_owned(v))).collect());
    doc.add_object(f.spec_display, displays.into_iter().map(|(k, v)| (k, json_to_owned(v))).collect());
    doc.add_text(f.text, &text);

    let mut sellers: Vec<i64> = offers.iter().map(|o| o.seller_id).collect();
    sellers.sort_unstable();
    sellers.dedup();
    for seller in &sellers {
        doc.add_u64(f.seller_ids, *seller as u64);
    }
    doc.add_u64(f.num_sellers, sellers.len() as u64);
    let total = pricing::stock(offers);
    doc.add_u64(f.in_stock, u64::from(total > 0));
    doc.add_u64(f.total_avail, total as u64);
    let unknown = SellerProfile::default();
    let authorizes = |o: &OfferRecord| names.sellers.get(&o.seller_id).unwrap_or(&unknown).authorizes(o);
    let mut authorized: Vec<i64> = offers.iter().filter(|o| authorizes(o)).map(|o| o.seller_id).collect();
    authorized.sort_unstable();
    authorized.dedup();
    doc.add_u64(f.num_authsuppliers, authorized.len() as u64);
    // Converted to one currency, as the `medianPrice1000` field shows them: raw prices of mixed
    // currencies would not sort the way the field reads.
    let prices = pricing::prices_at_1000(offers, rates);
    // Parts without a price sort after every priced part in ascending order.
    let median = pricing::median_price_1000(offers, rates).unwrap_or(f64::MAX);
    let average = if prices.is_empty() { f64::MAX } else { prices.iter().sum::<f64>() / prices.len() as f64 };
    doc.add_f64(f.median_price_1000, median);
    doc.add_f64(f.avg_price, average);
    doc
}

/// `si` to 12 significant digits: one quantity written two ways (`100nF`, `0.1µF`) must be one
/// value to filter, sort and aggregate by, though its two products differ in the last bit.
pub(super) fn canonical(si: f64) -> f64 {
    format!("{si:.11e}").parse().unwrap_or(si)
}

fn json_to_owned(value: Value) -> tantivy::schema::OwnedValue {
    tantivy::schema::OwnedValue::from(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_quantity_written_two_ways_is_one_value() {
        let (nano, micro) = (100.0 * 1e-9, 0.1 * 1e-6);
        assert_ne!(nano, micro, "the products differ in the last bit");
        assert_eq!(super::canonical(nano), super::canonical(micro));
        assert_eq!(super::canonical(10_000.0), 10_000.0);
    }

    #[test]
    fn mpn_order_compares_as_the_keys_do() {
        let mut keys = ["RC0603FR0710KL", "RC0603FR07100KL", "RC0603", "1N4148", "Z", "LM358", "LM358DR", "LM3580"];
        let mut by_order = keys;
        keys.sort_unstable();
        by_order.sort_by_key(|key| super::mpn_order(key));
        assert_eq!(by_order, keys);
        assert!(super::mpn_order("ÄB") > super::mpn_order("ZZ"), "anything else after letters");
    }
}
