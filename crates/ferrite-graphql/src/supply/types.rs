//! Supply types, named and shaped as in Nexar's schema. Fields Nexar has that Ferrite has no data
//! for are left out rather than answered with made-up values.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use ferrite_store::{AttributeRecord, CategoryRecord, Named, OfferRecord};
use ferrite_supply::{
    catalogue::{Dictionary, PartView, part_uid},
    feeds::vocabulary::{self, ValueType},
    pricing::MEDIAN_CURRENCY,
    search::{Filter, SpecValue},
};

use ferrite_core::{
    money::{MEDIAN_QUANTITY, PriceBreak, RateTable, price_at},
    slug::{category_path, part_page, part_slug},
};

use super::{
    extras::SupPartExtras,
    unheld::{
        SupBlurb, SupCircuitMakerPartInfo, SupCountry, SupPartCad, SupPartSeries, SupReferenceDesign, SupSponsoredPart,
    },
};
use crate::{Services, scalars::Time};

/// What every supply object needs to render: names, and the currency asked for. One per answer,
/// cloned into each of its objects: a clone counts on the answer's own handle, not on the
/// dictionary every answer on every core shares.
#[derive(Clone)]
pub struct Env(Arc<EnvParts>);

pub struct EnvParts {
    pub dictionary: Arc<Dictionary>,
    pub services: Arc<Services>,
    pub currency: Arc<str>,
}

impl Env {
    pub fn new(dictionary: Arc<Dictionary>, services: Arc<Services>, currency: Arc<str>) -> Env {
        Env(Arc::new(EnvParts { dictionary, services, currency }))
    }

    fn rates(&self) -> Arc<RateTable> {
        self.services.catalogue.rates()
    }
}

impl std::ops::Deref for Env {
    type Target = EnvParts;

    fn deref(&self) -> &EnvParts {
        &self.0
    }
}

/// A manufacturer or a seller.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupCompany {
    pub id: ID,
    pub name: String,
    pub aliases: Vec<String>,
    /// The country code of a seller's flag (its home, from the seller table); none for a manufacturer.
    pub display_flag: Option<String>,
    pub homepage_url: Option<String>,
    pub slug: String,
    pub is_verified: bool,
    /// A seller's, from the seller table (`[[sellers]] broker`); false for a manufacturer.
    #[graphql(deprecation = "use `PartSeller.is_broker` instead")]
    pub is_broker: bool,
    pub is_distributor_api: bool,
    pub is_octocart_supported: bool,
}

impl From<&Named> for SupCompany {
    fn from(named: &Named) -> Self {
        SupCompany {
            name: named.name.clone(),
            homepage_url: named.homepage_url.clone(),
            slug: named.slug.clone(),
            ..unknown_company(named.id)
        }
    }
}

impl SupCompany {
    /// The manufacturer `id` of `dictionary`, with its other spellings (those feeds gave it and
    /// those the alias table knows) as `aliases`.
    pub fn manufacturer(dictionary: &Dictionary, id: i64) -> SupCompany {
        let Some(named) = dictionary.manufacturers.get(&id) else { return unknown_company(id) };
        SupCompany { aliases: dictionary.manufacturer_aliases(id).to_vec(), ..SupCompany::from(named) }
    }

    /// The seller `id` of `dictionary`, with its homepage and broker flag from the seller table
    /// (a feed's homepage first).
    pub fn seller(dictionary: &Dictionary, id: i64) -> SupCompany {
        let Some(named) = dictionary.sellers.get(&id) else { return unknown_company(id) };
        let profile = dictionary.seller_profile(id);
        SupCompany {
            homepage_url: profile.homepage.clone(),
            is_broker: profile.broker,
            display_flag: profile.country.clone(),
            ..SupCompany::from(named)
        }
    }
}

pub fn unknown_company(id: i64) -> SupCompany {
    SupCompany {
        id: ID(id.to_string()),
        name: String::new(),
        aliases: Vec::new(),
        display_flag: None,
        homepage_url: None,
        slug: String::new(),
        is_verified: false,
        is_broker: false,
        is_distributor_api: false,
        is_octocart_supported: false,
    }
}

