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
        )
    }

    /// The address of the lint's page.
    pub fn url(&self) -> String {
        format!("{DOCS_URL}/{}.md", self.id)
    }
}

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
