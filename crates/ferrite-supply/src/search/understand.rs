//! What a query means, read the way engineers write parts: values with units and SI prefixes
//! (`10k`, `4k7`, `100nF`, `.1u`, `0R`, `49R9`, `1%`, `50V`), size and package codes (`0603`, its
//! metric `1608`, `SOT-23`, `SOIC-8`), kinds of part with their plurals and abbreviations (`res`,
//! `caps`, `MLCC`; [`kinds.tsv`](kinds.tsv)), and the rest as words. The index turns a value into a
//! match on a spec's SI value, a code into one on the package, a kind into one on the categories it
//! covers; the words stay full text.

use std::sync::OnceLock;

use super::build::canonical;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Understood {
    pub values: Vec<Value>,
    /// Package keys ([`package_keys`]).
    pub packages: Vec<String>,
    pub kinds: Vec<&'static Kind>,
    /// Everything else, as written.
    pub words: Vec<String>,
}

impl Understood {
    /// Whether the query names anything beyond words.
    pub fn constrains(&self) -> bool {
        !(self.values.is_empty() && self.packages.is_empty() && self.kinds.is_empty())
    }
}

/// A value the query asks for, in SI units, and the attributes (shortnames) that may hold it:
/// one when the unit or the kind says which, several when only the prefix hints (`100n`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    pub si: f64,
    pub attributes: &'static [&'static str],
}

#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub name: String,
    /// The attribute a value without a unit means (`10k resistor`).
    bare: Option<String>,
    /// Lower-case words a covered category's name has a word starting with.
    categories: Vec<String>,
    words: Vec<String>,
}

impl Kind {
    /// Whether the kind covers a category of this name.
    pub fn covers(&self, category: &str) -> bool {
        let name = category.to_lowercase();
        self.categories.iter().any(|pattern| {
            name.match_indices(pattern.as_str())
                .any(|(at, _)| !name[..at].chars().next_back().is_some_and(char::is_alphanumeric))
        })
    }
}

/// Every kind [`kinds.tsv`](kinds.tsv) names.
pub fn kinds() -> &'static [Kind] {
    static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let split = |column: &str| column.split('|').map(str::to_owned).collect::<Vec<_>>();
        include_str!("kinds.tsv")
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| {
                let columns: Vec<&str> = line.split('\t').collect();
                let [name, bare, categories, words] = columns[..] else {
                    panic!("kinds.tsv: four columns in {line:?}")
                };
                Kind {
                    name: name.to_owned(),
                    bare: (bare != "-").then(|| bare.to_owned()),
                    categories: split(categories),
                    words: split(words),
                }
            })
            .collect()
    })
}

/// Reads `query`. Terms it cannot place are words; nothing is dropped.
pub fn understand(query: &str) -> Understood {
    let mut understood = Understood::default();
    // Values whose attribute only a kind can tell (`350`, `10u`), decided once every kind is known.
    let mut open: Vec<(String, f64, Hint)> = Vec::new();
    for token in tokens(query) {
        let key = key(&token);
        if let Some(code) = size_code(&key) {
            understood.packages.push(code.to_owned());
        } else if let Some((si, hint)) = value(&token) {
            match hint {
                Hint::Unit(attributes) => understood.values.push(Value { si: canonical(si), attributes }),
                hint => open.push((token, si, hint)),
            }
        } else if let Some(package) = package_key(&key) {
            understood.packages.push(package);
        } else if let Some(kind) = kind_of(&key) {
            if !understood.kinds.contains(&kind) {
                understood.kinds.push(kind);
            }
        } else {
            understood.words.push(token);
        }
    }
    let bare = understood.kinds.iter().find_map(|kind| kind.bare.as_deref()).and_then(attribute);
    for (token, si, hint) in open {
        match (bare, hint) {
            (Some(attributes), _) | (None, Hint::Prefix(attributes)) => {
                understood.values.push(Value { si: canonical(si), attributes })
            }
            _ => understood.words.push(token),
        }
    }
    understood
}

/// What a value's spelling says about the attribute that holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Hint {
    /// A unit: these attributes.
    Unit(&'static [&'static str]),
    /// Only a prefix (`10k`, `100n`): these, unless a kind says otherwise.
    Prefix(&'static [&'static str]),
    /// A bare number: only a kind can say.
    Bare,
}

