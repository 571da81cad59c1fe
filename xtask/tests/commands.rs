//! The learner's and instructor's commands other than `check`: hint, diff, reset, list, watch,
//! and `check --format junit`. They run on copies of the fixture workspace where they write.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::*;

/// A fresh copy of the fixture workspace, for commands that write. It builds into its own
/// target folder (see `xtask_building_in`).
fn fixture_copy(name: &str) -> PathBuf {
    let copy = target_dir().join("xtask-tests").join(name);
    if copy.exists() {
        std::fs::remove_dir_all(&copy).unwrap();
    }
    copy_dir(&fixtures(), &copy);
    copy
}

/// `cargo xtask` on a fixture copy.
fn xtask_copy(root: &Path, args: &[&str]) -> std::process::Output {
    xtask_building_in(root, args, &root.join("target"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "target" {
            continue;
        }
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn hints_come_one_level_at_a_time() {
    let state = target_dir().join("xtask-tests").join("hint-state");
    let _ = std::fs::remove_dir_all(&state);
    let hint = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .env("CARGO_TARGET_DIR", &state)
            .arg("--root")
            .arg(fixtures())
            .args(args)
            .output()
            .unwrap()
    };
    let first = hint(&["hint", "5"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    insta::assert_snapshot!("hint_first", stdout(&first));
    let second = stdout(&hint(&["hint", "5"]));
    assert!(second.contains("2. Return `2`."), "{second}");
    assert!(second.contains("That was the last hint"), "{second}");
    let all = stdout(&hint(&["hint", "05-partial", "--all"]));
    assert!(all.contains("2. Return `3`."), "{all}");
    let missing = hint(&["hint", "1"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("has no hints"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn diff_shows_the_learner_against_the_solution() {
    let output = xtask(&fixtures(), &["diff", "5"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("diff", stdout(&output));
    let stat = xtask(&fixtures(), &["diff", "5", "--stat"]);
    insta::assert_snapshot!("diff_stat", stdout(&stat));
}

#[test]
fn diff_without_a_solution_is_a_clear_error() {
    let output = xtask(&fixtures(), &["diff", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("solutions/02-panics is missing"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn reset_refuses_without_a_terminal_and_backs_up_exact_bytes() {
    let root = fixture_copy("reset");
    let lib = root.join("exercises/05-partial/src/lib.rs");
    let mine = b"// my work \xe2\x9c\x93\npub fn done() -> u32 { 1 }\n".to_vec();
    std::fs::write(&lib, &mine).unwrap();
    let extra = root.join("exercises/05-partial/src/notes.rs");
    std::fs::write(&extra, "// my notes\n").unwrap();

    let refused = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(&root)
        .args(["reset", "5"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert_eq!(
        std::fs::read(&lib).unwrap(),
        mine,
        "a refused reset changes nothing"
    );

    let output = xtask_copy(&root, &["reset", "5", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    let backup = said
        .split("Your files are in ")
        .nth(1)
        .and_then(|rest| rest.trim().strip_suffix('.'))
        .unwrap_or_else(|| panic!("no backup folder in: {said}"));
    let backup = root.join(backup);
    assert_eq!(
        std::fs::read(backup.join("exercises/05-partial/src/lib.rs")).unwrap(),
        mine,
        "the backup holds the learner's exact bytes"
    );
    assert!(backup.join("exercises/05-partial/src/notes.rs").is_file());
    let restored = std::fs::read_to_string(&lib).unwrap();
    assert!(restored.contains("todo!(\"wrong\")"), "{restored}");
    assert!(
        !extra.exists(),
        "files the exercise does not ship are removed (and backed up)"
    );
}

#[test]
fn list_uses_the_cache_for_unchanged_exercises() {
    let root = fixture_copy("list");
    let list = || xtask_copy(&root, &["list", "--timeout", "1"]);
    let first = list();
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let second = list();
    let table = stdout(&second);
    assert!(table.contains("(0 graded now, 5 unchanged"), "{table}");
    insta::assert_snapshot!("list", table);
    let lib = root.join("exercises/05-partial/src/lib.rs");
    let fixed = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("    3\n}\n\npub fn not_yet", "    2\n}\n\npub fn not_yet");
    std::fs::write(&lib, fixed).unwrap();
    let third = stdout(&list());
    assert!(third.contains("(1 graded now, 4 unchanged"), "{third}");
    assert!(
        third.contains("05-partial    failed         2/3"),
        "{third}"
    );
}

#[test]
fn junit_has_one_testsuite_per_exercise() {
    let output = xtask(
        &fixtures(),
        &["check", "--timeout", "1", "--format", "junit"],
    );
    assert_eq!(output.status.code(), Some(1));
    let xml = stdout(&output);
    assert_eq!(xml.matches("<testsuite ").count(), 5, "{xml}");
    // What the tests printed holds thread ids; the rest is stable.
    let mut stable = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<system-out>") {
        stable.push_str(&rest[..start]);
        let end = rest[start..].find("</system-out>").unwrap() + start;
        stable.push_str("<system-out>...");
        rest = &rest[end..];
    }
    stable.push_str(rest);
    insta::assert_snapshot!("junit", stable);
}

/// Runs `watch` on a copy, waits for the first report, fixes a test's function and waits for
/// the second report. Every wait is bounded.
fn watch_regrades_on_save(name: &str, extra: &[&str]) {
    let root = fixture_copy(name);
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .arg("--root")
        .arg(&root)
        .args(["watch", "5", "--timeout", "5"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    let done = line.contains(needle);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => panic!(
                    "watch never printed `{needle}`; it printed:\n{}",
                    seen.join("\n")
                ),
            }
        }
    };
    let first = wait_for("Watching");
    assert!(first.iter().any(|l| l.contains("1/3 passed")), "{first:?}");
    let lib = root.join("exercises/05-partial/src/lib.rs");
    let fixed = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("    3\n}\n\npub fn not_yet", "    2\n}\n\npub fn not_yet");
    std::fs::write(&lib, fixed).unwrap();
    let second = wait_for("Watching");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        second.iter().any(|l| l.contains("2/3 passed")),
        "{second:?}"
    );
}

#[test]
fn watch_regrades_on_change_events() {
    watch_regrades_on_save("watch-events", &[]);
}

#[test]
fn watch_regrades_when_polling() {
    watch_regrades_on_save("watch-poll", &["--poll"]);
}
