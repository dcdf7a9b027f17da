//! Compiles every `lints/*.toml` into the binary, so the catalogue is data, not code.
use std::{env, fs, path::Path};

fn main() {
    // Read at run time: `env!` would bake in the directory the build script was first
    // compiled for, and `cargo package` verifies from a copy under `target/package/`.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("lints");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("lints/ directory")
        .map(|entry| entry.expect("lints/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("pub static LINT_SOURCES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("lints.rs");
    fs::write(dest, out).expect("write lints.rs");
}
