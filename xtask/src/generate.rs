//! `cargo xtask gen`: the exercises are generated from the solutions, the single source of truth.
//!
//! In a solution file, a gap is marked like this:
//!
//! ```text
//!     // BEGIN SOLUTION
//!     the reference code
//!     // END SOLUTION
//!     // EXERCISE: // TODO: what the learner must do
//!     // EXERCISE: todo!("...")
//! ```
//!
//! The exercise gets everything but the solution regions, with every `EXERCISE:` line turned
//! into code (its indentation kept). TOML files use `#` instead of `//`. The package name
//! `solution-<id>` becomes `exercise-<id>`. `gen --check` writes nothing and fails when
//! `exercises/` differs from what `gen` would write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::backup::backup;
use crate::workspace::{Exercise, Target, Workspace};

/// What `gen` would write: the path relative to the exercise folder, and the contents.
pub type Files = BTreeMap<PathBuf, Vec<u8>>;

/// What `gen` writes: every exercise's folder and its files.
fn plan(ws: &Workspace) -> Result<Vec<(PathBuf, Files)>> {
    let exercises = ws.exercises()?;
    ws.require(Target::Solutions, &exercises)?;
    exercises
        .iter()
        .map(|e| Ok((ws.crate_dir(Target::Exercises, e), generate(ws, e)?)))
        .collect()
}

/// How `dir` differs from `files`: `(what, path)` pairs, where `what` is `differs`, `missing`
/// or `not generated`.
fn drift_of(dir: &Path, files: &Files) -> Result<Vec<(&'static str, PathBuf)>> {
    let mut drift = Vec::new();
    for (path, contents) in files {
        let full = dir.join(path);
        match std::fs::read(&full) {
            Ok(actual) if actual == *contents => {}
            Ok(_) => drift.push(("differs", full)),
            Err(_) => drift.push(("missing", full)),
        }
    }
    for path in list_files(dir)? {
        if !files.contains_key(&path) {
            drift.push(("not generated", dir.join(path)));
        }
    }
    Ok(drift)
}

/// How `exercises/` differs from what `gen` would write (see [`drift_of`]).
pub fn drift(ws: &Workspace) -> Result<Vec<(&'static str, PathBuf)>> {
    let mut drift = Vec::new();
    for (dir, files) in plan(ws)? {
        drift.extend(drift_of(&dir, &files)?);
    }
    Ok(drift)
}

/// Makes `dir` hold exactly `files`: removes the others, writes those that differ. Returns the
/// paths written. The caller backs up first.
fn sync(dir: &Path, files: &Files) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (what, path) in drift_of(dir, files)? {
        if what == "not generated" {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            continue;
        }
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &files[relative])
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `cargo xtask gen [--check]`; returns whether `exercises/` is (now) up to date.
pub fn run(ws: &Workspace, check: bool) -> Result<bool> {
    let plan = plan(ws)?;
    let mut drift = Vec::new();
    for (dir, files) in &plan {
        drift.extend(drift_of(dir, files)?);
    }
    if drift.is_empty() {
        println!("exercises/ is up to date with solutions/");
        return Ok(true);
    }
    if check {
        println!("exercises/ differs from what `cargo xtask gen` writes from solutions/:");
        for (what, path) in &drift {
            println!("  {what:>13}: {}", ws.relative(path).display());
        }
        println!("Run `cargo xtask gen` after editing a solution, and commit both.");
        return Ok(false);
    }
    let replaced: Vec<PathBuf> = drift
        .into_iter()
        .filter(|(what, _)| *what != "missing")
        .map(|(_, path)| path)
        .collect();
    if !replaced.is_empty() {
        let dir = backup(&ws.root, &replaced, "gen")?;
        println!(
            "backed up {} file(s) that gen replaces or removes to {}",
            replaced.len(),
            ws.relative(&dir).display()
        );
    }
    for (dir, files) in &plan {
        for path in sync(dir, files)? {
            println!("wrote {}", ws.relative(&path).display());
        }
    }
    Ok(true)
}

/// The files of one exercise, generated from its solution.
pub fn generate(ws: &Workspace, exercise: &Exercise) -> Result<Files> {
    let dir = ws.crate_dir(Target::Solutions, exercise);
    let mut files = Files::new();
    for path in list_files(&dir)? {
        let full = dir.join(&path);
        let bytes =
            std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?;
        let marker = match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => Some("//"),
            Some("toml") => Some("#"),
            _ => None,
        };
        let contents = match (marker, String::from_utf8(bytes)) {
            (Some(marker), Ok(text)) => {
                let mut text = strip_solutions(&text, marker)
                    .with_context(|| format!("in {}", ws.relative(&full).display()))?;
                if path == Path::new("Cargo.toml") {
                    text = rename_package(&text, &exercise.id)
                        .with_context(|| format!("in {}", ws.relative(&full).display()))?;
                }
                rename_crate(&text, &exercise.id).into_bytes()
            }
            (_, Ok(text)) => rename_crate(&text, &exercise.id).into_bytes(),
            (_, Err(e)) => e.into_bytes(),
        };
        files.insert(path, contents);
    }
    Ok(files)
}

/// The solution as a learner would write it: its files with the markers and the `EXERCISE:`
/// lines removed. Files other than Rust sources are taken as `gen` writes them, so that
/// `Cargo.toml` is not reported as a difference.
pub fn solution_view(ws: &Workspace, exercise: &Exercise) -> Result<Files> {
    let dir = ws.crate_dir(Target::Solutions, exercise);
    let mut files = generate(ws, exercise)?;
    for (path, contents) in files.iter_mut() {
        if path.extension().is_some_and(|e| e == "rs") {
            let full = dir.join(path);
            let text = std::fs::read_to_string(&full)
                .with_context(|| format!("cannot read {}", full.display()))?;
            *contents = keep_solutions(&text, "//").into_bytes();
        }
    }
    Ok(files)
}

