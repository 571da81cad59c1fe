//! `cargo xtask diff NN`: the learner's exercise against the reference solution, as a unified
//! diff (the instructor's view), or one line per file with `--stat`.

use std::fmt::Write;

use anyhow::Result;

use crate::generate;
use crate::workspace::{Exercise, Target, Workspace};

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The shortest edit script from `old` to `new` (longest common subsequence; exercise files are
/// a few hundred lines, so the quadratic table is small).
fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push(Edit::Same(old[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // On a tie, removals come first, as in `diff -u`.
            out.push(Edit::Removed(old[i]));
            i += 1;
        } else {
            out.push(Edit::Added(new[j]));
            j += 1;
        }
    }
    out
}

/// A unified diff of two texts, or `None` when they are equal.
pub fn unified(
    old_name: &str,
    new_name: &str,
    old: &str,
    new: &str,
    color: bool,
) -> Option<String> {
    if old == new {
        return None;
    }
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let script = edits(&old_lines, &new_lines);
    let paint = |code: &str, text: String| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint("1", format!("--- {old_name}")));
    let _ = writeln!(out, "{}", paint("1", format!("+++ {new_name}")));
    let changed: Vec<usize> = (0..script.len())
        .filter(|&k| !matches!(script[k], Edit::Same(_)))
        .collect();
    let mut k = 0;
    while k < changed.len() {
        // A hunk: changes closer than 2 * CONTEXT lines apart belong together.
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CONTEXT + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CONTEXT + 1).min(script.len());
        k += 1;
        let (mut old_start, mut new_start) = (1, 1);
        for edit in &script[..start] {
            match edit {
                Edit::Same(_) => {
                    old_start += 1;
                    new_start += 1;
                }
                Edit::Removed(_) => old_start += 1,
                Edit::Added(_) => new_start += 1,
            }
        }
        let hunk = &script[start..end];
        let old_len = hunk.iter().filter(|e| !matches!(e, Edit::Added(_))).count();
        let new_len = hunk
            .iter()
            .filter(|e| !matches!(e, Edit::Removed(_)))
            .count();
        let _ = writeln!(
            out,
            "{}",
            paint(
                "36",
                format!("@@ -{old_start},{old_len} +{new_start},{new_len} @@")
            )
        );
        for edit in hunk {
            let _ = match edit {
                Edit::Same(line) => writeln!(out, " {line}"),
                Edit::Removed(line) => writeln!(out, "{}", paint("31", format!("-{line}"))),
                Edit::Added(line) => writeln!(out, "{}", paint("32", format!("+{line}"))),
            };
        }
    }
    Some(out)
}

/// Lines removed and added between two texts.
fn counts(old: &str, new: &str) -> (usize, usize) {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    edits(&old_lines, &new_lines)
        .iter()
        .fold((0, 0), |(r, a), e| match e {
            Edit::Same(_) => (r, a),
            Edit::Removed(_) => (r + 1, a),
            Edit::Added(_) => (r, a + 1),
        })
}

/// The learner's files against the solution's, file by file (`-` learner, `+` solution).
pub fn run(ws: &Workspace, exercise: &Exercise, stat: bool, color: bool) -> Result<String> {
    ws.require(Target::Solutions, std::slice::from_ref(exercise))?;
    ws.require(Target::Exercises, std::slice::from_ref(exercise))?;
    let reference = generate::solution_view(ws, exercise)?;
    let dir = ws.crate_dir(Target::Exercises, exercise);
    let mut paths: Vec<_> = generate::list_files(&dir)?;
    paths.extend(reference.keys().cloned());
    paths.sort();
    paths.dedup();
    let mut out = String::new();
    let mut files = 0;
    for path in paths {
        let learner = std::fs::read(dir.join(&path))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let solution = reference
            .get(&path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        if learner == solution {
            continue;
        }
        files += 1;
        let shown = path.display().to_string();
        if stat {
            let (removed, added) = counts(&learner, &solution);
            let _ = writeln!(out, " {shown} | -{removed} +{added}");
        } else if let Some(diff) = unified(
            &format!("exercises/{}/{shown}", exercise.id),
            &format!("solutions/{}/{shown}", exercise.id),
            &learner,
            &solution,
            color,
        ) {
            out.push_str(&diff);
        }
    }
    if files == 0 {
        out.push_str(&format!(
            "exercises/{} matches the solution.\n",
            exercise.id
        ));
    } else if stat {
        let _ = writeln!(
            out,
            " {files} file(s) differ from the solution (- learner, + solution)"
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_diff_with_context_and_line_numbers() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
        let diff = unified("old", "new", old, new, false).unwrap();
        assert_eq!(
            diff,
            "--- old\n+++ new\n@@ -1,10 +1,11 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n i\n j\n+k\n"
        );
        assert_eq!(unified("a", "b", old, old, false), None);
        // Changes more than twice the context apart make two hunks.
        let far = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n";
        let diff = unified("o", "n", old.replace("a\n", "").as_str(), far, false).unwrap();
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert_eq!(counts(old, new), (1, 2));
    }
}
