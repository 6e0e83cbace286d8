//! Sorting by an attribute (`sort: "capacitance"`): parts by the attribute's SI value, then parts
//! with only a text value (`2V~36V`, `SOIC-8`) by that text, then parts without the attribute,
//! whichever the direction.

use std::{collections::HashMap, sync::Arc};

use tantivy::{
    DocId, Searcher, SegmentReader,
    collector::{CustomScorer, CustomSegmentScorer},
    columnar::{Column, StrColumn},
    index::SegmentId,
};

use super::SearchError;

/// A part's place: (tier, key), greatest first. Tiers: 2 has an SI value, 1 only a text value,
/// 0 neither; the key is the value (descending) or its negation (ascending).
type Place = (u8, f64);

pub struct AttributeOrder {
    values: String,
    displays: String,
    descending: bool,
    /// Each segment's text ordinals as ranks over every segment (ordinals are per segment).
    ranks: HashMap<SegmentId, Arc<Vec<u64>>>,
}

impl AttributeOrder {
    pub fn new(searcher: &Searcher, shortname: &str, descending: bool) -> Result<AttributeOrder, SearchError> {
        let displays = format!("spec_display.{shortname}");
        let mut columns: Vec<(SegmentId, StrColumn)> = Vec::new();
        for segment in searcher.segment_readers() {
            if let Some(column) = segment.fast_fields().str(&displays)? {
                columns.push((segment.segment_id(), column));
            }
        }
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut by_segment: Vec<(SegmentId, Vec<Vec<u8>>)> = Vec::new();
        for (id, column) in &columns {
            let mut terms = Vec::with_capacity(column.num_terms());
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                terms.push(stream.key().to_vec());
            }
            texts.extend(terms.iter().cloned());
            by_segment.push((*id, terms));
        }
        texts.sort_unstable();
        texts.dedup();
        let ranks = by_segment
            .into_iter()
            .map(|(id, terms)| {
                let ranks = terms.iter().map(|t| texts.binary_search(t).unwrap_or_default() as u64).collect();
                (id, Arc::new(ranks))
            })
            .collect();
        Ok(AttributeOrder { values: format!("spec_values.{shortname}"), displays, descending, ranks })
    }
}

pub struct SegmentOrder {
    values: Option<Column<f64>>,
    displays: Option<StrColumn>,
    ranks: Arc<Vec<u64>>,
    sign: f64,
}

impl CustomScorer<Place> for AttributeOrder {
    type Child = SegmentOrder;

    fn segment_scorer(&self, segment: &SegmentReader) -> tantivy::Result<SegmentOrder> {
        Ok(SegmentOrder {
            values: segment.fast_fields().column_opt::<f64>(&self.values)?,
            displays: segment.fast_fields().str(&self.displays)?,
            ranks: self.ranks.get(&segment.segment_id()).cloned().unwrap_or_default(),
            sign: if self.descending { 1.0 } else { -1.0 },
        })
    }
}

impl CustomSegmentScorer<Place> for SegmentOrder {
    fn score(&mut self, doc: DocId) -> Place {
        if let Some(value) = self.values.as_ref().and_then(|c| c.first(doc)) {
            return (2, self.sign * value);
        }
        let rank = self
            .displays
            .as_ref()
            .and_then(|c| c.ords().first(doc))
            .and_then(|ord| self.ranks.get(ord as usize).copied());
        match rank {
            Some(rank) => (1, self.sign * rank as f64),
            None => (0, 0.0),
        }
    }
}

/// Sorting by MPN: by the two `mpn_order` columns ([`super::build::mpn_order`]), greatest first
/// as tantivy keeps them; ascending turns them over.
pub struct MpnOrder {
    pub descending: bool,
}

pub struct SegmentMpnOrder {
    head: Column<u64>,
    tail: Column<u64>,
    descending: bool,
}

impl CustomScorer<(u64, u64)> for MpnOrder {
    type Child = SegmentMpnOrder;

    fn segment_scorer(&self, segment: &SegmentReader) -> tantivy::Result<SegmentMpnOrder> {
        let columns = segment.fast_fields();
        Ok(SegmentMpnOrder {
            head: columns.u64("mpn_order")?,
            tail: columns.u64("mpn_order_tail")?,
            descending: self.descending,
        })
    }
}

impl CustomSegmentScorer<(u64, u64)> for SegmentMpnOrder {
    fn score(&mut self, doc: DocId) -> (u64, u64) {
        let place = (self.head.first(doc).unwrap_or(u64::MAX), self.tail.first(doc).unwrap_or(u64::MAX));
        if self.descending { place } else { (u64::MAX - place.0, u64::MAX - place.1) }
    }
}
