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
type Files = BTreeMap<PathBuf, Vec<u8>>;

/// How `exercises/` differs from what `gen` would write.
#[derive(Debug, Default)]
pub struct Drift {
    pub changed: Vec<PathBuf>,
    pub missing: Vec<PathBuf>,
    pub extra: Vec<PathBuf>,
}

impl Drift {
    fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

pub fn run(ws: &Workspace, check: bool) -> Result<bool> {
    let exercises = ws.exercises()?;
    ws.require(Target::Solutions, &exercises)?;
    let mut drift = Drift::default();
    let mut plan = Vec::new();
    for exercise in &exercises {
        let files = generate(ws, exercise)?;
        let dir = ws.crate_dir(Target::Exercises, exercise);
        let existing = list_files(&dir)?;
        for (path, contents) in &files {
            let full = dir.join(path);
            match std::fs::read(&full) {
                Ok(actual) if actual == *contents => {}
                Ok(_) => drift.changed.push(full),
                Err(_) => drift.missing.push(full),
            }
        }
        for path in existing {
            if !files.contains_key(&path) {
                drift.extra.push(dir.join(path));
            }
        }
        plan.push((dir, files));
    }
    if check {
        if drift.is_empty() {
            println!("exercises/ is up to date with solutions/");
            return Ok(true);
        }
        println!("exercises/ differs from what `cargo xtask gen` writes from solutions/:");
        for (what, paths) in [
            ("differs", &drift.changed),
            ("missing", &drift.missing),
            ("not generated", &drift.extra),
        ] {
            for path in paths {
                println!("  {what:>13}: {}", ws.relative(path).display());
            }
        }
        println!("Run `cargo xtask gen` after editing a solution, and commit both.");
        return Ok(false);
    }
    if drift.is_empty() {
        println!("exercises/ is already up to date");
        return Ok(true);
    }
    let replaced: Vec<PathBuf> = drift.changed.iter().chain(&drift.extra).cloned().collect();
    if !replaced.is_empty() {
        let dir = backup(&ws.root, &replaced, "gen")?;
        println!(
            "backed up {} file(s) that gen replaces or removes to {}",
            replaced.len(),
            ws.relative(&dir).display()
        );
    }
    for path in &drift.extra {
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    for (dir, files) in plan {
        for (path, contents) in files {
            let full = dir.join(path);
            if std::fs::read(&full).is_ok_and(|actual| actual == contents) {
                continue;
            }
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&full, contents)
                .with_context(|| format!("cannot write {}", full.display()))?;
            println!("wrote {}", ws.relative(&full).display());
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
                text.into_bytes()
            }
            (_, Ok(text)) => text.into_bytes(),
            (_, Err(e)) => e.into_bytes(),
        };
        files.insert(path, contents);
    }
    Ok(files)
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
    fn package_is_renamed() {
        let toml = "[package]\nname = \"solution-01-x\"\n";
        assert_eq!(
            rename_package(toml, "01-x").unwrap(),
            "[package]\nname = \"exercise-01-x\"\n"
        );
        assert!(rename_package("name = \"other\"", "01-x").is_err());
    }
}
