//! KiCost's sub-parts: one component made of several parts to buy (a connector, its housing and
//! its crimp contacts). Its MPN field lists them with `;` between them (`LM358DR; TL072CDR`), each
//! with how many one component needs before or after a `:` (`2:M3-SCREW`, `SHUNT:0.5`,
//! `1/4:HEATSHRINK`: a whole number, a decimal or a fraction; none is 1). Distributor codes split
//! the same way, position by position, and so does the manufacturer field, where one name alone
//! stands for every sub-part and `~` repeats the name before. A `\` before `;`, `,` or `:` makes
//! it text (`SSM3J332R\,LF` is one part number).
//!
//! Each sub-part becomes a BOM line of its own, as KiCost makes it: with several sub-parts, the
//! component's designators get the sub-part's position (`J1#1`, `J1#2`) and its value says which
//! one it is (`Conn_01x06 - p2/3`); every sub-part's quantity is the component's times what the
//! sub-part says, and an item's total is rounded up to whole parts.
//!
//! Where Ferrite differs from KiCost, on purpose:
//! - a `,` separates sub-parts only with a space beside it (`A, B`): NXP's and Nexperia's part
//!   numbers carry their packing after a comma (`2N7002P,215`), unescaped in BOMs not written for
//!   KiCost;
//! - manufacturer names split at `;` only (`Molex, LLC` is one name), and only when the part
//!   number has several sub-parts;
//! - a `:` between two texts of which neither is a quantity is kept as part of the code (KiCost
//!   drops it);
//! - a sub-part that names no code in any field (the empty one after `LM358DR;`) is no line;
//! - a sub-part whose fields state different quantities takes the largest (KiBot's rule).

use std::cmp::Ordering;

use crate::{
    Line, ParseError,
    limits::{MAX_ROW_QUANTITY, MAX_SUBPARTS},
    model::{ManufacturerPart, SupplierPart},
};

/// The designator of a sub-part: the component's, `#`, the sub-part's 1-based position.
const DESIGNATOR_SEPARATOR: char = '#';
/// In a manufacturer field: the same manufacturer as the sub-part before.
const SAME_MANUFACTURER: &str = "~";
/// Decimals a sub-part quantity may have (`0.125`), so its fraction stays small.
const MAX_DECIMALS: usize = 6;
/// The largest denominator of a sub-part quantity written as a fraction (`1/1000`).
const MAX_DENOMINATOR: u128 = 1_000_000;

/// One BOM line a line of the file stands for, and how many of its part one component needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subpart {
    pub line: Line,
    pub per_component: Fraction,
    /// Whether it is one of several sub-parts, its designators and value marked as such.
    pub one_of_several: bool,
}

/// An exact non-negative quantity (`9/2`), kept in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    numerator: u128,
    denominator: u128,
}

impl Fraction {
    pub const ZERO: Fraction = Fraction { numerator: 0, denominator: 1 };
    pub const ONE: Fraction = Fraction { numerator: 1, denominator: 1 };

    fn new(numerator: u128, denominator: u128) -> Fraction {
        let divisor = gcd(numerator, denominator).max(1);
        Fraction { numerator: numerator / divisor, denominator: denominator / divisor }
    }

    pub fn whole(n: u64) -> Fraction {
        Fraction { numerator: u128::from(n), denominator: 1 }
    }

    /// `None` when the sum does not fit (only many fractions with large, different denominators).
    pub fn checked_add(self, other: Fraction) -> Option<Fraction> {
        let divisor = gcd(self.denominator, other.denominator);
        let denominator = (self.denominator / divisor).checked_mul(other.denominator)?;
        let numerator = self
            .numerator
            .checked_mul(other.denominator / divisor)?
            .checked_add(other.numerator.checked_mul(self.denominator / divisor)?)?;
        Some(Fraction::new(numerator, denominator))
    }

    pub fn checked_mul(self, other: Fraction) -> Option<Fraction> {
        let (a, b) = (gcd(self.numerator, other.denominator).max(1), gcd(other.numerator, self.denominator).max(1));
        let numerator = (self.numerator / a).checked_mul(other.numerator / b)?;
        let denominator = (self.denominator / b).checked_mul(other.denominator / a)?;
        Some(Fraction { numerator, denominator })
    }

