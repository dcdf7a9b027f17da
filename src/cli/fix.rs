//! The fix flags: `--fix` writes the safe edits, `--unsafe-fixes` the maybe-incorrect
//! ones too, `--diff` prints them instead; files with uncommitted changes are refused
//! unless `--allow-dirty` / `--allow-staged` say otherwise.
use std::io::Write;
use std::path::Path;

use clap::Args;
use codespan_reporting::term::termcolor::WriteColor;

use super::exit;
use super::lines::{note_line, warning_line};
use crate::driver::scan::ScanReport;
use crate::fix::{self, diff, write, Mode};
use crate::report::human::plural;
use crate::syntax::source;

#[derive(Args, Debug, Default)]
pub struct FixArgs {
    /// Apply the fixes that are known to compile (MachineApplicable), then report what
    /// remains
    #[arg(long)]
    pub fix: bool,

    /// Apply the fixes that may need a human look too (MaybeIncorrect); implies --fix
    /// unless --diff is given
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any
    #[arg(long)]
    pub diff: bool,

    /// Fix files that have uncommitted changes
    #[arg(long)]
    pub allow_dirty: bool,

    /// Fix files that have staged changes
    #[arg(long)]
    pub allow_staged: bool,
}

impl FixArgs {
    pub fn wanted(&self) -> bool {
        self.fix || self.unsafe_fixes || self.diff
    }

    fn mode(&self) -> Mode {
        if self.unsafe_fixes {
            Mode::Unsafe
        } else {
            Mode::Safe
        }
    }
}

/// How a fix run ended.
pub enum Done {
    /// `--diff`: printed; the exit code.
    Diff(i32),
    /// Written (or nothing to write): the findings that remain, and the summary line.
    Fixed {
        remaining: ScanReport,
        summary: String,
    },
}

/// Runs the fix passes over `scan`, then prints the diff or writes the files.
pub fn run(
    args: &FixArgs,
    scan: impl FnMut() -> ScanReport,
    err: &mut dyn WriteColor,
) -> Result<Done, String> {
    let outcome = fix::run(args.mode(), scan);
    let io = |e: std::io::Error| e.to_string();
    for failure in &outcome.failures {
        warning_line(err, failure).map_err(io)?;
    }
    if outcome.unfinished {
        let line =
            "the fixes did not settle within the passes allowed; run again to apply the rest";
        warning_line(err, line).map_err(io)?;
    }
    let (fixed, files) = (outcome.fixed(), outcome.files.len());
    if args.diff {
        let mut stdout = std::io::stdout().lock();
        for file in outcome.files.values() {
            stdout
                .write_all(diff::unified(file).as_bytes())
                .map_err(io)?;
        }
        stdout.flush().map_err(io)?;
        let line = format!(
            "would fix {} in {}",
            plural(fixed, "finding"),
            plural(files, "file")
        );
        note_line(err, &line).map_err(io)?;
        return Ok(Done::Diff(if files > 0 {
            exit::FINDINGS
        } else {
            exit::CLEAN
        }));
    }
    let paths: Vec<&Path> = outcome.files.keys().map(|p| p.as_path()).collect();
    let allow = write::Allow {
        dirty: args.allow_dirty,
        staged: args.allow_staged,
    };
    let refused = write::uncommitted(&paths, allow);
    if !refused.is_empty() {
        let listed: Vec<String> = (refused.iter())
            .map(|(path, state)| format!("  {} ({state})", display_of(&outcome, path)))
            .collect();
        return Err(format!(
            "{} to fix {} uncommitted changes, and a fix could be hard to tell apart from \
             them; commit or stash them first, or pass `--allow-dirty` (`--allow-staged` \
             allows staged changes only):\n{}",
            plural(refused.len(), "file"),
            if refused.len() == 1 { "has" } else { "have" },
            listed.join("\n")
        ));
    }
    for (path, file) in &outcome.files {
        source::write_atomically(path, |out| out.write_all(file.fixed.as_bytes()))
            .map_err(|e| format!("cannot write the fixes to `{}`: {e}", file.display))?;
    }
    let remaining = outcome.remaining;
    let left: usize = remaining.files.iter().map(|f| f.diagnostics.len()).sum();
    let summary = format!(
        "fixed {} in {} ({left} remain)",
        plural(fixed, "finding"),
        plural(files, "file")
    );
    Ok(Done::Fixed { remaining, summary })
}

fn display_of(outcome: &fix::Outcome, path: &Path) -> String {
    (outcome.files.get(path)).map_or_else(|| path.display().to_string(), |f| f.display.clone())
}
