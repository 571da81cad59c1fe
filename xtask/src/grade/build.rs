//! One `cargo test --no-run --no-fail-fast` for every selected exercise: cargo builds them in
//! parallel, shows its progress on stderr, and an exercise that does not compile fails alone.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::workspace::{Exercise, Target, Workspace};

/// The first compile error of an exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// `exercises/01-state-machine/src/lib.rs:12:5`, relative to the workspace root.
    pub location: Option<String>,
    /// The compiler's message, as it would print it (without colours).
    pub message: String,
}

pub enum Built {
    /// The hidden tests' binary.
    Binary(PathBuf),
    Error(CompileError),
}

pub fn build(
    ws: &Workspace,
    exercises: &[Exercise],
    target: Target,
) -> Result<HashMap<String, Built>> {
    let mut command = ws.cargo();
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(ws.root.join("Cargo.toml"))
        .args(["--tests", "--keep-going", "--message-format=json"]);
    for exercise in exercises {
        command.arg("--package").arg(exercise.hidden_package());
    }
    if target == Target::Solutions {
        let features: Vec<String> = exercises
            .iter()
            .map(|e| format!("{}/solution", e.hidden_package()))
            .collect();
        command
            .arg("--no-default-features")
            .arg("--features")
            .arg(features.join(","));
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot run cargo")?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut binaries = HashMap::new();
    let mut errors: HashMap<String, CompileError> = HashMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("cannot read cargo's output")?;
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(id) = message["target"]["src_path"]
            .as_str()
            .and_then(|p| owner(ws, exercises, Path::new(p)))
        else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") if message["profile"]["test"].as_bool() == Some(true) => {
                if let Some(exe) = message["executable"].as_str() {
                    binaries.insert(id, PathBuf::from(exe));
                }
            }
            Some("compiler-message") => {
                if let Some(error) = compile_error(&message["message"]) {
                    // Keep the first error with a location; `aborting due to ...` has none.
                    let better = errors
                        .get(&id)
                        .is_none_or(|e| e.location.is_none() && error.location.is_some());
                    if better {
                        errors.insert(id, error);
                    }
                }
            }
            _ => {}
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    let mut built = HashMap::new();
    for exercise in exercises {
        let id = &exercise.id;
        if let Some(binary) = binaries.remove(id) {
            built.insert(id.clone(), Built::Binary(binary));
        } else if let Some(error) = errors.remove(id) {
            built.insert(id.clone(), Built::Error(error));
        } else {
            bail!(
                "cargo could not build the hidden tests of {id} ({status}); its messages above say why"
            );
        }
    }
    Ok(built)
}

/// Which exercise a source file belongs to: its learner crate, its solution or its hidden tests.
fn owner(ws: &Workspace, exercises: &[Exercise], path: &Path) -> Option<String> {
    let path = ws.relative(path);
    exercises
        .iter()
        .find(|e| {
            ["exercises", "solutions", "xtask/hidden"]
                .iter()
                .any(|dir| path.starts_with(Path::new(dir).join(&e.id)))
        })
        .map(|e| e.id.clone())
}

fn compile_error(message: &Value) -> Option<CompileError> {
    let level = message["level"].as_str()?;
    if !level.starts_with("error") {
        return None;
    }
    let location = message["spans"].as_array().and_then(|spans| {
        let span = spans
            .iter()
            .find(|s| s["is_primary"].as_bool() == Some(true))?;
        Some(format!(
            "{}:{}:{}",
            span["file_name"].as_str()?,
            span["line_start"].as_u64()?,
            span["column_start"].as_u64()?
        ))
    });
    let rendered = message["rendered"]
        .as_str()
        .or_else(|| message["message"].as_str())?;
    Some(CompileError {
        location,
        message: rendered.trim_end().to_owned(),
    })
}
