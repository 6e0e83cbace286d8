//! Help for a search box, from the index: completions of what is being typed (`supSuggest`:
//! categories, manufacturers and MPNs that start with it) and corrections of words the catalogue
//! does not hold (`supSpellingCorrection`: the nearest words of the index's own vocabulary).

use std::{collections::HashMap, sync::OnceLock};

use ferrite_core::keys::mpn_key;
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
use tantivy::{
    Term,
    collector::{Count, TopDocs},
    query::{BooleanQuery, Occur, Query, TermQuery},
    schema::IndexRecordOption,
};

use super::{SearchError, SearchIndex, SearchRequest, term_text, term_u64};
use crate::catalogue::Dictionary;

/// Most suggestions one answer gives...
pub const MAX_SUGGESTIONS: usize = 10;
/// ...of which at most this many categories and as many manufacturers; MPNs fill the rest.
const MAX_NAME_SUGGESTIONS: usize = 3;
/// Most corrections one answer gives.
const MAX_CORRECTIONS: usize = 3;
/// Words of a query looked at for corrections: a query is a few words, not a page.
const MAX_WORDS: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct SuggestRequest {
    pub q: String,
    /// Only suggestions within this category (and its descendants).
    pub category: Option<i64>,
    pub part_numbers_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    /// The category a search for `text` should be filtered by, if any.
    pub category: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub text: String,
    /// Parts a full-text search for `text` finds.
    pub hits: u64,
}

impl SearchIndex {
    /// Completions of `request.q`: categories and manufacturers whose name (or a word of it)
    /// starts with it, most parts first, then MPNs that start with it, in MPN order.
    pub fn suggest(&self, dictionary: &Dictionary, request: &SuggestRequest) -> Result<Vec<Suggestion>, SearchError> {
        let typed = request.q.trim().to_lowercase();
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        let scope = request.category;
        let mut suggestions = Vec::new();
        if !request.part_numbers_only {
            let within = |id: i64| scope.is_none_or(|s| id == s || dictionary.ancestors(id).iter().any(|a| a.id == s));
            let categories = dictionary
                .categories
                .values()
                .filter(|c| within(c.id) && name_starts_with(&c.name, &typed))
                .map(|c| Ok((self.parts_with(Term::from_field_u64(self.fields.category_ids, c.id as u64), None)?, c)))
                .collect::<Result<Vec<_>, SearchError>>()?;
            suggestions.extend(
                most_parts(categories, |c| &c.name).map(|c| Suggestion { text: c.name.clone(), category: Some(c.id) }),
            );
            let manufacturers = dictionary
                .manufacturers
                .values()
                .filter(|m| name_starts_with(&m.name, &typed))
                .map(|m| {
                    Ok((self.parts_with(Term::from_field_u64(self.fields.manufacturer_id, m.id as u64), scope)?, m))
                })
                .collect::<Result<Vec<_>, SearchError>>()?;
            suggestions.extend(
                most_parts(manufacturers, |m| &m.name).map(|m| Suggestion { text: m.name.clone(), category: scope }),
            );
        }
        let room = MAX_SUGGESTIONS.saturating_sub(suggestions.len());
        suggestions.extend(
            self.mpns_starting_with(&request.q, scope, room)?
                .into_iter()
                .map(|mpn| Suggestion { text: mpn, category: scope }),
        );
        Ok(suggestions)
    }

    /// Up to `limit` distinct MPNs that start with `typed` (ignoring case and punctuation).
    fn mpns_starting_with(&self, typed: &str, scope: Option<i64>, limit: usize) -> Result<Vec<String>, SearchError> {
        let key = mpn_key(typed).to_lowercase();
        // The prefix field holds prefixes of two characters and more.
        if key.chars().count() < 2 || limit == 0 {
            return Ok(Vec::new());
        }
        let query = self.in_scope(term_text(self.fields.mpn_prefix, &key), scope);
        // Parts of several manufacturers share an MPN: read more than asked, keep distinct ones.
        let top = TopDocs::with_limit(limit * 4).custom_score(super::sort::MpnOrder { descending: false });
        let mut mpns: Vec<String> = Vec::new();
        for (_, address) in self.searcher.search(&query, &top)? {
            let segment = self.searcher.segment_reader(address.segment_ord);
            let Some(column) = segment.fast_fields().str("mpn")? else { continue };
            let Some(ord) = column.ords().first(address.doc_id) else { continue };
            let mut mpn = String::new();
            column.ord_to_str(ord, &mut mpn)?;
            if !mpns.contains(&mpn) {
                mpns.push(mpn);
            }
        }
        mpns.truncate(limit);
        Ok(mpns)
    }