/// An attribute of the dictionary. Its fields are read from the dictionary when asked for, so a
/// spec that shows two of them does not copy the others. Its value type and units name are
/// Octopart's (`ferrite_supply::feeds::vocabulary`), so every answer that shows it agrees.
#[derive(Clone)]
pub struct SupAttribute {
    env: Env,
    id: i64,
}

impl SupAttribute {
    /// The attribute `id` of the answer's dictionary (which has it).
    pub fn new(env: &Env, id: i64) -> Self {
        SupAttribute { env: env.clone(), id }
    }

    pub fn value_type(&self) -> ValueType {
        let record = self.record();
        vocabulary::value_type(&record.shortname, record.units.as_deref())
    }

    pub fn units_name(&self) -> &'static str {
        vocabulary::octopart(&self.record().shortname).map_or("", |a| a.units_name.as_str())
    }

    pub fn record(&self) -> &AttributeRecord {
        static UNKNOWN: AttributeRecord =
            AttributeRecord { id: 0, name: String::new(), shortname: String::new(), group: None, units: None };
        self.env.dictionary.attributes.get(&self.id).unwrap_or(&UNKNOWN)
    }
}

#[Object(serial)]
impl SupAttribute {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.record().name
    }
    async fn shortname(&self) -> &str {
        &self.record().shortname
    }
    async fn group(&self) -> &str {
        self.record().group.as_deref().unwrap_or_default()
    }
    #[graphql(name = "valueType")]
    async fn value_type_field(&self) -> &str {
        self.value_type().as_str()
    }
    #[graphql(name = "unitsName")]
    async fn units_name_field(&self) -> &str {
        self.units_name()
    }
    async fn units_symbol(&self) -> &str {
        self.record().units.as_deref().unwrap_or_default()
    }
}

/// A part's value of an attribute: the part's `index`th spec, whose attribute the dictionary has.
pub struct SupSpec {
    part: Arc<PartView>,
    index: usize,
    env: Env,
}

impl SupSpec {
    fn spec(&self) -> &(i64, String, Option<f64>) {
        &self.part.part.specs[self.index]
    }
    fn attribute_of(&self) -> SupAttribute {
        SupAttribute::new(&self.env, self.spec().0)
    }
    /// The number and the units as shown (`10`, `kΩ`), when the value is one number of a numeric
    /// attribute; `None` for text, ranges and lists, which Octopart types as text.
    fn number(&self) -> Option<(&str, &str)> {
        let (_, display, si) = self.spec();
        si.filter(|_| self.attribute_of().value_type() != ValueType::Text)
            .and_then(|_| vocabulary::split_value(display))
    }
}

#[Object(serial)]
impl SupSpec {
    async fn attribute(&self) -> SupAttribute {
        self.attribute_of()
    }
    /// The number in the units shown (`10` of `10 kΩ`), or the text.
    async fn value(&self) -> &str {
        self.number().map_or(&self.spec().1, |(number, _)| number)
    }
    async fn si_value(&self) -> String {
        let (_, display, si) = self.spec();
        match (self.number(), si) {
            (Some(_), Some(si)) => si.to_string(),
            _ => display.clone(),
        }
    }
    async fn value_type(&self) -> &str {
        match self.number() {
            Some(_) => self.attribute_of().value_type().as_str(),
            None => ValueType::Text.as_str(),
        }
    }
    /// The units the value is shown in (`kΩ`).
    async fn units(&self) -> &str {
        self.number().map_or("", |(_, units)| units)
    }
    async fn units_name(&self) -> &'static str {
        self.attribute_of().units_name()
    }
    /// The units `siValue` is in (`Ω`).
    async fn units_symbol(&self) -> &str {
        self.env.dictionary.attributes.get(&self.spec().0).and_then(|a| a.units.as_deref()).unwrap_or_default()
    }
    async fn display_value(&self) -> &str {
        &self.spec().1
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupDocument {
    pub name: String,
    /// Ferrite does not read the documents: always null.
    pub page_count: Option<i32>,
    /// Feeds do not date their documents: always null.
    pub created_at: Option<Time>,
    pub url: String,
    pub credit_string: String,
    pub credit_url: String,
    pub mime_type: String,
}

/// Documents grouped by kind (`Datasheets`), as Octopart groups them.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupDocumentCollection {
    pub name: String,
    pub documents: Vec<SupDocument>,
}

