#![no_main]
//! Any design file, its format told from its content as uploads are, on a small stack: refused
//! with an error or a BOM that keeps its promises, and never a stack overflow.

libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_design::fuzzing::any_file(data));
