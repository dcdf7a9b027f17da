//! `cargo-unblock`: argv (minus cargo's extra `unblock` word) → `cli::run` → exit code.
fn main() {
    // Before any thread allocates: each would take an arena of its own.
    cargo_unblock::driver::allocator::arena_per_core();
    let args = cargo_unblock::cli::normalize_args(std::env::args_os().collect());
    std::process::exit(cargo_unblock::cli::run(args));
}
