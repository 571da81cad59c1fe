//! The summary table: criterion's medians from this run, in ns per call and as a ratio to the
//! bare service.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// One row of the table: criterion's `group/id`, and the name printed for it.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The criterion group (`closed`, `open`, `contended`).
    pub group: &'static str,
    /// The benchmark's id inside its group.
    pub id: &'static str,
    /// What the table calls it.
    pub label: &'static str,
    /// The `group/id` of the row this one is divided by.
    pub baseline: (&'static str, &'static str),
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

/// The Markdown table of `rows`, from the medians in `dir` written at or after `since`. Rows
/// that were not measured in this run (filtered out, or `--test` mode) are left out; `None`
/// when none was measured.
pub fn render(dir: &Path, rows: &[Row], since: SystemTime) -> Option<String> {
    let medians: Vec<Option<f64>> = rows
        .iter()
        .map(|row| median_ns(dir, row.group, row.id, since))
        .collect();
    if medians.iter().all(Option::is_none) {
        return None;
    }
    let mut out = String::new();
    out.push_str("| case | service | median ns/call | × bare |\n");
    out.push_str("|---|---|---:|---:|\n");
    for (row, median) in rows.iter().zip(&medians) {
        let Some(median) = median else { continue };
        let base = rows
            .iter()
            .zip(&medians)
            .find(|(r, _)| (r.group, r.id) == row.baseline)
            .and_then(|(_, m)| *m);
        let ratio = match base {
            Some(base) if base > 0.0 => format!("{:.1}", median / base),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.group,
            row.label,
            format_ns(*median),
            ratio
        );
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
    fn renders_fresh_rows_with_ratios_and_skips_missing_ones() {
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
        let rows = [
            Row {
                group: "closed",
                id: "bare",
                label: "bare",
                baseline: ("closed", "bare"),
            },
            Row {
                group: "closed",
                id: "minimal",
                label: "minimal",
                baseline: ("closed", "bare"),
            },
            Row {
                group: "closed",
                id: "missing",
                label: "missing",
                baseline: ("closed", "bare"),
            },
        ];
        let table = render(&dir, &rows, since).unwrap();
        assert!(table.contains("| closed | bare | 1.50 | 1.0 |"), "{table}");
        assert!(
            table.contains("| closed | minimal | 15.0 | 10.0 |"),
            "{table}"
        );
        assert!(!table.contains("missing"), "{table}");
        let future = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(render(&dir, &rows, future).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