/// Keeps the solution code, dropping the marker and `EXERCISE:` lines.
fn keep_solutions(text: &str, comment: &str) -> String {
    let markers = [
        format!("{comment} BEGIN SOLUTION"),
        format!("{comment} END SOLUTION"),
    ];
    let exercise = format!("{comment} EXERCISE:");
    text.split_inclusive('\n')
        .filter(|line| {
            let trimmed = line.trim();
            !markers.iter().any(|m| trimmed == m) && !trimmed.starts_with(&exercise)
        })
        .collect()
}

/// `cargo xtask reset NN`: puts back the exercise's starting code. Every file the learner has in
/// the exercise is copied to a backup folder first; returns that folder.
pub fn reset(ws: &Workspace, exercise: &Exercise) -> Result<PathBuf> {
    let files = generate(ws, exercise)?;
    let dir = ws.crate_dir(Target::Exercises, exercise);
    let existing: Vec<PathBuf> = list_files(&dir)?.into_iter().map(|p| dir.join(p)).collect();
    let saved = backup(&ws.root, &existing, &format!("reset-{}", exercise.id))?;
    sync(&dir, &files)?;
    Ok(saved)
}

/// Removes the solution regions and turns `EXERCISE:` lines into code.
pub fn strip_solutions(text: &str, comment: &str) -> Result<String> {
    let begin = format!("{comment} BEGIN SOLUTION");
    let end = format!("{comment} END SOLUTION");
    let exercise = format!("{comment} EXERCISE:");
    let mut out = String::with_capacity(text.len());
    let mut open: Option<usize> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed == begin {
            if let Some(start) = open {
                bail!(
                    "line {}: `{begin}` inside the region opened on line {}",
                    n + 1,
                    start + 1
                );
            }
            open = Some(n);
        } else if trimmed == end {
            if open.take().is_none() {
                bail!("line {}: `{end}` without a `{begin}`", n + 1);
            }
        } else if open.is_some() {
            // Solution code: left out.
        } else if let Some(rest) = trimmed.strip_prefix(&exercise) {
            let indent = &line[..line.len() - line.trim_start().len()];
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            if !rest.is_empty() {
                out.push_str(indent);
                out.push_str(rest);
            }
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    if let Some(start) = open {
        bail!("line {}: `{begin}` is never closed", start + 1);
    }
    Ok(out)
}

/// `name = "solution-<id>"` becomes `name = "exercise-<id>"`.
fn rename_package(text: &str, id: &str) -> Result<String> {
    let from = format!("name = \"solution-{id}\"");
    if !text.contains(&from) {
        bail!("the package must be named `solution-{id}`");
    }
    Ok(text.replacen(&from, &format!("name = \"exercise-{id}\""), 1))
}

/// The crate's name in code (`solution_01_state_machine`, in doc tests and examples) becomes the
/// exercise's (`exercise_01_state_machine`).
fn rename_crate(text: &str, id: &str) -> String {
    let name = id.replace('-', "_");
    text.replace(&format!("solution_{name}"), &format!("exercise_{name}"))
}

/// Every file under `dir`, relative to it, sorted; build output and editor leftovers are skipped.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "target" || name.ends_with(".snap.new") || name.ends_with('~') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(base, &path, out)?;
        } else {
            out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solution_regions_become_exercise_text() {
        let solution = "fn f() -> u32 {\n    // BEGIN SOLUTION\n    42\n    // END SOLUTION\n    \
                        // EXERCISE: // TODO: answer\n    // EXERCISE: todo!()\n}\n";
        let exercise = strip_solutions(solution, "//").unwrap();
        assert_eq!(
            exercise,
            "fn f() -> u32 {\n    // TODO: answer\n    todo!()\n}\n"
        );
    }

    #[test]
    fn toml_markers_and_empty_exercise_lines() {
        let solution = "a = 1\n# EXERCISE: [lints.rust]\n# EXERCISE:\n";
        assert_eq!(
            strip_solutions(solution, "#").unwrap(),
            "a = 1\n[lints.rust]\n\n"
        );
    }

    #[test]
    fn unbalanced_markers_are_errors_with_a_line() {
        let err = strip_solutions("// BEGIN SOLUTION\nx\n", "//").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: `// BEGIN SOLUTION` is never closed"
        );
        let err = strip_solutions("x\n// END SOLUTION\n", "//").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: `// END SOLUTION` without a `// BEGIN SOLUTION`"
        );
        let err = strip_solutions("// BEGIN SOLUTION\n// BEGIN SOLUTION\n", "//").unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }

    #[test]
    fn solution_view_drops_markers_and_exercise_lines() {
        let solution = "fn f() -> u32 {\n    // BEGIN SOLUTION\n    42\n    // END SOLUTION\n    \
                        // EXERCISE: todo!()\n}\n";
        assert_eq!(
            keep_solutions(solution, "//"),
            "fn f() -> u32 {\n    42\n}\n"
        );
    }

    #[test]
    fn crate_name_in_code_is_renamed() {
        assert_eq!(
            rename_crate("use solution_01_x::State;", "01-x"),
            "use exercise_01_x::State;"
        );
    }

    #[test]
    fn package_is_renamed() {
        let toml = "[package]\nname = \"solution-01-x\"\n";
        assert_eq!(
            rename_package(toml, "01-x").unwrap(),
            "[package]\nname = \"exercise-01-x\"\n"
        );
        assert!(rename_package("name = \"other\"", "01-x").is_err());
    }
}
