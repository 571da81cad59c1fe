//! `cargo xtask lab [NN] [--solutions] [--scenario NAME]`: watch a breaker work, in simulated
//! outages. The lab is its own crate (`xtask/lab`, package `breaker-lab`), so that `cargo xtask
//! check` never builds it or its plotting dependency; this module picks the breaker and runs it.
//!
//! Exercise `NN`'s crate takes the place of the solution's through the lab's cargo feature
//! `exercise-NN`; the other slots of the lab keep the solutions (every table names its crates).

use std::path::Path;

use anyhow::{Result, bail};

use crate::grade::{self, Options};
use crate::progress;
use crate::workspace::{Exercise, Workspace};

/// The exercises whose crates hold a Tower breaker the lab can run.
const FIRST: u8 = 2;
const LAST: u8 = 4;

/// What to run: the breaker's exercise number, and whether it is the learner's crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Choice {
    number: u8,
    learner: bool,
}

fn number(exercise: &Exercise) -> u8 {
    exercise.number().parse().unwrap_or(0)
}

/// The highest exercise from 02 on whose hidden tests all pass, grading those the progress
/// cache does not know (as `cargo xtask list` does).
fn highest_passed(ws: &Workspace, options: &Options) -> Result<Option<Exercise>> {
    let candidates: Vec<Exercise> = ws
        .exercises()?
        .into_iter()
        .filter(|e| (FIRST..=LAST).contains(&number(e)))
        .collect();
    let mut passed = Vec::new();
    let mut stale = Vec::new();
    for exercise in candidates {
        match progress::cached_status(ws, &exercise)? {
            Some(status) if status == "passed" => passed.push(exercise),
            Some(_) => {}
            None => stale.push(exercise),
        }
    }
    if !stale.is_empty() {
        eprintln!("Grading your exercises first, to pick the breaker the lab runs...");
        let graded = grade::grade(ws, &stale, options)?;
        let _ = progress::store(ws, &graded.exercises);
        for result in graded.exercises {
            if result.status.as_str() == "passed" {
                passed.push(result.exercise);
            }
        }
    }
    Ok(passed.into_iter().max())
}

pub fn run(
    ws: &Workspace,
    exercise: Option<&String>,
    solutions: bool,
    scenario: Option<&String>,
    options: &Options,
) -> Result<u8> {
    let choice = match exercise {
        Some(name) => {
            let exercise = ws.select(std::slice::from_ref(name))?.remove(0);
            let n = number(&exercise);
            if !(FIRST..=LAST).contains(&n) {
                bail!(
                    "exercise {exercise} has no Tower service to put under load: the lab runs \
                     the breakers of exercises 02 to 04"
                );
            }
            Choice {
                number: n,
                learner: !solutions,
            }
        }
        None if solutions => Choice {
            number: 3,
            learner: false,
        },
        None => match highest_passed(ws, options)? {
            Some(exercise) => {
                println!(
                    "The lab runs your breaker of {exercise}, the last exercise whose hidden \
                     tests all pass (`cargo xtask lab NN` picks another, `--solutions` the \
                     reference).\n"
                );
                Choice {
                    number: number(&exercise),
                    learner: true,
                }
            }
            None => {
                println!(
                    "None of exercises 02 to 04 passes its hidden tests yet, so the lab runs \
                     the reference solutions (`cargo xtask check` tells what is left).\n"
                );
                Choice {
                    number: 3,
                    learner: false,
                }
            }
        },
    };
    let out = ws.target.join("lab");
    let mut command = ws.cargo_run("breaker-lab", "breaker-lab");
    if choice.learner {
        command
            .arg("--features")
            .arg(format!("exercise-0{}", choice.number));
    }
    command
        .arg("--")
        .arg("--breaker")
        .arg(format!("0{}", choice.number))
        .arg("--out")
        .arg(ws.relative(&out));
    if let Some(name) = scenario {
        command.arg("--scenario").arg(name);
    }
    let status = command.status()?;
    Ok(match status.code() {
        Some(0) => 0,
        Some(2) => 2,
        _ => 1,
    })
}

/// The deck's charts (`--slides`), from the reference solutions: `cargo xtask slides` runs
/// this before it renders.
pub fn slide_charts(ws: &Workspace, dir: &Path) -> Result<()> {
    let status = ws
        .cargo_run("breaker-lab", "breaker-lab")
        .args(["--", "--slides"])
        .arg(dir)
        .status()?;
    if !status.success() {
        bail!("the lab could not draw the deck's charts ({status})");
    }
    Ok(())
}
