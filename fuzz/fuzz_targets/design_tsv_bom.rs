#![no_main]
//! TSV BOMs as spreadsheets export them: a tab-delimited header, then the bytes as rows.

libfuzzer_sys::fuzz_target!(|data: &[u8]| ferrite_design::fuzzing::tsv_bom(data));
