//! The grade as a learner reads it, and as a machine reads it (`--format json`).

use std::fmt::Write;

use serde_json::{Value, json};

use super::{ExerciseResult, ExerciseStatus, Grade, TestResult, TestStatus};
use crate::class::stamp::Stamp;
use crate::workspace::Target;

/// How many lines of one message the human report shows.
const MESSAGE_LINES: usize = 12;

/// Terminal colours, or none (`NO_COLOR`, or not a terminal).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
    fn dim(self, t: &str) -> String {
        self.paint("2", t)
    }
    fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
}

/// One line per exercise, the failing tests under it, a total and the next step.
pub fn human(grade: &Grade, style: Style) -> String {
    let mut out = String::new();
    let width = grade
        .exercises
        .iter()
        .map(|e| e.exercise.id.len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!("Hidden tests on {}/:", grade.target.dir()))
    );
    for e in &grade.exercises {
        let counts = format!("{}/{}", e.passed(), e.tests.len());
        let (mark, what) = match e.status {
            ExerciseStatus::Passed => (style.green("✓"), style.green(&format!("{counts} passed"))),
            ExerciseStatus::Failed => (style.red("✗"), format!("{counts} passed")),
            ExerciseStatus::NotStarted => (
                style.dim("·"),
                style.dim(&format!("not started ({counts} passed)")),
            ),
            ExerciseStatus::CompileError => (style.red("!"), style.red("does not compile")),
        };
        let _ = writeln!(out, "  {mark} {:<width$}  {what}", e.exercise.id);
        details(&mut out, e, style);
    }
    let passed: usize = grade.exercises.iter().map(ExerciseResult::passed).sum();
    let total: usize = grade.exercises.iter().map(|e| e.tests.len()).sum();
    let done = grade
        .exercises
        .iter()
        .filter(|e| e.status == ExerciseStatus::Passed)
        .count();
    let _ = writeln!(
        out,
        "\n{} of {} hidden tests passed; {} of {} exercises done ({:.1} s).",
        passed,
        total,
        done,
        grade.exercises.len(),
        grade.elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "{}", next_step(grade));
    out
}

fn details(out: &mut String, e: &ExerciseResult, style: Style) {
    if let Some(error) = &e.compile_error {
        // The rendered message names the location itself (` --> file:line:col`) when it has one.
        if let Some(location) = error
            .location
            .as_ref()
            .filter(|l| !error.message.contains(*l))
        {
            let _ = writeln!(out, "      {}", style.bold(location));
        }
        for line in error.message.lines().take(MESSAGE_LINES * 2) {
            let _ = writeln!(out, "      {line}");
        }
        return;
    }
    for (status, tests) in failure_groups(e) {
        let label = match status {
            TestStatus::Failed => style.red("failed"),
            TestStatus::TimedOut => style.yellow("timed out"),
            _ => style.red("crashed"),
        };
        match tests.as_slice() {
            [one] => {
                let _ = writeln!(out, "      {label} {}", one.name);
            }
            many => {
                let mut names: Vec<&str> = many
                    .iter()
                    .take(NAMES_SHOWN)
                    .map(|t| t.name.as_str())
                    .collect();
                let more = many.len().saturating_sub(NAMES_SHOWN);
                let mut list = names.join(", ");
                if more > 0 {
                    list.push_str(&format!(" and {more} more"));
                } else if let Some(last) = names.pop() {
                    list = format!("{} and {last}", names.join(", "));
                }
                let _ = writeln!(out, "      {} tests {label}: {list}", many.len());
            }
        }
        let lines: Vec<&str> = tests[0].message.lines().collect();
        for line in lines.iter().take(MESSAGE_LINES) {
            let _ = writeln!(out, "          {line}");
        }
        if lines.len() > MESSAGE_LINES {
            let _ = writeln!(
                out,
                "          ({} more lines)",
                lines.len() - MESSAGE_LINES
            );
        }
    }
    let gaps = gaps(e);
    let todo: usize = gaps.iter().map(|g| g.tests).sum();
    match gaps.as_slice() {
        [] => {}
        [gap] => {
            let who = if todo == e.tests.len() {
                "every test reaches".to_owned()
            } else if todo == 1 {
                "1 test reaches".to_owned()
            } else {
                format!("{todo} tests reach")
            };
            let _ = writeln!(
                out,
                "      {who} {}: fill that in next",
                gap.describe(style)
            );
        }
        many => {
            let _ = writeln!(
                out,
                "      {todo} tests reach {} different todo!()s:",
                many.len()
            );
            for gap in many {
                let tests = if gap.tests == 1 { "test" } else { "tests" };
                let _ = writeln!(
                    out,
                    "          {} {tests}: {}",
                    gap.tests,
                    gap.describe(style)
                );
            }
        }
    }
}

