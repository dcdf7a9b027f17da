//! Command-line interface: clap definitions, level flags, and the run that returns an exit code.
mod fix;
mod levels;
mod lines;
mod output;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

use crate::catalog::runtime::Runtime;
use crate::catalog::Catalog;
use crate::driver::baseline;
use crate::driver::config::AskedTargets;
use crate::driver::scan::{self, ScanOptions};
use crate::driver::workspace::{self, CargoSelection};
use crate::report::{self, Statistics};
use crate::rules::startup;
use levels::{apply_levels, level_overrides};
use lines::{error_line, note_line};
use output::{MessageFormat, OutputFile};

/// Exit codes: the contract with CI gates.
pub mod exit {
    /// No finding at error level.
    pub const CLEAN: i32 = 0;
    /// At least one finding at error level.
    pub const FINDINGS: i32 = 1;
    /// Bad invocation, `cargo metadata` failure, nothing could be checked, or an
    /// internal error on some file (the other files are still checked and reported).
    pub const TROUBLE: i32 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "cargo-unblock",
    bin_name = "cargo unblock",
    version,
    about = "Finds code that blocks an async executor thread, and says what to write instead",
    args_conflicts_with_subcommands = true,
    after_help = "With no PATHS, checks the package in the current directory (like cargo).\n\
                  Exit status: 0 clean, 1 findings at error level, 2 usage or setup error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Check exactly these files and directories (no cargo needed; for pre-commit)
    paths: Vec<PathBuf>,

    /// Path to Cargo.toml
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,

    /// Package(s) to check (name or glob; repeatable)
    #[arg(short, long = "package", value_name = "SPEC")]
    package: Vec<String>,

    /// Check all packages in the workspace
    #[arg(long, alias = "all")]
    workspace: bool,

    /// Exclude packages from the check (name or glob; repeatable)
    #[arg(long, value_name = "SPEC")]
    exclude: Vec<String>,

    /// Also report in test code (#[cfg(test)], #[test] fns, tests/)
    #[arg(long)]
    tests: bool,
    /// Also check the examples (examples/)
    #[arg(long)]
    examples: bool,
    /// Also check the benches (benches/)
    #[arg(long)]
    benches: bool,
    /// Check every target: --tests, --examples and --benches
    #[arg(long)]
    all_targets: bool,

    /// Spell suggestions for this runtime instead of the detected one
    #[arg(long, value_name = "RUNTIME", value_parser = ["tokio", "async-std", "smol", "actix-web", "actix-rt", "none"])]
    runtime: Option<String>,

    /// Set lint or group LINT to allow (repeatable)
    #[arg(short = 'A', long = "allow", value_name = "LINT")]
    allow: Vec<String>,

    /// Set lint or group LINT to warn (repeatable)
    #[arg(short = 'W', long = "warn", value_name = "LINT")]
    warn: Vec<String>,

    /// Set lint or group LINT to deny; `-D warnings` makes every warning an error
    #[arg(short = 'D', long = "deny", value_name = "LINT")]
    deny: Vec<String>,

    /// Coloring
    #[arg(long, value_enum, value_name = "WHEN")]
    color: Option<ColorWhen>,

    /// Print only the diagnostics, no summary
    #[arg(short, long)]
    quiet: bool,

    /// Output format: human (stderr) or short, json, sarif, github (stdout)
    #[arg(long, value_enum, value_name = "FMT", default_value = "human")]
    message_format: MessageFormat,

    /// Write the findings to PATH instead of the terminal; with FORMAT= (short, json,
    /// sarif, github), in that format besides the usual output (repeatable):
    /// `--output-file sarif=unblock.sarif`
    #[arg(long, value_name = "[FORMAT=]PATH", value_parser = output::parse_output_file)]
    output_file: Vec<OutputFile>,

    /// Print the number of findings per lint instead of the findings
    #[arg(long)]
    statistics: bool,

    /// Exit with 0 even when findings at error level remain (report-only jobs)
    #[arg(long)]
    exit_zero: bool,

    /// Report only findings that are not in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file (and exit 0)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,

    /// Loops over literal ranges of at least N iterations count as long-running (cpu_loop)
    /// [default: 100000, or the configuration's `cpu-loop-threshold`]
    #[arg(long, value_name = "N")]
    cpu_loop_threshold: Option<u128>,

    /// Use this configuration file for every package (instead of `unblock.toml` or the
    /// manifests' `[package.metadata.unblock]` tables)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Check every file afresh, without reading or writing the cache of per-file
    /// results (`target/unblock/`, or `.unblock_cache/` in paths mode)
    #[arg(long)]
    no_cache: bool,

    /// Number of parallel jobs (default: all cores)
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,

    #[command(flatten)]
    fixes: fix::FixArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every lint with its group, default level and summary
    Rules {
        /// Print the table as Markdown (the README's rule table)
        #[arg(long)]
        markdown: bool,
    },
    /// Explain one lint: what it finds, why, and what to write instead
    Explain {
        /// Lint id, with or without the `unblock::` prefix
        lint: String,
    },
    /// Serve diagnostics, quick fixes and hovers to an editor (a language server on stdio)
    Server,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Drops the `unblock` word cargo inserts when run as `cargo unblock`.
pub fn normalize_args(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "unblock") {
        args.remove(1);
    }
    args
}

