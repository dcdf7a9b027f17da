//! The whole per-file pipeline on arbitrary bytes: decoding, the nesting guard, parse,
//! analysis, suppressions, and every output format. A grammar-aware mutator splices
//! Rust fragments (async bodies, blocking calls, suppression comments, module
//! declarations, unbalanced literals) into real Rust files at line boundaries, beside
//! libFuzzer's own byte-level mutations.
#![no_main]

use cargo_unblock::report::all_formats;
use cargo_unblock::catalog::runtime::Runtime;
use cargo_unblock::driver::check::check_bytes;
use cargo_unblock::driver::scan::ScanReport;
use libfuzzer_sys::{fuzz_mutator, fuzz_target};

const FRAGMENTS: &[&str] = &[
    "async fn f() {",
    "}",
    "{",
    "async move {",
    ".await",
    "std::thread::sleep(std::time::Duration::from_millis(1));",
    "let _ = std::fs::read_to_string(\"x\");",
    "tokio::task::spawn_blocking(move || {",
    "});",
    "let g = m.lock().unwrap();",
    "loop {",
    "for i in 0..1_000_000 {",
    "use std::fs;",
    "use super::*;",
    "use crate::a::b;",
    "mod m;",
    "#[path = \"x.rs\"]",
    "impl S {",
    "fn helper() { crate::helper(); }",
    "self.helper();",
    "Self::helper();",
    "// unblock: allow(blocking_fs) -- reason",
    "// unblock: expect(thread_sleep)",
    "// unblock: allow-file(",
    "#[cfg_attr(any(), unblock::allow(blocking_fs))]",
    "/// unblock: blocking",
    "#[diagnostic::blocking]",
    "tokio::select! { _ = a => {}, }",
    "r#\"",
    "\"",
    "'",
    "/*",
    "*/",
    "\u{feff}",
    "\r\n",
    "#!/usr/bin/env run",
    "|| ",
    "!!!!!!!!",
    "<<<<",
    "else if a {} else if b {}",
];

fn next(state: &mut u32) -> u32 {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    *state
}

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut state = seed | 1;
    if next(&mut state) % 3 == 0 {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let mut bytes = data[..size].to_vec();
    let lines: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let at = lines[next(&mut state) as usize % lines.len()];
    match next(&mut state) % 3 {
        0 => {
            let fragment = FRAGMENTS[next(&mut state) as usize % FRAGMENTS.len()];
            let mut insert = fragment.as_bytes().to_vec();
            insert.push(b'\n');
            bytes.splice(at..at, insert);
        }
        1 => {
            // Duplicate a line.
            let end = bytes[at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| at + n + 1);
            let line = bytes[at..end].to_vec();
            bytes.splice(at..at, line);
        }
        _ => {
            // Delete a line.
            let end = bytes[at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| at + n + 1);
            bytes.drain(at..end);
        }
    }
    if bytes.len() > max_size {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    data[..bytes.len()].copy_from_slice(&bytes);
    bytes.len()
});

fuzz_target!(|data: &[u8]| {
    let mut report = ScanReport {
        checked: 1,
        parsed: 1,
        ..ScanReport::default()
    };
    report
        .files
        .push(check_bytes("fuzz.rs", data, Runtime::Tokio));
    all_formats(&report, &mut Vec::new()).unwrap();
});
