#![no_main]
//! CSV/TSV BOMs (1-click BOM included): any bytes are refused with an error or give a BOM that
//! keeps its promises.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferrite_design::fuzzing::csv_bom(data);
});
