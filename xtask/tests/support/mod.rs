//! Running the built `xtask` binary the way a learner runs `cargo xtask`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace this crate belongs to.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The fixture workspace of made-up exercises.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The target folder of this workspace, which every nested build shares so that nothing is
/// compiled twice.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Runs `cargo xtask --root <root> <args>`, building into this workspace's target folder.
pub fn xtask(root: &Path, args: &[&str]) -> Output {
    xtask_building_in(root, args, &target_dir())
}

/// Runs `cargo xtask --root <root> <args>`, building into `target`. A copy of a workspace needs a
/// target of its own: cargo names a member's artifacts by its path inside the workspace, so two
/// copies sharing a target overwrite each other's test binaries.
pub fn xtask_building_in(root: &Path, args: &[&str], target: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("CARGO_TARGET_DIR", target)
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("xtask runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Parses `--format json` output, showing stderr if it is not JSON.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The timing in the human report's total line, which changes from run to run.
pub fn without_timing(report: &str) -> String {
    report
        .lines()
        .map(|line| match (line.rfind(" ("), line.strip_suffix(" s).")) {
            (Some(open), Some(_)) if line.contains("hidden tests passed") => {
                format!("{} (<elapsed>).", &line[..open])
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
