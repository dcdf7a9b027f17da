//! Closures executor code hands to the crate's own fns: one runs inline when a fn the
//! call may reach calls that closure parameter in its own body.
use std::path::PathBuf;

use super::Graph;

impl Graph<'_> {
    /// The closures handed to crate fns that call them, by file and index among the
    /// file's `inline_closures`, each with a note naming the fn that calls it.
    pub(super) fn called_closures(&self) -> Vec<(PathBuf, usize, String)> {
        let mut confirmed = Vec::new();
        for (path, summary) in &self.files {
            for (index, closure) in summary.inline_closures.iter().enumerate() {
                let caller = (self.call_site_targets(path, &closure.callee))
                    .map(|(id, _)| self.summary_of(id))
                    .find(|f| f.calls_inline(closure.input));
                if let Some(caller) = caller {
                    let note = format!(
                        "`{}` calls this closure itself, on the caller's thread",
                        caller.display
                    );
                    confirmed.push((path.clone(), index, note));
                }
            }
        }
        confirmed
    }
}
