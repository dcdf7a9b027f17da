//! Closures executor code hands to the crate's own fns: the findings in one stand when
//! a fn the call may reach calls that closure parameter in its own body.
use std::ops::Range;
use std::path::PathBuf;

use super::Graph;

impl Graph<'_> {
    /// The primary ranges, by file, of the findings in closures that run inline, each
    /// with a note naming the fn that calls the closure.
    pub(super) fn inline_closure_findings(&self) -> Vec<(PathBuf, Range<usize>, String)> {
        let mut confirmed = Vec::new();
        for (path, summary) in &self.files {
            for closure in &summary.inline_closures {
                let caller = (self.call_site_targets(path, &closure.callee))
                    .map(|(id, _)| self.summary_of(id))
                    .find(|f| f.inline_params.contains(&closure.input));
                let Some(caller) = caller else {
                    continue;
                };
                let note = format!(
                    "`{}` calls this closure itself, on the caller's thread",
                    caller.display
                );
                let found = closure.findings.iter();
                confirmed.extend(found.map(|r| (path.clone(), r.clone(), note.clone())));
            }
        }
        confirmed
    }
}
