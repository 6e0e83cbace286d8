#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_supply::fuzzing::search_query(data));
