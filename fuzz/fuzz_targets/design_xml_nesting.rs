#![no_main]
//! KiCad XML nested thousands of levels deep around the data, on a small stack: refused
//! before the XML parser recurses.

libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_design::fuzzing::xml_nesting(data));