    /// The whole parts it takes: rounded up.
    pub fn ceil(self) -> u128 {
        self.numerator.div_ceil(self.denominator)
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fraction {
    /// Only for the quantities one sub-part states, whose cross products fit: at most
    /// `MAX_ROW_QUANTITY * MAX_DENOMINATOR` times `MAX_DENOMINATOR`.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numerator.saturating_mul(other.denominator)).cmp(&other.numerator.saturating_mul(self.denominator))
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The BOM lines `line` stands for: itself when its fields list no sub-parts, else one per
/// sub-part. Fails on a quantity that is not one, or more sub-parts than `MAX_SUBPARTS`.
pub fn split(line: Line) -> Result<Vec<Subpart>, ParseError> {
    let codes = || line.parts.iter().map(|p| p.mpn.as_str()).chain(line.supplier_parts.iter().map(|s| s.sku.as_str()));
    if !codes().any(|code| code.contains([';', ',', ':', '\\'])) {
        return Ok(vec![Subpart { line, per_component: Fraction::ONE, one_of_several: false }]);
    }
    let at = line.line;
    let mpns: Vec<Vec<&str>> = line.parts.iter().map(|p| pieces(&p.mpn, Separators::Codes)).collect();
    let skus: Vec<Vec<&str>> = line.supplier_parts.iter().map(|s| pieces(&s.sku, Separators::Codes)).collect();
    let count = mpns.iter().chain(&skus).map(Vec::len).max().unwrap_or(1);
    if count > MAX_SUBPARTS {
        let field = codes().find(|code| pieces(code, Separators::Codes).len() == count).unwrap_or_default();
        return Err(ParseError::at(
            at,
            format!("`{}` lists {count} sub-parts; a component may have at most {MAX_SUBPARTS}", shorten(field)),
        ));
    }
    let makers: Vec<Vec<String>> = line.parts.iter().map(|p| manufacturers(&p.manufacturer, count)).collect();
    let mut subparts = Vec::with_capacity(count);
    for position in 0..count {
        let mut per_component = None;
        let mut code_at = |pieces: &[&str]| -> Result<Option<String>, ParseError> {
            let Some(piece) = pieces.get(position) else { return Ok(None) };
            let (quantity, code) = quantity_and_code(piece, at)?;
            if code.is_empty() {
                return Ok(None);
            }
            per_component = per_component.max(Some(quantity));
            Ok(Some(code))
        };
        let mut parts: Vec<ManufacturerPart> = Vec::new();
        for (mpn, makers) in mpns.iter().zip(&makers) {
            if let Some(mpn) = code_at(mpn)? {
                let part = ManufacturerPart { manufacturer: makers[position].clone(), mpn };
                if !parts.contains(&part) {
                    parts.push(part);
                }
            }
        }
        let mut supplier_parts: Vec<SupplierPart> = Vec::new();
        for (sku, supplier) in skus.iter().zip(&line.supplier_parts) {
            if let Some(sku) = code_at(sku)? {
                let part = SupplierPart { seller: supplier.seller.clone(), sku };
                if !supplier_parts.contains(&part) {
                    supplier_parts.push(part);
                }
            }
        }
        let Some(per_component) = per_component else { continue };
        let line = Line { parts, supplier_parts, ..line.clone() };
        subparts.push((position + 1, Subpart { line, per_component, one_of_several: false }));
    }
    if subparts.len() > 1 {
        let of = subparts.last().map_or(count, |(number, _)| *number);
        for (number, Subpart { line, one_of_several, .. }) in &mut subparts {
            *one_of_several = true;
            for designator in &mut line.designators {
                designator.push(DESIGNATOR_SEPARATOR);
                designator.push_str(&number.to_string());
            }
            if !line.value.is_empty() {
                line.value = format!("{} - p{number}/{of}", line.value);
            }
        }
    }
    if subparts.is_empty() {
        // Only separators and empty places (`;`): a line without codes, as if its fields were empty.
        let line = Line { parts: Vec::new(), supplier_parts: Vec::new(), ..line };
        return Ok(vec![Subpart { line, per_component: Fraction::ONE, one_of_several: false }]);
    }
    Ok(subparts.into_iter().map(|(_, subpart)| subpart).collect())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Separators {
    /// Part numbers and distributor codes: `;`, and `,` with a space beside it.
    Codes,
    /// Manufacturer names: `;` only.
    Names,
}

/// `text` cut at its unescaped separators, each piece trimmed (escapes are kept until
/// `unescape`, so that an escaped `:` is no quantity separator either).
fn pieces(text: &str, separators: Separators) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut escaped) = (0, false);
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        let spaced =
            || text[..i].ends_with(char::is_whitespace) || chars.clone().next().is_some_and(|(_, n)| n.is_whitespace());
        let separates = match c {
            ';' => true,
            ',' => separators == Separators::Codes && spaced(),
            _ => false,
        };
        if separates && !escaped {
            out.push(text[start..i].trim());
            start = i + c.len_utf8();
        }
        escaped = c == '\\' && !escaped;
    }
    out.push(text[start..].trim());
    out
}

/// The manufacturer of each of `count` sub-parts.
fn manufacturers(text: &str, count: usize) -> Vec<String> {
    if count == 1 {
        return vec![text.to_owned()];
    }
    let names = pieces(text, Separators::Names);
    if names.len() == 1 {
        return vec![unescape(names[0]); count];
    }
    let mut out: Vec<String> = Vec::with_capacity(count);
    for position in 0..count {
        let name = match names.get(position) {
            Some(&SAME_MANUFACTURER) => out.last().cloned().unwrap_or_default(),
            Some(name) => unescape(name),
            None => String::new(),
        };
        out.push(name);
    }
    out
}

/// A sub-part's quantity and its code: `2:PART`, `PART:2`, or `PART` (one). When both sides of
/// the `:` look like numbers (`2:1234`), the shorter is the quantity, as KiCost reads them.
fn quantity_and_code(piece: &str, at: u64) -> Result<(Fraction, String), ParseError> {
    let colons: Vec<usize> = unescaped(piece, ':').collect();
    let (quantity, code) = match colons[..] {
        [colon] => {
            let (before, after) = (piece[..colon].trim(), piece[colon + 1..].trim());
            let digits = |s: &str| s.chars().filter(|c| !matches!(c, '.' | '/')).count();
            match (looks_like_quantity(before), looks_like_quantity(after)) {
                (true, false) => (before, after),
                (false, true) => (after, before),
                (true, true) if digits(before) < digits(after) => (before, after),
                (true, true) => (after, before),
                (false, false) => ("", piece),
            }
        }
        _ => ("", piece),
    };
    let code = unescape(code.trim());
    let code = if code == "~" { String::new() } else { code };
    let quantity = parse_quantity(quantity).map_err(|why| {
        ParseError::at(at, format!("the sub-part quantity `{}` in `{}` {why}", quantity, shorten(piece)))
    })?;
    Ok((quantity, code))
}

/// The byte offsets of `wanted` not escaped with a `\`.
fn unescaped(text: &str, wanted: char) -> impl Iterator<Item = usize> + '_ {
    let mut escaped = false;
    text.char_indices().filter_map(move |(i, c)| {
        let hit = c == wanted && !escaped;
        escaped = c == '\\' && !escaped;
        hit.then_some(i)
    })
}

