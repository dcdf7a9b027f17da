//! Where the findings go: the `--message-format` output on stdout or stderr, and each
//! `--output-file FORMAT=PATH` written in the same run.
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use codespan_reporting::term::termcolor::StandardStream;

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

/// `--output-file FORMAT=PATH`: the findings in a machine format, written to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub format: MessageFormat,
    pub path: PathBuf,
}

/// Parses `FORMAT=PATH` (clap's value parser for `--output-file`).
pub fn parse_output_file(value: &str) -> Result<OutputFile, String> {
    let Some((format, path)) = value.split_once('=') else {
        return Err("expected FORMAT=PATH, as in `sarif=unblock.sarif`".into());
    };
    let format = MessageFormat::from_str(format, false).map_err(|_| {
        format!("unknown format `{format}`: expected one of short, json, sarif, github")
    })?;
    if format == MessageFormat::Human {
        return Err(
            "the human format goes to the terminal; a file takes short, json, sarif \
                    or github"
                .into(),
        );
    }
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok(OutputFile {
        format,
        path: PathBuf::from(path),
    })
}

/// What rendering needs besides the report.
pub struct Target<'a> {
    pub report: &'a ScanReport,
    pub discovered: &'a workspace::Discovered,
    pub workspace_root: &'a Path,
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
            MessageFormat::Human => unreachable!("human goes through `print`"),
        }
    }

    /// Prints the findings in the chosen format: human text and the summary on stderr,
    /// machine formats alone on stdout; with `statistics`, the count per lint instead.
    pub fn print(
        &self,
        format: MessageFormat,
        (statistics, quiet): (Option<&Statistics>, bool),
        err: &mut StandardStream,
    ) -> std::io::Result<()> {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        if let Some(statistics) = statistics {
            for (lint, count) in &statistics.by_lint {
                writeln!(stdout, "{count:>6}  unblock::{lint}")?;
            }
            return Ok(());
        }
        if format != MessageFormat::Human {
            return self.render(format, &mut stdout);
        }
        let tally = human::render(err, self.report)?;
        if !quiet {
            human::summary(err, tally, self.report.checked)?;
        }
        Ok(())
    }

    /// Writes each `--output-file`; a file that cannot be written is an error naming it.
    pub fn write_files(&self, files: &[OutputFile]) -> Result<(), String> {
        for file in files {
            let mut buffer = Vec::new();
            self.render(file.format, &mut buffer)
                .map_err(|e| e.to_string())?;
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
        assert_eq!(file.format, MessageFormat::Sarif);
        assert_eq!(file.path, PathBuf::from("out/unblock.sarif"));
        assert!(parse_output_file("unblock.sarif")
            .unwrap_err()
            .contains("FORMAT=PATH"));
        assert!(parse_output_file("xml=a")
            .unwrap_err()
            .contains("unknown format `xml`"));
        assert!(parse_output_file("human=a")
            .unwrap_err()
            .contains("terminal"));
        assert!(parse_output_file("json=").unwrap_err().contains("empty"));
    }
}
