//! One report as Markdown, for a CI job's summary (`$GITHUB_STEP_SUMMARY`).

use std::fmt::Write;

use super::cell;
use super::report::Report;

/// Failing tests listed per exercise, at most.
const MAX_FAILING: usize = 10;

pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let done = report
        .exercises
        .iter()
        .filter(|e| e.status == "passed")
        .count();
    let passed: usize = report.exercises.iter().map(|e| e.passed).sum();
    let total: usize = report.exercises.iter().map(|e| e.total).sum();
    let _ = writeln!(
        out,
        "### Hidden tests: {done} of {} exercises done, {passed} of {total} tests passed\n",
        report.exercises.len()
    );
    let _ = writeln!(out, "| exercise | tests passed | status |\n|---|---|---|");
    for e in &report.exercises {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            inline(&e.id),
            inline(&cell(Some(e)).1),
            inline(&e.status.replace('_', " "))
        );
    }
    let mut failing = String::new();
    for e in &report.exercises {
        if let Some(error) = &e.compile_error {
            let _ = writeln!(failing, "{}: does not compile: {error}", e.id);
        }
        let tests: Vec<_> = e.tests.iter().filter(|t| t.failing()).collect();
        for t in tests.iter().take(MAX_FAILING) {
            let _ = writeln!(failing, "{} {} ({}): {}", e.id, t.name, t.status, t.message);
        }
        if tests.len() > MAX_FAILING {
            let _ = writeln!(
                failing,
                "{}: {} more failing",
                e.id,
                tests.len() - MAX_FAILING
            );
        }
    }
    if !failing.is_empty() {
        // A fence longer than any run of backticks in the text, so nothing can close it.
        let longest = failing.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = write!(
            out,
            "\n<details><summary>Failing tests</summary>\n\n{fence}text\n{failing}{fence}\n\n</details>\n"
        );
    }
    let _ = writeln!(
        out,
        "\nRun `cargo xtask check` locally for the full messages; `cargo xtask hint NN` for a hint."
    );
    out
}

/// Text safe in a Markdown table cell: no markup, no column break.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
