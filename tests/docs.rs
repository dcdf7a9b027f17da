//! `docs/lints/<id>.md` is each lint's page as `cargo unblock explain` prints it, so
//! that SARIF's `helpUri`, the JSON explanation and the human note can link to it. The
//! pages are generated: `UNBLOCK_BLESS=1 cargo test --test docs` rewrites them.
use std::path::Path;

use cargo_unblock::catalog::Catalog;

#[test]
fn every_lint_has_its_page_and_no_page_is_stale() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lints");
    let bless = std::env::var_os("UNBLOCK_BLESS").is_some();
    let catalog = Catalog::builtin();
    let mut problems = Vec::new();
    for lint in catalog.lints() {
        let path = dir.join(format!("{}.md", lint.id));
        let page = lint.page();
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &page).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            problems.push(format!("{} is missing or stale", path.display()));
        }
        assert!(lint.url().ends_with(&format!("docs/lints/{}.md", lint.id)));
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".md");
        if catalog.lint(id).is_none() {
            problems.push(format!("docs/lints/{name} names no lint"));
        }
    }
    assert!(
        problems.is_empty(),
        "{problems:#?}\nrun `UNBLOCK_BLESS=1 cargo test --test docs` to regenerate"
    );
}
