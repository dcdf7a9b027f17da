//! One root cause, one finding: the chains of one lint that end at the same blocking
//! call are reported once, at the first call site (by file, then position), with the
//! other call sites listed; suppressions and levels have already applied to each.
use std::collections::HashMap;

use super::scan::FileReport;
use crate::diagnostic::Related;

/// How many of the other call sites a finding lists by name.
const LISTED: usize = 10;

/// Merges the findings that share a root cause. `files` are in report order.
pub fn merge(files: &mut [FileReport]) {
    let mut first: HashMap<(String, String), (usize, usize)> = HashMap::new();
    let mut others: HashMap<(usize, usize), Vec<(String, Related)>> = HashMap::new();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (f, file) in files.iter().enumerate() {
        for (d, diagnostic) in file.diagnostics.iter().enumerate() {
            let Some(root) = &diagnostic.root_cause else {
                continue;
            };
            let key = (diagnostic.code(), root.clone());
            match first.get(&key) {
                None => {
                    first.insert(key, (f, d));
                }
                Some(&kept) => {
                    let at = diagnostic.primary.as_ref().map_or(0, |r| r.start);
                    let line = file.source.line_col(at).line;
                    let related = Related {
                        path: file.source.path.clone(),
                        line,
                        message: "another async caller reaching the same blocking call".into(),
                    };
                    (others.entry(kept).or_default())
                        .push((format!("{}:{line}", file.source.display), related));
                    merged.push((f, d));
                }
            }
        }
    }
    for ((f, d), sites) in others {
        let listed = (sites.iter().take(LISTED))
            .map(|(shown, _)| shown.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let rest = match sites.len().saturating_sub(LISTED) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let callers = if sites.len() == 1 {
            "caller reaches"
        } else {
            "callers reach"
        };
        let kept = &mut files[f].diagnostics[d];
        kept.notes.push(format!(
            "and {} more async {callers} the same blocking call: {listed}{rest}",
            sites.len()
        ));
        kept.related
            .extend(sites.into_iter().map(|(_, related)| related));
    }
    merged.sort_unstable();
    for (f, d) in merged.into_iter().rev() {
        let folded = files[f].diagnostics.remove(d);
        files[f].folded.push(folded);
    }
}