const RESISTANCE: &[&str] = &["resistance"];
const CAPACITANCE: &[&str] = &["capacitance"];
const REACTIVE: &[&str] = &["capacitance", "inductance"];

/// The attributes a unit's value is held in.
fn unit_attributes(unit: &str) -> Option<&'static [&'static str]> {
    Some(match unit {
        // U+03A9 GREEK CAPITAL LETTER OMEGA, and U+2126 OHM SIGN as some keyboards type it.
        "\u{3a9}" | "\u{2126}" | "R" | "r" | "E" | "e" => RESISTANCE,
        _ => match unit.to_lowercase().as_str() {
            "ohm" | "ohms" => RESISTANCE,
            "f" => CAPACITANCE,
            "h" => &["inductance"],
            // A rating for passives, the output of a regulator (`LDO 3.3V`).
            "v" | "vdc" => &["voltagerating_dc_", "voltagerating", "outputvoltage"],
            "a" => &["currentrating"],
            "w" => &["powerrating"],
            "%" => &["tolerance"],
            "hz" => &["frequency"],
            _ => return None,
        },
    })
}

/// A kind's bare attribute as the static list a [`Value`] holds.
fn attribute(name: &str) -> Option<&'static [&'static str]> {
    const ATTRIBUTES: &[&[&str]] =
        &[&["resistance"], &["capacitance"], &["inductance"], &["frequency"], &["currentrating"]];
    ATTRIBUTES.iter().copied().find(|a| a[0] == name)
}

/// An SI prefix's factor, also in the upper case a query may be typed in (`100NF`, `10UF`).
fn prefix_factor(c: char) -> Option<f64> {
    let lower = || ferrite_core::units::prefix(c.to_ascii_lowercase()).filter(|_| "PNU".contains(c));
    ferrite_core::units::prefix(c).or_else(lower)
}

/// `4k7`, `100nF`, `.1u`, `0R01`, `49R9`, `1%`: the SI value and what the spelling says of its
/// attribute. `None` for anything that is not one value.
fn value(token: &str) -> Option<(f64, Hint)> {
    let token = token.strip_prefix('±').unwrap_or(token);
    let split = token.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(token.len());
    let (number, rest) = token.split_at(split);
    if !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut chars = rest.chars();
    let letter = chars.next();
    // RKM notation: the multiplier letter stands for the decimal point (`4k7`, `0R01`, `2u2`).
    // Not upper-case `N`, `P` or `U`, nor more than three digits after it: `1N914` and `2N7002`
    // are MPNs.
    if let Some(letter) = letter.filter(|l| RKM_LETTERS.contains(l))
        && !number.contains('.')
    {
        let tail = chars.as_str();
        let digits = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
        if (1..=3).contains(&digits) {
            let ohms = matches!(letter, 'R' | 'r');
            let factor = if ohms { 1.0 } else { prefix_factor(letter)? };
            let si = format!("{number}.{}", &tail[..digits]).parse::<f64>().ok()? * factor;
            let unit = &tail[digits..];
            let hint = match (ohms, unit) {
                (true, "") => Hint::Unit(RESISTANCE),
                (false, "") => prefixed(letter),
                (_, unit) => Hint::Unit(unit_attributes(unit).filter(|a| !ohms || *a == RESISTANCE)?),
            };
            return Some((si, hint));
        }
    }
    let number: f64 = number.parse().ok()?;
    if rest.is_empty() {
        return Some((number, Hint::Bare));
    }
    if let Some(attributes) = unit_attributes(rest) {
        return Some((number, Hint::Unit(attributes)));
    }
    let letter = letter?;
    let factor = prefix_factor(letter)?;
    let unit = chars.as_str();
    let hint = if unit.is_empty() { prefixed(letter) } else { Hint::Unit(unit_attributes(unit)?) };
    Some((number * factor, hint))
}

/// Letters that stand for the decimal point in RKM notation.
const RKM_LETTERS: &[char] = &['R', 'r', 'p', 'n', 'u', 'µ', 'μ', 'm', 'k', 'K', 'M', 'G'];

/// What a prefix alone hints: kilo and mega are resistances, pico to micro capacitances or
/// inductances; milli could be anything.
fn prefixed(letter: char) -> Hint {
    match letter {
        'k' | 'K' | 'M' | 'G' => Hint::Prefix(RESISTANCE),
        'p' | 'n' | 'u' | 'µ' | 'μ' => Hint::Prefix(REACTIVE),
        _ => Hint::Bare,
    }
}