/// How many test names a group of identical failures shows; `--format json` lists them all.
const NAMES_SHOWN: usize = 3;

/// The failed, timed-out and crashed tests of `e`, grouped: tests with the same status and the
/// same message are one group (every timeout is one group, whatever its budget), in the order
/// of their first test.
fn failure_groups(e: &ExerciseResult) -> Vec<(TestStatus, Vec<&TestResult>)> {
    let mut groups: Vec<(TestStatus, &str, Vec<&TestResult>)> = Vec::new();
    for t in &e.tests {
        if matches!(t.status, TestStatus::Passed | TestStatus::Todo) {
            continue;
        }
        let key = if t.status == TestStatus::TimedOut {
            ""
        } else {
            t.message.as_str()
        };
        match groups
            .iter_mut()
            .find(|(status, k, _)| *status == t.status && *k == key)
        {
            Some((_, _, tests)) => tests.push(t),
            None => groups.push((t.status, key, vec![t])),
        }
    }
    groups
        .into_iter()
        .map(|(status, _, tests)| (status, tests))
        .collect()
}

/// One `todo!()` that tests reach.
struct Gap<'a> {
    /// The text after `not yet implemented: `, if any.
    message: Option<&'a str>,
    location: Option<&'a str>,
    tests: usize,
}

impl Gap<'_> {
    /// `` `todo!("Circuit::admit: ...")` at exercises/01-state-machine/src/lib.rs:108 ``
    fn describe(&self, style: Style) -> String {
        let call = match self.message {
            Some(message) => {
                let first = message.lines().next().unwrap_or("");
                let short: String = first.chars().take(72).collect();
                let ellipsis = if short.len() < message.len() {
                    "..."
                } else {
                    ""
                };
                format!("`todo!(\"{short}{ellipsis}\")`")
            }
            None => "`todo!()`".to_owned(),
        };
        match self.location {
            Some(location) => format!("{call} at {}", style.bold(location)),
            None => call,
        }
    }
}

/// The `todo!()`s the tests of `e` reach, each with how many tests reach it, in the order of
/// their first test.
fn gaps(e: &ExerciseResult) -> Vec<Gap<'_>> {
    let mut gaps: Vec<Gap<'_>> = Vec::new();
    for t in e.tests.iter().filter(|t| t.status == TestStatus::Todo) {
        let message = t
            .message
            .strip_prefix("not yet implemented")
            .and_then(|m| m.strip_prefix(": "));
        let location = t.location.as_deref();
        match gaps
            .iter_mut()
            .find(|g| g.message == message && g.location == location)
        {
            Some(gap) => gap.tests += 1,
            None => gaps.push(Gap {
                message,
                location,
                tests: 1,
            }),
        }
    }
    gaps
}

fn next_step(grade: &Grade) -> String {
    let Some(e) = grade
        .exercises
        .iter()
        .find(|e| e.status != ExerciseStatus::Passed)
    else {
        return match grade.target {
            Target::Exercises => "Every selected exercise passes. Well done!".to_owned(),
            Target::Solutions => "Every selected solution passes its hidden tests.".to_owned(),
        };
    };
    let dir = format!("{}/{}", grade.target.dir(), e.exercise.id);
    let check = format!("`cargo xtask check {}`", e.exercise.number());
    let gaps = gaps(e);
    match e.status {
        ExerciseStatus::CompileError => {
            format!("Next: fix the compile error in {dir}, then run {check}.")
        }
        ExerciseStatus::NotStarted => {
            let what = match gaps.as_slice() {
                [
                    Gap {
                        location: Some(location),
                        ..
                    },
                ] => format!("fill in the todo!() at {location}"),
                _ => format!("fill in the todo!()s in {dir}/src"),
            };
            format!(
                "Next: read {dir}/README.md, {what}, then run {check}.\n\
                 Stuck? `cargo xtask hint {}` shows a hint.",
                e.exercise.number()
            )
        }
        _ => format!(
            "Next: work on {dir} until {check} passes.\n\
             Stuck? `cargo xtask hint {}` shows a hint.",
            e.exercise.number()
        ),
    }
}

