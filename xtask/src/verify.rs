//! `cargo xtask verify`: the instructor's and CI's one command. The exercises are generated from
//! the solutions, every hidden test passes on the solutions, every hidden test reaches a
//! `todo!()` on the untouched exercises (so none passes on a stub), and the slides build with
//! every code block compiled.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};

use crate::generate;
use crate::grade::{self, ExerciseStatus, Grade, Options, TestStatus};
use crate::workspace::{Target, Workspace};

/// One check: the problems it found, none when it holds.
type Step = fn(&Workspace, &Options) -> Result<Vec<String>>;

/// Runs every step, even after a failure, and says which ones failed.
pub fn run(ws: &Workspace, options: &Options) -> Result<bool> {
    let steps: [(&str, Step); 4] = [
        (
            "exercises/ is what `cargo xtask gen` writes from solutions/",
            generated,
        ),
        ("every hidden test passes on the solutions", solutions_pass),
        (
            "every hidden test reaches a todo!() on the untouched exercises",
            untouched_fail,
        ),
        (
            "the slides render and every code block on them compiles",
            slides,
        ),
    ];
    let mut ok = true;
    for (i, (what, step)) in steps.iter().enumerate() {
        eprintln!("verify {}/{}: {what} ...", i + 1, steps.len());
        let problems = step(ws, options).unwrap_or_else(|e| vec![format!("{e:#}")]);
        if problems.is_empty() {
            println!("  ✓ {what}");
        } else {
            ok = false;
            println!("  ✗ {what}");
            for problem in problems {
                for line in problem.lines() {
                    println!("      {line}");
                }
            }
        }
    }
    Ok(ok)
}

fn generated(ws: &Workspace, _: &Options) -> Result<Vec<String>> {
    let drift = generate::drift(ws)?;
    Ok(drift
        .into_iter()
        .map(|(what, path)| format!("{what}: {}", ws.relative(&path).display()))
        .collect())
}

fn solutions_pass(ws: &Workspace, options: &Options) -> Result<Vec<String>> {
    let options = Options {
        target: Target::Solutions,
        ..options.clone()
    };
    let grade = grade::grade(ws, &ws.exercises()?, &options)?;
    Ok(problems(&grade, TestStatus::Passed))
}

/// Grades a copy of the workspace whose exercises are regenerated, so this holds for the
/// exercises as shipped even in a clone where a learner has filled some in. The copy lives at a
/// fixed place with its own target folder: cargo names a workspace member's artifacts by its
/// path inside the workspace, so sharing the main target would overwrite the learner's builds.
fn untouched_fail(ws: &Workspace, options: &Options) -> Result<Vec<String>> {
    let copy_root = ws.target.join("xtask").join("untouched");
    if copy_root.exists() {
        for entry in std::fs::read_dir(&copy_root)? {
            let entry = entry?;
            if entry.file_name() == "target" {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            }
            .with_context(|| format!("cannot clear {}", path.display()))?;
        }
    }
    copy_sources(&ws.root, &copy_root)?;
    let copy = Workspace {
        target: copy_root.join("target"),
        root: copy_root,
    };
    for exercise in copy.exercises()? {
        generate::reset(&copy, &exercise)?;
    }
    let options = Options {
        target: Target::Exercises,
        ..options.clone()
    };
    let grade = grade::grade(&copy, &copy.exercises()?, &options)?;
    let mut problems = problems(&grade, TestStatus::Todo);
    for e in &grade.exercises {
        if e.status != ExerciseStatus::NotStarted && e.compile_error.is_none() {
            problems.push(format!(
                "{}: {} (expected not_started)",
                e.exercise.id,
                e.status.as_str()
            ));
        }
    }
    Ok(problems)
}

/// Every test whose status is not `expected`, and every compile error.
fn problems(grade: &Grade, expected: TestStatus) -> Vec<String> {
    let mut out = Vec::new();
    for e in &grade.exercises {
        if let Some(error) = &e.compile_error {
            out.push(format!(
                "{} does not compile:\n{}",
                e.exercise.id, error.message
            ));
        }
        for t in &e.tests {
            if t.status != expected {
                out.push(format!(
                    "{} {}: {} (expected {}) {}",
                    e.exercise.id,
                    t.name,
                    t.status.as_str(),
                    expected.as_str(),
                    t.message.lines().next().unwrap_or("")
                ));
            }
        }
    }
    out
}

fn slides(ws: &Workspace, _: &Options) -> Result<Vec<String>> {
    let output = ws
        .cargo()
        .args(["test", "--quiet", "--package", "slides"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo test --package slides")?;
    let mut problems = Vec::new();
    if !output.status.success() {
        let out = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = out.lines().collect();
        problems.push(format!(
            "`cargo test --package slides` failed ({}):\n{}",
            output.status,
            lines[lines.len().saturating_sub(30)..].join("\n")
        ));
    }
    if let Err(e) = crate::render_slides(ws) {
        problems.push(format!("{e:#}"));
    }
    Ok(problems)
}

/// Copies the workspace's sources: everything but build output, git and backups.
fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if [".git", "target", ".backups"].iter().any(|n| name == *n) {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_sources(&path, &to.join(&name))?;
        } else {
            std::fs::copy(&path, to.join(&name))
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}
