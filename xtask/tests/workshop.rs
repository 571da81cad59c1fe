//! The workshop's own guarantees: every hidden test passes on the solutions, every hidden test
//! reaches a `todo!()` on the untouched exercises (no hidden test passes on a stub), and
//! `exercises/` is what `cargo xtask gen` writes from `solutions/`.

mod support;

use std::path::{Path, PathBuf};

use support::*;

#[test]
fn exercises_are_generated_from_the_solutions() {
    let output = xtask(&root(), &["gen", "--check"]);
    assert!(
        output.status.success(),
        "exercises/ drifted from solutions/:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn every_hidden_test_passes_on_the_solutions() {
    let output = xtask(&root(), &["check", "--solutions", "--format", "json"]);
    let report = json(&output);
    let mut failures = Vec::new();
    for exercise in report["exercises"].as_array().unwrap() {
        if let Some(error) = exercise["compile_error"].as_object() {
            failures.push(format!("{}: {}", exercise["id"], error["message"]));
        }
        for test in exercise["tests"].as_array().unwrap() {
            if test["status"] != "passed" {
                failures.push(format!(
                    "{} {}: {} {}",
                    exercise["id"], test["name"], test["status"], test["message"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(output.status.code(), Some(0));
    assert!(report["summary"]["total"].as_u64().unwrap() > 0);
}

/// Grades a fresh copy of the workspace whose exercises are regenerated, so the check holds for
/// the exercises as shipped even in a clone where a learner has filled some in.
#[test]
fn every_hidden_test_reaches_a_todo_on_the_untouched_exercises() {
    let copy = untouched_copy();
    let output = xtask(&copy, &["check", "--format", "json"]);
    let report = json(&output);
    let mut vacuous = Vec::new();
    for exercise in report["exercises"].as_array().unwrap() {
        assert_eq!(
            exercise["status"], "not_started",
            "{}: an untouched exercise must be not_started",
            exercise["id"]
        );
        for test in exercise["tests"].as_array().unwrap() {
            if test["status"] != "todo" {
                vacuous.push(format!(
                    "{} {}: {} {}",
                    exercise["id"], test["name"], test["status"], test["message"]
                ));
            }
        }
    }
    assert!(
        vacuous.is_empty(),
        "these hidden tests do not reach a todo!() on the untouched exercise:\n{}",
        vacuous.join("\n")
    );
    assert_eq!(output.status.code(), Some(1));
}

/// `target/xtask-untouched`: the workspace's sources with `exercises/` regenerated. It lives in
/// the target folder, at a fixed path, so cargo reuses what it built last time.
fn untouched_copy() -> PathBuf {
    let root = root();
    let copy = target_dir().join("xtask-untouched");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).unwrap();
    }
    copy_tree(&root, &copy);
    let output = xtask(&copy, &["gen"]);
    assert!(output.status.success(), "gen failed: {}", stderr(&output));
    copy
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if [".git", "target", ".backups", "fixtures"]
            .iter()
            .any(|n| name == *n)
        {
            continue;
        }
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
