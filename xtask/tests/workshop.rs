//! The workshop's own guarantees, checked by `cargo xtask verify`: `exercises/` is what
//! `cargo xtask gen` writes, every hidden test passes on the solutions, every hidden test
//! reaches a `todo!()` on the untouched exercises (none passes on a stub), and the slides build
//! with every code block compiled.

mod support;

use std::path::Path;

use support::*;

#[test]
fn verify_passes() {
    let output = xtask(&root(), &["verify"]);
    assert!(
        output.status.success(),
        "cargo xtask verify failed:\n{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let report = stdout(&output);
    assert_eq!(report.matches('✓').count(), 4, "{report}");
}

/// A solution file as a learner would have written it: without the gap markers.
fn solved(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|line| {
            let line = line.trim();
            line != "// BEGIN SOLUTION"
                && line != "// END SOLUTION"
                && !line.starts_with("// EXERCISE:")
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Each exercise ships the earlier steps solved. Exercise 04 carries exercise 03's breaker in
/// `src/breaker/`: it must stay the very code of 03's solution (with `crate::` paths moved
/// under `crate::breaker::` and the crate's own name changed), so that a fix in 03 is not
/// forgotten in 04.
#[test]
fn exercise_04_ships_exercise_03_solved() {
    let root = root();
    let from = root.join("solutions/03-single-probe/src");
    let to = root.join("solutions/04-retry-stack/src/breaker");
    let mut compared = 0;
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        // `lib.rs` is 04's `breaker/mod.rs`; `sync.rs` keeps only the normal build of 03's (04
        // has no interleaving tests), see its docs.
        if name == "lib.rs" || name == "sync.rs" {
            continue;
        }
        let expected = solved(&path)
            .replace("crate::", "crate::breaker::")
            .replace("solution_03_single_probe", "solution_04_retry_stack");
        let actual = std::fs::read_to_string(to.join(name)).unwrap_or_default();
        assert!(
            expected == actual,
            "solutions/04-retry-stack/src/breaker/{} differs from solutions/03-single-probe/src/{}; \
             copy it over again (markers removed, `crate::` -> `crate::breaker::`, the crate \
             renamed)",
            name.to_string_lossy(),
            name.to_string_lossy()
        );
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} breaker files compared");
}

/// Exercise 02 carries exercise 01's state machine in `src/state.rs`: the same code (its doc
/// comments may speak of the crate it is in).
#[test]
fn exercise_02_ships_exercise_01_solved() {
    let root = root();
    let code = |text: String| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(str::to_owned)
            .collect()
    };
    let from = code(solved(&root.join("solutions/01-state-machine/src/lib.rs")));
    let to = code(solved(
        &root.join("solutions/02-breaker-layer/src/state.rs"),
    ));
    assert!(
        from == to,
        "solutions/02-breaker-layer/src/state.rs no longer holds the code of \
         solutions/01-state-machine/src/lib.rs"
    );
}