/// What KiCost takes for a number: a sign, digits, `.` or `/`, digits (spaces aside). Whether it
/// is a valid quantity is `parse_quantity`'s to say.
fn looks_like_quantity(text: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = squeezed.strip_prefix(['+', '-']).unwrap_or(&squeezed);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.trim_start_matches(['.', '/']);
    rest.trim_start_matches(|c: char| c.is_ascii_digit()).is_empty()
}

const NOT_A_NUMBER: &str = "is not a number (a whole number, a decimal such as 0.5, or a fraction such as 1/4)";

/// A whole number, a decimal (`4.5`, at most `MAX_DECIMALS` decimals) or a fraction (`4/5`), at
/// most `MAX_ROW_QUANTITY`; empty is one. The error says why not, to follow the quantity.
fn parse_quantity(text: &str) -> Result<Fraction, String> {
    let too_large = || format!("is more than {MAX_ROW_QUANTITY}");
    let number = |digits: &str| -> Result<u128, String> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NOT_A_NUMBER.into());
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > 20 {
            return Err(too_large());
        }
        Ok(significant.parse().unwrap_or(0))
    };
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.strip_prefix('+').unwrap_or(&text);
    let quantity = if text.is_empty() {
        Fraction::ONE
    } else if text.starts_with('-') {
        return Err("is negative".into());
    } else if let Some((numerator, denominator)) = text.split_once('/') {
        let (numerator, denominator) = (number(numerator)?, number(denominator)?);
        if denominator == 0 {
            return Err("divides by zero".into());
        }
        if denominator > MAX_DENOMINATOR {
            return Err(format!("has a denominator larger than {MAX_DENOMINATOR}"));
        }
        Fraction::new(numerator, denominator)
    } else if let Some((whole, decimals)) = text.split_once('.') {
        if decimals.len() > MAX_DECIMALS {
            return Err(format!("has more than {MAX_DECIMALS} decimals"));
        }
        if whole.is_empty() && decimals.is_empty() {
            return Err(NOT_A_NUMBER.into());
        }
        let whole = if whole.is_empty() { 0 } else { number(whole)? };
        let fraction = if decimals.is_empty() { 0 } else { number(decimals)? };
        let scale = 10u128.pow(decimals.len() as u32);
        Fraction::new(whole * scale + fraction, scale)
    } else {
        Fraction::new(number(text)?, 1)
    };
    if quantity > Fraction::whole(u64::from(MAX_ROW_QUANTITY)) {
        return Err(too_large());
    }
    Ok(quantity)
}

