//! Currencies and countries: prices are stored in their source currency and converted with the
//! operator's exchange rates for the currency a query asks for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::errors::bad_argument;

/// Units of each currency that one US dollar buys (`EUR = 0.92`). USD is always 1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct ExchangeRates(pub BTreeMap<String, f64>);

impl Default for ExchangeRates {
    fn default() -> Self {
        Self(BTreeMap::from([("USD".to_owned(), 1.0)]))
    }
}

impl ExchangeRates {
    fn rate(&self, currency: &str) -> Option<f64> {
        if currency == "USD" {
            return Some(1.0);
        }
        self.0.get(currency).copied().filter(|r| r.is_finite() && *r > 0.0)
    }

    /// Checks a requested currency: known, or a clear error naming it.
    pub fn check(&self, currency: &str) -> async_graphql::Result<()> {
        match self.rate(currency) {
            Some(_) => Ok(()),
            None => Err(bad_argument(format!(
                "Unknown currency `{currency}`. Known currencies: {}.",
                self.0.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// `amount` in `from`, converted to `to`; with the rate used. A source currency without a
    /// rate is passed through unconverted (rate 1) rather than invented.
    pub fn convert(&self, amount: f64, from: &str, to: &str) -> (f64, String, f64) {
        match (self.rate(from), self.rate(to)) {
            (Some(from_rate), Some(to_rate)) => {
                let rate = to_rate / from_rate;
                (amount * rate, to.to_owned(), rate)
            }
            _ => (amount, from.to_owned(), 1.0),
        }
    }

    /// Validates configured rates: positive, finite, three-letter codes.
    pub fn validate(&self) -> Result<(), String> {
        for (code, rate) in &self.0 {
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(format!("currency code `{code}` must be three upper-case letters"));
            }
            if !rate.is_finite() || *rate <= 0.0 {
                return Err(format!("the rate of `{code}` must be a positive number"));
            }
        }
        Ok(())
    }
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV \
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA \
GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK \
SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS \
YE YT ZA ZM ZW";

pub fn check_country(country: &str) -> async_graphql::Result<()> {
    if country.len() == 2 && COUNTRIES.split_whitespace().any(|c| c == country) {
        Ok(())
    } else {
        Err(bad_argument(format!("Unknown country `{country}`: use an ISO 3166-1 alpha-2 code such as US or DE.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_goes_through_usd() {
        let rates = ExchangeRates(BTreeMap::from([("EUR".into(), 0.5), ("GBP".into(), 0.25)]));
        assert_eq!(rates.convert(10.0, "USD", "EUR"), (5.0, "EUR".into(), 0.5));
        assert_eq!(rates.convert(10.0, "EUR", "GBP"), (5.0, "GBP".into(), 0.5));
        assert_eq!(rates.convert(10.0, "XYZ", "EUR"), (10.0, "XYZ".into(), 1.0));
        assert!(rates.check("EUR").is_ok());
        assert!(rates.check("JPY").is_err());
        assert!(check_country("DE").is_ok());
        assert!(check_country("XX").is_err());
        assert!(check_country("usa").is_err());
    }
}
