//! The binary `cargo xtask lab` runs: its output, its files, its errors.

use std::process::Command;

fn lab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_breaker-lab"))
        .args(args)
        .output()
        .expect("the lab runs")
}

#[test]
fn an_unknown_scenario_lists_the_valid_ones() {
    let out = lab(&["--scenario", "blackout"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "no scenario `blackout`; the scenarios are: outage, half-open, retry-storm, pool"
        ),
        "{stderr}"
    );
}

#[test]
fn a_scenario_prints_its_table_and_writes_its_page() {
    let dir = std::env::temp_dir().join(format!("breaker-lab-cli-{}", std::process::id()));
    let out = lab(&["--scenario", "outage", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let page = dir.join("outage.html");
    assert!(stdout.starts_with("== outage: "), "{stdout}");
    assert!(
        stdout.contains("breaker: solutions/03-single-probe"),
        "{stdout}"
    );
    assert!(stdout.contains("no breaker "), "{stdout}");
    assert!(
        stdout.contains(&format!("wrote {}", page.display())),
        "{stdout}"
    );
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains("<svg"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_argument_is_a_usage_error() {
    let out = lab(&["--breaker", "01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("02, 03 or 04"));
}
