//! Sync helpers that block: the handlers reach them through the call graph.
pub fn load_config(name: &str) -> String {
    std::fs::read_to_string(format!("{name}.toml")).unwrap_or_default()
}

pub fn encrypt_file(key: &str, path: &std::path::Path) {
    let data = std::fs::read(path).unwrap_or_default();
    let _ = std::fs::write(path.with_extension("enc"), [key.as_bytes(), &data].concat());
}

pub fn remove_expired(pastes: &mut Vec<String>) {
    pastes.retain(|p| std::path::Path::new(p).exists());
}

pub fn init_log(file: String) {
    let _ = std::fs::File::create(file);
}

/// Its error cannot cross threads: no `spawn_blocking` around a call of it.
pub fn store(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(path, b"x")?;
    Ok(())
}
