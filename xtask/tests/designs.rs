//! Exercise 03 leaves the design of the probe to the learner: the hidden tests must pass every
//! correct design and fail every racy one, on every run. Each design in `tests/designs/03-single-probe/`
//! is the reference solution with some files replaced; it is graded, as a learner's exercise
//! would be, by `cargo xtask check 03` in a copy of the workspace.
//!
//! * `atomic` (no files: the reference solution itself), `mutex` (the probe's state under a
//!   `Mutex` of its own) and `semaphore` (a one-permit `tokio::sync::Semaphore`) must pass.
//! * `racy-take` (a load, then a store, to take the probe) and `racy-release` (the probe given
//!   back before its verdict) must fail, and fail in the interleaving tests, which do not depend
//!   on luck.
//! * `spins` (a caller waits for a taken probe) and `deadlock` (two locks taken in two orders)
//!   must fail in the interleaving tests with a message that names what went wrong: the
//!   scheduler reports them, the test process does not crash.

mod support;

use std::path::Path;

use support::*;

/// The exercise's source folder, in the copy.
const SRC: &str = "exercises/03-single-probe/src";

struct Design {
    name: &'static str,
    /// `None`: every hidden test passes. `Some(tests)`: these fail (others may too).
    fails: Option<&'static [&'static str]>,
    /// What the failures of `fails` must say (a `failed` verdict, not a crash), if anything.
    says: Option<&'static str>,
}

const DESIGNS: &[Design] = &[
    Design {
        name: "atomic",
        fails: None,
        says: None,
    },
    Design {
        name: "mutex",
        fails: None,
        says: None,
    },
    Design {
        name: "semaphore",
        fails: None,
        says: None,
    },
    Design {
        name: "racy-take",
        fails: Some(&[
            "races::two_callers_racing_for_a_free_probe_send_exactly_one",
            "races::two_callers_racing_into_half_open_send_exactly_one",
        ]),
        says: None,
    },
    Design {
        name: "racy-release",
        fails: Some(&["races::a_probe_keeps_its_place_until_its_verdict_is_in"]),
        says: None,
    },
    Design {
        name: "spins",
        fails: Some(&["races::a_probe_keeps_its_place_until_its_verdict_is_in"]),
        says: Some("spinning"),
    },
    Design {
        name: "deadlock",
        fails: Some(&["races::two_callers_racing_into_half_open_send_exactly_one"]),
        says: Some("a deadlock"),
    },
];

#[test]
fn correct_designs_of_the_probe_pass_and_racy_ones_fail() {
    let root = root();
    let copy = target_dir().join("xtask").join("designs");
    if copy.exists() {
        for entry in std::fs::read_dir(&copy).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "target" {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                } else {
                    std::fs::remove_file(&path).unwrap();
                }
            }
        }
    }
    copy_sources(&root, &copy);
    let designs = root.join("xtask/tests/designs/03-single-probe");
    let mut problems = Vec::new();
    for design in DESIGNS {
        // The reference solution as a learner would have written it, then the design's files.
        let src = copy.join(SRC);
        std::fs::remove_dir_all(&src).unwrap();
        copy_sources(&root.join("solutions/03-single-probe/src"), &src);
        let files = designs.join(design.name);
        if files.exists() {
            copy_sources(&files, &src);
        }
        let output = xtask_building_in(
            &copy,
            &["check", "03", "--format", "json"],
            &copy.join("target"),
        );
        let report = json(&output);
        let exercise = &report["exercises"][0];
        let failed: Vec<&str> = exercise["tests"]
            .as_array()
            .map(|tests| {
                tests
                    .iter()
                    .filter(|t| t["status"] != "passed")
                    .map(|t| t["name"].as_str().unwrap_or("?"))
                    .collect()
            })
            .unwrap_or_default();
        match design.fails {
            None if exercise["status"] != "passed" => problems.push(format!(
                "{}: expected to pass, got {} (failed: {failed:?}; compile error: {})",
                design.name, exercise["status"], exercise["compile_error"]
            )),
            Some(expected) if exercise["status"] != "failed" => problems.push(format!(
                "{}: expected to fail {expected:?}, got {} (compile error: {})",
                design.name, exercise["status"], exercise["compile_error"]
            )),
            Some(expected) => {
                for test in expected {
                    if !failed.contains(test) {
                        problems.push(format!(
                            "{}: {test} passed; a race must fail it on every run",
                            design.name
                        ));
                    }
                }
                if let Some(says) = design.says {
                    for test in expected {
                        let report = exercise["tests"]
                            .as_array()
                            .and_then(|tests| tests.iter().find(|t| t["name"] == *test));
                        let (status, message) = report.map_or(("?", ""), |t| {
                            (
                                t["status"].as_str().unwrap_or("?"),
                                t["message"].as_str().unwrap_or(""),
                            )
                        });
                        if status != "failed" || !message.contains(says) {
                            problems.push(format!(
                                "{}: {test} must fail saying {says:?}; it was {status}: {message}",
                                design.name
                            ));
                        }
                    }
                }
            }
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Copies a folder's files, leaving out build output, git and backups.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if [".git", "target", ".backups"].iter().any(|n| name == *n) {
            continue;
        }
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_sources(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
