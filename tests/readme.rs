//! The README's rule table must be exactly what the catalogue generates, its snippets
//! must load and parse, and the action it shows must take the inputs it passes.
use cargo_unblock::catalog::Catalog;
use cargo_unblock::cli::rules_markdown;

#[test]
fn readme_rule_table_matches_the_catalogue() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- rules:start").expect("rules:start marker");
    let body_start = start + readme[start..].find("-->\n").expect("end of start marker") + 4;
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    assert_eq!(
        &readme[body_start..end],
        rules_markdown(Catalog::builtin()),
        "README rule table is stale: paste `cargo unblock rules --markdown` between the markers"
    );
}

/// The fenced blocks of the README tagged `lang`.
fn blocks(lang: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```\n").expect("closed fence");
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[test]
fn readme_configuration_snippets_load() {
    let snippets = blocks("toml");
    assert!(!snippets.is_empty());
    for snippet in snippets {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("unblock.toml");
        std::fs::write(&file, &snippet).unwrap();
        let config = cargo_unblock::driver::config::load_file(&file, Catalog::builtin())
            .unwrap_or_else(|e| panic!("README snippet does not load: {e}\n{snippet}"));
        cargo_unblock::driver::settings::Settings::new(config)
            .unwrap_or_else(|e| panic!("README snippet is refused: {e}\n{snippet}"));
    }
}

#[test]
fn readme_rust_snippets_parse() {
    for snippet in blocks("rust") {
        // `/* ... */` stands for elided bodies.
        syn::parse_file(&snippet).unwrap_or_else(|e| panic!("{e}\n{snippet}"));
    }
}

#[test]
fn readme_rust_snippets_are_clean() {
    // The suppression examples suppress what they claim, and nothing is left over.
    for snippet in blocks("rust") {
        let report = cargo_unblock::driver::check::check_source(
            "README.md",
            snippet.clone(),
            cargo_unblock::catalog::runtime::Runtime::Tokio,
            false,
        );
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert!(found.is_empty(), "{found:?}\n{snippet}");
    }
}

/// The words of a shell line, without comments, redirections and quotes.
fn words(line: &str) -> Vec<String> {
    let line = line.split(" #").next().unwrap_or(line);
    let line = line.split(" > ").next().unwrap_or(line);
    line.split_whitespace()
        .map(|w| w.trim_matches('\'').trim_matches('"').to_string())
        .collect()
}

#[test]
fn readme_command_lines_parse() {
    use clap::Parser;
    let mut checked = 0;
    let mut lines: Vec<Vec<String>> = Vec::new();
    for block in blocks("sh").into_iter().chain(blocks("yaml")) {
        for line in block.lines() {
            let line = line.trim().trim_start_matches("- run:").trim();
            if let Some(rest) = line.strip_prefix("cargo unblock") {
                let mut argv = vec!["cargo-unblock".to_string()];
                argv.extend(words(rest));
                lines.push(argv);
            }
        }
    }
    for block in blocks("json") {
        let settings: serde_json::Value = serde_json::from_str(&block).unwrap();
        if let Some(command) = settings["rust-analyzer.check.overrideCommand"].as_array() {
            let mut argv = vec!["cargo-unblock".to_string()];
            argv.extend(
                command
                    .iter()
                    .skip(2)
                    .map(|w| w.as_str().unwrap().to_string()),
            );
            assert!(argv.contains(&"json".to_string()));
            lines.push(argv);
        }
    }
    for argv in lines {
        cargo_unblock::cli::Cli::try_parse_from(&argv)
            .unwrap_or_else(|e| panic!("README command `{}` does not parse: {e}", argv.join(" ")));
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} command lines found");
}

/// The inputs `action.yml` declares (the keys two spaces in under `inputs:`).
fn action_inputs() -> Vec<String> {
    let action =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let section = action
        .split("\ninputs:\n")
        .nth(1)
        .expect("action.yml has inputs");
    section
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|key| !key.starts_with(' '))
        .map(String::from)
        .collect()
}

#[test]
fn readme_action_inputs_are_the_actions_inputs() {
    let inputs = action_inputs();
    assert!(inputs.contains(&"sarif".to_string()), "{inputs:?}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut used = 0;
    for block in blocks("yaml") {
        let mut lines = block
            .lines()
            .skip_while(|l| !l.contains("uses: cargo-unblock/cargo-unblock@"));
        if lines.next().is_none() {
            continue;
        }
        for line in lines.skip_while(|l| !l.trim().starts_with("with:")).skip(1) {
            let key = line.trim().split(':').next().unwrap();
            assert!(
                inputs.contains(&key.to_string()),
                "README passes `{key}`, not an input of action.yml"
            );
            used += 1;
        }
    }
    assert!(used > 0, "the README shows the action with inputs");
    // The input table names every input, and nothing else.
    let table: Vec<String> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| input |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(table, inputs);
}
