//! Reading one learner's report (`check --format json`) defensively: it was written on another
//! machine and may be huge, truncated, from another tool or crafted.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::stamp;

/// Reports larger than this are not read: a real one is well under 1 MiB.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Learner names and messages are cut to this many characters.
const MAX_TEXT: usize = 300;

/// What the class view needs of a report.
#[derive(Debug, Clone)]
pub struct Report {
    pub learner: Option<String>,
    pub version: Option<String>,
    /// A timestamp as the grader writes it, or none.
    pub generated_at: Option<String>,
    pub exercises: Vec<Exercise>,
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: String,
    /// `passed`, `failed`, `not_started`, `compile_error`, or what a newer grader says.
    pub status: String,
    pub passed: usize,
    pub total: usize,
    /// The first line of the compile error.
    pub compile_error: Option<String>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    pub status: String,
    /// The first line of the message.
    pub message: String,
}

impl Test {
    /// Reached and not passed: `failed`, `timed_out`, `crashed` (a `todo` is not reached yet).
    pub fn failing(&self) -> bool {
        self.status != "passed" && self.status != "todo"
    }
}

/// Reads and checks one report; the error says in a few words why it is not one.
pub fn read(path: &Path) -> Result<Report, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("unreadable: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("unreadable: {e}"))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "too large: over {} MiB (a report is well under 1 MiB)",
            MAX_BYTES >> 20
        ));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_eof() {
            format!("truncated: the JSON stops at line {}", e.line())
        } else {
            format!("not JSON: {e}")
        }
    })?;
    parse(&value).map_err(|why| format!("not a grader report: {why}"))
}

/// The report in `value`, or which part of the schema it misses.
pub fn parse(value: &Value) -> Result<Report, String> {
    let top = value.as_object().ok_or("not a JSON object")?;
    let exercises = top
        .get("exercises")
        .and_then(Value::as_array)
        .ok_or("no `exercises` list")?;
    match top.get("target").and_then(Value::as_str) {
        Some("exercises") => {}
        Some("solutions") => return Err("it grades solutions/, not a learner's work".into()),
        _ => return Err("no `target`".into()),
    }
    let text = |key: &str| top.get(key).and_then(Value::as_str).map(clean);
    let mut report = Report {
        learner: text("learner").filter(|n| !n.trim().is_empty()),
        version: text("workshop_version"),
        generated_at: text("generated_at").filter(|t| stamp::is_timestamp(t)),
        exercises: Vec::new(),
    };
    for (i, e) in exercises.iter().enumerate() {
        let field = |key: &str| e.get(key).ok_or(format!("exercise {i} has no `{key}`"));
        let string = |key: &str| {
            field(key)?
                .as_str()
                .map(clean)
                .ok_or(format!("exercise {i}: `{key}` is not a string"))
        };
        let count = |key: &str| {
            field(key)?
                .as_u64()
                .map(|n| n as usize)
                .ok_or(format!("exercise {i}: `{key}` is not a count"))
        };
        let tests = field("tests")?
            .as_array()
            .ok_or(format!("exercise {i}: `tests` is not a list"))?;
        let mut parsed = Vec::with_capacity(tests.len());
        for t in tests {
            let get = |key: &str| t.get(key).and_then(Value::as_str).map(clean);
            parsed.push(Test {
                name: get("name").ok_or(format!("exercise {i}: a test has no `name`"))?,
                status: get("status").ok_or(format!("exercise {i}: a test has no `status`"))?,
                message: get("message").unwrap_or_default(),
            });
        }
        report.exercises.push(Exercise {
            id: string("id")?,
            status: string("status")?,
            passed: count("passed")?,
            total: count("total")?,
            compile_error: e
                .get("compile_error")
                .and_then(|c| c.get("message"))
                .and_then(Value::as_str)
                .map(clean),
            tests: parsed,
        });
    }
    Ok(report)
}

/// The first line of `text`, cut to `MAX_TEXT` characters, without control characters (which
/// could move a terminal's cursor or recolour it) or bidirectional overrides (which make text
/// read differently from what it is).
pub fn clean(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = line
        .trim()
        .chars()
        .take(MAX_TEXT)
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    if line.trim().chars().count() > MAX_TEXT {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_report_cannot_drive_a_terminal() {
        assert_eq!(clean("\n  ok\x1b[2J then\n more"), "ok\u{fffd}[2J then");
        assert_eq!(clean("a\u{202e}b"), "a\u{fffd}b");
        assert_eq!(clean(&"x".repeat(400)).chars().count(), MAX_TEXT + 1);
    }

    #[test]
    fn a_report_of_solutions_or_without_exercises_is_refused() {
        let solutions = serde_json::json!({ "target": "solutions", "exercises": [] });
        assert!(parse(&solutions).unwrap_err().contains("solutions/"));
        let other = serde_json::json!({ "name": "left-pad" });
        assert_eq!(parse(&other).unwrap_err(), "no `exercises` list");
    }
}
