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
