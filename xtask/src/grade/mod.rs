//! `cargo xtask check`: build each exercise with its hidden tests, run every test in its own
//! process under a timeout, and report.
//!
//! The hidden tests live in `xtask/hidden/<id>`, a crate whose default feature depends on
//! `exercises/<id>`; with `--no-default-features --features solution` the same source is
//! compiled against `solutions/<id>` instead.

mod build;
mod process;
pub mod report;
mod run;

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::workspace::{Exercise, Target, Workspace};

pub use build::CompileError;

/// How one hidden test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Passed,
    Failed,
    /// It reached a `todo!()`: that part of the exercise is not written yet.
    Todo,
    TimedOut,
    /// The process aborted, overflowed its stack or was killed by a signal.
    Crashed,
}

impl TestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Failed => "failed",
            TestStatus::Todo => "todo",
            TestStatus::TimedOut => "timed_out",
            TestStatus::Crashed => "crashed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub status: TestStatus,
    /// The panic message, or what went wrong; empty for a pass.
    pub message: String,
    /// Where a failed test or a `todo` panicked: `exercises/01-state-machine/src/lib.rs:108`.
    pub location: Option<String>,
    /// What the test printed, capped.
    pub output: String,
}

/// How an exercise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseStatus {
    Passed,
    Failed,
    /// Every hidden test reaches a `todo!()`.
    NotStarted,
    CompileError,
}

impl ExerciseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExerciseStatus::Passed => "passed",
            ExerciseStatus::Failed => "failed",
            ExerciseStatus::NotStarted => "not_started",
            ExerciseStatus::CompileError => "compile_error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExerciseResult {
    pub exercise: Exercise,
    pub status: ExerciseStatus,
    pub tests: Vec<TestResult>,
    pub compile_error: Option<CompileError>,
}

impl ExerciseResult {
    pub fn passed(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| t.status == TestStatus::Passed)
            .count()
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub timeout: Duration,
    pub jobs: usize,
    /// The memory cap of one test process, in MiB.
    pub memory_mib: u64,
}

/// The whole grade of a run.
#[derive(Debug, Clone)]
pub struct Grade {
    pub target: Target,
    pub exercises: Vec<ExerciseResult>,
    pub elapsed: Duration,
}

impl Grade {
    pub fn all_passed(&self) -> bool {
        self.exercises
            .iter()
            .all(|e| e.status == ExerciseStatus::Passed)
    }
}

/// Builds and grades `exercises`.
pub fn grade(ws: &Workspace, exercises: &[Exercise], options: &Options) -> Result<Grade> {
    let start = Instant::now();
    ws.require(options.target, exercises)?;
    let built = build::build(ws, exercises, options.target)?;
    let mut suites = Vec::new();
    let mut results = Vec::new();
    for exercise in exercises {
        match &built[&exercise.id] {
            build::Built::Binary(binary) => {
                let names = run::list(binary, &ws.hidden_dir(exercise))?;
                suites.push((exercise.clone(), binary.clone(), names));
            }
            build::Built::Error(error) => results.push(ExerciseResult {
                exercise: exercise.clone(),
                status: ExerciseStatus::CompileError,
                tests: Vec::new(),
                compile_error: Some(error.clone()),
            }),
        }
    }
    let jobs: Vec<run::Job> = suites
        .iter()
        .enumerate()
        .flat_map(|(suite, (exercise, binary, names))| {
            names.iter().map(move |name| run::Job {
                binary: binary.clone(),
                dir: ws.hidden_dir(exercise),
                name: name.clone(),
                suite,
            })
        })
        .collect();
    let logs = ws
        .target
        .join("xtask")
        .join(format!("grade-{}", std::process::id()));
    let mut outcomes = run::run_all(&jobs, options, &ws.root, &logs).into_iter();
    for (exercise, _, names) in suites {
        let tests: Vec<TestResult> = outcomes.by_ref().take(names.len()).collect();
        let status = if tests.is_empty() {
            ExerciseStatus::Failed
        } else if tests.iter().all(|t| t.status == TestStatus::Passed) {
            ExerciseStatus::Passed
        } else if tests.iter().all(|t| t.status == TestStatus::Todo) {
            ExerciseStatus::NotStarted
        } else {
            ExerciseStatus::Failed
        };
        results.push(ExerciseResult {
            exercise,
            status,
            tests,
            compile_error: None,
        });
    }
    results.sort_by(|a, b| a.exercise.cmp(&b.exercise));
    Ok(Grade {
        target: options.target,
        exercises: results,
        elapsed: start.elapsed(),
    })
}