/// A part's image. Ferrite holds one URL per image, so every size answers it.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
#[graphql(complex)]
pub struct SupImage {
    pub url: String,
    pub credit_string: String,
    pub credit_url: String,
}

#[async_graphql::ComplexObject]
impl SupImage {
    #[graphql(deprecation = "use `url` instead")]
    async fn url_largest(&self) -> &str {
        &self.url
    }
    #[graphql(name = "url55px", deprecation = "use `url` instead")]
    async fn url_55px(&self) -> &str {
        &self.url
    }
    #[graphql(name = "url75px", deprecation = "use `url` instead")]
    async fn url_75px(&self) -> &str {
        &self.url
    }
    #[graphql(name = "url90px", deprecation = "use `url` instead")]
    async fn url_90px(&self) -> &str {
        &self.url
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupDescription {
    pub text: String,
    pub credit_string: String,
    pub credit_url: String,
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupPricePoint {
    #[graphql(name = "_cacheId")]
    pub cache_id: String,
    pub quantity: i32,
    pub price: f64,
    pub currency: String,
    pub converted_price: f64,
    pub converted_currency: String,
    pub conversion_rate: f64,
}

fn price_point(env: &Env, cache_id: String, quantity: i64, price: f64, currency: &str) -> SupPricePoint {
    let converted = env.rates().convert(price, currency, &env.currency);
    SupPricePoint {
        cache_id,
        quantity: clamp(quantity),
        price,
        currency: currency.to_owned(),
        converted_price: converted.amount,
        converted_currency: converted.currency,
        conversion_rate: converted.rate,
    }
}

/// GraphQL's Int is 32-bit.
fn clamp(n: i64) -> i32 {
    n.clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

/// A category in the tree.
#[derive(Clone)]
pub struct SupCategory {
    pub record: CategoryRecord,
    pub env: Env,
}

#[Object(serial)]
impl SupCategory {
    async fn id(&self) -> ID {
        ID(self.record.id.to_string())
    }
    /// `0` for a root category.
    async fn parent_id(&self) -> ID {
        ID(self.record.parent_id.unwrap_or(0).to_string())
    }
    async fn name(&self) -> &str {
        &self.record.name
    }
    async fn ancestors(&self) -> Vec<SupCategory> {
        let dictionary = &self.env.dictionary;
        dictionary
            .ancestors(self.record.id)
            .into_iter()
            .map(|record| SupCategory { record: record.clone(), env: self.env.clone() })
            .collect()
    }
    async fn children(&self) -> Vec<SupCategory> {
        let dictionary = &self.env.dictionary;
        dictionary
            .children(self.record.id)
            .iter()
            .filter_map(|id| dictionary.categories.get(id))
            .map(|record| SupCategory { record: record.clone(), env: self.env.clone() })
            .collect()
    }
    async fn path(&self) -> String {
        category_path(&self.record.path)
    }
    /// Ferrite ranks no attributes per category: always empty.
    async fn relevant_attributes(&self) -> Vec<SupAttribute> {
        Vec::new()
    }
    async fn blurb(&self) -> Option<SupBlurb> {
        None
    }
    /// Parts in this category and its descendants.
    async fn num_parts(&self) -> async_graphql::Result<i32> {
        let parts = self.env.services.catalogue.parts_in_category(self.record.id).map_err(crate::errors::internal)?;
        Ok(clamp(parts.min(i64::MAX as u64) as i64))
    }
}

/// A part, answered from the catalogue.
#[derive(Clone)]
pub struct SupPart {
    pub view: Arc<PartView>,
    pub env: Env,
}

impl SupPart {
    fn manufacturer_record(&self) -> Option<&Named> {
        self.env.dictionary.manufacturers.get(&self.view.part.manufacturer_id)
    }

    fn manufacturer_name(&self) -> &str {
        self.manufacturer_record().map_or("", |m| m.name.as_str())
    }

    /// Who to credit for the part's description and datasheet: the seller and feed of its first
    /// offer (`LCSC via jlcparts`), and the feed's URL (else the seller's homepage). Empty for a
    /// part without offers.
    fn credit(&self) -> (String, String) {
        let Some(first) = self.view.offers.iter().min_by_key(|o| o.id) else { return Default::default() };
        let dictionary = &self.env.dictionary;
        let seller = dictionary.sellers.get(&first.seller_id).map_or("", |s| s.name.as_str());
        let source = &first.feed_source;
        let url = if source.starts_with("https://") || source.starts_with("http://") {
            source.clone()
        } else {
            dictionary.seller_profile(first.seller_id).homepage.clone().unwrap_or_default()
        };
        (format!("{seller} via {}", first.feed), url)
    }

    fn datasheet(&self) -> Option<SupDocument> {
        let (credit_string, credit_url) = self.credit();
        self.view.part.datasheet_url.as_ref().map(|url| SupDocument {
            name: "Datasheet".into(),
            page_count: None,
            created_at: None,
            url: url.clone(),
            credit_string,
            credit_url,
            mime_type: if url.get(url.len().saturating_sub(4)..).is_some_and(|end| end.eq_ignore_ascii_case(".pdf")) {
                "application/pdf".into()
            } else {
                String::new()
            },
        })
    }
}

#[Object(serial)]
impl SupPart {
    #[graphql(name = "_cacheId")]
    async fn cache_id(&self) -> String {
        format!("part-{}", self.view.part.id)
    }
    async fn id(&self) -> ID {
        ID(self.view.part.id.to_string())
    }
    /// Manufacturer and MPN, as Nexar names parts.
    async fn name(&self) -> String {
        format!("{} {}", self.manufacturer_name(), self.view.part.mpn).trim().to_owned()
    }
    async fn mpn(&self) -> &str {
        &self.view.part.mpn
    }
    async fn generic_mpn(&self) -> &str {
        &self.view.part.mpn
    }
    async fn manufacturer(&self) -> SupCompany {
        SupCompany::manufacturer(&self.env.dictionary, self.view.part.manufacturer_id)
    }
    async fn manufacturer_url(&self) -> Option<String> {
        self.manufacturer_record().and_then(|m| m.homepage_url.clone())
    }
    async fn short_description(&self) -> String {
        self.view.part.description.clone().unwrap_or_default()
    }
    async fn descriptions(&self) -> Vec<SupDescription> {
        let Some(text) = &self.view.part.description else { return Vec::new() };
        let (credit_string, credit_url) = self.credit();
        vec![SupDescription { text: text.clone(), credit_string, credit_url }]
    }
    async fn images(&self) -> Vec<SupImage> {
        self.view.part.image_url.iter().map(|url| image(url)).collect()
    }
    async fn best_image(&self) -> Option<SupImage> {
        self.view.part.image_url.as_deref().map(image)
    }
    async fn best_datasheet(&self) -> Option<SupDocument> {
        self.datasheet()
    }
    /// The part's datasheet as Octopart's `Datasheets` collection; empty without one.
    async fn document_collections(&self) -> Vec<SupDocumentCollection> {
        self.datasheet()
            .map(|datasheet| SupDocumentCollection { name: "Datasheets".into(), documents: vec![datasheet] })
            .into_iter()
            .collect()
    }
    // The specs whose attribute the dictionary knows.
    async fn specs(&self) -> Vec<SupSpec> {
        let dictionary = &self.env.dictionary;
        (self.view.part.specs.iter().enumerate())
            .filter(|(_, (attribute, _, _))| dictionary.attributes.contains_key(attribute))
            .map(|(index, _)| SupSpec { part: self.view.clone(), index, env: self.env.clone() })
            .collect()
    }
    async fn slug(&self) -> String {
        part_slug(&self.view.part.mpn, self.manufacturer_name(), self.view.part.id)
    }
    /// This part's page on this server (Nexar links to Octopart; Ferrite is its own catalogue).
    async fn octopart_url(&self) -> String {
        let page = part_page(&self.view.part.mpn, self.manufacturer_name(), self.view.part.id);
        format!("{}{page}", self.env.services.public_url.trim_end_matches('/'))
    }
    /// Ferrite records no similarity data, so this list is always empty (and so never charged).
    async fn similar_parts(&self) -> Vec<SupPart> {
        Vec::new()
    }
    async fn category(&self) -> Option<SupCategory> {
        let id = self.view.part.category_id?;
        let record = self.env.dictionary.categories.get(&id)?;
        Some(SupCategory { record: record.clone(), env: self.env.clone() })
    }
    // The median in US dollars (what the `median_price_1000` sort uses), shown in the currency asked for.
    async fn median_price_1000(&self) -> Option<SupPricePoint> {
        let price = self.view.median_price_1000(&self.env.rates())?;
        let cache_id = format!("median-{}", self.view.part.id);
        Some(price_point(&self.env, cache_id, MEDIAN_QUANTITY, price, MEDIAN_CURRENCY))
    }
    async fn total_avail(&self) -> i32 {
        clamp(self.view.stock())
    }
    async fn avg_avail(&self) -> f64 {
        let levels: Vec<i64> = self.view.offers.iter().filter_map(|o| o.inventory_level).collect();
        if levels.is_empty() { 0.0 } else { levels.iter().sum::<i64>() as f64 / levels.len() as f64 }
    }
    async fn sellers(
        &self,
        #[graphql(default = false)] include_brokers: bool,
        #[graphql(default = false)] authorized_only: bool,
        limit: Option<i32>,
        start: Option<i32>,
    ) -> Vec<SupPartSeller> {
        // Sellers and their offers in the order the source listed them (offer ids are given in
        // import order): Nexar's own order, which lists authorized distributors first.
        let offers = &self.view.offers;
        let mut order: Vec<usize> = (0..offers.len()).collect();
        order.sort_by_key(|i| offers[*i].id);
        let mut by_seller: Vec<(i64, Vec<usize>)> = Vec::new();
        let dictionary = &self.env.dictionary;
        for index in order {
            let offer = &offers[index];
            // Brokers only when asked for, as in Nexar.
            if (authorized_only && !dictionary.is_authorized(offer))
                || (!include_brokers && dictionary.seller_profile(offer.seller_id).broker)
            {
                continue;
            }
            match by_seller.iter_mut().find(|(seller, _)| *seller == offer.seller_id) {
                Some((_, offers)) => offers.push(index),
                None => by_seller.push((offer.seller_id, vec![index])),
            }
        }
        let start = start.unwrap_or(0).max(0) as usize;
        let limit = limit.map_or(usize::MAX, |l| l.max(0) as usize);
        by_seller
            .into_iter()
            .skip(start)
            .take(limit)
            .map(|(seller, offers)| SupPartSeller { seller, offers, part: self.view.clone(), env: self.env.clone() })
            .collect()
    }
    async fn counts(&self) -> crate::scalars::Map {
        crate::scalars::Map::default()
    }
    async fn free_sample_url(&self) -> Option<String> {
        None
    }
    async fn companion_products(&self) -> Vec<SupSponsoredPart> {
        Vec::new()
    }
    async fn series(&self) -> Option<SupPartSeries> {
        None
    }
    async fn reference_designs(&self) -> Vec<SupReferenceDesign> {
        Vec::new()
    }
    async fn cad(&self) -> Option<SupPartCad> {
        None
    }
    async fn cad_request_url(&self) -> Option<String> {
        None
    }
    /// A stable id for APIv3 clients: it follows the part's identity (manufacturer and MPN), so it
    /// survives re-imports and even a catalogue rebuilt from scratch.
    #[graphql(name = "v3uid")]
    async fn v3uid(&self) -> ID {
        ID(part_uid(self.manufacturer_name(), &self.view.part.mpn))
    }
    /// The median of the lead times its offers state.
    async fn estimated_factory_lead_days(&self) -> Option<i32> {
        let mut days: Vec<i64> = self.view.offers.iter().filter_map(|o| o.factory_lead_days).collect();
        days.sort_unstable();
        days.get(days.len() / 2).copied().map(clamp)
    }
    /// Spellings of one MPN merge into one part that keeps one of them: always empty.
    async fn aka_mpns(&self) -> Vec<String> {
        Vec::new()
    }
    async fn altium_internal_id(&self) -> String {
        String::new()
    }
    async fn circuit_maker_internal(&self) -> Option<SupCircuitMakerPartInfo> {
        None
    }
    async fn extras(&self) -> Option<SupPartExtras> {
        Some(SupPartExtras { part: self.view.clone(), dictionary: self.env.dictionary.clone() })
    }
}

fn image(url: &str) -> SupImage {
    SupImage { url: url.to_owned(), credit_string: String::new(), credit_url: String::new() }
}

/// A seller's offers of one part (indices into the part's offers).
#[derive(Clone)]
pub struct SupPartSeller {
    seller: i64,
    offers: Vec<usize>,
    part: Arc<PartView>,
    env: Env,
}

#[Object(serial)]
impl SupPartSeller {
    #[graphql(name = "_cacheId")]
    async fn cache_id(&self) -> String {
        format!("seller-{}-{}", self.part.part.id, self.seller)
    }
    async fn company(&self) -> SupCompany {
        SupCompany::seller(&self.env.dictionary, self.seller)
    }
    /// The seller's home country (ISO code) from the seller table.
    async fn country(&self) -> Option<String> {
        self.env.dictionary.seller_profile(self.seller).country.clone()
    }
    async fn offers(&self, price_breaks: Option<Vec<i32>>) -> Vec<SupOffer> {
        self.offers
            .iter()
            .map(|index| SupOffer {
                part: self.part.clone(),
                index: *index,
                env: self.env.clone(),
                price_breaks: price_breaks.clone(),
            })
            .collect()
    }
    /// Whether any of the seller's offers is authorized: the feed's word, else the seller table's.
    async fn is_authorized(&self) -> bool {
        self.offers.iter().any(|i| self.env.dictionary.is_authorized(&self.part.offers[*i]))
    }
    async fn is_broker(&self) -> bool {
        self.env.dictionary.seller_profile(self.seller).broker
    }
    async fn is_rfq(&self) -> bool {
        false
    }
    /// Ferrite records no shipping restrictions (an empty list means none, as in Nexar).
    async fn ships_to_countries(&self) -> Vec<SupCountry> {
        Vec::new()
    }
}

/// The part's `index`th offer.
#[derive(Clone)]
pub struct SupOffer {
    part: Arc<PartView>,
    index: usize,
    env: Env,
    price_breaks: Option<Vec<i32>>,
}

impl SupOffer {
    /// The `index`th offer of `part`, with its price breaks.
    pub fn new(part: Arc<PartView>, index: usize, env: Env) -> Self {
        SupOffer { part, index, env, price_breaks: None }
    }

    fn offer(&self) -> &OfferRecord {
        &self.part.offers[self.index]
    }
}

#[Object(serial)]
impl SupOffer {
    #[graphql(name = "_cacheId")]
    async fn cache_id(&self) -> String {
        format!("offer-{}", self.offer().id)
    }
    async fn id(&self) -> ID {
        ID(self.offer().id.to_string())
    }
    async fn sku(&self) -> &str {
        &self.offer().sku
    }
    /// Units in stock; 0 when the source does not say.
    async fn inventory_level(&self) -> i32 {
        clamp(self.offer().inventory_level.unwrap_or(0))
    }
    async fn packaging(&self) -> Option<&str> {
        self.offer().packaging.as_deref()
    }
    async fn moq(&self) -> Option<i32> {
        self.offer().moq.map(clamp)
    }
    async fn order_multiple(&self) -> Option<i32> {
        self.offer().order_multiple.map(clamp)
    }
    /// Price breaks; with `priceBreaks`, the price that applies at each quantity asked for.
    async fn prices(&self) -> Vec<SupPricePoint> {
        let offer = self.offer();
        let point = |quantity: i64, price: &PriceBreak| {
            let cache_id = format!("price-{}-{quantity}", offer.id);
            price_point(&self.env, cache_id, quantity, price.price, &price.currency)
        };
        match &self.price_breaks {
            None => offer.prices.iter().map(|b| point(b.quantity, b)).collect(),
            Some(quantities) => quantities
                .iter()
                .filter_map(|q| {
                    let q = i64::from(*q);
                    price_at(&offer.prices, q, &self.env.currency).map(|b| point(q, b))
                })
                .collect(),
        }
    }
    async fn click_url(&self) -> String {
        self.offer().click_url.clone().unwrap_or_default()
    }
    async fn internal_url(&self) -> String {
        String::new()
    }
    async fn updated(&self) -> Time {
        Time(self.offer().updated_at)
    }
    async fn on_order_quantity(&self) -> Option<i32> {
        self.offer().on_order_quantity.map(clamp)
    }
    async fn factory_lead_days(&self) -> Option<i32> {
        self.offer().factory_lead_days.map(clamp)
    }
    async fn is_custom_pricing(&self) -> bool {
        false
    }
    async fn eligible_region(&self) -> Option<String> {
        None
    }
    async fn factory_pack_quantity(&self) -> Option<i32> {
        self.offer().factory_pack_quantity.map(clamp)
    }
    async fn multipack_quantity(&self) -> Option<i32> {
        None
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupCompanyBucket {
    pub company: SupCompany,
    pub count: Option<i32>,
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupCategoryBucket {
    pub category: SupCategory,
    pub count: Option<i32>,
}

#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SupAppliedFilter {
    pub shortname: String,
    pub name: String,
    pub values: Vec<String>,
    pub display_values: Vec<String>,
}

/// How the filters of a search read back to the client.
pub fn applied_filters(dictionary: &Dictionary, filters: &[Filter]) -> Vec<SupAppliedFilter> {
    let ids = |shortname: &str, name: &str, ids: &[u64], name_of: &dyn Fn(i64) -> Option<String>| SupAppliedFilter {
        shortname: shortname.into(),
        name: name.into(),
        values: ids.iter().map(u64::to_string).collect(),
        display_values: ids.iter().map(|id| name_of(*id as i64).unwrap_or_else(|| id.to_string())).collect(),
    };
    filters
        .iter()
        .map(|filter| match filter {
            Filter::Manufacturer(list) => ids("manufacturer_id", "Manufacturer", list, &|id| {
                dictionary.manufacturers.get(&id).map(|m| m.name.clone())
            }),
            Filter::Seller(list) => {
                ids("distributor_id", "Distributor", list, &|id| dictionary.sellers.get(&id).map(|s| s.name.clone()))
            }
            Filter::Category(list) => {
                ids("category_id", "Category", list, &|id| dictionary.categories.get(&id).map(|c| c.name.clone()))
            }
            Filter::Spec { shortname, values } => {
                let shown: Vec<String> = values
                    .iter()
                    .map(|value| match value {
                        SpecValue::Exact(text) => text.clone(),
                        SpecValue::Range { low, high } => format!(
                            "({}__{})",
                            low.map(|v| v.to_string()).unwrap_or_default(),
                            high.map(|v| v.to_string()).unwrap_or_default()
                        ),
                    })
                    .collect();
                SupAppliedFilter {
                    shortname: shortname.clone(),
                    name: dictionary.attribute(shortname).map_or_else(|| shortname.clone(), |a| a.name.clone()),
                    values: shown.clone(),
                    display_values: shown,
                }
            }
        })
        .collect()
}

/// The context's services (always present: the schema is built with them).
pub fn services(ctx: &Context<'_>) -> Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>().clone()
}