    /// `query`, within category `scope` if one is given.
    fn in_scope(&self, query: Box<dyn Query>, scope: Option<i64>) -> Box<dyn Query> {
        match scope {
            None => query,
            Some(category) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, term_u64(self.fields.category_ids, category as u64)),
            ])),
        }
    }

    /// Parts that carry `term` (within `scope`).
    fn parts_with(&self, term: Term, scope: Option<i64>) -> Result<u64, SearchError> {
        match scope {
            None => self.parts_with_term(term),
            Some(_) => {
                let query = self.in_scope(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), scope);
                Ok(self.searcher.search(&query, &Count)? as u64)
            }
        }
    }

    /// Corrections of `q`: each word the index's text does not hold replaced by the nearest word
    /// it does (one edit away for words up to four characters, two beyond; the word most parts
    /// hold among the nearest first). Only corrections that find parts; none when every word is
    /// known.
    pub fn spelling_corrections(&self, q: &str) -> Result<Vec<Correction>, SearchError> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.text)?;
        let mut words: Vec<String> = Vec::new();
        let mut stream = analyzer.token_stream(q);
        while stream.advance() && words.len() < MAX_WORDS {
            words.push(stream.token().text.clone());
        }
        // For each unknown word: its position and the candidates, best first.
        let mut unknown: Vec<(usize, Vec<String>)> = Vec::new();
        for (position, word) in words.iter().enumerate() {
            if self.searcher.doc_freq(&Term::from_field_text(self.fields.text, word))? > 0 {
                continue;
            }
            let candidates = self.nearest_words(word)?;
            if !candidates.is_empty() {
                unknown.push((position, candidates));
            }
        }
        if unknown.is_empty() {
            return Ok(Vec::new());
        }
        // The best correction, then the same with one word's next candidates.
        let best: Vec<String> = {
            let mut best = words.clone();
            for (position, candidates) in &unknown {
                best[*position] = candidates[0].clone();
            }
            best
        };
        let mut texts = vec![best.join(" ")];
        for (position, candidates) in &unknown {
            for candidate in candidates.iter().skip(1) {
                let mut other = best.clone();
                other[*position] = candidate.clone();
                texts.push(other.join(" "));
            }
        }
        let mut corrections = Vec::new();
        for text in texts {
            if corrections.len() == MAX_CORRECTIONS {
                break;
            }
            let request = SearchRequest { q: text.clone(), limit: 0, ..Default::default() };
            let hits = self.search(&request)?.hits;
            if hits > 0 {
                corrections.push(Correction { text, hits });
            }
        }
        Ok(corrections)
    }

    /// Words of the text field within the edit distance `word`'s length allows, nearest first,
    /// then those more parts hold; at most [`MAX_CORRECTIONS`].
    pub(super) fn nearest_words(&self, word: &str) -> Result<Vec<String>, SearchError> {
        let length = word.chars().count();
        if length < 3 {
            return Ok(Vec::new());
        }
        let dfa = automata()[usize::from(length > 4)].build_dfa(word);
        let mut found: HashMap<Vec<u8>, (u8, u64)> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.text)?;
            let mut terms = inverted.terms().search(Automaton(&dfa)).into_stream()?;
            while terms.advance() {
                let Distance::Exact(distance) = dfa.eval(terms.key()) else { continue };
                found.entry(terms.key().to_vec()).or_insert((distance, 0)).1 += u64::from(terms.value().doc_freq);
            }
        }
        let mut found: Vec<(Vec<u8>, (u8, u64))> = found.into_iter().collect();
        found.sort_by(|(a, (da, fa)), (b, (db, fb))| da.cmp(db).then(fb.cmp(fa)).then(a.cmp(b)));
        Ok(found.into_iter().take(MAX_CORRECTIONS).filter_map(|(term, _)| String::from_utf8(term).ok()).collect())
    }
}

/// Whether `name`, or one of its words, starts with `typed` (lower case).
fn name_starts_with(name: &str, typed: &str) -> bool {
    let name = name.to_lowercase();
    name.starts_with(typed) || name.split(|c: char| !c.is_alphanumeric()).any(|word| word.starts_with(typed))
}

/// The named things that have parts, most parts first (then by name), at most [`MAX_NAME_SUGGESTIONS`].
fn most_parts<T>(mut counted: Vec<(u64, &T)>, name: impl Fn(&T) -> &str) -> impl Iterator<Item = &T> {
    counted.retain(|(parts, _)| *parts > 0);
    counted.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| name(x).cmp(name(y))));
    counted.into_iter().take(MAX_NAME_SUGGESTIONS).map(|(_, item)| item)
}

/// Levenshtein automaton builders (distances 1 and 2, a transposition one edit): costly to make,
/// so made once.
fn automata() -> &'static [LevenshteinAutomatonBuilder; 2] {
    static BUILDERS: OnceLock<[LevenshteinAutomatonBuilder; 2]> = OnceLock::new();
    BUILDERS.get_or_init(|| [LevenshteinAutomatonBuilder::new(1, true), LevenshteinAutomatonBuilder::new(2, true)])
}

/// A Levenshtein DFA as the term dictionary walks automata.
struct Automaton<'a>(&'a DFA);

impl tantivy_fst::Automaton for Automaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
