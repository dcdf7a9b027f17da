//! The catalogue's loading checks: the built-in lints load, templates name only the
//! runtime's crates.
use super::*;

#[test]
fn builtin_catalogue_loads() {
    assert!(Catalog::builtin().lint("thread_sleep").is_some());
}

#[test]
fn template_crates_are_found() {
    assert_eq!(crate_prefixes("tokio::fs::read({args}).await"), ["tokio"]);
    assert_eq!(
        crate_prefixes("Duration::from_millis(u64::from(x))"),
        Vec::<&str>::new()
    );
    assert_eq!(
        crate_prefixes("tokio::time::timeout({1}, tokio::net::TcpStream::connect({0}))"),
        ["tokio", "tokio"]
    );
}

#[test]
fn templates_naming_other_crates_are_refused() {
    let lint = r#"
        id = "x"
        group = "blocking"
        level = "warn"
        summary = "s"
        explanation = "e"
        [[match]]
        paths = ["rusqlite::Connection::open"]
        suggest.tokio = "tokio_rusqlite::Connection::open({args}).await"
    "#;
    let err = Catalog::from_sources([("x.toml", lint)]).err().unwrap();
    assert!(err.contains("names crate `tokio_rusqlite`"), "{err}");
}
