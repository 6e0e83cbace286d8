//! Design data: reading BOMs out of design files, and turning them into projects.
//!
//! A design file is parsed ([`parse`]) into [`Line`]s — a KiCad component, or a row of a CSV/TSV
//! BOM — which are grouped into [`BomItem`]s: lines with the same MPN (ignoring case and
//! punctuation), or without an MPN the same value and footprint, become one item with all their
//! designators; a component whose MPN lists KiCost sub-parts (`LM358DR; 2:TL072CDR`) is one
//! line per sub-part first. [`project::create_project`] links the items' manufacturer parts to
//! the supply catalogue and stores the project in one transaction.
//!
//! Parsing is pure and bounded (see [`limits`]); a file that cannot be read gives a
//! [`ParseError`] naming the line, column or field at fault, and nothing is stored.

mod designators;
mod error;
pub mod fields;
// The fuzz targets (`fuzz/`) enable `fuzzing`; its tests run on random input in every test run.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod grouping;
mod kicad;
pub mod linking;
mod model;
pub mod project;
mod subparts;
mod table;
mod text;

pub use error::ParseError;
pub use grouping::{group, natural_cmp};
pub use model::{Bom, BomItem, Format, Instance, Line, ManufacturerPart, SupplierPart};

/// Bounds on what one file may hold, so no upload can make the server do unbounded work.
pub mod limits {
    /// Largest design file accepted (the upload endpoint refuses bigger ones before reading them).
    pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
    /// Components (KiCad) or rows (CSV) in one file, and designators (a CSV's ranges such as
    /// `R1-R4` written out).
    pub const MAX_LINES: usize = 50_000;
    /// Sub-parts one component's MPN may list (KiCost's `PART1; 2:PART2`). Each becomes a BOM
    /// line with all the component's designators, so this bounds how much a file can multiply.
    pub const MAX_SUBPARTS: usize = 16;
    /// The quantity one CSV row may state, and one component may need of a sub-part.
    pub const MAX_ROW_QUANTITY: u32 = 1_000_000;
    /// Characters kept of any one value (a description, a field); longer ones are cut.
    pub const MAX_VALUE_CHARS: usize = 1_000;
    /// How deep XML elements may nest. The XML parser recurses once per level, so this bounds its
    /// stack; KiCad exports nest 5 deep.
    pub const MAX_XML_DEPTH: usize = 64;
}

/// Parses a design file, telling its format from its content: XML (a KiCad netlist or BOM
/// export) when it starts with `<`, a CSV/TSV BOM otherwise.
pub fn parse(bytes: &[u8]) -> Result<Bom, ParseError> {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(ParseError::file(format!(
            "the file is {} bytes, more than the limit of {} bytes",
            bytes.len(),
            limits::MAX_FILE_BYTES
        )));
    }
    let text = text::decode(bytes)?;
    text::refuse_nul(&text)?;
    let body = text.trim_start();
    if body.is_empty() {
        return Err(ParseError::file("the file is empty"));
    }
    if body.starts_with('<') { kicad::parse(&text) } else { table::parse(&text) }
}
