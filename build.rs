//! Build provenance for `--version` and the run record: git commit, profile, target, rustc.

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let commit = output("git", &["rev-parse", "--short=12", "HEAD"]).map(|c| {
        let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"]).is_some();
        if dirty {
            format!("{c}-dirty")
        } else {
            c
        }
    });
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let vars = [
        (
            "PLOTRAND_GIT_COMMIT",
            commit.unwrap_or_else(|| "unknown (not built from a git checkout)".into()),
        ),
        (
            "PLOTRAND_PROFILE",
            std::env::var("PROFILE").unwrap_or_default(),
        ),
        (
            "PLOTRAND_TARGET",
            std::env::var("TARGET").unwrap_or_default(),
        ),
        (
            "PLOTRAND_RUSTC",
            output(&rustc, &["--version"]).unwrap_or_default(),
        ),
    ];
    for (key, value) in vars {
        println!("cargo:rustc-env={key}={value}");
    }
    // Rerun when the commit, the index or any source changes: each can change "-dirty".
    for path in [
        ".git/HEAD",
        ".git/index",
        ".git/refs/heads",
        "src",
        "Cargo.toml",
        "build.rs",
    ] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
