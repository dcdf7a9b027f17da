//! The README's rule table must be exactly what the catalogue generates.
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
        let config = cargo_unblock::config::load_file(&file, Catalog::builtin())
            .unwrap_or_else(|e| panic!("README snippet does not load: {e}\n{snippet}"));
        cargo_unblock::settings::Settings::new(config)
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
