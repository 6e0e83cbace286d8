#![no_main]
//! KiCad netlist/BOM XML: any bytes are refused with an error or give a BOM that keeps its promises.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ferrite_design::fuzzing::kicad_xml(data);
});
