//! What a configuration table may hold: its keys, every unknown one named at its line
//! (with the closest known key), and several mistakes reported as one error.
use std::path::Path;

use super::config::{error_at, ConfigError};
use crate::catalog::names::closest;

/// The keys a configuration table may have.
const KEYS: &[&str] = &[
    "lints",
    "tests",
    "examples",
    "benches",
    "include",
    "exclude",
    "runtime",
    "cpu-loop-threshold",
    "require-reason",
    "blocking",
    "offload",
];

/// The keys of `table` that no setting has, each an error at its line in `text`.
pub(super) fn unknown_keys(table: &toml::Table, file: &Path, text: &str) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for key in table.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        let mut line_start = text.lines().scan(0, |at, line| {
            let start = *at;
            *at += line.len() + 1;
            Some((start, line))
        });
        let span = line_start
            .find(|(_, line)| {
                let line = line.trim_start();
                line.strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|(start, _)| start..start);
        let message = match closest(key, KEYS.iter().copied()) {
            Some(k) => format!("unknown key `{key}`; did you mean `{k}`?"),
            None => format!("unknown key `{key}`; expected one of {}", KEYS.join(", ")),
        };
        errors.push(error_at(file, text, span, &message));
    }
    errors
}

/// Several mistakes at once, one per line.
pub(super) fn all_of(errors: Vec<ConfigError>) -> ConfigError {
    ConfigError(
        errors
            .into_iter()
            .map(|e| e.0)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}
