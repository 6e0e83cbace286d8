//! The designators cell of a CSV/TSV BOM: designators between commas, semicolons or spaces
//! (`R1, R2`, `C3 C4`), with KiCost's shorthands written out: a range `R1-R4` or `R1-4` is R1, R2,
//! R3, R4, and `C17/18/19` is C17, C18, C19. A range keeps the zero-padding of its first number
//! (`R08-R10` is R08, R09, R10). Anything else (`LED_BLUE-10`, `R1-C4`) is one designator as
//! written.
//!
//! A file names at most `MAX_LINES` designators in all — as many as the components a KiCad export
//! may hold — so a few bytes such as `R1-R999999999` are refused before they are written out.

use crate::{ParseError, limits::MAX_LINES};

/// What is left of the designators one file may name.
pub struct Budget {
    left: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { left: MAX_LINES }
    }
}

impl Budget {
    /// The designators of a cell of line `at`.
    pub fn read(&mut self, cell: &str, at: u64) -> Result<Vec<String>, ParseError> {
        let mut out = Vec::new();
        for token in cell.split([',', ';', ' ', '\t', '\n', '\r']).map(str::trim).filter(|d| !d.is_empty()) {
            match shorthand(token) {
                Some(Shorthand::Range { prefix, first, last, width }) => {
                    if last < first {
                        return Err(ParseError::at(at, format!("the designator range `{token}` runs backwards")));
                    }
                    // `None` past u64: more than any budget anyway.
                    let count = last.checked_sub(first).and_then(|n| n.checked_add(1)).map(usize::try_from);
                    let count = match count {
                        Some(Ok(count)) if count <= self.left => count,
                        Some(Ok(count)) if count <= MAX_LINES => return Err(self.exhausted(at)),
                        _ => {
                            return Err(ParseError::at(
                                at,
                                format!(
                                    "the designator range `{token}` names more designators than the {MAX_LINES} a \
                                     file may have"
                                ),
                            ));
                        }
                    };
                    self.left -= count;
                    out.extend((first..=last).map(|n| format!("{prefix}{n:0width$}")));
                }
                Some(Shorthand::List { prefix, numbers }) => {
                    self.take(numbers.len(), at)?;
                    out.extend(numbers.into_iter().map(|n| format!("{prefix}{n}")));
                }
                None => {
                    self.take(1, at)?;
                    out.push(token.to_owned());
                }
            }
        }
        Ok(out)
    }

    fn take(&mut self, count: usize, at: u64) -> Result<(), ParseError> {
        self.left = self.left.checked_sub(count).ok_or_else(|| self.exhausted(at))?;
        Ok(())
    }

    fn exhausted(&self, at: u64) -> ParseError {
        ParseError::at(at, format!("the file names more than {MAX_LINES} designators"))
    }
}

enum Shorthand<'a> {
    /// `R1-R4`, `R1-4`: numbers as parsed, `width` the first one's digits when zero-padded.
    Range { prefix: &'a str, first: u64, last: u64, width: usize },
    /// `C17/18/19`: the numbers as written.
    List { prefix: &'a str, numbers: Vec<&'a str> },
}

/// The shorthand `token` is, if it is one: a prefix without digits, `-` or `/`, then numbers.
fn shorthand(token: &str) -> Option<Shorthand<'_>> {
    let digits_at = token.find(|c: char| c.is_ascii_digit())?;
    let (prefix, rest) = token.split_at(digits_at);
    if prefix.is_empty() || prefix.contains(['-', '/']) {
        return None;
    }
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((first, last)) = rest.split_once('-') {
        let last = last.strip_prefix(prefix).unwrap_or(last);
        if !is_number(first) || !is_number(last) {
            return None;
        }
        let width = if first.starts_with('0') { first.len() } else { 0 };
        // Numbers too long for u64 make a range too long for any file.
        let parse = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Shorthand::Range { prefix, first: parse(first), last: parse(last), width });
    }
    let numbers: Vec<&str> = rest.split('/').collect();
    (numbers.len() > 1 && numbers.iter().all(|n| is_number(n))).then_some(Shorthand::List { prefix, numbers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str) -> Result<Vec<String>, ParseError> {
        Budget::default().read(cell, 7)
    }

    #[test]
    fn lists_ranges_and_kicost_shorthands() {
        assert_eq!(read("R1, R2 R3;R4").unwrap(), ["R1", "R2", "R3", "R4"]);
        assert_eq!(read("R1-R4").unwrap(), ["R1", "R2", "R3", "R4"]);
        assert_eq!(read("D33-36").unwrap(), ["D33", "D34", "D35", "D36"]);
        assert_eq!(read("C1, C3-C5").unwrap(), ["C1", "C3", "C4", "C5"]);
        assert_eq!(read("C17/18/19").unwrap(), ["C17", "C18", "C19"]);
        assert_eq!(read("R08-R10").unwrap(), ["R08", "R09", "R10"]);
        assert_eq!(read("R5-R5").unwrap(), ["R5"]);
        for literal in ["LED_BLUE-10", "R1-C4", "U1A", "TP-1", "R1-", "-R1", "J1/A", "10-12"] {
            assert_eq!(read(literal).unwrap(), [literal], "{literal}");
        }
    }

    #[test]
    fn ranges_are_bounded_and_must_run_forwards() {
        let err = read("R1-R999999999").unwrap_err();
        assert_eq!(err.line, Some(7));
        assert_eq!(
            err.message,
            "the designator range `R1-R999999999` names more designators than the 50000 a file may have"
        );
        assert!(read(&format!("R1-R{}", "9".repeat(40))).is_err(), "past u64");
        assert_eq!(read("R4-R1").unwrap_err().message, "the designator range `R4-R1` runs backwards");
        assert_eq!(read(&format!("R1-R{MAX_LINES}")).unwrap().len(), MAX_LINES);
        // The budget is the file's: ranges that fit alone do not fit together.
        let mut budget = Budget::default();
        budget.read("R1-R30000", 2).unwrap();
        let err = budget.read("C1-C30000", 3).unwrap_err();
        assert_eq!(err.to_string(), "line 3: the file names more than 50000 designators");
    }
}