/// Parses `args` (argv without cargo's extra word) and runs; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                exit::TROUBLE
            } else {
                exit::CLEAN
            };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return exit::TROUBLE;
        }
    };
    // Buffered: a file with thousands of findings is thousands of small writes.
    let mut stderr =
        BufferedStandardStream::stderr(color_choice(cli.color, std::io::stderr().is_terminal()));
    let code = match &cli.command {
        Some(Command::Rules { markdown }) => print_rules(*markdown),
        Some(Command::Explain { lint }) => explain(lint, &mut stderr),
        Some(Command::Server) => crate::server::run(),
        None => match check(&cli, &matches, &mut stderr) {
            Ok(code) => code,
            Err(message) => {
                let _ = error_line(&mut stderr, &message);
                exit::TROUBLE
            }
        },
    };
    let _ = std::io::Write::flush(&mut stderr);
    code
}

/// `--tests`, `--examples`, `--benches`, each implied by `--all-targets`.
fn asked_targets(cli: &Cli) -> AskedTargets {
    AskedTargets {
        tests: cli.tests || cli.all_targets,
        examples: cli.examples || cli.all_targets,
        benches: cli.benches || cli.all_targets,
    }
}

fn check(cli: &Cli, matches: &ArgMatches, out: &mut BufferedStandardStream) -> Result<i32, String> {
    if let Some(jobs) = cli.jobs {
        // Discovery's parallel reads too (the scan makes a pool of its own).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let discover = || {
        if cli.paths.is_empty() {
            let selection = CargoSelection {
                manifest_path: cli.manifest_path.clone(),
                config: cli.config.clone(),
                packages: cli.package.clone(),
                workspace: cli.workspace,
                exclude: cli.exclude.clone(),
                targets: asked_targets(cli),
            };
            return workspace::discover_cargo(&selection, &cwd).map_err(|e| e.to_string());
        }
        if cli.manifest_path.is_some() || !cli.package.is_empty() || cli.workspace {
            return Err(
                "PATHS cannot be combined with --manifest-path, --package or --workspace".into(),
            );
        }
        Ok(workspace::discover_paths(
            &cli.paths,
            &cwd,
            cli.config.as_deref(),
        ))
    };
    // The catalogue is read from its lint files, and the level flags checked against
    // it, while `cargo metadata` runs; a mistake in the flags is told first.
    let (discovered, overrides) = std::thread::scope(|scope| {
        let overrides = scope.spawn(|| level_overrides(matches, Catalog::builtin()));
        let discovered = discover();
        let overrides = (overrides.join()).unwrap_or_else(|_| Err("internal error".into()));
        (discovered, overrides)
    });
    let overrides = overrides?;
    let discovered = discovered?;
    let catalog = Catalog::builtin();
    for problem in &discovered.problems {
        error_line(out, problem).map_err(|e| e.to_string())?;
    }
    let targets = asked_targets(cli);
    let options = ScanOptions {
        include_tests: targets.tests,
        include_examples: targets.examples,
        include_benches: targets.benches,
        runtime: cli.runtime.as_deref().and_then(Runtime::from_name),
        jobs: cli.jobs,
        prefilter: true,
        cpu_loop_threshold: cli.cpu_loop_threshold,
        cache: (discovered.cache_dir.clone()).filter(|_| !cli.no_cache),
    };
    let workspace_root = (discovered.workspace_root.clone()).unwrap_or_else(|| cwd.clone());
    let relative = |path: &Path| report::relative(path, &workspace_root);
    let mut fixed_summary = None;
    let (mut report, hidden) = if cli.fixes.wanted() {
        if cli.write_baseline.is_some() {
            return Err("--write-baseline cannot be combined with the fix flags".into());
        }
        let known_findings = cli.baseline.as_deref().map(baseline::read).transpose()?;
        let mut hidden = Default::default();
        let scan_once = || {
            let mut report = scan::scan(&discovered, &options);
            hidden = apply_levels(&mut report, &overrides, catalog);
            if let Some(known) = &known_findings {
                baseline::filter(&mut report, known, &relative);
            }
            report
        };
        match fix::run(&cli.fixes, scan_once, out)? {
            fix::Done::Diff(code) => return Ok(code),
            fix::Done::Fixed { remaining, summary } => {
                fixed_summary = Some(summary);
                (remaining, hidden)
            }
        }
    } else {
        let mut report = scan::scan(&discovered, &options);
        let hidden = apply_levels(&mut report, &overrides, catalog);
        (report, hidden)
    };
    if let Some(file) = &cli.write_baseline {
        let count = baseline::write(file, &report, &relative)?;
        if !cli.quiet {
            let line = format!(
                "wrote {count} findings to the baseline `{}`",
                file.display()
            );
            note_line(out, &line).map_err(|e| e.to_string())?;
        }
        let trouble = !discovered.problems.is_empty() || report.internal_errors > 0;
        return Ok(if trouble { exit::TROUBLE } else { exit::CLEAN });
    }
    let mut known = 0;
    if let Some(file) = &cli.baseline {
        known = baseline::filter(&mut report, &baseline::read(file)?, &relative);
    }
    let statistics = Statistics::of(&report);
    // Every problem was printed as an error (a missing path, a broken manifest or
    // configuration, a listing that failed): the run does not pass, whatever it found.
    let trouble = !discovered.problems.is_empty() || report.internal_errors > 0;
    let code = if trouble {
        exit::TROUBLE
    } else if statistics.errors > 0 && !cli.exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    };
    let target = output::Target {
        report: &report,
        discovered: &discovered,
        workspace_root: &workspace_root,
        exit_code: code,
        redirected: cli.output_file.iter().any(|f| f.format.is_none()),
    };
    target.write_files(&cli.output_file, cli.message_format)?;
    let shown = (cli.statistics.then_some(&statistics), cli.quiet);
    target
        .print(cli.message_format, shown, out)
        .map_err(|e| e.to_string())?;
    let human = !cli.quiet && cli.message_format == MessageFormat::Human;
    if let Some(summary) = fixed_summary.filter(|_| !cli.quiet) {
        note_line(out, &summary).map_err(|e| e.to_string())?;
    }
    if known > 0 && human {
        let line = format!("{known} findings in the baseline were not shown");
        note_line(out, &line).map_err(|e| e.to_string())?;
    }
    for (lint, count) in hidden.into_iter().filter(|(_, count)| human && *count > 0) {
        let (calls, were) = if count == 1 {
            ("call", "was")
        } else {
            ("calls", "were")
        };
        let place = if lint == startup::LINT {
            "in startup code"
        } else {
            "on the main thread (off the workers)"
        };
        let line =
            format!("{count} blocking {calls} {place} {were} not shown (`-W {lint}` shows them)");
        note_line(out, &line).map_err(|e| e.to_string())?;
    }
    Ok(code)
}

