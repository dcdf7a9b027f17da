//! The `-A`/`-W`/`-D` flags: read in command-line order and checked against the
//! catalogue, then applied to a report's findings.
use clap::ArgMatches;

use crate::catalog::Catalog;
use crate::diagnostic::Level;
use crate::driver::scan::ScanReport;
use crate::rules::startup;

/// One `-A`/`-W`/`-D` flag: what it names and the level it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Override {
    Lint(String, Level),
    Group(String, Level),
    /// `-D warnings`: every remaining warning becomes an error.
    Warnings,
}

/// Reads the level flags in command-line order, as rustc applies them.
pub(super) fn level_overrides(
    matches: &ArgMatches,
    catalog: &Catalog,
) -> Result<Vec<Override>, String> {
    let mut flags: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Deny),
    ] {
        if let (Some(indices), Some(values)) =
            (matches.indices_of(id), matches.get_many::<String>(id))
        {
            flags.extend(indices.zip(values).map(|(i, v)| (i, level, v.clone())));
        }
    }
    flags.sort_by_key(|(index, _, _)| *index);
    flags
        .into_iter()
        .map(|(_, level, name)| {
            let name = name
                .strip_prefix("unblock::")
                .unwrap_or(&name)
                .replace('-', "_");
            if name == "warnings" && level == Level::Deny {
                Ok(Override::Warnings)
            } else if catalog.lint(&name).is_some() {
                Ok(Override::Lint(name, level))
            } else if catalog.groups().contains(&name.as_str()) {
                Ok(Override::Group(name, level))
            } else {
                Err(format!(
                    "unknown lint or group `{name}`{} (see `cargo unblock rules`)",
                    catalog.did_you_mean(&name)
                ))
            }
        })
        .collect()
}

/// Sets each finding's level from the flags and drops the allowed ones; returns how
/// many `blocking_in_startup` and `blocking_in_main` findings were dropped, for the
/// closing note.
pub(super) fn apply_levels(
    report: &mut ScanReport,
    overrides: &[Override],
    catalog: &Catalog,
) -> [(&'static str, usize); 2] {
    let deny_warnings = overrides.contains(&Override::Warnings);
    let mut hidden = [(startup::LINT, 0), (startup::MAIN_LINT, 0)];
    for file in &mut report.files {
        for diagnostic in file.diagnostics.iter_mut().chain(&mut file.folded) {
            let group = catalog.lint(&diagnostic.lint).map(|l| l.group.as_str());
            for flag in overrides {
                match flag {
                    Override::Lint(name, level) if *name == diagnostic.lint => {
                        diagnostic.level = *level
                    }
                    Override::Group(name, level) if Some(name.as_str()) == group => {
                        diagnostic.level = *level
                    }
                    _ => {}
                }
            }
            if deny_warnings && diagnostic.level == Level::Warn {
                diagnostic.level = Level::Deny;
            }
        }
        for (lint, count) in &mut hidden {
            *count += (file.diagnostics.iter())
                .filter(|d| d.level == Level::Allow && d.lint == *lint)
                .count();
        }
        file.diagnostics.retain(|d| d.level != Level::Allow);
        file.folded.retain(|d| d.level != Level::Allow);
    }
    report
        .files
        .retain(|f| !f.diagnostics.is_empty() || !f.folded.is_empty());
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn level_flags_apply_in_order() {
        let catalog = Catalog::builtin();
        let matches = crate::cli::Cli::command()
            .try_get_matches_from(["x", "-A", "blocking", "-W", "blocking_fs", "-D", "warnings"])
            .unwrap();
        let flags = level_overrides(&matches, catalog).unwrap();
        assert_eq!(
            flags,
            vec![
                Override::Group("blocking".into(), Level::Allow),
                Override::Lint("blocking_fs".into(), Level::Warn),
                Override::Warnings
            ]
        );
        let bad = crate::cli::Cli::command()
            .try_get_matches_from(["x", "-D", "nope"])
            .unwrap();
        assert!(level_overrides(&bad, catalog).is_err());
    }
}
