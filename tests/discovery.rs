//! Which files cargo mode checks, as cargo sees the package: from a manifest path with
//! `..` in it, for a source file that only a test target reaches, and for the files no
//! `mod` reaches.
use std::path::Path;

use assert_cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-unblock");

/// A package `pkg` in a temporary directory, with `files` (path, text) in it.
fn package(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pkg");
    let manifest = "[package]\nname = \"pkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    for (path, text) in [("Cargo.toml", manifest)].iter().chain(files) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The files with findings, by their file names, in the order reported.
fn reported(cwd: &Path, args: &[&str]) -> Vec<String> {
    let output = Command::new(BIN)
        .current_dir(cwd)
        .args(["--no-cache", "--message-format", "short"])
        .args(args)
        .output()
        .unwrap();
    // The short format goes to stdout.
    let stdout = String::from_utf8(output.stdout).unwrap();
    let names = stdout.lines().filter_map(|line| {
        let (path, _) = line.split_once(".rs:")?;
        let name = Path::new(path).file_name()?.to_str()?;
        Some(format!("{name}.rs"))
    });
    names.collect()
}

const SLEEPS: &str = "pub async fn f() {\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n";

#[test]
fn a_manifest_path_through_a_tests_directory_checks_the_package() {
    let dir = package(&[("src/lib.rs", SLEEPS), ("tests/it.rs", "")]);
    let tests = dir.path().join("pkg/tests");
    let found = reported(&tests, &["--manifest-path", "../Cargo.toml"]);
    assert_eq!(found, ["lib.rs"]);
    let beside = dir.path().join("beside/tests");
    std::fs::create_dir_all(&beside).unwrap();
    let found = reported(&beside, &["--manifest-path", "../../pkg/Cargo.toml"]);
    assert_eq!(found, ["lib.rs"]);
}

#[test]
fn a_source_file_only_a_test_target_reaches_is_test_code() {
    let it = "#[path = \"../src/helper.rs\"]\nmod helper;\n";
    let dir = package(&[
        ("src/lib.rs", "pub fn g() {}\n"),
        ("src/helper.rs", SLEEPS),
        ("tests/it.rs", it),
    ]);
    let root = dir.path().join("pkg");
    // `cargo check` does not build it; `cargo check --tests` does.
    assert_eq!(reported(&root, &[]), Vec::<String>::new());
    assert_eq!(reported(&root, &["--tests"]), ["helper.rs"]);
}

#[test]
fn a_build_directory_of_any_name_is_not_checked() {
    // Cargo tags every target directory it makes with a `CACHEDIR.TAG`, whatever it is
    // called (`CARGO_TARGET_DIR=out`): generated code in it is not the package's source.
    let dir = package(&[
        ("src/lib.rs", SLEEPS),
        (
            "out/CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n",
        ),
        ("out/debug/build/pkg-1/out/generated.rs", SLEEPS),
    ]);
    let root = dir.path().join("pkg");
    assert_eq!(reported(&root, &["."]), ["lib.rs"]);
    assert_eq!(reported(&root, &[]), ["lib.rs"]);
}

#[test]
fn files_no_module_declaration_reaches_are_not_checked() {
    // A template and a stray copy that `mod` never names: rustc never reads them, so
    // neither their parse errors nor their calls are findings.
    let lib = "mod real;\n#[cfg(test)]\nmod helpers;\n";
    let dir = package(&[
        ("src/lib.rs", lib),
        ("src/real.rs", SLEEPS),
        ("src/helpers.rs", SLEEPS),
        ("src/template.rs", "pub async fn {{ name }}() {}\n"),
        ("src/old/copy.rs", SLEEPS),
    ]);
    let root = dir.path().join("pkg");
    assert_eq!(reported(&root, &[]), ["real.rs"]);
    // The out-of-line `#[cfg(test)]` module is test code: checked with `--tests`.
    assert_eq!(reported(&root, &["--tests"]), ["helpers.rs", "real.rs"]);
}