/// `--color` > `CARGO_TERM_COLOR` > `CLICOLOR_FORCE` / `NO_COLOR` > terminal detection.
fn color_choice(flag: Option<ColorWhen>, is_terminal: bool) -> ColorChoice {
    let from_env = || {
        std::env::var("CARGO_TERM_COLOR")
            .ok()
            .and_then(|v| match v.as_str() {
                "always" => Some(ColorWhen::Always),
                "never" => Some(ColorWhen::Never),
                "auto" => Some(ColorWhen::Auto),
                _ => None,
            })
    };
    match flag.or_else(from_env).unwrap_or(ColorWhen::Auto) {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto => {
            let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
            if set("CLICOLOR_FORCE") {
                ColorChoice::Always
            } else if set("NO_COLOR") || !is_terminal {
                ColorChoice::Never
            } else {
                ColorChoice::Auto
            }
        }
    }
}

fn print_rules(markdown: bool) -> i32 {
    let catalog = Catalog::builtin();
    let text = if markdown {
        rules_markdown(catalog)
    } else {
        rules_table(catalog)
    };
    print!("{text}");
    exit::CLEAN
}

/// The rule table as plain text columns.
pub fn rules_table(catalog: &Catalog) -> String {
    let width = catalog
        .lints()
        .iter()
        .map(|l| l.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for lint in catalog.lints() {
        out.push_str(&format!(
            "{:width$}  {:11}  {:5}  {}\n",
            lint.id,
            lint.group,
            lint.level.as_str(),
            lint.summary.replace('`', "")
        ));
    }
    out
}

/// The rule table exactly as the README carries it.
pub fn rules_markdown(catalog: &Catalog) -> String {
    let mut out =
        String::from("| lint | group | default | what it finds |\n| --- | --- | --- | --- |\n");
    for lint in catalog.lints() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            lint.id,
            lint.group,
            lint.level.as_str(),
            lint.summary
        ));
    }
    out
}

fn explain(name: &str, out: &mut BufferedStandardStream) -> i32 {
    let catalog = Catalog::builtin();
    let id = name
        .strip_prefix("unblock::")
        .unwrap_or(name)
        .replace('-', "_");
    match catalog.lint(&id) {
        Some(lint) => {
            print!("{}", lint.page());
            exit::CLEAN
        }
        None => {
            let _ = error_line(
                out,
                &format!(
                    "no lint named `{name}`{} (see `cargo unblock rules`)",
                    catalog.did_you_mean(&id)
                ),
            );
            exit::TROUBLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_only_the_cargo_word() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            normalize_args(args(&["x", "unblock", "--help"])),
            args(&["x", "--help"])
        );
        assert_eq!(normalize_args(args(&["x", "src"])), args(&["x", "src"]));
    }

    #[test]
    fn explicit_color_beats_environment() {
        assert_eq!(
            color_choice(Some(ColorWhen::Never), true),
            ColorChoice::Never
        );
        assert_eq!(
            color_choice(Some(ColorWhen::Always), false),
            ColorChoice::Always
        );
    }
}
