//! The grader end to end, on the fixture workspace (`tests/fixtures`): one made-up exercise for
//! each way learner code can go wrong.

mod support;

use support::*;

#[test]
fn human_report_on_every_kind_of_failure() {
    let output = xtask(&fixtures(), &["check", "--timeout", "1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!(without_timing(&stdout(&output)));
}

#[test]
fn json_report_on_every_kind_of_failure() {
    let output = xtask(
        &fixtures(),
        &["check", "--timeout", "1", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let mut report = json(&output);
    // What a test prints is kept, capped; the flood must not come through whole.
    let flood = report["exercises"][1]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "floods_the_output")
        .expect("the flood test is graded")["output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        flood.len() < 8 * 1024,
        "{} bytes of output kept",
        flood.len()
    );
    assert!(flood.contains("bytes of output left out"), "{flood}");
    assert!(
        flood.contains("after the flood"),
        "the end of the output is kept"
    );
    // Who, which hidden tests and when vary by machine: `tests/class.rs` checks them.
    for field in ["learner", "workshop_version", "generated_at"] {
        report.as_object_mut().unwrap().remove(field);
    }
    // The output holds thread ids and paths; the snapshot keeps the rest.
    for exercise in report["exercises"].as_array_mut().unwrap() {
        for test in exercise["tests"].as_array_mut().unwrap() {
            test.as_object_mut().unwrap().remove("output");
        }
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn selected_exercises_only() {
    let output = xtask(
        &fixtures(),
        &["check", "4", "05-partial", "--format", "json"],
    );
    let report = json(&output);
    let ids: Vec<&str> = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["04-untouched", "05-partial"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_not_started_exercise_exits_non_zero() {
    let output = xtask(&fixtures(), &["check", "04"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("not started"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn unknown_exercise_is_a_usage_error_listing_the_valid_ones() {
    let output = xtask(&fixtures(), &["check", "7"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&output));
}

#[test]
fn bad_timeout_is_a_usage_error() {
    let output = xtask(&fixtures(), &["check", "--timeout", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
}

#[test]
fn no_command_lists_every_command() {
    let output = xtask(&fixtures(), &[]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for command in [
        "check", "hint", "watch", "list", "reset", "diff", "verify", "slides", "gen",
    ] {
        assert!(help.contains(command), "`{command}` missing from:\n{help}");
    }
}
