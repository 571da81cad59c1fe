//! `cargo xtask hint NN`: progressive hints, kept per exercise in `xtask/hidden/<id>/hints.md`.
//!
//! The file has one `## ` section per gap and one `- ` bullet per hint, from a nudge to the
//! last one, which names the API or pattern to use. Each call shows one more hint for every gap;
//! how far a learner has got is remembered in the target folder.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::workspace::{Exercise, Workspace};

/// One gap and its hints, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub title: String,
    pub hints: Vec<String>,
}

/// Parses a hints file: `## title` starts a gap, `- ` starts a hint, indented lines continue it.
pub fn parse(text: &str) -> Vec<Gap> {
    let mut gaps: Vec<Gap> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            gaps.push(Gap {
                title: title.trim().to_owned(),
                hints: Vec::new(),
            });
        } else if let Some(gap) = gaps.last_mut() {
            if let Some(hint) = line.strip_prefix("- ") {
                gap.hints.push(hint.trim().to_owned());
            } else if line.starts_with("  ") && !line.trim().is_empty() {
                if let Some(hint) = gap.hints.last_mut() {
                    hint.push(' ');
                    hint.push_str(line.trim());
                }
            }
        }
    }
    gaps
}

pub fn load(ws: &Workspace, exercise: &Exercise) -> Result<Vec<Gap>> {
    let path = ws.hidden_dir(exercise).join("hints.md");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} has no hints ({})", exercise.id, path.display()))?;
    let gaps = parse(&text);
    if gaps.is_empty() {
        bail!("{} lists no gaps", path.display());
    }
    Ok(gaps)
}

/// Where the number of hints already shown is kept.
fn level_file(ws: &Workspace, exercise: &Exercise) -> PathBuf {
    ws.target.join("xtask").join("hints").join(&exercise.id)
}

/// Shows the next level of hints (or all of them) and remembers the level.
pub fn run(ws: &Workspace, exercise: &Exercise, all: bool) -> Result<String> {
    let gaps = load(ws, exercise)?;
    let deepest = gaps.iter().map(|g| g.hints.len()).max().unwrap_or(0);
    let file = level_file(ws, exercise);
    let shown: usize = std::fs::read_to_string(&file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let level = if all {
        deepest
    } else {
        (shown + 1).min(deepest)
    };
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&file, level.to_string())?;
    let mut out = format!("Hints for {} ({level} of {deepest}):\n", exercise.id);
    for gap in &gaps {
        out.push_str(&format!("\n{}\n", gap.title));
        for (i, hint) in gap.hints.iter().take(level).enumerate() {
            out.push_str(&format!("  {}. {hint}\n", i + 1));
        }
    }
    if level < deepest {
        out.push_str(&format!(
            "\nRun `cargo xtask hint {}` again for the next hint, or add `--all`.\n",
            exercise.number()
        ));
    } else {
        out.push_str("\nThat was the last hint of every gap.\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;

    /// Every gap of every exercise has at least two hints, and there is one section per
    /// `todo!()` in the exercise as generated.
    #[test]
    fn every_gap_of_every_exercise_has_hints() {
        let ws = Workspace::locate(None).unwrap();
        for exercise in ws.exercises().unwrap() {
            let gaps = load(&ws, &exercise).unwrap();
            for gap in &gaps {
                assert!(
                    gap.hints.len() >= 2,
                    "{}: {} has {} hint(s); every gap needs at least two",
                    exercise.id,
                    gap.title,
                    gap.hints.len()
                );
            }
            let todos: usize = generate::generate(&ws, &exercise)
                .unwrap()
                .iter()
                .filter(|(path, _)| path.extension().is_some_and(|e| e == "rs"))
                .map(|(_, text)| String::from_utf8_lossy(text).matches("todo!(").count())
                .sum();
            assert_eq!(
                gaps.len(),
                todos,
                "{}: hints.md has {} gap(s), the exercise {} todo!()s",
                exercise.id,
                gaps.len(),
                todos
            );
        }
    }

    #[test]
    fn sections_are_gaps_and_bullets_are_hints() {
        let gaps = parse("# Title\nintro\n## `a`\n- one\n  continued\n- two\n\n## `b`\n- three\n");
        assert_eq!(
            gaps,
            [
                Gap {
                    title: "`a`".into(),
                    hints: vec!["one continued".into(), "two".into()]
                },
                Gap {
                    title: "`b`".into(),
                    hints: vec!["three".into()]
                },
            ]
        );
    }
}
