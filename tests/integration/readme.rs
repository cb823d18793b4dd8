//! The README's examples, run as a reader would type them: every `plotrand-mpi`, `mpirun` and
//! HDF5-tool command of its `sh` and `console` blocks runs in one scratch directory, in order,
//! and must succeed; where a `console` block shows output, the lines shown must be in what
//! the command prints. Commands that install, build or write outside the directory are
//! passed over.

use crate::common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// A command of the README and, for `console` blocks, the output lines it shows.
struct Example {
    command: String,
    shown: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut block: Option<&str> = None;
    for line in readme.lines() {
        if let Some(fence) = line.strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(fence.trim()),
            };
            continue;
        }
        match block {
            Some("sh") if !line.trim().is_empty() => examples.push(Example {
                command: without_comment(line),
                shown: Vec::new(),
            }),
            Some("console") => match line.strip_prefix("$ ") {
                Some(command) => examples.push(Example {
                    command: without_comment(command),
                    shown: Vec::new(),
                }),
                None => {
                    if let Some(last) = examples.last_mut() {
                        last.shown.push(line.to_string());
                    }
                }
            },
            _ => {}
        }
    }
    examples
}

/// The command without its trailing `# comment` (README commands hold no `#` otherwise).
fn without_comment(line: &str) -> String {
    line.split(" #").next().unwrap_or(line).trim().to_string()
}

/// Whether a reader can run the command here, in a scratch directory.
fn runnable(command: &str) -> bool {
    let first = command.split_whitespace().next().unwrap_or_default();
    ["plotrand-mpi", "mpirun", "h5ls", "h5dump"].contains(&first)
        && !command.contains('~')
        && !command.contains("$HOME")
}

/// A directory on PATH where `plotrand-mpi` is the binary under test and `mpirun` the test
/// launcher with what it needs here (root, more ranks than cores). The wrapper calls the
/// launcher by the path it was found at before this directory came first on PATH: by name
/// it would find, and call, itself for ever.
fn path_with_the_binary(dir: &Path) -> String {
    std::os::unix::fs::symlink(BIN, dir.join("plotrand-mpi")).unwrap();
    let extra = if is_open_mpi() {
        "--allow-run-as-root --oversubscribe"
    } else {
        ""
    };
    let real = mpirun_path();
    assert!(
        !real.starts_with(dir),
        "the launcher {} is the wrapper itself",
        real.display()
    );
    let wrapper = format!("#!/bin/sh\nexec {} {extra} \"$@\"\n", quoted(&real));
    let launcher = dir.join("mpirun");
    std::fs::write(&launcher, wrapper).unwrap();
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Output lines match when their words do (columns are padded differently); `…` and `...`
/// stand for lines left out.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

#[test]
fn the_readme_examples_run_and_print_what_it_shows() {
    let readme = std::fs::read_to_string(repo_path("README.md")).expect("README.md");
    let all = examples(&readme);
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let path = path_with_the_binary(&bin);
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let mut ran = 0;
    for example in all.iter().filter(|e| runnable(&e.command)) {
        let out = run(Command::new("bash")
            .args(["-c", &example.command])
            .current_dir(&work)
            .env("PATH", &path));
        let stdout = &out.stdout;
        assert!(out.success(), "README example failed: {}", out.context());
        let printed: Vec<Vec<&str>> = stdout.lines().map(words).collect();
        for shown in &example.shown {
            let shown = words(shown);
            if shown.is_empty() || shown == ["…"] || shown == ["..."] {
                continue;
            }
            assert!(
                printed.contains(&shown),
                "README shows {shown:?} for `{}`, but it printed:\n{stdout}",
                example.command
            );
        }
        ran += 1;
    }
    assert!(ran >= 10, "only {ran} README examples could be run");
}
