//! async-std: its own twins (`async_std::fs`, `async_std::task::sleep`) and its
//! `spawn_blocking`.
#![allow(dead_code, clippy::all)]

use std::path::{Path, PathBuf};

async fn load(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

async fn save(path: PathBuf, text: String) -> std::io::Result<()> {
    std::fs::write(&path, &text)?;
    println!("{} bytes to {}", text.len(), path.display());
    Ok(())
}

async fn pause() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

fn checksum(name: &str) -> usize {
    std::fs::read(name).map(|b| b.len()).unwrap_or(0)
}

async fn verify(name: String) -> usize {
    let sum = checksum(&name);
    println!("{name}");
    sum
}

#[async_std::main]
async fn main() {
    let tasks = vec![
        async_std::task::spawn(async { load(Path::new("x")).await.len() }),
        async_std::task::spawn(async { save("x".into(), "y".into()).await.map_or(0, |_| 1) }),
        async_std::task::spawn(async { pause().await; 0 }),
        async_std::task::spawn(verify("x".into())),
    ];
    for task in tasks {
        task.await;
    }
}
