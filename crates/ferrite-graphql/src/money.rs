//! Currencies and countries a query asks for, checked at the edge: the money rules themselves
//! are `ferrite_core::money`'s.

use ferrite_core::money::ExchangeRates;

use crate::errors::bad_argument;

/// A requested currency, upper-cased (`eur` is EUR): known to the rates, or a clear error naming
/// the known ones.
pub fn check_currency(rates: &ExchangeRates, currency: &str) -> async_graphql::Result<String> {
    let code = currency.trim().to_ascii_uppercase();
    rates.check(&code).map_err(|err| bad_argument(err.to_string()))?;
    Ok(code)
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV \
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA \
GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK \
SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS \
YE YT ZA ZM ZW";

/// Regions that Nexar clients send where a country goes (the Nexar Java demo sends `EURO`), and
/// Nexar answers them: Ferrite serves every offer whatever the country, so they pass like one.
const REGIONS: [&str; 2] = ["EURO", "EU"];

/// A requested country: an ISO 3166-1 alpha-2 code in any case (`DE`, `de`) or a region of
/// [`REGIONS`]; anything else is a clear error. Ferrite's offers are not per country: the value
/// only has to be one a client means.
pub fn check_country(country: &str) -> async_graphql::Result<()> {
    let code = country.trim().to_ascii_uppercase();
    let iso = code.len() == 2 && COUNTRIES.split_whitespace().any(|c| c == code);
    if iso || REGIONS.contains(&code.as_str()) {
        Ok(())
    } else {
        Err(bad_argument(format!(
            "Unknown country `{country}`: use an ISO 3166-1 alpha-2 code such as US or DE (or EURO for Europe)."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_iso_codes_or_regions_and_currencies_known_rates() {
        for sent in ["DE", "de", " US ", "EURO", "euro", "EU"] {
            assert!(check_country(sent).is_ok(), "{sent}");
        }
        assert!(check_country("XX").is_err());
        assert!(check_country("usa").is_err());
        assert!(check_country("").is_err());
        assert_eq!(check_currency(&ExchangeRates::default(), "USD").unwrap(), "USD");
        assert!(check_currency(&ExchangeRates::default(), "JPY").is_err());
        let rates = ferrite_core::money::reference_rates();
        assert_eq!(check_currency(&rates, "eur").unwrap(), "EUR");
        assert!(check_currency(&rates, "XYZ").unwrap_err().message.starts_with("Unknown currency `XYZ`."));
    }
}
