#![no_main]
//! Every JSON feed on documents nested up to 130,560 levels deep, on a small stack.

libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_supply::fuzzing::json_nesting(data));
