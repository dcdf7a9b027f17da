//! Where the findings go: the `--message-format` output on stdout or stderr, and each
//! `--output-file FORMAT=PATH` written in the same run.
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use codespan_reporting::term::termcolor::BufferedStandardStream;

use crate::catalog::Catalog;
use crate::driver::scan::ScanReport;
use crate::driver::workspace;
use crate::report::{self, human, Statistics};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Short,
    Json,
    Sarif,
    Github,
}

/// `--output-file [FORMAT=]PATH`: the findings written to a file, in FORMAT besides the
/// usual output, or without it in `--message-format` instead of the usual output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub format: Option<MessageFormat>,
    pub path: PathBuf,
}

/// Parses `FORMAT=PATH` or `PATH` (clap's value parser for `--output-file`).
pub fn parse_output_file(value: &str) -> Result<OutputFile, String> {
    if value.is_empty() {
        return Err("the path is empty".into());
    }
    let named = value.split_once('=').and_then(|(format, path)| {
        let format = MessageFormat::from_str(format, false).ok()?;
        Some((format, path))
    });
    let Some((format, path)) = named else {
        return Ok(OutputFile {
            format: None,
            path: PathBuf::from(value),
        });
    };
    if format == MessageFormat::Human {
        return Err(
            "a second output takes short, json, sarif or github; for human \
                    output in a file, give the path alone"
                .into(),
        );
    }
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok(OutputFile {
        format: Some(format),
        path: PathBuf::from(path),
    })
}

/// What rendering needs besides the report.
pub struct Target<'a> {
    pub report: &'a ScanReport,
    pub discovered: &'a workspace::Discovered,
    pub workspace_root: &'a Path,
    /// The run's exit code, decided before anything is printed.
    pub exit_code: i32,
    /// The findings go to an `--output-file` instead of stdout or stderr.
    pub redirected: bool,
}

impl Target<'_> {
    fn context(&self) -> report::Context<'_> {
        report::Context {
            catalog: (self.discovered.settings.iter())
                .find(|s| !s.config.blocking.is_empty())
                .map_or(Catalog::builtin(), |s| s.catalog()),
            packages: &self.discovered.packages,
            repo_root: report::Context::find_repo_root(self.workspace_root),
            workspace_root: self.workspace_root.to_path_buf(),
            success: self.exit_code == 0,
        }
    }

    /// Writes the findings in a machine format to `out`.
    fn render(&self, format: MessageFormat, out: &mut dyn Write) -> std::io::Result<()> {
        let context = self.context();
        match format {
            MessageFormat::Short => report::short::render(out, self.report),
            MessageFormat::Json => report::json::render(out, self.report, &context),
            MessageFormat::Sarif => report::sarif::render(out, self.report, &context),
            MessageFormat::Github => report::github::render(out, self.report, &context),
            MessageFormat::Human => {
                let mut plain = codespan_reporting::term::termcolor::NoColor::new(out);
                let tally = human::render(&mut plain, self.report)?;
                human::summary(&mut plain, tally, self.report.checked)
            }
        }
    }

    /// Prints the findings in the chosen format: human text and the summary on stderr,
    /// machine formats alone on stdout; with `statistics`, the count per lint instead.
    pub fn print(
        &self,
        format: MessageFormat,
        (statistics, quiet): (Option<&Statistics>, bool),
        err: &mut BufferedStandardStream,
    ) -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        if let Some(statistics) = statistics {
            return self.statistics(format, statistics, &mut stdout);
        }
        if self.redirected {
            return Ok(());
        }
        if format != MessageFormat::Human {
            return self.render(format, &mut stdout);
        }
        let tally = human::render(err, self.report)?;
        // After an error, "no findings" would say the opposite of what happened.
        let failed_clean = self.exit_code != 0 && tally.errors + tally.warnings == 0;
        if !quiet && !failed_clean {
            human::summary(err, tally, self.report.checked)?;
        }
        Ok(())
    }

    /// `--statistics`: the findings per lint, the total and the files checked, as one
    /// JSON object with `--message-format json`, else as text.
    fn statistics(
        &self,
        format: MessageFormat,
        statistics: &Statistics,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let total = statistics.errors + statistics.warnings;
        if format == MessageFormat::Json {
            let by_lint: Vec<serde_json::Value> = (statistics.by_lint.iter())
                .map(|(lint, count)| serde_json::json!({"lint": lint, "count": count}))
                .collect();
            let line = serde_json::json!({
                "reason": "unblock-statistics",
                "checked_files": self.report.checked,
                "findings": total,
                "errors": statistics.errors,
                "warnings": statistics.warnings,
                "by_lint": by_lint,
                "success": self.exit_code == 0,
            });
            serde_json::to_writer(&mut *out, &line)?;
            return writeln!(out);
        }
        for (lint, count) in &statistics.by_lint {
            writeln!(out, "{count:>6}  unblock::{lint}")?;
        }
        let files = self.report.checked;
        writeln!(
            out,
            "{total:>6}  in all (checked {})",
            human::plural(files, "file")
        )
    }

    /// Writes each `--output-file` (in `format` when it names none); a file that cannot
    /// be written is an error naming it.
    pub fn write_files(&self, files: &[OutputFile], format: MessageFormat) -> Result<(), String> {
        for file in files {
            let mut buffer = Vec::new();
            (self.render(file.format.unwrap_or(format), &mut buffer)).map_err(|e| e.to_string())?;
            std::fs::write(&file.path, buffer)
                .map_err(|e| format!("cannot write `{}`: {e}", file.path.display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files_name_a_machine_format_and_a_path() {
        let file = parse_output_file("sarif=out/unblock.sarif").unwrap();
        assert_eq!(file.format, Some(MessageFormat::Sarif));
        assert_eq!(file.path, PathBuf::from("out/unblock.sarif"));
        // A path alone (or with an `=` that names no format) takes --message-format.
        let alone = parse_output_file("unblock.sarif").unwrap();
        assert_eq!(
            (alone.format, alone.path),
            (None, PathBuf::from("unblock.sarif"))
        );
        let odd = parse_output_file("a=b.txt").unwrap();
        assert_eq!((odd.format, odd.path), (None, PathBuf::from("a=b.txt")));
        assert!(parse_output_file("human=a")
            .unwrap_err()
            .contains("path alone"));
        assert!(parse_output_file("json=").unwrap_err().contains("empty"));
    }
}
