//! Nothing a learner wrote is overwritten without a copy: every command that replaces or removes
//! files under `exercises/` first copies them to a timestamped folder under `.backups/` (ignored
//! by git, and outside `target/` so that `cargo clean` keeps it).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

/// Copies `files` (paths under `root`) to `.backups/<UTC timestamp>-<label>/`, keeping their
/// paths relative to the root, and returns that folder. Files that do not exist are skipped.
pub fn backup(root: &Path, files: &[PathBuf], label: &str) -> Result<PathBuf> {
    let base = root.join(".backups");
    let stamp = timestamp(SystemTime::now());
    let mut dir = base.join(format!("{stamp}-{label}"));
    let mut n = 1;
    while dir.exists() {
        n += 1;
        dir = base.join(format!("{stamp}-{label}-{n}"));
    }
    for file in files {
        if !file.is_file() {
            continue;
        }
        let relative = file.strip_prefix(root).unwrap_or(file);
        let dest = dir.join(relative);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::copy(file, &dest)
            .with_context(|| format!("cannot back up {} to {}", file.display(), dest.display()))?;
    }
    Ok(dir)
}

/// `YYYYMMDD-HHMMSS` in UTC, so that backups sort by time.
fn timestamp(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_dates() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        assert_eq!(timestamp(t), "20261130-005320");
        assert_eq!(timestamp(UNIX_EPOCH), "19700101-000000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(timestamp(leap), "20000229-000000");
    }

    #[test]
    fn backup_keeps_exact_bytes_and_relative_paths() {
        let root = std::env::temp_dir().join(format!("xtask-backup-{}", std::process::id()));
        let file = root.join("exercises/01-x/src/lib.rs");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let bytes = b"fn main() {}\n\xff\x00 not utf-8";
        std::fs::write(&file, bytes).unwrap();
        let dir = backup(&root, &[file, root.join("missing.rs")], "test").unwrap();
        let copy = std::fs::read(dir.join("exercises/01-x/src/lib.rs")).unwrap();
        assert_eq!(copy, bytes);
        assert!(dir.starts_with(root.join(".backups")));
        let again = backup(&root, &[], "test").unwrap();
        assert_ne!(
            again, dir,
            "two backups in the same second must not share a folder"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