/// One JSON document: the target, every exercise with its tests, and a summary, stamped with who
/// made it, with which hidden tests and when. The schema is documented in `xtask/README.md`.
pub fn json(grade: &Grade, stamp: &Stamp) -> Value {
    let exercises: Vec<Value> = grade
        .exercises
        .iter()
        .map(|e| {
            json!({
                "id": e.exercise.id,
                "status": e.status.as_str(),
                "passed": e.passed(),
                "total": e.tests.len(),
                "compile_error": e.compile_error.as_ref().map(|c| json!({
                    "location": c.location,
                    "message": c.message,
                })),
                "tests": e.tests.iter().map(|t| json!({
                    "name": t.name,
                    "status": t.status.as_str(),
                    "message": t.message,
                    "location": t.location,
                    "output": t.output,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut report = json!({
        "target": grade.target.dir(),
        "learner": stamp.learner,
        "workshop_version": stamp.workshop_version,
        "generated_at": stamp.generated_at,
        "exercises": exercises,
        "summary": {
            "passed": grade.exercises.iter().map(ExerciseResult::passed).sum::<usize>(),
            "total": grade.exercises.iter().map(|e| e.tests.len()).sum::<usize>(),
            "exercises_passed": grade.exercises.iter().filter(|e| e.status == ExerciseStatus::Passed).count(),
            "exercises_total": grade.exercises.len(),
        },
    });
    if let (None, Some(fields)) = (&stamp.learner, report.as_object_mut()) {
        fields.remove("learner");
    }
    report
}

/// JUnit XML, one `testsuite` per exercise, for CI systems. A test that reaches a `todo!()` is
/// a failure of type `todo`; a timeout or a crash is an `error`; an exercise that does not
/// compile is one `compile` test case in error.
pub fn junit(grade: &Grade) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all = || grade.exercises.iter().flat_map(|e| &e.tests);
    let compile_errors = grade
        .exercises
        .iter()
        .filter(|e| e.compile_error.is_some())
        .count();
    let failures = all()
        .filter(|t| matches!(t.status, TestStatus::Failed | TestStatus::Todo))
        .count();
    let errors = compile_errors
        + all()
            .filter(|t| matches!(t.status, TestStatus::TimedOut | TestStatus::Crashed))
            .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        grade.target.dir(),
        all().count() + compile_errors
    );
    for e in &grade.exercises {
        let id = xml(&e.exercise.id);
        if let Some(error) = &e.compile_error {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{id}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    \
                 <testcase name=\"compile\" classname=\"{id}\">\n      \
                 <error type=\"compile_error\" message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>",
                xml(error.location.as_deref().unwrap_or("does not compile")),
                xml(&error.message)
            );
            continue;
        }
        let count = |f: fn(TestStatus) -> bool| e.tests.iter().filter(|t| f(t.status)).count();
        let failures = count(|s| matches!(s, TestStatus::Failed | TestStatus::Todo));
        let errors = count(|s| matches!(s, TestStatus::TimedOut | TestStatus::Crashed));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{id}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
            e.tests.len()
        );
        for t in &e.tests {
            let name = xml(&t.name);
            let status = t.status.as_str();
            let message = xml(t.message.lines().next().unwrap_or(""));
            let body = match t.status {
                TestStatus::Passed => String::new(),
                TestStatus::Failed | TestStatus::Todo => format!(
                    "\n      <failure type=\"{status}\" message=\"{message}\">{}</failure>",
                    xml(&t.message)
                ),
                TestStatus::TimedOut | TestStatus::Crashed => format!(
                    "\n      <error type=\"{status}\" message=\"{message}\">{}</error>",
                    xml(&t.message)
                ),
            };
            let output = if t.output.is_empty() || t.status == TestStatus::Passed {
                String::new()
            } else {
                format!("\n      <system-out>{}</system-out>", xml(&t.output))
            };
            let _ = writeln!(
                out,
                "    <testcase name=\"{name}\" classname=\"{id}\">{body}{output}\n    </testcase>"
            );
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML (and HTML, content and attribute values), dropping the control
/// characters XML 1.0 cannot hold.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
