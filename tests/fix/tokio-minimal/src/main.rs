//! tokio with only `rt` and `macros`: `tokio::fs` and `tokio::time` are not there, so
//! their rewrites are advice; `spawn_blocking` (in `rt`) may be used.
#![allow(dead_code, clippy::all)]

use std::path::Path;

async fn load(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

async fn pause() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

async fn present(path: &Path) -> bool {
    path.exists()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let tasks = vec![
        tokio::spawn(async { load(Path::new("x")).await.len() }),
        tokio::spawn(async { pause().await; 0 }),
        tokio::spawn(async { usize::from(present(Path::new("x")).await) }),
    ];
    for task in tasks {
        let _ = task.await;
    }
}
