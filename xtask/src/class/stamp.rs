//! What makes reports from different machines comparable: who made a report (`learner`), which
//! hidden tests graded it (`workshop_version`) and when (`generated_at`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::backup::civil_from_days;

/// The fields `check --format json` adds to its report.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub learner: Option<String>,
    pub workshop_version: String,
    pub generated_at: String,
}

impl Stamp {
    /// `learner` as given (`--learner`), else git's `user.name` in `root`, else none.
    pub fn new(root: &Path, learner: Option<&str>) -> Result<Self> {
        let learner = match learner {
            Some(name) => Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
            None => git_user_name(root),
        };
        Ok(Stamp {
            learner,
            workshop_version: workshop_version(root)?,
            generated_at: rfc3339(SystemTime::now()),
        })
    }
}

fn git_user_name(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let name = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !name.is_empty()).then_some(name)
}

/// `hidden-` and a hash of every file under `xtask/hidden` (paths and contents), so that two
/// reports graded by the same hidden tests carry the same version whatever the machine. Line
/// endings are normalised (a Windows checkout has CRLF), and what editors, insta and the build
/// leave behind is left out (dot files, `target/`, `*~`, `*.snap.new`, `*.pending-snap`).
pub fn workshop_version(root: &Path) -> Result<String> {
    let hidden = root.join("xtask").join("hidden");
    let mut files = Vec::new();
    collect(&hidden, "", &mut files)?;
    files.sort();
    let mut hash = Fnv::new();
    for relative in &files {
        let path = hidden.join(relative);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let text: Vec<u8> = normalise_newlines(&bytes);
        hash.write(relative.as_bytes());
        hash.write(&[0]);
        hash.write(&(text.len() as u64).to_le_bytes());
        hash.write(&text);
    }
    Ok(format!("hidden-{:016x}", hash.0))
}

fn collect(dir: &Path, prefix: &str, files: &mut Vec<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        let relative = format!("{prefix}{name}");
        if name.starts_with('.') {
            continue;
        }
        if kind.is_dir() {
            if name != "target" {
                collect(&entry.path(), &format!("{relative}/"), files)?;
            }
        } else if !(name.ends_with('~')
            || name.ends_with(".snap.new")
            || name.ends_with(".pending-snap"))
        {
            files.push(relative);
        }
    }
    Ok(())
}

fn normalise_newlines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// 64-bit FNV-1a: enough to tell versions apart (it is no protection against forgery, and
/// needs none: a learner writes their own report anyway).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// `2026-12-03T09:30:00Z`: UTC, to the second; such strings sort in time order.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Whether `text` is a timestamp as `rfc3339` writes it, so that two of them compare as times.
pub fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_to_the_second() {
        let at = |secs| rfc3339(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_290_245), "2026-12-03T09:30:45Z");
        assert!(is_timestamp(&at(1_796_290_245)));
        assert!(!is_timestamp("2026-12-03 09:30:45"));
    }

    #[test]
    fn crlf_checkouts_hash_like_lf_ones() {
        assert_eq!(normalise_newlines(b"a\r\nb\rc\n"), b"a\nb\rc\n");
    }
}
