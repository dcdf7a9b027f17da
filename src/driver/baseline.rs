//! Baselines: record today's findings, then report only new ones.
//!
//! A finding is keyed by what survives unrelated edits: its lint, its file (relative to
//! the workspace root), the fn it is in, and a hash of the offending code with all
//! whitespace removed, plus an occurrence number among findings with the same key.
//! Lines added above it, reformatting, or moving the fn within the file change none
//! of these.
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::diagnostic::Level;
use crate::driver::scan::{FileReport, ScanReport};

/// The baseline file.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub lint: String,
    #[serde(rename = "fn")]
    pub function: String,
    /// FNV-1a of the offending code without whitespace, in hex.
    pub code_hash: String,
    /// 1 for the first finding with this key in the file, 2 for the next...
    pub occurrence: u32,
}

const VERSION: u32 = 1;

/// The entries of every shown finding of `report` (in report order, one per finding).
pub fn entries(report: &ScanReport, relative: &dyn Fn(&Path) -> String) -> Vec<Vec<Entry>> {
    report
        .files
        .iter()
        .map(|file| file_entries(file, &relative(&file.source.path)))
        .collect()
}

fn file_entries(file: &FileReport, path: &str) -> Vec<Entry> {
    let fns = fn_ranges(&file.source.text);
    let mut seen: HashMap<(String, String, String), u32> = HashMap::new();
    file.diagnostics
        .iter()
        .map(|d| {
            let range = d.primary.clone().unwrap_or(0..0);
            let function = fns
                .iter()
                .filter(|(r, _)| r.start <= range.start && range.end <= r.end)
                .min_by_key(|(r, _)| r.end - r.start)
                .map(|(_, name)| name.clone())
                .unwrap_or_default();
            let code: String = file
                .source
                .text
                .get(range)
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let code_hash = format!("{:016x}", fnv1a(code.as_bytes()));
            let key = (d.lint.clone(), function.clone(), code_hash.clone());
            let occurrence = seen.entry(key).or_insert(0);
            *occurrence += 1;
            Entry {
                file: path.to_string(),
                lint: d.lint.clone(),
                function,
                code_hash,
                occurrence: *occurrence,
            }
        })
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every fn and method of the text with its byte range and name (`Type::method`).
fn fn_ranges(text: &str) -> Vec<(Range<usize>, String)> {
    struct Fns {
        out: Vec<(Range<usize>, String)>,
        self_ty: Option<String>,
    }
    impl<'ast> Visit<'ast> for Fns {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.out
                .push((f.span().byte_range(), f.sig.ident.to_string()));
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
            let name = match &*i.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let saved = std::mem::replace(&mut self.self_ty, name);
            syn::visit::visit_item_impl(self, i);
            self.self_ty = saved;
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            let name = match &self.self_ty {
                Some(ty) => format!("{ty}::{}", f.sig.ident),
                None => f.sig.ident.to_string(),
            };
            self.out.push((f.span().byte_range(), name));
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
    let Ok(ast) = syn::parse_file(&crate::syntax::source::parse_text(text)) else {
        return Vec::new();
    };
    let mut fns = Fns {
        out: Vec::new(),
        self_ty: None,
    };
    fns.visit_file(&ast);
    proc_macro2::extra::invalidate_current_thread_spans();
    fns.out
}

/// Writes the shown findings of `report` as a baseline; returns how many.
pub fn write(
    file: &Path,
    report: &ScanReport,
    relative: &dyn Fn(&Path) -> String,
) -> Result<usize, String> {
    let mut findings: Vec<Entry> = entries(report, relative)
        .into_iter()
        .zip(&report.files)
        .flat_map(|(entries, f)| {
            entries
                .into_iter()
                .zip(&f.diagnostics)
                .filter(|(_, d)| d.level != Level::Allow)
                .map(|(e, _)| e)
        })
        .collect();
    findings.sort();
    let count = findings.len();
    let baseline = Baseline {
        version: VERSION,
        findings,
    };
    let text = serde_json::to_string_pretty(&baseline).map_err(|e| e.to_string())? + "\n";
    std::fs::write(file, text)
        .map_err(|e| format!("cannot write the baseline `{}`: {e}", file.display()))?;
    Ok(count)
}

/// Reads a baseline file.
pub fn read(file: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the baseline `{}`: {e}", file.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not a cargo-unblock baseline: {e}", file.display()))?;
    if baseline.version != VERSION {
        return Err(format!(
            "`{}` is a baseline of version {}; this cargo-unblock reads version {VERSION}",
            file.display(),
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Removes the findings the baseline knows; returns how many were removed.
pub fn filter(
    report: &mut ScanReport,
    baseline: &Baseline,
    relative: &dyn Fn(&Path) -> String,
) -> usize {
    let known: std::collections::HashSet<&Entry> = baseline.findings.iter().collect();
    let entries = entries(report, relative);
    let mut removed = 0;
    for (file, entries) in report.files.iter_mut().zip(entries) {
        let mut keep = entries.iter().map(|e| !known.contains(e));
        file.diagnostics.retain(|_| {
            let kept = keep.next().unwrap_or(true);
            removed += usize::from(!kept);
            kept
        });
    }
    report.files.retain(|f| !f.diagnostics.is_empty());
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fn_names_and_hashes() {
        let text = "struct S;\nimpl S {\n    async fn go(&self) { f(); }\n}\nasync fn free() {\n    g ( 1 );\n}\n";
        let fns = fn_ranges(text);
        let names: Vec<&str> = fns.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["S::go", "free"]);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(b"g(1)"), fnv1a(b"g(2)"));
    }
}