/// Chip sizes as (imperial, metric) codes. Engineers write imperial; a code that is only metric
/// (`1608`) is read as its imperial twin, and an index keys both by the imperial code.
const SIZE_CODES: &[(&str, &str)] = &[
    ("01005", "0402"),
    ("0201", "0603"),
    ("0402", "1005"),
    ("0603", "1608"),
    ("0805", "2012"),
    ("1008", "2520"),
    ("1206", "3216"),
    ("1210", "3225"),
    ("1806", "4516"),
    ("1812", "4532"),
    ("1825", "4564"),
    ("2010", "5025"),
    ("2220", "5750"),
    ("2512", "6332"),
    ("2920", "7451"),
];

/// The imperial size code a query's key names, if any.
fn size_code(key: &str) -> Option<&'static str> {
    SIZE_CODES
        .iter()
        .find(|(imperial, _)| *imperial == key)
        .or_else(|| SIZE_CODES.iter().find(|(_, metric)| *metric == key))
        .map(|(imperial, _)| *imperial)
}

/// Package families written with their pin count (`SOT-23`, `SOIC-8`, `QFN-32`, `TO-220`).
const PACKAGE_FAMILIES: &[&str] = &[
    "sot", "sod", "soic", "sop", "ssop", "tssop", "msop", "hsop", "htssop", "qfn", "dfn", "vqfn", "wqfn", "uqfn",
    "tqfn", "son", "vson", "wson", "qfp", "lqfp", "tqfp", "bga", "lga", "wlcsp", "csp", "dip", "pdip", "sip", "to",
    "dpak", "d2pak", "sc", "smd", "lfcsp", "plcc",
];

/// A package's key as a query names it: a family and its pins (`SOT-23` → `sot23`).
fn package_key(key: &str) -> Option<String> {
    let letters = key.find(|c: char| c.is_ascii_digit())?;
    let (family, pins) = key.split_at(letters);
    (PACKAGE_FAMILIES.contains(&family) && pins.bytes().all(|b| b.is_ascii_digit())).then(|| key.to_owned())
}

/// The keys a part's package (`case_package`, as the source wrote it) is found by: each run of
/// its words from the first (`SOT-23-3` → `sot`, `sot23`, `sot233`), and the imperial code of
/// each size code in it (`0603 (1608 Metric)` → `0603`).
pub fn package_keys(display: &str) -> Vec<String> {
    let pieces: Vec<String> =
        display.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).map(str::to_lowercase).collect();
    let mut keys = Vec::new();
    let mut run = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        run.push_str(piece);
        keys.push(run.clone());
        let metric = pieces.get(i + 1).is_some_and(|next| next == "metric");
        let code = if metric {
            SIZE_CODES.iter().find(|(_, m)| m == piece).map(|(imperial, _)| *imperial)
        } else {
            SIZE_CODES.iter().find(|(imperial, _)| imperial == piece).map(|(imperial, _)| *imperial)
        };
        keys.extend(code.map(str::to_owned));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The kind a word names, in the singular or a plural.
fn kind_of(key: &str) -> Option<&'static Kind> {
    let forms: Vec<&str> = std::iter::once(key).chain(singular(key)).collect();
    kinds().iter().find(|kind| forms.iter().any(|form| kind.words.iter().any(|w| w == form)))
}

/// The singulars a lower-case word may be the plural of (`caps` → `cap`, `switches` → `switch`,
/// `switche`): what it could mean, not English grammar; `glass` and short words have none.
pub fn singular(word: &str) -> impl Iterator<Item = &str> {
    let plural = word.len() > 3 && word.ends_with('s') && !word.ends_with("ss");
    let forms = plural.then(|| [word.strip_suffix('s'), word.strip_suffix("es")]);
    forms.into_iter().flatten().flatten()
}

/// Words that name the same thing: a query's word also finds the others.
const SYNONYMS: &[&[&str]] = &[&["usb-c", "type-c"], &["c0g", "np0"], &["mcu", "microcontroller"]];

