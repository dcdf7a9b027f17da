//! Runs the built binary on the fixture workspaces: package selection, paths mode,
//! exit codes, the cargo subcommand protocol, and bad input.
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-unblock");

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

fn unblock(cwd: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd)
        .env_remove("CARGO_TERM_COLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs and returns (exit code, stdout, stderr).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().expect("binary runs");
    (
        output
            .status
            .code()
            .expect("exited normally, not by a signal"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `path:line` of every finding header in human output, in order.
fn locations(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(|loc| {
            loc.rsplit_once(':')
                .map_or(loc, |(head, _)| head)
                .to_string()
        })
        .collect()
}

#[test]
fn help_works_directly_and_as_cargo_subcommand() {
    for args in [&["--help"][..], &["unblock", "--help"]] {
        let (code, stdout, _) = run(unblock(&fixture("")).args(args));
        assert_eq!(code, 0);
        assert!(stdout.contains("Usage: cargo unblock"), "{stdout}");
    }
}

#[test]
fn virtual_workspace_root_checks_every_member() {
    let (code, _, stderr) = run(&mut unblock(&fixture("workspace")));
    assert_eq!(
        locations(&stderr),
        [
            "api/src/lib.rs:2",
            "api/src/lib.rs:3",
            "worker/src/main.rs:6"
        ]
    );
    // `block_on_in_async` is deny by default: the gate fails.
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("workspace_default_run", stderr);
}

#[test]
fn examples_are_checked_when_asked_as_in_cargo() {
    for (flag, expected) in [
        (
            "--examples",
            &["worker/examples/demo.rs:7", "worker/src/main.rs:6"][..],
        ),
        (
            "--benches",
            &["worker/benches/load.rs:5", "worker/src/main.rs:6"],
        ),
        (
            "--all-targets",
            &[
                "worker/benches/load.rs:5",
                "worker/examples/demo.rs:7",
                "worker/src/main.rs:6",
            ],
        ),
    ] {
        let (_, _, stderr) = run(unblock(&fixture("workspace")).args(["-p", "worker", flag]));
        assert_eq!(locations(&stderr), expected, "{flag}");
    }
    // Paths mode follows the same targets.
    let (_, _, stderr) = run(unblock(&fixture("workspace")).args(["worker"]));
    assert_eq!(locations(&stderr), ["worker/src/main.rs:6"]);
    let (_, _, stderr) = run(unblock(&fixture("workspace")).args(["worker", "--examples"]));
    assert_eq!(
        locations(&stderr),
        ["worker/examples/demo.rs:7", "worker/src/main.rs:6"]
    );
}

#[test]
fn package_selection_follows_cargo() {
    let (code, _, stderr) = run(unblock(&fixture("workspace")).args(["-p", "worker"]));
    assert_eq!(locations(&stderr), ["worker/src/main.rs:6"]);
    assert_eq!(code, 0, "warnings alone pass the gate");

    let (_, _, stderr) =
        run(unblock(&fixture("workspace")).args(["--workspace", "--exclude", "api"]));
    assert_eq!(locations(&stderr), ["worker/src/main.rs:6"]);

    let (_, _, stderr) = run(unblock(&fixture("workspace")).args(["-p", "a*"]));
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2", "api/src/lib.rs:3"]);

    // From inside a member, like cargo: that member only.
    let (_, _, stderr) = run(&mut unblock(&fixture("workspace/worker")));
    assert_eq!(locations(&stderr), ["src/main.rs:6"]);

    let manifest = fixture("workspace/api/Cargo.toml");
    let (_, _, stderr) = run(unblock(&fixture("")).arg("--manifest-path").arg(&manifest));
    assert_eq!(
        locations(&stderr),
        ["workspace/api/src/lib.rs:2", "workspace/api/src/lib.rs:3"]
    );
}

#[test]
fn unknown_package_is_a_usage_error() {
    let (code, _, stderr) = run(unblock(&fixture("workspace")).args(["-p", "nope"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("package `nope` is not a member"),
        "{stderr}"
    );
}

#[test]
fn level_flags_drive_the_exit_code() {
    let (code, _, _) = run(unblock(&fixture("workspace")).args(["-p", "worker", "-D", "warnings"]));
    assert_eq!(code, 1);
    let (code, _, stderr) =
        run(unblock(&fixture("workspace")).args(["-p", "api", "-A", "block_on_in_async"]));
    assert_eq!(code, 0);
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2"]);
    let (code, _, stderr) =
        run(unblock(&fixture("workspace")).args(["-A", "blocking", "-A", "correctness"]));
    assert_eq!((code, locations(&stderr).len()), (0, 0), "{stderr}");
    let (code, _, stderr) = run(unblock(&fixture("workspace")).args(["-D", "no_such_lint"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown lint or group `no_such_lint`"),
        "{stderr}"
    );
}

#[test]
fn test_code_is_skipped_unless_asked_for() {
    let (_, _, stderr) = run(unblock(&fixture("workspace")).args(["-p", "api", "--tests"]));
    assert_eq!(
        locations(&stderr),
        ["api/src/lib.rs:2", "api/src/lib.rs:3", "api/tests/it.rs:5"]
    );
}

#[test]
fn paths_mode_needs_no_cargo_and_finds_the_runtime() {
    let (code, _, stderr) = run(unblock(&fixture("workspace"))
        .arg("worker/src/main.rs")
        .env("CARGO", "/nonexistent/cargo"));
    assert_eq!(code, 0);
    assert_eq!(locations(&stderr), ["worker/src/main.rs:6"]);
    assert!(
        stderr.contains("async_std::fs::read_to_string(\"jobs.txt\").await"),
        "{stderr}"
    );

    // A directory: every .rs file under it; `tests/` still skipped by default.
    let (_, _, stderr) = run(unblock(&fixture("workspace")).arg("api"));
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2", "api/src/lib.rs:3"]);
}

#[test]
fn missing_path_is_reported_and_the_rest_is_checked() {
    let (code, _, stderr) = run(unblock(&fixture("workspace")).args(["nope.rs", "api/src/lib.rs"]));
    assert!(
        stderr.contains("error: `nope.rs` does not exist"),
        "{stderr}"
    );
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2", "api/src/lib.rs:3"]);
    // A mistyped path next to a good one must not let a CI gate pass.
    assert_eq!(code, 2);
    // Nothing at all could be checked: trouble too, and no "no findings" line.
    let (code, _, stderr) = run(unblock(&fixture("workspace")).arg("nope.rs"));
    assert_eq!(code, 2);
    assert!(!stderr.contains("Finished"), "{stderr}");
    // JSON says the run failed, as the exit code does.
    let (code, stdout, _) =
        run(unblock(&fixture("workspace")).args(["--message-format", "json", "nope.rs"]));
    assert_eq!(code, 2);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["reason"], "build-finished");
    assert_eq!(last["success"], false, "{stdout}");
}

#[test]
fn bad_files_are_reported_and_never_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1.rs"),
        b"async fn f() { let s = \"caf\xe9\"; }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.rs"), "async fn f( {\n").unwrap();
    std::fs::write(
        dir.path().join("good.rs"),
        "async fn f() { std::thread::sleep(std::time::Duration::ZERO); }\n",
    )
    .unwrap();
    let deep = format!(
        "async fn f() {{ {}1{} }}\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    std::fs::write(dir.path().join("deep.rs"), deep).unwrap();
    let (code, _, stderr) = run(unblock(dir.path()).arg("."));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("this file nests code 20001 levels deep"),
        "{stderr}"
    );
    assert!(stderr.contains("deep.rs:1:1"), "{stderr}");
    assert!(
        stderr.contains("warning[unblock::parse_error]: could not parse this file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`latin1.rs`: the file is not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning[unblock::thread_sleep]"),
        "{stderr}"
    );
    let (code, _, _) = run(unblock(dir.path()).args([".", "-D", "parse_error"]));
    assert_eq!(code, 1);
}

#[test]
fn broken_manifest_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package\nname = ").unwrap();
    let (code, _, stderr) = run(&mut unblock(dir.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error: `cargo metadata` failed"),
        "{stderr}"
    );
}

#[test]
fn runs_as_a_real_cargo_subcommand() {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let (code, _, stderr) = run(Command::new(cargo)
        .current_dir(fixture("workspace"))
        .env("PATH", path)
        .args(["unblock", "-p", "worker"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(locations(&stderr), ["worker/src/main.rs:6"]);
}

#[test]
fn colour_follows_flags_and_environment() {
    let has_ansi = |cmd: &mut Command| run(cmd).2.contains("\u{1b}[");
    let ws = fixture("workspace");
    assert!(!has_ansi(unblock(&ws).args(["-p", "worker"])));
    assert!(has_ansi(
        unblock(&ws).args(["-p", "worker", "--color", "always"])
    ));
    assert!(has_ansi(
        unblock(&ws)
            .args(["-p", "worker"])
            .env("CARGO_TERM_COLOR", "always")
    ));
    assert!(has_ansi(
        unblock(&ws)
            .args(["-p", "worker"])
            .env("CLICOLOR_FORCE", "1")
    ));
    assert!(!has_ansi(
        unblock(&ws)
            .args(["-p", "worker", "--color", "never"])
            .env("CLICOLOR_FORCE", "1")
    ));
}

#[test]
fn rules_and_explain() {
    let (code, stdout, _) = run(unblock(&fixture("")).arg("rules"));
    assert_eq!(code, 0);
    for id in [
        "thread_sleep",
        "blocking_fs",
        "blocking_net",
        "blocking_process",
        "block_on_in_async",
    ] {
        assert!(stdout.contains(id), "{stdout}");
    }
    let (code, stdout, _) = run(unblock(&fixture("")).args(["explain", "unblock::thread_sleep"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("### Why is this bad"), "{stdout}");
    let (code, _, stderr) = run(unblock(&fixture("")).args(["explain", "nope"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no lint named `nope`"), "{stderr}");
}

#[test]
fn example_service_findings() {
    let manifest = fixture("example-service/Cargo.toml");
    let (code, _, stderr) = run(unblock(Path::new(env!("CARGO_MANIFEST_DIR")))
        .arg("--manifest-path")
        .arg(manifest));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        locations(&stderr),
        [
            "fixtures/example-service/src/handlers.rs:10",
            "fixtures/example-service/src/handlers.rs:18",
            "fixtures/example-service/src/handlers.rs:20",
            "fixtures/example-service/src/handlers.rs:23",
            "fixtures/example-service/src/handlers.rs:31",
            "fixtures/example-service/src/handlers.rs:40",
            "fixtures/example-service/src/jobs.rs:6",
            "fixtures/example-service/src/storage.rs:6",
        ]
    );
    // The config read in `main` before serving is startup code: allow by default, and
    // the summary says how to see it.
    assert!(
        stderr.contains(
            "1 blocking call in startup code was not shown (`-W blocking_in_startup` shows them)"
        ),
        "{stderr}"
    );
    insta::assert_snapshot!("example_service", stderr);
    let (_, _, stderr) = run(unblock(Path::new(env!("CARGO_MANIFEST_DIR")))
        .arg("--manifest-path")
        .arg(fixture("example-service/Cargo.toml"))
        .args(["-W", "blocking_in_startup"]));
    assert!(
        locations(&stderr).contains(&"fixtures/example-service/src/main.rs:15".to_string()),
        "{stderr}"
    );
    assert!(!stderr.contains("in startup code"), "{stderr}");
}

#[test]
fn runtime_flag_overrides_detection() {
    let (_, _, stderr) =
        run(unblock(&fixture("workspace")).args(["api/src/lib.rs", "--runtime", "smol"]));
    assert!(
        stderr.contains("smol::Timer::after(std::time::Duration::from_millis(5)).await"),
        "{stderr}"
    );
}

#[test]
fn a_runtime_test_is_an_entry_fn_like_main() {
    // `#[tokio::test]` builds a current-thread runtime for its one future: up to its
    // first spawn nothing else runs; `flavor = "multi_thread"` runs it with `block_on`
    // on the test's own thread, off the workers.
    let dir = tempfile::tempdir().unwrap();
    let text = "#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn writes() {\n        \
                let dir = tempfile::tempdir().unwrap();\n        \
                tokio::task::yield_now().await;\n        \
                std::fs::write(dir.path().join(\"a\"), b\"1\").unwrap();\n        \
                tokio::spawn(async {});\n        \
                std::fs::write(dir.path().join(\"b\"), b\"2\").unwrap();\n    }\n\n    \
                #[tokio::test(flavor = \"multi_thread\")]\n    async fn multi() {\n        \
                std::fs::write(\"c\", b\"3\").unwrap();\n        \
                tokio::task::yield_now().await;\n        \
                std::fs::write(\"d\", b\"4\").unwrap();\n    }\n}\n";
    std::fs::write(dir.path().join("t.rs"), text).unwrap();
    let args = ["t.rs", "--tests", "--message-format", "short"];
    let found = |out: &str| -> Vec<String> {
        (out.lines())
            .filter_map(|l| l.split_once(": warning[unblock::"))
            .map(|(at, rest)| {
                (
                    at.rsplit_once(':').unwrap().0,
                    rest.split(']').next().unwrap(),
                )
            })
            .map(|(at, lint)| format!("{at} {lint}"))
            .collect()
    };
    let (_, stdout, stderr) = run(unblock(dir.path()).args(args).args([
        "-W",
        "blocking_in_startup",
        "-W",
        "blocking_in_main",
    ]));
    let expected = [
        "t.rs:5 blocking_in_startup",
        "t.rs:7 blocking_in_startup",
        "t.rs:9 blocking_fs",
        "t.rs:14 blocking_in_startup",
        "t.rs:16 blocking_in_main",
    ];
    assert_eq!(found(&stdout), expected, "{stderr}");
    // By default only the blocking call after the spawn is shown.
    let (_, stdout, _) = run(unblock(dir.path()).args(args));
    assert_eq!(found(&stdout), ["t.rs:9 blocking_fs"]);
    // Test attributes that wrap tokio's build the same runtime per test.
    let wrapped = "#[cfg(test)]\nmod tests {\n    #[test_log::test(tokio::test)]\n    \
                   async fn logged() {\n        std::fs::write(\"a\", b\"1\").unwrap();\n    }\n\n    \
                   #[sqlx::test]\n    async fn db(pool: sqlx::PgPool) {\n        \
                   std::fs::write(\"b\", b\"2\").unwrap();\n    }\n}\n";
    std::fs::write(dir.path().join("t.rs"), wrapped).unwrap();
    let (_, stdout, stderr) = run(unblock(dir.path()).args(args));
    assert!(found(&stdout).is_empty(), "{stdout}{stderr}");
}

#[test]
fn pedantic_lints_are_off_until_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("log.rs"),
        "async fn f() {\n    println!(\"hi\");\n}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(unblock(dir.path()).arg("log.rs"));
    assert_eq!((code, locations(&stderr).len()), (0, 0), "{stderr}");
    let (_, _, stderr) = run(unblock(dir.path()).args(["log.rs", "-W", "pedantic"]));
    assert_eq!(locations(&stderr), ["log.rs:2"]);
    let (code, _, _) = run(unblock(dir.path()).args(["log.rs", "-D", "blocking_print"]));
    assert_eq!(code, 1);
}

#[test]
fn struct_fields_declared_in_other_files_of_the_package() {
    let manifest = fixture("cross-file/Cargo.toml");
    let (code, _, stderr) = run(unblock(&fixture("cross-file"))
        .arg("--manifest-path")
        .arg(manifest));
    assert_eq!(code, 0, "{stderr}");
    // `State(state): State<Arc<AppState>>` and `state.log` reach `state.rs`; `self.cache`
    // reaches a struct in a module of it; `Twin` is declared twice, so it stays silent.
    // `paths.rs` (no async code) tells what its fns return: `label_path`, declared
    // twice, stays silent.
    // `links.rs` tells what `Outgoing::new` returns, a tuple destructured; `Incoming`
    // names two structs, so it stays silent. It also tells that `open_journal` returns
    // the package's `Journal`, and `Journal::decode` a `Result<Self, _>`: a `Journal`
    // (whose `report` does nothing), not the error type (whose `report` writes).
    let expected = [
        "src/main.rs:16",
        "src/main.rs:23",
        "src/main.rs:33",
        "src/main.rs:43",
        "src/main.rs:48",
        "src/main.rs:84",
        "src/main.rs:88",
        "src/main.rs:104",
        "src/main.rs:108",
    ];
    assert_eq!(locations(&stderr), expected);
    // Paths mode finds the package from the nearest manifest and does the same.
    let (_, _, stderr) = run(unblock(&fixture("cross-file")).arg("src"));
    assert_eq!(locations(&stderr), expected);
}

#[test]
fn transitive_chains_cross_workspace_members_in_cargo_mode() {
    let root = fixture("transitive_blocking/workspace");
    let (code, _, stderr) = run(unblock(&root).arg("--workspace"));
    assert_eq!(code, 0, "{stderr}");
    // `pool.flush()`: a method of the other member's type, on a parameter of that type;
    // `pool.vacuum()` on what that member's `Pool::new()` returned.
    assert_eq!(
        locations(&stderr),
        [
            "api/src/main.rs:5",
            "api/src/main.rs:9",
            "api/src/main.rs:16",
            "api/src/main.rs:22"
        ]
    );
    // `connect` and `Pool::checkout` reach the same `thread::sleep`: one finding.
    assert!(
        stderr
            .contains("and 1 more async caller reaches the same blocking call: api/src/main.rs:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`connect` → `db::connect` (db/src/lib.rs:4) → `std::thread::sleep` (db/src/lib.rs:5)"
        ),
        "{stderr}"
    );
    // `-A` turns the lint off like any other.
    let (_, _, quiet) = run(unblock(&root).args(["--workspace", "-A", "transitive_blocking"]));
    assert!(locations(&quiet).is_empty(), "{quiet}");
}

#[test]
fn one_staged_file_still_sees_the_whole_crate() {
    // How pre-commit runs it: only the changed file is named, but its callees are
    // followed into files that were not named.
    let root = fixture("transitive_blocking/crate");
    let (_, _, stderr) = run(unblock(&root).arg("src/main.rs"));
    let found = locations(&stderr);
    assert_eq!(found.len(), 16, "{stderr}");
    assert!(
        found.iter().all(|l| l.starts_with("src/main.rs:")),
        "{stderr}"
    );
    assert!(
        stderr.contains("(src/store/engine.rs:14) → `std::fs::read` (src/store/engine.rs:15)"),
        "{stderr}"
    );
}

/// A workspace of two members whose async code sleeps, in a temporary directory.
fn sleepy_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    for member in ["a", "b"] {
        std::fs::create_dir_all(root.join(member).join("src")).unwrap();
        std::fs::write(
            root.join(member).join("Cargo.toml"),
            format!("[package]\nname = \"{member}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        std::fs::write(
            root.join(member).join("src/lib.rs"),
            "pub async fn f() {\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n",
        )
        .unwrap();
    }
    dir
}

#[test]
fn configuration_sets_levels_per_package() {
    let dir = sleepy_workspace();
    let root = dir.path();
    std::fs::write(
        root.join("a/unblock.toml"),
        "[lints]\nthread_sleep = \"deny\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\
         [workspace.metadata.unblock.lints]\nblocking = \"allow\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(unblock(root).arg("--workspace"));
    // `a` has its own file (deny); `b` falls back to the workspace table (allow).
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(locations(&stderr), ["a/src/lib.rs:2"], "{stderr}");
    assert!(stderr.contains("error[unblock::thread_sleep]"), "{stderr}");
    // Flags win over the configuration, as clippy's do.
    let (code, _, stderr) = run(unblock(root).args(["--workspace", "-W", "thread_sleep"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(locations(&stderr), ["a/src/lib.rs:2", "b/src/lib.rs:2"]);
    // `--config` replaces every package's configuration.
    // Its globs are relative to its own directory.
    std::fs::write(root.join("ci.toml"), "exclude = [\"*/src/lib.rs\"]\n").unwrap();
    let (code, _, stderr) = run(unblock(root).args(["--workspace", "--config", "ci.toml"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(locations(&stderr).is_empty(), "{stderr}");
}

#[test]
fn a_broken_configuration_is_named_and_the_other_packages_are_checked() {
    let dir = sleepy_workspace();
    let root = dir.path();
    std::fs::write(
        root.join("b/unblock.toml"),
        "colour = true\n[lints]\nthread_sleep = \"deny\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(unblock(root).arg("--workspace"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("b/unblock.toml:1: unknown key `colour`; expected one of"),
        "{stderr}"
    );
    assert_eq!(locations(&stderr), ["a/src/lib.rs:2"], "{stderr}");
    // The same in paths mode (how pre-commit runs it).
    let (code, _, stderr) = run(unblock(root).args(["a/src/lib.rs", "b/src/lib.rs"]));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(locations(&stderr), ["a/src/lib.rs:2"], "{stderr}");
}

#[test]
fn a_reason_can_be_made_optional() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"r\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "pub async fn f() {\n    // unblock: allow(thread_sleep)\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n",
    )
    .unwrap();
    let (_, _, stderr) = run(unblock(root).arg("src/lib.rs"));
    assert!(
        stderr.contains("warning[unblock::bad_suppression]: this suppression gives no reason"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("thread_sleep]"),
        "the suppression still applies: {stderr}"
    );
    std::fs::write(root.join("unblock.toml"), "require-reason = false\n").unwrap();
    let (code, _, stderr) = run(unblock(root).arg("src/lib.rs"));
    assert_eq!(code, 0);
    assert!(locations(&stderr).is_empty(), "{stderr}");
}

#[test]
fn a_source_module_named_target_is_checked_but_build_dirs_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let sleepy = "pub async fn f() {\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n";
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"t\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    for file in [
        "src/lib.rs",
        "src/target/apple.rs",
        "target/debug/build/out.rs",
        "sub/target/x.rs",
    ] {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::write(root.join(file), sleepy).unwrap();
    }
    std::fs::write(
        root.join("sub/target/CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n",
    )
    .unwrap();
    let (_, _, stderr) = run(unblock(root).arg("."));
    assert_eq!(
        locations(&stderr),
        ["src/lib.rs:2", "src/target/apple.rs:2"],
        "{stderr}"
    );
}

#[test]
fn one_run_writes_annotations_and_a_sarif_file() {
    // What the GitHub Action does: the gate's annotations on stdout, and the full
    // report as SARIF in a file, from one scan.
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("unblock.sarif");
    let short = dir.path().join("findings.txt");
    let (code, stdout, _) = run(unblock(&fixture("example-service")).args([
        "-D",
        "warnings",
        "--message-format",
        "github",
        "--output-file",
        &format!("sarif={}", sarif.display()),
        "--output-file",
        &format!("short={}", short.display()),
    ]));
    assert_eq!(code, 1, "{stdout}");
    let annotations = stdout.lines().filter(|l| l.starts_with("::error")).count();
    assert!(annotations > 0, "{stdout}");
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap().len();
    assert_eq!(results, annotations);
    let lines = std::fs::read_to_string(&short).unwrap().lines().count();
    assert_eq!(lines, annotations);
}

#[test]
fn an_output_file_that_cannot_be_written_is_an_error() {
    let (code, _, stderr) = run(unblock(&fixture("example-service"))
        .args(["--output-file", "json=/nonexistent-dir/out.json"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot write `/nonexistent-dir/out.json`"),
        "{stderr}"
    );
    // A path alone writes the chosen format there instead of the terminal.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.txt");
    let (code, stdout, stderr) = run(unblock(&fixture("example-service"))
        .args(["--message-format", "short", "--output-file"])
        .arg(&file));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("warning[unblock::"), "{written}");
    let (code, _, stderr) =
        run(unblock(&fixture("example-service")).args(["--output-file", "human=x"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("path alone"), "{stderr}");
}

#[test]
fn one_root_cause_is_one_finding_for_statistics_and_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::copy_tree(&fixture("transitive_blocking/workspace"), root);
    // Two async callers reach the same `thread::sleep`: counted once.
    let (_, stats, _) = run(unblock(root).args(["--workspace", "--statistics"]));
    assert!(
        stats.contains("     4  unblock::transitive_blocking"),
        "{stats}"
    );
    // Suppressing the first call site leaves the other one to stand for the root cause.
    let main = root.join("api/src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "    db::connect(); //~ transitive_blocking",
        "    // unblock: allow(transitive_blocking) -- runs once, before serving\n    db::connect();",
    );
    std::fs::write(&main, text).unwrap();
    let (_, _, stderr) = run(unblock(root).arg("--workspace"));
    assert_eq!(
        locations(&stderr),
        [
            "api/src/main.rs:5",
            "api/src/main.rs:12",
            "api/src/main.rs:17",
            "api/src/main.rs:23"
        ]
    );
    assert!(!stderr.contains("unused_suppression"), "{stderr}");
    assert!(!stderr.contains("same blocking call"), "{stderr}");
}

/// The manifest of a one-package temporary project.
const APP_MANIFEST: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

#[test]
fn misspelled_lints_get_a_suggestion_everywhere() {
    let root = fixture("example-service");
    let (code, _, stderr) = run(unblock(&root).args(["-W", "blockng_fs"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown lint or group `blockng_fs`; did you mean `blocking_fs`?"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(unblock(&root).args(["explain", "thread_slep"]));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("did you mean `thread_sleep`?"), "{stderr}");

    let dir = common::dir_with(&[
        ("Cargo.toml", APP_MANIFEST.as_bytes()),
        ("unblock.toml", b"[lints]\nblocking_fss = \"deny\"\n"),
        (
            "src/lib.rs",
            b"async fn f() {\n    // unblock: allow(thread_slep) -- test\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n",
        ),
    ]);
    let (code, _, stderr) = run(unblock(dir.path()).arg("src/lib.rs"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did you mean `blocking_fs`?"), "{stderr}");
    std::fs::remove_file(dir.path().join("unblock.toml")).unwrap();
    let (_, _, stderr) = run(unblock(dir.path()).arg("src/lib.rs"));
    assert!(
        stderr.contains("`thread_slep` — did you mean `thread_sleep`?"),
        "{stderr}"
    );
}

#[test]
fn explain_prints_the_lint_page() {
    let (code, stdout, _) =
        run(unblock(&fixture("example-service")).args(["explain", "blocking_fs"]));
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lints/blocking_fs.md"),
    )
    .unwrap();
    assert_eq!(stdout, page);
    // The summary and the first heading are apart.
    assert!(
        stdout.contains("on the executor\n\n### What it does"),
        "{stdout}"
    );
}

#[test]
fn a_lone_file_is_a_crate_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.rs");
    std::fs::write(
        &file,
        "async fn run() {\n    helper();\n}\n\nfn helper() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n",
    )
    .unwrap();
    let (_, _, stderr) = run(unblock(dir.path()).arg("job.rs"));
    assert_eq!(locations(&stderr), ["job.rs:2"], "{stderr}");
    assert!(stderr.contains("`run` → `helper`"), "{stderr}");
}

/// A workspace of three members in a temporary directory: `api` (async handlers),
/// `common` (a sync helper that blocks) and `worker` (no async code).
fn three_member_workspace() -> tempfile::TempDir {
    common::dir_with(&[
        ("Cargo.toml", b"[workspace]\nmembers = [\"api\", \"common\", \"worker\"]\nresolver = \"2\"\n"),
        ("api/Cargo.toml", b"[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncommon = { path = \"../common\" }\n"),
        ("api/src/lib.rs", b"pub async fn handler() -> String {\n    common::db::query()\n}\n"),
        ("common/Cargo.toml", b"[package]\nname = \"common\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("common/src/lib.rs", b"pub mod db;\n"),
        ("common/src/db.rs", b"pub fn query() -> String {\n    std::fs::read_to_string(\"db.txt\").unwrap_or_default()\n}\n"),
        ("worker/Cargo.toml", b"[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ("worker/src/lib.rs", b"pub fn work() {}\n"),
    ])
}

#[test]
fn a_selection_narrows_what_is_reported_not_what_is_understood() {
    let dir = three_member_workspace();
    let root = dir.path();
    let (_, _, all) = run(unblock(root).arg("--workspace"));
    assert_eq!(locations(&all), ["api/src/lib.rs:2"], "{all}");
    let (_, _, one) = run(unblock(root).args(["-p", "api"]));
    assert_eq!(locations(&one), ["api/src/lib.rs:2"], "{one}");
    let (_, _, excluded) = run(unblock(root).args(["--workspace", "--exclude", "common"]));
    assert_eq!(locations(&excluded), ["api/src/lib.rs:2"], "{excluded}");
    let (_, _, inside) = run(&mut unblock(&root.join("api")));
    assert_eq!(locations(&inside), ["src/lib.rs:2"], "{inside}");
    assert!(inside.contains("`common::db::query`"), "{inside}");
    // A member with nothing to report reports nothing, whatever it can see.
    let (_, _, worker) = run(unblock(root).args(["-p", "worker"]));
    assert!(locations(&worker).is_empty(), "{worker}");
}

#[test]
fn paths_mode_sees_the_workspace_and_reports_chains_through_a_named_file() {
    let dir = three_member_workspace();
    let root = dir.path();
    // The handler's own file: its chain into another member is followed.
    let (_, _, stderr) = run(unblock(root).arg("api/src/lib.rs"));
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2"], "{stderr}");
    // Only the helper staged: the handler whose chain now passes through it is reported,
    // so the commit that made the helper block fails.
    let (code, _, stderr) = run(unblock(root).args(["-D", "warnings", "common/src/db.rs"]));
    assert_eq!(locations(&stderr), ["api/src/lib.rs:2"], "{stderr}");
    assert_eq!(code, 1, "{stderr}");
    // A file no chain passes through reports nothing from elsewhere.
    let (code, _, stderr) = run(unblock(root).arg("worker/src/lib.rs"));
    assert!(locations(&stderr).is_empty(), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn every_configuration_mistake_is_named_at_once() {
    let dir = common::dir_with(&[
        ("Cargo.toml", APP_MANIFEST.as_bytes()),
        ("src/lib.rs", b"pub fn f() {}\n"),
        (
            "unblock.toml",
            b"testz = true\n[lints]\nthread_slep = \"deny\"\nblocking_fs = \"loud\"\n",
        ),
    ]);
    let (code, _, stderr) = run(unblock(dir.path()).arg("src/lib.rs"));
    assert_eq!(code, 2, "{stderr}");
    for expected in [
        "unblock.toml:1: unknown key `testz`; did you mean `tests`?",
        "unblock.toml:3: unknown lint or group `thread_slep`; did you mean `thread_sleep`?",
        "unblock.toml:4: unknown level `loud` for `blocking_fs`",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert_eq!(
        stderr.matches("error: invalid configuration").count(),
        3,
        "{stderr}"
    );
}

#[test]
fn a_multi_line_rewrite_is_shown_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("job.rs"),
        "async fn f() {\n    helper(\n        1,\n        2,\n    );\n}\n\nfn helper(a: u64, b: u64) {\n    std::thread::sleep(std::time::Duration::from_millis(a + b));\n}\n",
    )
    .unwrap();
    let (_, _, stderr) = run(unblock(dir.path()).args(["--runtime", "tokio", "job.rs"]));
    assert!(!stderr.contains('…'), "{stderr}");
    assert!(
        stderr.contains("2 ~ tokio::task::spawn_blocking(move || helper("),
        "{stderr}"
    );
    assert!(stderr.contains("3 ~         1,"), "{stderr}");
    assert!(stderr.contains("5 ~     )).await.unwrap()"), "{stderr}");
}

#[test]
fn machine_formats_link_the_lint_pages() {
    let root = fixture("example-service");
    let (_, stdout, _) = run(unblock(&root).args(["--message-format", "sarif"]));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().all(
        |r| r["helpUri"].as_str().is_some_and(|u| u.ends_with(&format!(
            "/docs/lints/{}.md",
            r["id"].as_str().unwrap().trim_start_matches("unblock::")
        )))
    ));
    let (_, stdout, _) = run(unblock(&root).args(["--message-format", "json"]));
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let explanation = first["message"]["code"]["explanation"].as_str().unwrap();
    assert!(explanation.starts_with("# unblock::"), "{explanation}");
}
