//! What this binary is: the commit, profile, target and compiler it was built from
//! (`build.rs`), for `--version` and the run record.

/// The commit, profile, target and compiler this binary was built from (`build.rs`).
pub fn build_text() -> String {
    format!(
        "commit: {}\nbuild: {} profile, {}, {}",
        env!("PLOTRAND_GIT_COMMIT"),
        env!("PLOTRAND_PROFILE"),
        env!("PLOTRAND_TARGET"),
        env!("PLOTRAND_RUSTC"),
    )
}
