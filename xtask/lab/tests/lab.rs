//! The lab on the reference solutions: every scenario's table (snapshots: the paused clock
//! makes them the same on every run) and its HTML page.

use breaker_lab::Breakers;
use breaker_lab::chart;
use breaker_lab::scenarios::{Report, SCENARIOS, find};

fn report(name: &str) -> Report {
    find(name)
        .expect("a scenario")
        .run(&Breakers::solutions())
        .expect("the scenario finishes")
}

#[test]
fn outage_table() {
    insta::assert_snapshot!("outage", report("outage").table.to_string());
}

#[test]
fn half_open_table() {
    insta::assert_snapshot!("half-open", report("half-open").table.to_string());
}

#[test]
fn retry_storm_table() {
    insta::assert_snapshot!("retry-storm", report("retry-storm").table.to_string());
}

#[test]
fn pool_table() {
    insta::assert_snapshot!("pool", report("pool").table.to_string());
}

#[test]
fn the_tables_say_what_the_lab_is_for() {
    let outage = report("outage");
    let down = |v| {
        outage
            .table
            .cell(v, "calls while down")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert!(
        down("breaker") * 10 < down("no breaker"),
        "the breaker should keep most requests off the backend while it is down:\n{}",
        outage.table
    );
    let half_open = report("half-open");
    let burst = |v| {
        half_open
            .table
            .cell(v, "calls per half-open period")
            .unwrap()
            .to_owned()
    };
    assert_eq!(burst("single probe (03)"), "1.0", "{}", half_open.table);
    assert_ne!(burst("everyone through (02)"), "1.0", "{}", half_open.table);
}

#[test]
fn the_breakers_metrics_agree_with_what_the_callers_got() {
    use breaker_lab::sim::Outcome;
    let mut checked = 0;
    for name in ["outage", "half-open", "retry-storm"] {
        for run in report(name).runs {
            let Some(counters) = run.record.counters() else {
                continue;
            };
            checked += 1;
            assert_eq!(
                u64::from(run.record.total(Outcome::FastFailed)),
                counters.rejected,
                "{name}, {}: every request the breaker rejected is one the caller saw fail fast",
                run.name
            );
            assert!(counters.opened >= 1, "{name}, {}: {counters:?}", run.name);
            // Every half-open period ended (closed or re-opened) before the run did.
            assert_eq!(
                counters.half_opened,
                counters.closed + counters.opened - 1,
                "{name}, {}: {counters:?}",
                run.name
            );
        }
    }
    // The breakers of 03 and 04 report metrics: outage's, half-open's single probe, and the
    // four stacks with a breaker.
    assert_eq!(checked, 6, "runs with the breaker's metrics");
}

#[test]
fn every_page_is_self_contained_and_has_its_series() {
    for scenario in SCENARIOS {
        let report = report(scenario.name);
        let html = chart::page(&report).expect("a page");
        assert!(html.contains("<svg"), "{}: no chart", scenario.name);
        for external in [
            "http://", "https://", "url(", "<script", "<link", "@import", "src=",
        ] {
            assert!(
                !html.contains(external),
                "{}: the page must load nothing from elsewhere, but holds `{external}`",
                scenario.name
            );
        }
        // One figure per variant plus the comparison, each series named in a legend.
        assert_eq!(
            html.matches("<svg").count(),
            report.runs.len() + 1,
            "{}",
            scenario.name
        );
        // plotters writes each text on a line of its own.
        let text = |s: &str| html.contains(&format!(">\n{s}\n</text>"));
        for series in [
            "backend calls/s",
            "caller outcomes/s",
            "ok",
            "failed",
            "fast-failed",
            "backend",
            "breaker",
        ] {
            assert!(text(series), "{}: no `{series}`", scenario.name);
        }
        for run in &report.runs {
            assert!(
                text(&format!("{}:", run.name)) && text(&run.name),
                "{}: no figure for `{}`",
                scenario.name,
                run.name
            );
        }
    }
}
