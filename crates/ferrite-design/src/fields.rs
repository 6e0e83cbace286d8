//! What a KiCad field or a CSV column means, whatever its spelling: `manf#`, `MPN`, `Mfg_Part_No`
//! and `Manufacturer PN` are all the part number; `manf`, `Manufacturer`, `MFG1` the maker.
//!
//! Names are compared normalised: lower case, without spaces, `_`, `-` and `.`, without trailing
//! digits (so numbered columns such as `MPN2` and `MFG1` count, and 1-click BOM's escaped
//! spellings such as `MP_N2` and `Mouse_r1` too), `#` kept (`manf#` is a part number, `manf` a
//! manufacturer), a `kicost:` prefix dropped. A name with another prefix (`kicost.variant1:manf`)
//! belongs to one variant of the design and is not read.

/// The meaning of a field or column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Mpn,
    Manufacturer,
    Description,
    Value,
    Footprint,
    Quantity,
    References,
    /// A distributor's order code; the distributor's name.
    Sku(&'static str),
    /// The name of a distributor whose code is in a `SupplierSku` field (`Supplier`, `Supplier 1`).
    Supplier,
    SupplierSku,
    /// Marks a component "do not populate" when true (`dnp`, `NOPOP`).
    DoNotPopulate,
    /// Marks a component "do not populate" when false (`INSTALL`, `Fitted`).
    Populate,
    ExcludeFromBom,
    Other,
}

const MPN: &[&str] = &[
    "mpn",
    "manf#",
    "mfg#",
    "mfr#",
    "mnf#",
    "man#",
    "part#",
    "p#",
    "pn",
    "partnum",
    "manfnum",
    "mnfnum",
    "mfrnum",
    "mfgnum",
    "mannum",
    "manfpn",
    "manufacturerpn",
    "manufacturerpartnumber",
    "manufacturerpartno",
    "manufacturer#",
    "mfgpartno",
    "mfgpartnumber",
    "mfgpn",
    "mfrpartno",
    "mfrpartnumber",
    "mfrpn",
    "manfpartnumber",
];
const MANUFACTURER: &[&str] = &[
    "manf",
    "manufacturer",
    "mnf",
    "man",
    "mfg",
    "mfr",
    "manufacturername",
    "mfgname",
    "mfrname",
    "manfname",
    "maker",
];
const DESCRIPTION: &[&str] = &["description", "desc", "descr"];
const VALUE: &[&str] = &["value", "val"];
const FOOTPRINT: &[&str] = &["footprint", "package", "pcbfootprint", "case"];
const QUANTITY: &[&str] = &["qty", "quantity", "count", "qnty", "amount"];
const REFERENCES: &[&str] = &[
    "references",
    "reference",
    "refs",
    "ref",
    "designator",
    "designators",
    "refdes",
    "refdesignator",
    "referencedesignator",
    "referencedesignators",
];
/// Distributor columns and fields (`digikey#`, `Mouser`, `Mouser PN`) and the name they stand for.
const SELLERS: &[(&str, &str)] = &[
    ("digikey", "Digi-Key"),
    ("mouser", "Mouser"),
    ("rs", "RS Components"),
    ("newark", "Newark"),
    ("farnell", "Farnell"),
    ("element14", "element14"),
    ("lcsc", "LCSC"),
    ("tme", "TME"),
    ("arrow", "Arrow"),
    ("avnet", "Avnet"),
    ("avneteu", "Avnet"),
    ("chip1stop", "Chip1Stop"),
    ("onlinecomponents", "Onlinecomponents.com"),
];
const DNP: &[&str] = &["dnp", "nopop", "dnf", "donotpopulate", "donotplace", "donotfit", "nofit"];
const POPULATE: &[&str] = &["install", "fitted", "populate", "fit", "mount", "place"];

/// The normalised form of a field or column name, or `None` for a variant-specific field.
pub fn normalize(name: &str) -> Option<String> {
    let name = name.trim().to_lowercase();
    let name = name.strip_prefix("kicost:").unwrap_or(&name);
    if name.contains(':') {
        return None;
    }
    let squeezed: String = name.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).collect();
    let trimmed = squeezed.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(if trimmed.is_empty() { squeezed } else { trimmed.to_owned() })
}

