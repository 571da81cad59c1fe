//! `cargo xtask class` over the fixture reports in `tests/fixtures/class` (real
//! `check --format json` output: learners at different points, a duplicate, a report from other
//! hidden tests, a truncated file, another tool's JSON and a learner name that is markup), the
//! stamp `check --format json` puts on a report, and `cargo xtask summary`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::*;

/// `cargo xtask class <args>` run from `cwd`, writing its page under `target`.
fn class_in(cwd: &Path, args: &[&str], target: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(cwd)
        .env("CARGO_TARGET_DIR", target)
        .arg("class")
        .args(args)
        .output()
        .expect("xtask runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("xtask-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The class over the fixture reports: the terminal summary and the page.
fn fixture_class(name: &str) -> (Output, String) {
    let target = scratch(name);
    let output = class_in(&fixtures(), &["class"], &target);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(target.join("class/index.html")).expect("the page");
    (output, page)
}

#[test]
fn summary_shows_progress_the_most_failed_tests_and_every_file_set_aside() {
    let (output, _) = fixture_class("class-summary");
    let summary = stdout(&output);
    let (report, wrote) = summary.trim_end().rsplit_once('\n').unwrap();
    assert!(
        wrote.starts_with("wrote ") && wrote.ends_with("index.html"),
        "{wrote}"
    );
    insta::assert_snapshot!("class_summary", report);
}

#[test]
fn page_is_self_contained_escaped_and_shows_every_learner_and_the_top_failing_test() {
    let (_, page) = fixture_class("class-page");
    for external in [
        "http://",
        "https://",
        "src=\"//",
        "href=\"//",
        "src='//",
        "href='//",
    ] {
        assert!(!page.contains(external), "the page holds `{external}`");
    }
    for learner in [
        ">alice<",
        ">bob<",
        ">carol<",
        ">Dave Müller<",
        ">class/no-name.json<",
        ">Mallory &lt;img src=x onerror=alert(1)&gt;\u{fffd}[31m<",
    ] {
        assert!(page.contains(learner), "{learner} is missing");
    }
    // Markup from a report stays text: only the page's own script element exists.
    assert_eq!(page.matches("<script").count(), 1);
    assert!(!page.contains("<img"));
    assert!(page.contains("&lt;/td&gt;&lt;script&gt;alert(&quot;pwned&quot;)"));
    // The test most of the room fails heads the table.
    let stuck = &page[page.find("id=\"stuck-table\"").expect("the stuck table")..];
    let body = &stuck[stuck.find("<tbody>").unwrap()..];
    let first_row = &body[..body.find("</tr>").unwrap()];
    assert!(
        first_row.contains("trace::full_scenario_trace") && first_row.contains("3 of 6"),
        "{first_row}"
    );
    // Set aside, each with a reason.
    for line in [
        "report-morning.json</code>: duplicate of alice",
        "frank-yesterday.json</code>: other hidden tests",
        "truncated.json</code>: truncated",
        "package.json</code>: not a grader report",
    ] {
        assert!(page.contains(line), "{line} is missing");
    }
}

#[test]
fn a_huge_file_is_set_aside_and_the_rest_still_shows() {
    let dir = scratch("class-huge");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::copy(fixtures().join("class/bob.json"), reports.join("bob.json")).unwrap();
    let huge = std::fs::File::create(reports.join("huge.json")).unwrap();
    huge.set_len(17 * 1024 * 1024).unwrap();
    drop(huge);
    let output = class_in(&dir, &["reports"], &dir.join("target"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("Class: 1 learner(s)"), "{summary}");
    assert!(
        summary.contains("reports/huge.json: too large: over 16 MiB"),
        "{summary}"
    );
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let dir = scratch("class-missing");
    let output = class_in(&dir, &["no-such-folder"], &dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no-such-folder is not a folder of reports"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_report_is_stamped_with_learner_hidden_tests_version_and_time() {
    let output = xtask(
        &fixtures(),
        &["check", "5", "--format", "json", "--learner", " Ada L. "],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["learner"], "Ada L.");
    let version = report["workshop_version"].as_str().unwrap();
    assert!(
        version.len() == 23
            && version.starts_with("hidden-")
            && version[7..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{version}"
    );
    let at = report["generated_at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.starts_with("20") && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );
    // The version is the hidden tests', whatever else changes: the real workshop's differs.
    let real = xtask(
        &root(),
        &["check", "1", "--format", "json", "--timeout", "1"],
    );
    assert_ne!(json(&real)["workshop_version"], version);
}

#[test]
fn summary_renders_one_report_as_markdown() {
    let output = xtask(
        &fixtures(),
        &[
            "summary",
            fixtures().join("class/carol.json").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("summary_markdown", stdout(&output));
    let broken = xtask(
        &fixtures(),
        &[
            "summary",
            fixtures().join("class/truncated.json").to_str().unwrap(),
        ],
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(stderr(&broken).contains("truncated"), "{}", stderr(&broken));
}
