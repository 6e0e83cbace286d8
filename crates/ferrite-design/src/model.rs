//! What a design file says, before and after grouping.

/// A manufacturer's part: who makes it and its part number (MPN).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManufacturerPart {
    /// Empty when the file names no manufacturer.
    pub manufacturer: String,
    pub mpn: String,
}

/// A distributor's order code for the line (a 1-click BOM's `Digikey` column, KiCad's `digikey#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupplierPart {
    pub seller: String,
    pub sku: String,
}

/// One line of a design file: a KiCad component, or a CSV row (which may stand for several).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    /// 1-based line in the file where it starts.
    pub line: u64,
    pub designators: Vec<String>,
    /// False for a component marked "do not populate".
    pub fitted: bool,
    /// The quantity a CSV row states; without one a line counts its designators (at least 1).
    pub quantity: Option<u32>,
    pub value: String,
    pub footprint: String,
    /// The library symbol (KiCad `libsource part`).
    pub symbol: String,
    pub description: String,
    /// In the file's order: the first is the preferred choice, the others alternates. Part numbers
    /// and distributor codes are as the file writes them, KiCost sub-parts included
    /// (`LM358DR; 2:TL072CDR`), which grouping splits into lines of their own.
    pub parts: Vec<ManufacturerPart>,
    pub supplier_parts: Vec<SupplierPart>,
}

impl Line {
    /// The components this line stands for.
    pub fn units(&self) -> u64 {
        self.quantity.map_or_else(|| self.designators.len().max(1) as u64, u64::from)
    }

    /// Whether it names at least one MPN.
    pub fn has_mpn(&self) -> bool {
        self.parts.iter().any(|p| !p.mpn.is_empty())
    }
}

/// One placement of a BOM item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub designator: String,
    pub fitted: bool,
}

/// Lines with the same MPN — or, without one, the same value and footprint — as one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomItem {
    /// What the item is called: its value, else its MPN, else its symbol or description.
    pub name: String,
    pub description: String,
    /// The value as the file gives it (`10k`, `100nF`); a KiCost sub-part's says which one it is
    /// (`Conn_01x06 - p2/3`).
    pub value: String,
    pub footprint: String,
    /// Fitted components (CSV rows: the stated quantities), times what one needs of a KiCost
    /// sub-part, rounded up to whole parts.
    pub quantity: u32,
    pub instances: Vec<Instance>,
    pub parts: Vec<ManufacturerPart>,
    pub supplier_parts: Vec<SupplierPart>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    KicadXml,
    /// CSV, TSV or another delimited table; the delimiter found.
    Table {
        delimiter: u8,
    },
}

impl Format {
    pub fn label(self) -> String {
        match self {
            Format::KicadXml => "KiCad XML".to_owned(),
            Format::Table { delimiter: b'\t' } => "TSV".to_owned(),
            Format::Table { delimiter: b',' } => "CSV".to_owned(),
            Format::Table { delimiter } => format!("CSV ({} separated)", delimiter as char),
        }
    }
}

/// A parsed design file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bom {
    pub format: Format,
    /// What the file says about the design (KiCad: title, company, revision, tool, date).
    pub parameters: Vec<(String, String)>,
    pub items: Vec<BomItem>,
    /// Components in the file (a CSV row counts its quantity; a component made of sub-parts
    /// counts once) ...
    pub components: u64,
    /// ... and how many of them name an MPN.
    pub components_with_mpn: u64,
}
