//! Neovim's built-in LSP client against `cargo unblock server` (tests/nvim/session.lua):
//! a diagnostic from an unsaved edit, the preferred quick fix applied, the diagnostic
//! gone, a clean shutdown. Without `nvim` on the PATH the test says so and passes,
//! unless `UNBLOCK_REQUIRE_NVIM` is set (CI installs nvim and sets it).
use std::path::Path;
use std::process::Command;

mod common;
use common::editor_workspace::workspace;

#[test]
fn neovim_applies_the_quick_fix() {
    let found = Command::new("nvim").arg("--version").output().ok();
    let Some(version) = found.filter(|o| o.status.success()) else {
        assert!(
            std::env::var_os("UNBLOCK_REQUIRE_NVIM").is_none(),
            "UNBLOCK_REQUIRE_NVIM is set but `nvim` cannot be run"
        );
        println!("SKIPPED: `nvim` is not installed, so the Neovim session did not run");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout);
    println!("{}", version.lines().next().unwrap_or_default());
    let (dir, _, _) = workspace();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/session.lua");
    let output = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("UNBLOCK_SERVER", common::BIN)
        .env("UNBLOCK_ROOT", dir.path())
        .env("XDG_STATE_HOME", dir.path().join(".nvim-state"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("nvim session: ok"),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
}
