//! The search index's fields. Text fields serve relevance; fast fields serve filters, sorting and
//! facets.

use tantivy::{
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, JsonObjectOptions, STORED, STRING, Schema, TextFieldIndexing,
        TextOptions,
    },
    tokenizer::{LowerCaser, NgramTokenizer, RawTokenizer, TextAnalyzer},
};

/// Tokenizer name for MPN prefixes: every prefix of the MPN key from 2 characters on.
pub const MPN_PREFIX_TOKENIZER: &str = "mpn_prefix";

#[derive(Clone, Copy)]
pub struct Fields {
    pub id: Field,
    /// The MPN key (upper case, alphanumerics only), whole: exact matches.
    pub mpn_exact: Field,
    /// The MPN key's prefixes: "starts with".
    pub mpn_prefix: Field,
    /// MPN, manufacturer, description, category and specs, for free-text search.
    pub text: Field,
    pub manufacturer_id: Field,
    /// The category and its ancestors.
    pub category_ids: Field,
    pub seller_ids: Field,
    pub in_stock: Field,
    pub total_avail: Field,
    pub num_authsuppliers: Field,
    /// Sellers with an offer of the part, authorized or not.
    pub num_sellers: Field,
    pub median_price_1000: Field,
    pub avg_price: Field,
    /// The part's place in MPN order ([`super::build::mpn_order`]), for sorting by MPN: the MPN
    /// key's first twelve characters, then its next twelve.
    pub mpn_order: Field,
    pub mpn_order_tail: Field,
    /// `shortname=value` (value lower-cased) for exact attribute filters.
    pub spec_terms: Field,
    /// `shortname=si_value` ([`super::si_term`]): a query's value (`10k`) found as a term, not by
    /// scanning `spec_values`.
    pub spec_si: Field,
    /// `{shortname: si_value}` for range filters, sorting and spec aggregations.
    pub spec_values: Field,
    /// `{shortname: display_value}` as the source wrote it: text sorting and spec aggregations.
    pub spec_display: Field,
    /// The ids of the attributes the part has a value of (`allFilters`).
    pub attribute_ids: Field,
    /// The part's own category, not its ancestors (`suggestedCategories`).
    pub category_id: Field,
    /// The MPN as written (`supSuggest`).
    pub mpn: Field,
    /// The kinds of part its category or an ancestor is covered by (`understand::kinds`).
    pub kinds: Field,
    /// Its package's keys (`understand::package_keys`).
    pub package: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut schema = Schema::builder();
    let prefix_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(MPN_PREFIX_TOKENIZER).set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        id: schema.add_u64_field("id", INDEXED | STORED | FAST),
        mpn_exact: schema.add_text_field("mpn_exact", STRING),
        mpn_prefix: schema.add_text_field("mpn_prefix", prefix_options),
        text: schema.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer("default").set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        manufacturer_id: schema.add_u64_field("manufacturer_id", INDEXED | FAST),
        category_ids: schema.add_u64_field("category_ids", INDEXED | FAST),
        seller_ids: schema.add_u64_field("seller_ids", INDEXED | FAST),
        in_stock: schema.add_u64_field("in_stock", INDEXED | FAST),
        total_avail: schema.add_u64_field("total_avail", FAST),
        num_authsuppliers: schema.add_u64_field("num_authsuppliers", FAST),
        num_sellers: schema.add_u64_field("num_sellers", FAST),
        median_price_1000: schema.add_f64_field("median_price_1000", FAST),
        avg_price: schema.add_f64_field("avg_price", FAST),
        mpn_order: schema.add_u64_field("mpn_order", FAST),
        mpn_order_tail: schema.add_u64_field("mpn_order_tail", FAST),
        spec_terms: schema.add_text_field("spec_terms", STRING),
        spec_si: schema.add_text_field("spec_si", STRING),
        spec_values: schema.add_json_field("spec_values", JsonObjectOptions::default().set_fast(None)),
        spec_display: schema.add_json_field("spec_display", JsonObjectOptions::default().set_fast(None)),
        attribute_ids: schema.add_u64_field("attribute_ids", FAST),
        category_id: schema.add_u64_field("category_id", FAST),
        mpn: schema.add_text_field("mpn", TextOptions::default().set_fast(None)),
        kinds: schema.add_text_field("kinds", STRING),
        package: schema.add_text_field("package", STRING),
    };
    (schema.build(), fields)
}

pub fn register_tokenizers(index: &tantivy::Index) {
    let prefixes = TextAnalyzer::builder(NgramTokenizer::new(2, 64, true).expect("valid n-gram bounds"))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(MPN_PREFIX_TOKENIZER, prefixes);
    index.tokenizers().register("raw_lower", TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).build());
}
