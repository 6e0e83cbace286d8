//! Spec values and attribute names as sources write them: the SI value of a display value
//! (`10 kΩ` → 10000) for numeric filters and sorting, and Nexar-style attribute shortnames
//! (`Max Voltage Rating (DC)` → `maxvoltagerating_dc_`) for sources that have none.

/// The SI value of a display value holding one number and an optional unit:
/// `10kΩ` → 10000, `100nF` → 1e-7, `4.7µF` → 4.7e-6, `85 °C` → 85, `1 Mcycles` → 1e6, `1%` → 1.
///
/// `m` is milli and `M` mega. A prefix is only read as one when a known unit follows it (`mN`,
/// `kOhms`, `MSPS`) or when it stands alone after the number (`4.7k`), so counts and words keep
/// their value (`8 pins` → 8, `100 ppm` → 100, `2 m` is two metres). A unit's denominator
/// counts too (`1 kV/µs` → 1e9). Ranges (`2V~36V`), lists (`10;12;14`), tolerances (`±5%`),
/// coupled values (`1 V @ 10 mA`) and words give `None`: they are not one number.
pub fn si_value(display: &str) -> Option<f64> {
    let (number, rest) = leading_number(display.trim())?;
    let unit = rest.trim();
    if unit.chars().any(|c| c.is_ascii_digit() || NOT_ONE_NUMBER.contains(&c)) {
        return None;
    }
    let value = number * unit_factor(unit)?;
    value.is_finite().then_some(value)
}

/// Characters that make a display value a range, a list, a tolerance or a coupled value.
const NOT_ONE_NUMBER: &[char] = &['~', '～', ';', ',', '、', '@', '±', '|', '…'];

/// Splits `-4.7e3kΩ` into -4700 and `kΩ`. Needs at least one digit.
fn leading_number(s: &str) -> Option<(f64, &str)> {
    let bytes = s.as_bytes();
    let mut text = String::with_capacity(16);
    let mut i = 0;
    if let Some(rest) = s.strip_prefix('−') {
        // U+2212 MINUS SIGN, as typeset data sheets write it.
        text.push('-');
        i = s.len() - rest.len();
    } else if matches!(bytes.first(), Some(b'-' | b'+')) {
        text.push(bytes[0] as char);
        i = 1;
    }
    let mut digits = 0;
    let mut dot = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot => dot = true,
            _ => break,
        }
        text.push(b as char);
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    // An exponent only when digits follow, so `5E` or `2 e-fuse` stay units.
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'-' | b'+')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            let mut j = i + 1 + sign;
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            text.push_str(&s[i..j]);
            i = j;
        }
    }
    Some((text.parse().ok()?, &s[i..]))
}

/// The factor a unit applies: its prefix, divided by its denominator's prefix.
fn unit_factor(unit: &str) -> Option<f64> {
    let word = unit.split_whitespace().next().unwrap_or("");
    match word.split_once('/') {
        Some((numerator, denominator)) => Some(prefix_factor(numerator, true) / prefix_factor(denominator, false)),
        None => Some(prefix_factor(word, true)),
    }
}

fn prefix_factor(word: &str, lone_prefix_allowed: bool) -> f64 {
    if word.is_empty() || KNOWN_UNITS.contains(&word) {
        return 1.0;
    }
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return 1.0 };
    let Some(factor) = prefix(first) else { return 1.0 };
    let rest = chars.as_str();
    if KNOWN_UNITS.contains(&rest) || (rest.is_empty() && lone_prefix_allowed && LONE_PREFIXES.contains(&first)) {
        factor
    } else {
        1.0
    }
}

/// The factor an SI prefix letter stands for (`m` milli, `M` mega).
pub fn prefix(c: char) -> Option<f64> {
    Some(match c {
        'f' => 1e-15,
        'p' => 1e-12,
        'n' => 1e-9,
        'u' | 'µ' | 'μ' => 1e-6,
        'm' => 1e-3,
        'k' | 'K' => 1e3,
        'M' => 1e6,
        'G' => 1e9,
        'T' => 1e12,
        _ => return None,
    })
}

