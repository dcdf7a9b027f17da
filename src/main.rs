//! `cargo-unblock`: argv (minus cargo's extra `unblock` word) → `cli::run` → exit code.
fn main() {
    let args = cargo_unblock::cli::normalize_args(std::env::args_os().collect());
    std::process::exit(cargo_unblock::cli::run(args));
}