/// What a field or column named `name` holds.
pub fn classify(name: &str) -> FieldKind {
    let Some(key) = normalize(name) else { return FieldKind::Other };
    let key = key.as_str();
    let is = |list: &[&str]| list.contains(&key);
    if is(MPN) {
        FieldKind::Mpn
    } else if is(MANUFACTURER) {
        FieldKind::Manufacturer
    } else if is(DESCRIPTION) {
        FieldKind::Description
    } else if is(VALUE) {
        FieldKind::Value
    } else if is(FOOTPRINT) {
        FieldKind::Footprint
    } else if is(QUANTITY) {
        FieldKind::Quantity
    } else if is(REFERENCES) {
        FieldKind::References
    } else if is(DNP) {
        FieldKind::DoNotPopulate
    } else if is(POPULATE) {
        FieldKind::Populate
    } else if key == "excludefrombom" {
        FieldKind::ExcludeFromBom
    } else if key == "supplier" || key == "distributor" {
        FieldKind::Supplier
    } else if ["supplierpartnumber", "supplierpn", "supplier#", "distributorpartnumber", "distributorpn"].contains(&key)
    {
        FieldKind::SupplierSku
    } else if let Some(seller) = seller(key) {
        FieldKind::Sku(seller)
    } else {
        FieldKind::Other
    }
}

/// `digikey`, `digikey#`, `digikeypn`, `mouserpartnumber` → the distributor.
fn seller(key: &str) -> Option<&'static str> {
    let base = ["#", "pn", "partnumber", "partno", "sku"]
        .iter()
        .find_map(|suffix| key.strip_suffix(suffix).filter(|b| !b.is_empty()))
        .unwrap_or(key);
    SELLERS.iter().find(|(k, _)| *k == base).map(|(_, name)| *name)
}

/// Whether a flag field's value means yes (`1`, `yes`, `true`, `x`, `dnp`; or present and empty
/// when `empty_is_yes`, as a KiCad property without a value is).
pub fn truthy(value: &str, empty_is_yes: bool) -> bool {
    match value.trim().to_lowercase().as_str() {
        "" => empty_is_yes,
        "0" | "n" | "no" | "false" | "f" | "off" => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_part_number_and_the_manufacturer() {
        for mpn in [
            "manf#",
            "Manf#",
            "MPN",
            "mpn",
            "Mfg_Part_No",
            "Manufacturer PN",
            "MPN2",
            "MP_N3",
            "mfg#",
            "part-num",
            "kicost:manf#",
            "PartNum",
        ] {
            assert_eq!(classify(mpn), FieldKind::Mpn, "{mpn}");
        }
        for maker in ["manf", "Manufacturer", "MFG1", "MFR", "mnf", "kicost:manf"] {
            assert_eq!(classify(maker), FieldKind::Manufacturer, "{maker}");
        }
        assert_eq!(classify("kicost.variant1:manf"), FieldKind::Other, "variant-specific");
        assert_eq!(classify("Part Number"), FieldKind::Other, "often an in-house number");
    }

    #[test]
    fn distributor_columns_flags_and_the_rest() {
        assert_eq!(classify("digikey#"), FieldKind::Sku("Digi-Key"));
        assert_eq!(classify("Digike_y1"), FieldKind::Sku("Digi-Key"));
        assert_eq!(classify("Mouse_r"), FieldKind::Sku("Mouser"));
        assert_eq!(classify("LCS_C2"), FieldKind::Sku("LCSC"));
        assert_eq!(classify("Chip1stop"), FieldKind::Sku("Chip1Stop"));
        assert_eq!(classify("Supplier Part Number"), FieldKind::SupplierSku);
        assert_eq!(classify("Supplier 1"), FieldKind::Supplier);
        assert_eq!(classify("References"), FieldKind::References);
        assert_eq!(classify("Qty"), FieldKind::Quantity);
        assert_eq!(classify("NOPOP"), FieldKind::DoNotPopulate);
        assert_eq!(classify("INSTALL"), FieldKind::Populate);
        assert_eq!(classify("Exclude from BOM"), FieldKind::ExcludeFromBom);
        assert_eq!(classify("Datasheet2"), FieldKind::Other);
        assert!(truthy("1", false) && truthy("Yes", false) && !truthy("0", false) && !truthy("", false));
        assert!(truthy("", true) && !truthy("N", true));
    }
}