/// Prefixes that mean themselves after a number (`4.7k`, `1M`). Not `m` (metre), `K` (kelvin)
/// or `T` (tesla).
const LONE_PREFIXES: &[char] = &['k', 'M', 'G', 'u', 'µ', 'μ', 'n', 'p'];

/// Units a prefix may stand before. Anything else after a number is a plain word (`pins`,
/// `ppm`, `°C`, `%`) and keeps the number as it is.
const KNOWN_UNITS: &[&str] = &[
    "Ω", "Ω", "ohm", "ohms", "Ohm", "Ohms", "OHM", "OHMS", "F", "H", "V", "VAC", "VDC", "Vac", "Vdc", "Vpp", "Vp-p",
    "Vrms", "A", "Arms", "W", "VA", "Hz", "s", "sec", "m", "g", "N", "Pa", "J", "C", "S", "Wh", "Ah", "T", "lm", "lx",
    "cd", "b", "B", "bit", "bits", "byte", "bytes", "bps", "Bps", "sps", "SPS", "Sps", "cycles", "Cycles",
];

/// `display` restated in `symbol` as Octopart shows a quantity: the number, a space and the unit,
/// with the SI prefix that leaves 1 to 999 before units that take one (`0.1W` → `100 mW`,
/// `10kOhms` → `10 kΩ`, `22ppm/℃` → `22 ppm/°C`). A symmetric `±` goes, as Octopart writes a
/// tolerance by its magnitude (`±1%` → `1 %`), and a list of one value spelled several ways
/// becomes that value (DigiKey's `0.125W, 1/8W`, `0.026" (0.65mm)`). `None` for anything else: ranges, coupled
/// values, words, or another unit.
pub fn restate(display: &str, symbol: &str) -> Option<String> {
    // DigiKey follows inches with the metric value in brackets: `0.100" (2.54mm)`.
    if let Some(inner) = display.trim().strip_suffix(')').and_then(|d| d.rsplit_once('(')).map(|(_, inner)| inner)
        && let Some(metric) = restate(inner, symbol)
    {
        return Some(metric);
    }
    // U+2103 DEGREE CELSIUS and U+2126 OHM SIGN, as Chinese data sheets write them.
    let display = display.trim().replace('\u{2103}', "°C").replace('\u{2126}', "Ω");
    let display = display.strip_prefix('±').unwrap_or(&display);
    let mut values = display.split(", ").map(|item| quantity_in(item.trim(), symbol));
    let value = values.next()??;
    for other in values {
        let other = other?;
        if (other - value).abs() > value.abs() * 1e-9 {
            return None;
        }
    }
    if PREFIXED_UNITS.contains(&symbol) {
        Some(with_prefix(value, symbol))
    } else {
        Some(format!("{} {symbol}", decimal(value)))
    }
}

/// The value of `item` (`4.7kΩ`, `1/8W`) in `symbol`, if it is one number in that unit.
fn quantity_in(item: &str, symbol: &str) -> Option<f64> {
    let (mut number, rest) = leading_number(item)?;
    let rest = match rest.strip_prefix('/').map(leading_number) {
        Some(Some((denominator, rest))) if denominator != 0.0 => {
            number /= denominator;
            rest
        }
        Some(_) => return None,
        None => rest,
    };
    let unit = rest.trim();
    let unit =
        OHM_WORDS.iter().find_map(|w| unit.strip_suffix(w).map(|p| format!("{p}Ω"))).unwrap_or_else(|| unit.to_owned());
    if unit == symbol {
        return Some(number);
    }
    let mut chars = unit.chars();
    let factor = prefix(chars.next()?)?;
    (chars.as_str() == symbol && PREFIXED_UNITS.contains(&symbol)).then_some(number * factor)
}

/// How sources spell ohms out (`10 kOhms`).
const OHM_WORDS: &[&str] = &["Ohms", "ohms", "OHMS", "Ohm", "ohm", "OHM"];

