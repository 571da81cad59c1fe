//! The deck shows the lab's charts and quotes its figures: both must be what the lab finds on
//! the reference solutions. `cargo xtask slides` draws the charts again.

use std::path::{Path, PathBuf};

use breaker_lab::Breakers;
use breaker_lab::chart;
use breaker_lab::scenarios::{Report, find};

fn slides() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../slides")
}

fn report(name: &str) -> Report {
    find(name)
        .expect("a scenario")
        .run(&Breakers::solutions())
        .expect("the scenario finishes")
}

/// The slide of `day13.md` whose title is `title`.
fn slide(title: &str) -> String {
    let deck = std::fs::read_to_string(slides().join("day13.md")).expect("slides/day13.md");
    deck.split("<!-- end_slide -->")
        .find(|s| s.trim_start().starts_with(&format!("{title}\n===")))
        .unwrap_or_else(|| panic!("no slide titled {title:?} in slides/day13.md"))
        .to_owned()
}

/// Every `(variant, column)` cell must be quoted in bold on the slide.
fn quotes(title: &str, report: &Report, cells: &[(&str, &str)]) {
    let slide = slide(title);
    for (variant, column) in cells {
        let value = report.table.cell(variant, column).expect("a cell");
        assert!(
            slide.contains(&format!("**{value}**")),
            "the slide {title:?} should quote `{column}` of `{variant}` as **{value}** (what \
             `cargo xtask lab --solutions --scenario {}` finds); update the slide",
            report.scenario.name
        );
    }
}

/// The chart on the deck is the one the lab draws now.
fn chart_is_current(file: &str, report: &Report) {
    let committed = std::fs::read_to_string(slides().join(file)).expect("the chart");
    assert!(
        committed == chart::comparison(report).expect("a chart"),
        "slides/{file} is not the lab's chart any more: run `cargo xtask slides` (and \
         regenerate its PNG copy, see slides/README.md)"
    );
}

#[test]
fn the_half_open_slide_shows_the_lab() {
    let report = report("half-open");
    chart_is_current("lab-half-open.svg", &report);
    quotes(
        "Half-open: one probe, or a burst",
        &report,
        &[
            ("everyone through (02)", "calls per half-open period"),
            ("single probe (03)", "calls per half-open period"),
            ("everyone through (02)", "calls while down"),
            ("single probe (03)", "calls while down"),
        ],
    );
}

#[test]
fn the_retry_order_slide_shows_the_lab() {
    let report = report("retry-storm");
    chart_is_current("lab-retry-storm.svg", &report);
    quotes(
        "Retry and breaker: the order counts",
        &report,
        &[
            ("no breaker, retry", "amplification"),
            ("no breaker, retry + budget", "amplification"),
            ("breaker outside retry", "amplification"),
            ("retry outside breaker", "amplification"),
        ],
    );
}
