//! The rules every adapter applies before a part reaches the sink, so the importer can trust what
//! it gets whatever the source: a part has an identity, quantities and prices are plausible,
//! links are web links.

use crate::model::{FeedOffer, FeedPart};

/// Largest stock, MOQ or break quantity taken as real; beyond it a number is a data error.
pub(crate) const MAX_QUANTITY: i64 = 1_000_000_000_000;
/// Largest unit price taken as real, in any currency (a 100k USD part is ~15M JPY).
pub(crate) const MAX_PRICE: f64 = 1e9;
/// Longest MPN, manufacturer, seller or SKU taken as real.
const MAX_NAME: usize = 256;

pub(crate) fn quantity(what: &str, value: i64, min: i64) -> Result<i64, String> {
    if value < min {
        Err(format!("{what} {value} is below {min}"))
    } else if value > MAX_QUANTITY {
        Err(format!("{what} {value} is absurd (over {MAX_QUANTITY})"))
    } else {
        Ok(value)
    }
}

pub(crate) fn price(value: f64) -> Result<f64, String> {
    if !value.is_finite() || value <= 0.0 {
        Err(format!("price {value} is not a positive number"))
    } else if value > MAX_PRICE {
        Err(format!("price {value} is absurd (over {MAX_PRICE})"))
    } else {
        Ok(value)
    }
}

/// An ISO 4217 code: three ASCII capitals.
pub(crate) fn currency(code: &str) -> Result<String, String> {
    let code = code.trim();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code.to_owned())
    } else {
        Err(format!("currency {code:?} is not an ISO 4217 code"))
    }
}

/// Trimmed text; `None` when empty.
pub(crate) fn text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// A web link, or `None`: only http(s) links pass, so a feed cannot plant `javascript:` links in
/// pages that show them. Scheme-relative links (`//host/x`) become https.
pub(crate) fn url(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    if let Some(rest) = value.strip_prefix("//") {
        return (!rest.is_empty() && !rest.contains(char::is_whitespace)).then(|| format!("https://{rest}"));
    }
    let scheme_end = value.find("://")?;
    let scheme = &value[..scheme_end];
    let ok = (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        && value.len() > scheme_end + 3
        && !value.contains(char::is_whitespace);
    ok.then(|| value.to_owned())
}

fn name(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || value != value.trim() {
        Err(format!("{what} is empty or has surrounding spaces"))
    } else if value.chars().count() > MAX_NAME {
        Err(format!("{what} is longer than {MAX_NAME} characters"))
    } else {
        Ok(())
    }
}

/// A part as the importer may take it. Adapters build parts that pass; this is the last check.
pub(crate) fn part(part: &FeedPart) -> Result<(), String> {
    name("MPN", &part.mpn)?;
    name("manufacturer", &part.manufacturer)?;
    part.offers.iter().try_for_each(offer)
}

pub(crate) fn offer(offer: &FeedOffer) -> Result<(), String> {
    name("seller", &offer.seller)?;
    name("SKU", &offer.sku)?;
    if let Some(stock) = offer.inventory_level {
        quantity("stock", stock, 0)?;
    }
    if let Some(moq) = offer.moq {
        quantity("MOQ", moq, 1)?;
    }
    if let Some(multiple) = offer.order_multiple {
        quantity("order multiple", multiple, 1)?;
    }
    if let Some(pack) = offer.factory_pack_quantity {
        quantity("factory pack quantity", pack, 1)?;
    }
    if let Some(on_order) = offer.on_order_quantity {
        quantity("on-order quantity", on_order, 0)?;
    }
    if let Some(days) = offer.factory_lead_days {
        quantity("factory lead days", days, 0)?;
    }
    for price_break in &offer.prices {
        quantity("break quantity", price_break.quantity, 1)?;
        price(price_break.price)?;
        currency(&price_break.currency)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_pass() {
        assert_eq!(url(Some(" https://x.io/a.pdf ")).as_deref(), Some("https://x.io/a.pdf"));
        assert_eq!(url(Some("HTTP://x.io")).as_deref(), Some("HTTP://x.io"));
        assert_eq!(url(Some("//mm.digikey.com/a.pdf")).as_deref(), Some("https://mm.digikey.com/a.pdf"));
        for bad in ["javascript:alert(1)", "ftp://x", "x.pdf", "https://", "https://a b", "//", ""] {
            assert_eq!(url(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn quantities_and_prices() {
        assert!(quantity("stock", 0, 0).is_ok());
        assert!(quantity("stock", -1, 0).is_err());
        assert!(quantity("stock", MAX_QUANTITY + 1, 0).is_err());
        assert!(price(0.0001).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 2e9] {
            assert!(price(bad).is_err(), "{bad}");
        }
        assert!(currency("USD").is_ok());
        assert!(currency("usd").is_err());
        assert!(currency("").is_err());
    }
}
