//! The workshop's own guarantees, checked by `cargo xtask verify`: `exercises/` is what
//! `cargo xtask gen` writes, every hidden test passes on the solutions, every hidden test
//! reaches a `todo!()` on the untouched exercises (none passes on a stub), and the slides build
//! with every code block compiled.

mod support;

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
