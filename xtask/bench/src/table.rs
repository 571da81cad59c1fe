//! The summary table: criterion's medians from this run, in ns per call and as a ratio to the
//! bare service.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// One row of the table: a case and a service, measured by one or more drivers.
#[derive(Debug, Clone)]
pub struct Row {
    /// The case (`closed`, `open`, `contended`).
    pub case: &'static str,
    /// What the table calls the service.
    pub label: &'static str,
    /// One entry per column (driver), in the columns' order; `None` where the driver does not
    /// measure this case.
    pub measures: Vec<Option<Measure>>,
}

/// Where one cell's median comes from: criterion's `group/id`, and the `group/id` it is
/// divided by.
#[derive(Debug, Clone)]
pub struct Measure {
    /// The criterion group (`closed`, `open`, `contended`, `async`).
    pub group: String,
    /// The benchmark's id inside its group (`bare`, or `closed/bare` in `async`).
    pub id: String,
    /// The `group/id` of the cell this one is divided by.
    pub baseline: (String, String),
}

/// Where criterion writes its results: the same rules as criterion 0.7 (`$CRITERION_HOME`,
/// `$CARGO_TARGET_DIR/criterion`, the target directory `cargo metadata` reports, else
/// `target/criterion`).
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        Some(PathBuf::from(metadata["target_directory"].as_str()?))
    });
    from_metadata
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}

/// The median time per iteration (ns) of `group/id`, if criterion wrote it at or after `since`.
pub fn median_ns(dir: &Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// The Markdown table of `rows`, one pair of columns (median, ratio) per entry of `columns`,
/// from the medians in `dir` written at or after `since`. Cells that were not measured in this
/// run (filtered out, or `--test` mode) read `–`, rows with no cell measured are left out;
/// `None` when nothing was measured.
pub fn render(dir: &Path, columns: &[&str], rows: &[Row], since: SystemTime) -> Option<String> {
    let median = |m: &Measure| median_ns(dir, &m.group, &m.id, since);
    let cells: Vec<Vec<Option<f64>>> = rows
        .iter()
        .map(|row| {
            row.measures
                .iter()
                .map(|m| m.as_ref().and_then(median))
                .collect()
        })
        .collect();
    if cells.iter().flatten().all(Option::is_none) {
        return None;
    }
    let mut out = String::from("| case | service |");
    for column in columns {
        let _ = write!(out, " {column}: median ns/call | × bare |");
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---:|---:|".repeat(columns.len()));
    out.push('\n');
    for (row, medians) in rows.iter().zip(&cells) {
        if medians.iter().all(Option::is_none) {
            continue;
        }
        let _ = write!(out, "| {} | {} |", row.case, row.label);
        for column in 0..columns.len() {
            let measure = row.measures.get(column).and_then(Option::as_ref);
            let value = medians.get(column).copied().flatten();
            let (Some(measure), Some(value)) = (measure, value) else {
                out.push_str(" – | – |");
                continue;
            };
            let (group, id) = &measure.baseline;
            let ratio = match median_ns(dir, group, id, since) {
                Some(base) if base > 0.0 => format!("{:.1}", value / base),
                _ => "–".to_owned(),
            };
            let _ = write!(out, " {} | {} |", format_ns(value), ratio);
        }
        out.push('\n');
    }
    Some(out)
}

fn format_ns(ns: f64) -> String {
    if ns < 10.0 {
        format!("{ns:.2}")
    } else if ns < 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fresh_cells_with_ratios_per_driver_and_skips_missing_ones() {
        let dir = std::env::temp_dir().join(format!("breaker-bench-table-{}", std::process::id()));
        let write = |group: &str, id: &str, median: f64| {
            let d = dir.join(group).join(id).join("new");
            std::fs::create_dir_all(&d).unwrap();
            let json = format!(r#"{{"median":{{"point_estimate":{median}}}}}"#);
            std::fs::write(d.join("estimates.json"), json).unwrap();
        };
        let since = SystemTime::now() - std::time::Duration::from_secs(60);
        write("closed", "bare", 1.5);
        write("closed", "minimal", 15.0);
        write("async", "closed/bare", 2.0);
        write("async", "closed/minimal", 30.0);
        let measure = |group: &str, id: &str, base: (&str, &str)| {
            Some(Measure {
                group: group.to_owned(),
                id: id.to_owned(),
                baseline: (base.0.to_owned(), base.1.to_owned()),
            })
        };
        let row = |label: &'static str| Row {
            case: "closed",
            label,
            measures: vec![
                measure("closed", label, ("closed", "bare")),
                measure(
                    "async",
                    &format!("closed/{label}"),
                    ("async", "closed/bare"),
                ),
            ],
        };
        let mut polled_only = row("minimal");
        polled_only.measures[1] = None;
        let rows = [row("bare"), row("minimal"), row("missing"), polled_only];
        let table = render(&dir, &["no-op", "async"], &rows, since).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| case | service | no-op: median ns/call | × bare | async: median ns/call | × bare |",
            "{table}"
        );
        assert_eq!(lines[1], "|---|---|---:|---:|---:|---:|", "{table}");
        assert_eq!(
            lines[2], "| closed | bare | 1.50 | 1.0 | 2.00 | 1.0 |",
            "{table}"
        );
        assert_eq!(
            lines[3], "| closed | minimal | 15.0 | 10.0 | 30.0 | 15.0 |",
            "{table}"
        );
        assert_eq!(
            lines[4], "| closed | minimal | 15.0 | 10.0 | – | – |",
            "{table}"
        );
        assert_eq!(lines.len(), 5, "the unmeasured row is left out: {table}");
        let future = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(render(&dir, &["no-op", "async"], &rows, future).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
