//! The names users write: each lint's page and its address (`docs/lints/<id>.md`), and
//! "did you mean" for a name that is no lint or group.
use super::{Catalog, Lint};

/// Where each lint's page lives: `docs/lints/<id>.md`, generated from `lints/<id>.toml`.
pub const DOCS_URL: &str = "https://github.com/cargo-unblock/cargo-unblock/blob/main/docs/lints";

impl Lint {
    /// The lint's page: what `cargo unblock explain` prints and `docs/lints/<id>.md` holds.
    pub fn page(&self) -> String {
        format!(
            "# unblock::{}

group: {} · default level: {}

{}

{}",
            self.id,
            self.group,
            self.level.as_str(),
            self.summary,
            self.explanation.trim_end()
        ) + if self.has_rewrites() { FIXES } else { "" }
    }

    /// Whether the lint's findings can come with a rewrite.
    fn has_rewrites(&self) -> bool {
        matches!(
            self.id.as_str(),
            "transitive_blocking" | "declared_blocking"
        ) || (self.matchers.iter())
            .any(|m| m.offload || !m.suggest.is_empty() || m.rebase.is_some())
    }

    /// The address of the lint's page.
    pub fn url(&self) -> String {
        format!("{DOCS_URL}/{}.md", self.id)
    }
}

/// How the rewrites of a lint's findings are applied, and the rule their closures obey.
const FIXES: &str = "

### Fixes
`cargo unblock --fix` applies the rewrites that compile wherever the original did: an
async equivalent with the same types (`tokio::fs::read_to_string(path).await`), when
the package's tokio dependency has the feature it needs and no std lock guard is alive
at the call. `--unsafe-fixes` adds the ones to review: a builder swapped for the
runtime's, or the call moved to the blocking thread pool. `--diff` shows them first.

A `spawn_blocking` closure runs on another thread, so it must be `Send + 'static`: it
cannot borrow from the async fn. The rewrite gives it owned copies of what the call
uses (`let name = name.clone();` before it; a `&str` or `&Path` becomes an owned value
lent back inside), so the originals stay usable after the call and on the next turn of
a loop. Where a value cannot be copied that way (a lock guard, `self`, a value whose
type is not known), there is no edit, and the help says what to move.
";

impl Catalog {
    /// The lint or group a misspelled `name` most likely means.
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        let ids = self.lints.iter().map(|l| l.id.as_str());
        closest(name, ids.chain(self.groups()))
    }

    /// For a name that is no lint or group: "; did you mean `x`?" with the closest
    /// one (a few typos away), else nothing.
    pub fn did_you_mean(&self, name: &str) -> String {
        (self.closest_name(name)).map_or(String::new(), |c| format!("; did you mean `{c}`?"))
    }
}

/// The candidate closest to a misspelled `name`, when one is a few typos away (at most
/// a quarter of the name's length, and at least one).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typos = (name.chars().count() / 4).max(1);
    (candidates.into_iter())
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|&(distance, _)| distance <= typos)
        .min()
        .map(|(_, c)| c)
}
