#![no_main]
//! 1-click BOMs: its header, then the bytes as rows.

libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_design::fuzzing::one_click_bom(data));