/// The spellings a query's word is also found by (itself first).
pub fn spellings(word: &str) -> Vec<&str> {
    let key = key(word);
    let group = SYNONYMS.iter().find(|group| group.iter().any(|s| self::key(s) == key));
    std::iter::once(word)
        .chain(group.into_iter().flat_map(|g| g.iter().copied()).filter(|s| self::key(s) != key))
        .collect()
}

/// A term's letters and digits, lower-cased (an MPN's key, in lower case): how words, kinds and
/// packages are compared.
fn key(token: &str) -> String {
    ferrite_core::keys::mpn_key(token).to_lowercase()
}

/// The query's terms, with a number and the unit written after it joined (`8 pF`, `.1 Ohm`).
fn tokens(query: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for word in query.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        // Joined only after a plain number, and only into a value: `3268m kOhm` stays two words.
        let joined = tokens
            .last()
            .filter(|last| last.chars().all(|c| c.is_ascii_digit() || c == '.') && is_unit(word))
            .map(|last| format!("{last}{word}"))
            .filter(|joined| value(joined).is_some());
        if let Some(joined) = joined {
            *tokens.last_mut().expect("a last token") = joined;
        } else {
            tokens.push(word.to_owned());
        }
    }
    tokens
}

/// A unit with an optional prefix (`pF`, `kOhm`, `V`, `%`), standing alone.
fn is_unit(word: &str) -> bool {
    if unit_attributes(word).is_some() {
        return true;
    }
    let mut chars = word.chars();
    chars.next().and_then(prefix_factor).is_some()
        && (chars.as_str().is_empty() || unit_attributes(chars.as_str()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(query: &str) -> Vec<(f64, &'static [&'static str])> {
        understand(query).values.iter().map(|v| (v.si, v.attributes)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 1e-9
    }

    #[test]
    fn resistances_in_every_spelling() {
        for (query, ohms) in [
            ("10k", 10e3),
            ("10K", 10e3),
            ("4k7", 4.7e3),
            ("4.7k", 4.7e3),
            ("10kΩ", 10e3),
            ("10 kOhm", 10e3),
            ("10kohms", 10e3),
            ("0R", 0.0),
            ("0E", 0.0),
            ("49R9", 49.9),
            ("0R01", 0.01),
            ("412R", 412.0),
            ("100E", 100.0),
            ("1M", 1e6),
            (".1 Ohm", 0.1),
            ("1k5", 1.5e3),
        ] {
            let found = values(query);
            assert_eq!(found.len(), 1, "{query}: {found:?}");
            assert!(close(found[0].0, ohms) && found[0].1 == RESISTANCE, "{query}: {found:?}");
        }
    }

    #[test]
    fn capacitances_and_inductances_in_every_spelling() {
        for (query, si, attributes) in [
            ("100n", 100e-9, REACTIVE),
            ("100nF", 100e-9, CAPACITANCE),
            ("0.1uF", 0.1e-6, CAPACITANCE),
            (".1u", 0.1e-6, REACTIVE),
            ("2u2", 2.2e-6, REACTIVE),
            ("4p7", 4.7e-12, REACTIVE),
            ("8 pF", 8e-12, CAPACITANCE),
            ("2.2 uF", 2.2e-6, CAPACITANCE),
            ("0.1µF", 0.1e-6, CAPACITANCE),
            ("100NF", 100e-9, CAPACITANCE),
            ("47uH", 47e-6, &["inductance"]),
        ] {
            let found = values(query);
            assert_eq!(found.len(), 1, "{query}: {found:?}");
            assert!(close(found[0].0, si) && found[0].1 == attributes, "{query}: {found:?}");
        }
    }

    #[test]
    fn a_kind_says_what_a_bare_value_is() {
        assert_eq!(values("350 0402 resistor"), [(350.0, RESISTANCE)]);
        assert_eq!(values("0 0805 resistor"), [(0.0, RESISTANCE)]);
        assert_eq!(values("10u 1210 capacitor"), [(10e-6, CAPACITANCE)]);
        let inductor = values("100n inductor");
        assert!(close(inductor[0].0, 100e-9) && inductor[0].1 == ["inductance"]);
        // Without a kind a bare number is a word: it may be part of an MPN.
        let bare = understand("350 0402");
        assert!(bare.values.is_empty());
        assert_eq!(bare.words, ["350"]);
    }

    #[test]
    fn ratings_and_tolerances() {
        assert_eq!(values("50V"), [(50.0, &["voltagerating_dc_", "voltagerating", "outputvoltage"][..])]);
        assert_eq!(values("1%"), [(1.0, &["tolerance"][..])]);
        assert_eq!(values("±5%"), [(5.0, &["tolerance"][..])]);
        assert_eq!(values("2A"), [(2.0, &["currentrating"][..])]);
        // A dielectric is a word (the text holds it), not a value.
        assert_eq!(understand("X7R").words, ["X7R"]);
    }

    #[test]
    fn size_codes_imperial_and_metric_and_packages_with_pins() {
        assert_eq!(understand("0603").packages, ["0603"]);
        assert_eq!(understand("1608").packages, ["0603"], "metric only: its imperial twin");
        assert_eq!(understand("2512").packages, ["2512"]);
        assert_eq!(understand("SOT-23").packages, ["sot23"]);
        assert_eq!(understand("soic8 QFN-32 TO-220").packages, ["soic8", "qfn32", "to220"]);
        assert!(understand("to").packages.is_empty(), "a family needs its pins");
    }

    #[test]
    fn a_part_s_package_is_found_by_its_runs_and_size_codes() {
        assert_eq!(package_keys("SOT-23-3"), ["sot", "sot23", "sot233"]);
        assert!(package_keys("0603 (1608 Metric)").contains(&"0603".to_owned()));
        assert!(!package_keys("0603 (1608 Metric)").contains(&"0201".to_owned()));
        assert!(package_keys("SOIC-8-300mil").contains(&"soic8".to_owned()));
        assert!(package_keys("LQFP-48(7x7)").contains(&"lqfp48".to_owned()));
    }

    #[test]
    fn kinds_with_plurals_and_abbreviations() {
        let names = |query: &str| understand(query).kinds.iter().map(|k| k.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("res"), ["resistor"]);
        assert_eq!(names("caps"), ["capacitor"]);
        assert_eq!(names("ceramic capacitor MLCC"), ["capacitor", "mlcc"]);
        assert_eq!(names("diodes"), ["diode"]);
        assert_eq!(names("op-amp"), ["opamp"]);
        assert_eq!(names("mosfets LDO inductors"), ["mosfet", "ldo", "inductor"]);
        assert_eq!(understand("ceramic capacitor").words, ["ceramic"]);
    }

    #[test]
    fn every_kind_s_bare_attribute_is_one_a_value_can_hold() {
        for kind in kinds() {
            assert!(kind.bare.as_deref().is_none_or(|bare| attribute(bare).is_some()), "{kind:?}");
        }
    }

    #[test]
    fn kinds_cover_categories_by_word_starts() {
        let kind = |name: &str| kinds().iter().find(|k| k.name == name).unwrap();
        assert!(kind("resistor").covers("Chip Resistor - Surface Mount"));
        assert!(kind("resistor").covers("Resistors"));
        assert!(!kind("resistor").covers("Photoresistors"), "a word start, not any substring");
        assert!(kind("mlcc").covers("Multilayer Ceramic Capacitors MLCC - SMD/SMT"));
        assert!(kind("ldo").covers("Low Dropout Regulators (LDO)"));
    }

    #[test]
    fn mpns_and_words_stay_words() {
        let mpn = understand("RC0603FR-0710KL");
        assert!(!mpn.constrains(), "{mpn:?}");
        assert_eq!(mpn.words, ["RC0603FR-0710KL"]);
        assert_eq!(understand("LM358").words, ["LM358"]);
        assert_eq!(understand("1N914 2N7002").words, ["1N914", "2N7002"]);
        let mut words = understand("3268m kOhm").words;
        words.sort();
        assert_eq!(words, ["3268m", "kOhm"], "a unit joins a plain number only");
        assert_eq!(spellings("usb-c"), ["usb-c", "type-c"]);
        assert_eq!(spellings("NP0"), ["NP0", "c0g"]);
        assert_eq!(singular("switches").collect::<Vec<_>>(), ["switche", "switch"]);
        assert_eq!(singular("glass").count() + singular("res").count(), 0);
    }

    #[test]
    fn whole_queries() {
        let q = understand("4.7uF 0603 capacitor X5R");
        assert_eq!(q.packages, ["0603"]);
        assert_eq!(q.kinds.len(), 1);
        assert_eq!(q.words, ["X5R"]);
        assert!(close(q.values[0].si, 4.7e-6));
    }
}