/// Units shown with an SI prefix; the others (`%`, `°C`, `ppm/°C`, `cycles`) keep their number.
const PREFIXED_UNITS: &[&str] = &["Ω", "F", "H", "V", "A", "W", "Hz", "m", "s", "g", "N", "cd"];

/// `0.0625`, `W` → `62.5 mW`: the prefix that leaves 1 to 999 before the unit.
pub fn with_prefix(value: f64, unit: &str) -> String {
    const PREFIXES: [(f64, &str); 9] = [
        (1e-12, "p"),
        (1e-9, "n"),
        (1e-6, "µ"),
        (1e-3, "m"),
        (1.0, ""),
        (1e3, "k"),
        (1e6, "M"),
        (1e9, "G"),
        (1e12, "T"),
    ];
    if value == 0.0 {
        return format!("0 {unit}");
    }
    let magnitude = value.abs() * (1.0 + 1e-9);
    let (scale, prefix) = PREFIXES.iter().rev().find(|(scale, _)| magnitude >= *scale).copied().unwrap_or(PREFIXES[0]);
    format!("{} {prefix}{unit}", decimal(value / scale))
}

/// Up to six decimals, without trailing zeros.
pub fn decimal(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.into() }
}

/// A Nexar-style attribute shortname: whitespace removed, ASCII letters and digits lowercased,
/// every other character replaced by `_` (`Life (Cycles)` → `life_cycles_`,
/// `Turn-On Delay Time` → `turn_ondelaytime`). A few attributes carry older names in Nexar that
/// no rule derives; those are reproduced as Nexar has them (`Schedule B` → `scheduleB`).
pub fn shortname(attribute_name: &str) -> String {
    if let Some((_, short)) = NEXAR_NAMED.iter().find(|(name, _)| *name == attribute_name) {
        return (*short).to_owned();
    }
    attribute_name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect()
}