/// `\;`, `\,` and `\:` as the characters they escape.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(';' | ',' | ':')) => {}
            _ => out.push(c),
        }
    }
    out
}

/// A field's text in an error message: at most 60 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fraction(numerator: u128, denominator: u128) -> Fraction {
        Fraction::new(numerator, denominator)
    }

    fn read(piece: &str) -> (Fraction, String) {
        quantity_and_code(piece, 1).unwrap()
    }

    #[test]
    fn sub_parts_are_cut_at_semicolons_and_spaced_commas() {
        assert_eq!(pieces("LM358DR; TL072CDR", Separators::Codes), ["LM358DR", "TL072CDR"]);
        assert_eq!(pieces("CL-SB-22A-01T, 2.5:RC1005J000CS", Separators::Codes), ["CL-SB-22A-01T", "2.5:RC1005J000CS"]);
        assert_eq!(pieces("1:NHD-0216K1Z , 1:M20-9991645", Separators::Codes), ["1:NHD-0216K1Z", "1:M20-9991645"]);
        assert_eq!(pieces(";;; 180-7357", Separators::Codes), ["", "", "", "180-7357"]);
        assert_eq!(pieces("2N7002P,215", Separators::Codes), ["2N7002P,215"], "Nexperia's packing suffix");
        assert_eq!(pieces(r"SSM3J332R\,LF; A\;B", Separators::Codes), [r"SSM3J332R\,LF", r"A\;B"]);
        assert_eq!(pieces("Molex, LLC; TE", Separators::Names), ["Molex, LLC", "TE"]);
    }

    #[test]
    fn quantities_before_or_after_the_colon_as_kicost_reads_them() {
        assert_eq!(read("2:M3-SCREW"), (fraction(2, 1), "M3-SCREW".into()));
        assert_eq!(read("61300311121:2"), (fraction(2, 1), "61300311121".into()), "the shorter number");
        assert_eq!(read("2:1234"), (fraction(2, 1), "1234".into()));
        assert_eq!(read(" 4.5 : ADUM3150BRSZ-RL7"), (fraction(9, 2), "ADUM3150BRSZ-RL7".into()));
        assert_eq!(read("CR0603-JW-101ELF   :   4.5"), (fraction(9, 2), "CR0603-JW-101ELF".into()));
        assert_eq!(read("4/5 : CR0603-JW-104ELF  "), (fraction(4, 5), "CR0603-JW-104ELF".into()));
        assert_eq!(read("CR0603-J/-000ELF:5"), (fraction(5, 1), "CR0603-J/-000ELF".into()));
        assert_eq!(read("ADUM3150BRSZ-RL7:"), (Fraction::ONE, "ADUM3150BRSZ-RL7".into()), "no quantity is one");
        assert_eq!(read("0:SPARE-FUSE"), (Fraction::ZERO, "SPARE-FUSE".into()));
        assert_eq!(read("ABC:DEF"), (Fraction::ONE, "ABC:DEF".into()), "no number: the colon is the code's");
        assert_eq!(read(r"A\:B:3"), (fraction(3, 1), "A:B".into()), "an escaped colon is text");
        assert_eq!(read(r"SSM3J332R\,LF"), (Fraction::ONE, "SSM3J332R,LF".into()));
        assert_eq!(read("~"), (Fraction::ONE, String::new()), "KiCad's none");
        for (piece, why) in [
            ("-2:PART", "the sub-part quantity `-2` in `-2:PART` is negative"),
            ("1/0:PART", "the sub-part quantity `1/0` in `1/0:PART` divides by zero"),
            ("2000000:PART", "the sub-part quantity `2000000` in `2000000:PART` is more than 1000000"),
            ("0.1234567:PART", "the sub-part quantity `0.1234567` in `0.1234567:PART` has more than 6 decimals"),
            ("1./2:PART", "the sub-part quantity `1./2` in `1./2:PART` is not a number"),
        ] {
            let err = quantity_and_code(piece, 9).unwrap_err();
            assert_eq!(err.line, Some(9));
            assert!(err.message.starts_with(why), "{piece}: {err}");
        }
    }

    fn connector() -> Line {
        Line {
            line: 12,
            designators: vec!["J1".into()],
            fitted: true,
            value: "Conn_01x06".into(),
            parts: vec![ManufacturerPart {
                manufacturer: "Molex; TE; ~".into(),
                mpn: "0022232061;0022012067; 6: 08-50-0114;  LA 55-P".into(),
            }],
            supplier_parts: vec![SupplierPart { seller: "Digi-Key".into(), sku: ";;; 398-1010-ND".into() }],
            ..Line::default()
        }
    }

    #[test]
    fn a_component_of_four_sub_parts_is_four_lines() {
        let subparts = split(connector()).unwrap();
        let summary: Vec<(&str, &str, &str, &str, Fraction)> = subparts
            .iter()
            .map(|s| {
                let part = &s.line.parts[0];
                (
                    s.line.designators[0].as_str(),
                    s.line.value.as_str(),
                    part.mpn.as_str(),
                    part.manufacturer.as_str(),
                    s.per_component,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("J1#1", "Conn_01x06 - p1/4", "0022232061", "Molex", Fraction::ONE),
                ("J1#2", "Conn_01x06 - p2/4", "0022012067", "TE", Fraction::ONE),
                ("J1#3", "Conn_01x06 - p3/4", "08-50-0114", "TE", fraction(6, 1)),
                ("J1#4", "Conn_01x06 - p4/4", "LA 55-P", "", Fraction::ONE),
            ]
        );
        let skus: Vec<usize> = subparts.iter().map(|s| s.line.supplier_parts.len()).collect();
        assert_eq!(skus, [0, 0, 0, 1], "the distributor code is the fourth sub-part's");
    }

    #[test]
    fn one_manufacturer_stands_for_all_and_lines_without_sub_parts_stay_whole() {
        let line = Line {
            parts: vec![ManufacturerPart { manufacturer: "Molex, LLC".into(), mpn: "22-23-2021; 2:08-50-0114".into() }],
            supplier_parts: Vec::new(),
            ..connector()
        };
        let makers: Vec<String> =
            split(line).unwrap().into_iter().map(|s| s.line.parts[0].manufacturer.clone()).collect();
        assert_eq!(makers, ["Molex, LLC", "Molex, LLC"]);
        // One sub-part (a trailing `;`, a quantity alone): the component's designators and value.
        for mpn in ["LM358DR;", "LM358DR", "2:LM358DR", "2N7002P,215"] {
            let line = Line {
                parts: vec![ManufacturerPart { manufacturer: "TI; ST".into(), mpn: mpn.into() }],
                supplier_parts: Vec::new(),
                ..connector()
            };
            let subparts = split(line).unwrap();
            assert_eq!(subparts.len(), 1, "{mpn}");
            assert_eq!(
                (subparts[0].line.designators[0].as_str(), subparts[0].line.value.as_str()),
                ("J1", "Conn_01x06")
            );
        }
        let only_separators = Line {
            parts: Vec::new(),
            supplier_parts: vec![SupplierPart { seller: "Mouser".into(), sku: ";".into() }],
            ..connector()
        };
        let subparts = split(only_separators).unwrap();
        assert_eq!(subparts.len(), 1);
        assert!(subparts[0].line.supplier_parts.is_empty(), "no code, as if the field were empty");
    }

    #[test]
    fn more_sub_parts_than_the_limit_are_refused() {
        let mpn = vec!["PART"; MAX_SUBPARTS + 1].join(";");
        let line = Line { parts: vec![ManufacturerPart { manufacturer: String::new(), mpn }], ..connector() };
        let err = split(line).unwrap_err();
        assert_eq!(err.line, Some(12));
        assert!(err.message.ends_with("lists 17 sub-parts; a component may have at most 16"), "{err}");
    }

    #[test]
    fn fractions_add_up_exactly() {
        let quarter = fraction(1, 4);
        let sum = (0..4).fold(Fraction::ZERO, |sum, _| sum.checked_add(quarter).unwrap());
        assert_eq!((sum, sum.ceil()), (Fraction::ONE, 1));
        let tenths = (0..10).fold(Fraction::ZERO, |sum, _| sum.checked_add(fraction(1, 10)).unwrap());
        assert_eq!(tenths.ceil(), 1, "no floating-point 1.0000000000000002");
        assert_eq!(fraction(4, 5).checked_mul(Fraction::whole(3)).unwrap().ceil(), 3);
        assert!(fraction(9, 2) > Fraction::whole(4));
    }
}
