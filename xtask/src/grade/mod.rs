//! `cargo xtask check`: build each exercise with its hidden tests, run every test in its own
//! process under a timeout and a memory cap, and report.
//!
//! The hidden tests live in `xtask/hidden/<id>`, a crate whose default feature depends on
//! `exercises/<id>`; with `--no-default-features --features solution` the same source is
//! compiled against `solutions/<id>` instead.
//!
//! The grader's promise: whatever the learner's code does, the report is honest and prompt.
//!
//! # The verdict
//!
//! A test passes only when libtest itself recorded it as passed. Each test runs as
//! `<binary> --exact NAME --nocapture --test-threads=1 --logfile PATH`, where `PATH` is a file
//! of the grader's choosing (`target/xtask/grade-<pid>/<n>.log`); libtest writes `ok NAME`,
//! `failed NAME` or `ignored NAME` to it when the test has finished, from the harness, after
//! the test function has returned or panicked. The grader reads that line and only then looks at
//! the exit status and what the test printed ([`run`]):
//!
//! - `ok` and exit status 0: `passed`. `ok` and any other end (a thread the code left running
//!   crashed the process on its way out): `crashed`.
//! - `failed`: `todo` when the panic message is `todo!()`'s, else `failed`, with the message.
//! - no line: the process ended before the harness recorded anything: `crashed`, saying how
//!   (a signal, a stack overflow, the memory cap, or "exited with status 0 before the test
//!   finished: is there a `process::exit` in your code?"), or `timed_out` if the grader ended it.
//!
//! Why this is sound against what learner code does by accident, which is what the grader has
//! to survive:
//!
//! - **What the code prints** goes to stdout and stderr, never to the log file: a test that
//!   prints `test x ... ok` and `test result: ok` is not a pass (the exit status alone was the
//!   old verdict, and `process::exit(0)` in a gap made 20/20 tests "pass").
//! - **An exit status it forces** (`process::exit(0)`, or `exit(101)`) ends the process before
//!   the harness writes its line: no line, so `crashed`.
//! - **A stale record** cannot be read: each test gets a fresh file, removed before the test
//!   starts and after it is read, in a folder named after the grader's process id, and the line
//!   must name this very test.
//!
//! What it does not claim: code that sets out to cheat runs in the same process as the harness;
//! it can read the path from its own arguments and write `ok NAME` there. A learner who wants to
//! cheat can as well edit the hidden tests, which are in the repository; the grader guards
//! against mistakes, not against its own user. (The other ways to learn the verdict are weaker:
//! libtest's `--format json` needs a nightly option and shares stdout with the code under test,
//! and the exit status is what the code controls.)
//!
//! `--logfile` is deprecated (rust-lang/rust#134283: libtest prints a warning, which the
//! grader drops from the output it keeps) but honoured by every toolchain the workshop supports.
//! Listing the tests passes `--logfile` too, so that a future harness that drops it fails the
//! grade at once with a message that says so, instead of calling every test `crashed`.
//!
//! # Every test ends by its deadline, with everything it started
//!
//! Each test process leads a process group of its own (unix) or runs in a job object
//! (Windows); when it exits, and at its deadline, the grader ends the whole group, so a `sleep`
//! or a server the code started never outlives the test ([`process`]). What the test prints is
//! read on two threads; once the process has ended, the grader waits at most a second more for
//! the pipes to close, so a process that left the group on purpose (`setsid`) and holds them
//! open does not hold up the grade either. On Ctrl-C the grader ends every live test group
//! before it dies.
//!
//! # A hang costs about twice the timeout, once
//!
//! When learner code loops forever in a function every test calls, every test hangs. After the
//! first test of an exercise has used its whole `--timeout`, every other test of that exercise
//! (those still running included) gets at most [`run::short_budget`] more: a tenth of the
//! timeout, at least 300 ms. A hidden test that does not hang finishes in milliseconds, so it is
//! still graded on its merits; one that hangs is reported `timed_out`, and its message says it
//! had the short budget. With 20 tests on 2 cores, a hang everywhere costs the timeout plus
//! 9 short budgets: 6 s at `--timeout 3` (it was 30 s), 20 s at the default 10 s (100 s).
//! The human report shows identical failures once ("20 tests timed out: a, b, c and 17 more",
//! every timeout of an exercise being one group); the JSON keeps one entry per test.
//!
//! # Memory
//!
//! Each test process is capped at `--memory MiB` (1 GiB by default): a runaway collection
//! fails to grow, Rust aborts with `memory allocation of N bytes failed`, and the test is
//! `crashed` with a message that names memory. See [`process`] for which limit and why.
//!
//! # The gap that stops the learner
//!
//! A `todo` test keeps where it panicked (`location`, from libtest's `panicked at FILE:LINE:COL`
//! line). When every test reaches the same `todo!()`, the human report names it, with its
//! message and `file:line`, as the thing to fill in next; when tests reach different ones, it
//! lists each with how many tests reach it. This holds whether the exercise is untouched or
//! partly filled in (`not_started` means every test reaches some `todo!()`, not that nothing was
//! written).

mod build;
mod process;
pub mod report;
mod run;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

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
    // The harness's records (see "The verdict" above), in a folder of this run's own.
    let logs = ws
        .target
        .join("xtask")
        .join(format!("grade-{}", std::process::id()));
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let graded = grade_built(ws, exercises, options, &built, &logs);
    let _ = std::fs::remove_dir_all(&logs);
    let results = graded?;
    Ok(Grade {
        target: options.target,
        exercises: results,
        elapsed: start.elapsed(),
    })
}

/// Runs the hidden tests of the exercises that built; the others are compile errors.
fn grade_built(
    ws: &Workspace,
    exercises: &[Exercise],
    options: &Options,
    built: &HashMap<String, build::Built>,
    logs: &Path,
) -> Result<Vec<ExerciseResult>> {
    let mut suites = Vec::new();
    let mut results = Vec::new();
    for exercise in exercises {
        match &built[&exercise.id] {
            build::Built::Binary(binary) => {
                let names = run::list(binary, &ws.hidden_dir(exercise), logs)?;
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
    let mut outcomes = run::run_all(&jobs, options, &ws.root, logs).into_iter();
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
    Ok(results)
}