/// Attribute names whose Nexar shortname does not follow the rule (seen in real Nexar output).
pub const NEXAR_NAMED: &[(&str, &str)] = &[
    ("Schedule B", "scheduleB"),
    ("Max Junction Temperature (Tj)", "maxjunctiontemperature"),
    ("Manufacturer Package Identifier", "mfgpackage_id"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(display: &str, expected: f64) {
        let got = si_value(display).unwrap_or_else(|| panic!("{display:?} gave None"));
        assert!((got - expected).abs() <= expected.abs() * 1e-12, "{display:?}: {got} != {expected}");
    }

    #[test]
    fn one_number_with_a_unit() {
        for (display, expected) in [
            ("10kΩ", 1e4),
            ("10 kΩ", 1e4),
            ("100nF", 1e-7),
            ("4.7uF", 4.7e-6),
            ("4.7µF", 4.7e-6),
            ("4.7μF", 4.7e-6),
            ("50 mA", 0.05),
            ("12 V", 12.0),
            ("1.3us", 1.3e-6),
            ("85 °C", 85.0),
            ("-40℃", -40.0),
            ("1 Mcycles", 1e6),
            ("2", 2.0),
            ("0.25uA", 2.5e-7),
            ("1%", 1.0),
            ("8.2mΩ", 0.0082),
            ("1 GHz", 1e9),
            ("10 kOhms", 1e4),
            ("1.2 kOhms", 1200.0),
            ("980 mN", 0.98),
            ("5.8 mm", 0.0058),
            ("4.7k", 4700.0),
            ("1M", 1e6),
            ("+85℃", 85.0),
            ("−55 °C", -55.0),
            (".5 W", 0.5),
            ("1e3 Hz", 1000.0),
            ("10 MSPS", 1e7),
            ("1 kV/µs", 1e9),
            ("12 VDC", 12.0),
            ("2 Channels", 2.0),
            ("8 pins", 8.0),
            ("100 ppm", 100.0),
            ("2 m", 2.0),
            ("6500 K", 6500.0),
            ("5 min", 5.0),
            ("-3 dB", -3.0),
            ("2000 mAh", 2.0),
            ("62.5mW", 0.0625),
        ] {
            close(display, expected);
        }
    }

    #[test]
    fn quantities_restated_as_octopart_shows_them() {
        for (display, symbol, expected) in [
            ("±1%", "%", Some("1 %")),
            ("0.5%", "%", Some("0.5 %")),
            ("10kΩ", "Ω", Some("10 kΩ")),
            ("10 kOhms", "Ω", Some("10 kΩ")),
            ("4.7uF", "F", Some("4.7 µF")),
            ("0.1W", "W", Some("100 mW")),
            ("0.125W, 1/8W", "W", Some("125 mW")),
            ("±100ppm/℃", "ppm/°C", Some("100 ppm/°C")),
            ("50V", "V", Some("50 V")),
            ("1 kΩ", "Ω", Some("1 kΩ")),
            ("99.988768 mg", "g", Some("99.988768 mg")),
            ("0.100\" (2.54mm)", "m", Some("2.54 mm")),
            ("(1 W)", "W", Some("1 W")),
            ("0.079\" L x 0.049\" W (2.00mm x 1.25mm)", "m", None),
            ("-20%~+80%", "%", None),
            ("2.5MHz, 1.25MHz", "Hz", None),
            ("9.1mΩ@4.5V", "Ω", None),
            ("X7R", "ppm/°C", None),
            ("50 mA", "V", None),
            ("1/0W", "W", None),
        ] {
            assert_eq!(restate(display, symbol).as_deref(), expected, "{display:?} in {symbol}");
        }
    }

    #[test]
    fn si_prefixes() {
        assert_eq!(with_prefix(1e9, "Hz"), "1 GHz");
        assert_eq!(with_prefix(-0.001, "A"), "-1 mA");
        assert_eq!(with_prefix(1e-13, "F"), "0.1 pF");
        assert_eq!(with_prefix(0.0, "V"), "0 V");
        assert_eq!(with_prefix(4700.0, "Ω"), "4.7 kΩ");
    }

    #[test]
    fn not_one_number() {
        for display in [
            "-40℃~+85℃",
            "2V~36V",
            "10;12;14",
            "±5%",
            "1 V @ 10 mA",
            "Lead Free",
            "",
            "-",
            "N/A",
            "SOT-23",
            "3 x 3 mm",
            "4k7",
            "-18V~-1V、1V~18V",
            "1e999",
            "inf",
            "NaN",
        ] {
            assert_eq!(si_value(display), None, "{display:?}");
        }
    }

    #[test]
    fn shortnames_follow_nexar() {
        for (name, short) in [
            ("Max Voltage Rating (DC)", "maxvoltagerating_dc_"),
            ("Life (Cycles)", "life_cycles_"),
            ("Actuator Length", "actuatorlength"),
            ("Case/Package", "case_package"),
            ("Turn-On Delay Time", "turn_ondelaytime"),
            ("Contact Finish Thickness - Mating", "contactfinishthickness_mating"),
            ("RoHS", "rohs"),
            ("Schedule B", "scheduleB"),
            ("Résistance", "r_sistance"),
        ] {
            assert_eq!(shortname(name), short, "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn si_value_never_panics(display in ".{0,40}") {
            let _ = si_value(&display);
        }

        #[test]
        fn si_value_never_panics_on_plausible_values(
            display in r"[-+−]?[0-9]{0,4}\.?[0-9]{0,3}([eE][-+]?[0-9]{0,3})? ?[fpnuµμmkKMGT]?[ΩVAFHzsm°℃%/a-zA-Z]{0,5}"
        ) {
            if let Some(value) = si_value(&display) {
                prop_assert!(value.is_finite());
            }
        }

        #[test]
        fn shortname_is_lowercase_alphanumerics_and_underscores(name in ".{0,40}") {
            let short = shortname(&name);
            let named = NEXAR_NAMED.iter().any(|(_, s)| *s == short);
            prop_assert!(named || short.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{short:?}");
        }
    }
}
