//! Scans the vendored corpus and compares with the parse-only floor in the same run.
//!
//! `benches/crates/fetch` first; then `cargo bench --bench scan`. Set `UNBLOCK_CORPUS`
//! to scan another directory and `BENCH_RUNS` to change the number of timed runs;
//! `BENCH_ONLY=floor|shipped|every` runs one variant once (for `benches/peak-rss`).
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cargo_unblock::driver::scan::{scan, ScanOptions};
use cargo_unblock::driver::workspace::discover_paths;
use rayon::prelude::*;

fn main() {
    // As the binary does, before any thread allocates.
    cargo_unblock::driver::allocator::arena_per_core();
    let root = std::env::var_os("UNBLOCK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/crates/vendor"));
    if !root.is_dir() {
        eprintln!(
            "no corpus at {}: run benches/crates/fetch first",
            root.display()
        );
        return;
    }
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let paths = rust_files(&root);
    let (lines, bytes) = paths.iter().fold((0usize, 0usize), |(l, b), p| {
        let text = std::fs::read(p).unwrap_or_default();
        (
            l + memchr::memchr_iter(b'\n', &text).count(),
            b + text.len(),
        )
    });
    // Each vendored crate is a package of its own, with its lib, bins and examples.
    let discovered = discover_paths(std::slice::from_ref(&root), &root, None);
    let files = &discovered.files;
    let threads = rayon::current_num_threads();
    println!(
        "corpus: {} files, {} lines, {:.1} MB, {threads} threads, best of {runs} runs",
        files.len(),
        lines,
        bytes as f64 / 1e6
    );

    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(256 << 20)
        .build()
        .unwrap();
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("floor") => {
            let parsed = pool.install(|| parse_only(&paths));
            println!("parse-only floor: {parsed} files parsed");
            return;
        }
        Ok(variant @ ("shipped" | "every")) => {
            let options = ScanOptions {
                include_tests: true,
                include_examples: true,
                include_benches: true,
                runtime: None,
                jobs: None,
                prefilter: variant == "shipped",
                cpu_loop_threshold: None,
                cache: None,
            };
            let report = scan(&discovered, &options);
            println!("{variant}: {} files checked", report.checked);
            return;
        }
        _ => {}
    }
    let mut parsed = 0;
    let floor = best_of(runs, || parsed = pool.install(|| parse_only(&paths)));
    let options = |prefilter| ScanOptions {
        include_tests: true,
        include_examples: true,
        include_benches: true,
        runtime: None,
        jobs: None,
        prefilter,
        cpu_loop_threshold: None,
        cache: None,
    };
    let mut findings = 0;
    let mut transitive = Default::default();
    let mut transitive_findings = 0;
    let mut struct_files = 0;
    let shipped = best_of(runs, || {
        let report = scan(&discovered, &options(true));
        findings = report.files.iter().map(|f| f.diagnostics.len()).sum();
        transitive_findings = report
            .files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.lint == "transitive_blocking")
            .count();
        transitive = report.transitive;
        struct_files = report.struct_files_parsed;
    });
    let every_file = best_of(runs, || {
        scan(&discovered, &options(false));
    });
    // A re-run on unchanged code: the first run fills the cache, the timed ones read it.
    let cache_dir =
        std::env::temp_dir().join(format!("unblock-bench-cache-{}", std::process::id()));
    let cached_options = ScanOptions {
        cache: Some(cache_dir.clone()),
        ..options(true)
    };
    let cold = best_of(1, || {
        scan(&discovered, &cached_options);
    });
    let mut cached_findings = 0;
    let warm = best_of(runs, || {
        let report = scan(&discovered, &cached_options);
        cached_findings = report.files.iter().map(|f| f.diagnostics.len()).sum();
    });
    let cache_size = std::fs::metadata(cache_dir.join("cache-v1.json")).map_or(0, |m| m.len());
    let _ = std::fs::remove_dir_all(&cache_dir);
    assert_eq!(cached_findings, findings, "the cache changed the findings");

    let row = |name: &str, time: Duration| {
        println!(
            "{name:<34} {:>9.1} ms  {:>6.2}x floor  {:>7.0} files/s",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() / floor.as_secs_f64(),
            files.len() as f64 / time.as_secs_f64()
        );
    };
    row("parse-only floor (read + syn)", floor);
    row("cargo-unblock (as shipped)", shipped);
    row("cargo-unblock (no prefilter)", every_file);
    row("cargo-unblock (first run, filling the cache)", cold);
    row("cargo-unblock (re-run, cache warm)", warm);
    println!("cache: {:.1} MB", cache_size as f64 / 1e6);
    println!(
        "files syn parsed: {parsed} of {}; findings: {findings}; \
         files parsed for struct fields and fn returns (last shipped run): {struct_files}",
        files.len()
    );
    let cargo_unblock::rules::transitive::graph::Stats {
        total,
        parsing,
        files_parsed,
        crates: graph_crates,
        fns,
    } = transitive;
    let share = |d: Duration| 100.0 * d.as_secs_f64() / shipped.as_secs_f64();
    println!(
        "transitive_blocking pass (last shipped run): {:.1} ms = {:.1}% of the scan; \
         of which parsing {files_parsed} more files for their summaries {:.1} ms ({:.1}%), \
         graph of {fns} fns in {graph_crates} crates {:.1} ms ({:.1}%); {transitive_findings} findings",
        total.as_secs_f64() * 1e3,
        share(total),
        parsing.as_secs_f64() * 1e3,
        share(parsing),
        (total - parsing).as_secs_f64() * 1e3,
        share(total - parsing),
    );
}

/// Reads and parses every file with syn, nothing else: the floor a syn-based tool
/// cannot go below without skipping files.
fn parse_only(paths: &[PathBuf]) -> usize {
    paths
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 0;
            };
            let parsed = syn::parse_file(&text).is_ok();
            proc_macro2::extra::invalidate_current_thread_spans();
            usize::from(parsed)
        })
        .sum()
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}
