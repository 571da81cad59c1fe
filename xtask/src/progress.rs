//! `cargo xtask list`: the progress table. Grades are cached, keyed by the contents of the
//! exercise and of its hidden tests, so an exercise that has not changed is not rebuilt.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::hash::{DefaultHasher, Hasher};
use std::path::PathBuf;

use anyhow::Result;
use serde_json::{Value, json};

use crate::generate::list_files;
use crate::grade::{self, ExerciseResult, Options};
use crate::workspace::{Exercise, Target, Workspace};

/// What the table shows of one exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub status: String,
    pub passed: u64,
    pub total: u64,
}

impl Row {
    fn of(result: &ExerciseResult) -> Row {
        Row {
            status: result.status.as_str().to_owned(),
            passed: result.passed() as u64,
            total: result.tests.len() as u64,
        }
    }
}

fn cache_file(ws: &Workspace) -> PathBuf {
    ws.target.join("xtask").join("grades.json")
}

/// A hash of every file of the learner's crate and of its hidden tests.
fn key(ws: &Workspace, exercise: &Exercise) -> Result<String> {
    let mut hasher = DefaultHasher::new();
    for dir in [
        ws.crate_dir(Target::Exercises, exercise),
        ws.hidden_dir(exercise),
    ] {
        for path in list_files(&dir)? {
            hasher.write(path.to_string_lossy().as_bytes());
            hasher.write(&std::fs::read(dir.join(&path))?);
        }
    }
    Ok(format!("{:016x}", hasher.finish()))
}

fn load(ws: &Workspace) -> BTreeMap<String, Value> {
    std::fs::read(cache_file(ws))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<BTreeMap<String, Value>>(&bytes).ok())
        .unwrap_or_default()
}

/// Remembers the grades of learner exercises (never of solutions).
pub fn store(ws: &Workspace, results: &[ExerciseResult]) -> Result<()> {
    let mut cache = load(ws);
    for result in results {
        let row = Row::of(result);
        cache.insert(
            result.exercise.id.clone(),
            json!({
                "key": key(ws, &result.exercise)?,
                "status": row.status,
                "passed": row.passed,
                "total": row.total,
            }),
        );
    }
    let file = cache_file(ws);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&file, serde_json::to_vec_pretty(&cache)?)?;
    Ok(())
}

/// The cached row of an exercise, if its files have not changed since it was graded.
fn cached(
    ws: &Workspace,
    cache: &BTreeMap<String, Value>,
    exercise: &Exercise,
) -> Result<Option<Row>> {
    let Some(entry) = cache.get(&exercise.id) else {
        return Ok(None);
    };
    if entry["key"].as_str() != Some(key(ws, exercise)?.as_str()) {
        return Ok(None);
    }
    Ok(Some(Row {
        status: entry["status"].as_str().unwrap_or("").to_owned(),
        passed: entry["passed"].as_u64().unwrap_or(0),
        total: entry["total"].as_u64().unwrap_or(0),
    }))
}

/// The cached status of `exercise` (`passed`, ...), if its files have not changed since.
pub fn cached_status(ws: &Workspace, exercise: &Exercise) -> Result<Option<String>> {
    Ok(cached(ws, &load(ws), exercise)?.map(|row| row.status))
}

/// The table, grading only what the cache does not know.
pub fn run(ws: &Workspace, options: &Options) -> Result<(String, bool)> {
    let exercises = ws.exercises()?;
    let cache = load(ws);
    let mut rows = BTreeMap::new();
    let mut stale = Vec::new();
    for exercise in &exercises {
        match cached(ws, &cache, exercise)? {
            Some(row) => {
                rows.insert(exercise.id.clone(), row);
            }
            None => stale.push(exercise.clone()),
        }
    }
    if !stale.is_empty() {
        let graded = grade::grade(ws, &stale, options)?;
        store(ws, &graded.exercises)?;
        for result in &graded.exercises {
            rows.insert(result.exercise.id.clone(), Row::of(result));
        }
    }
    let width = exercises.iter().map(|e| e.id.len()).max().unwrap_or(8);
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$}  {:<13}  tests", "exercise", "status");
    let mut done = 0;
    let (mut passed, mut total) = (0, 0);
    for exercise in &exercises {
        let row = &rows[&exercise.id];
        if row.status == "passed" {
            done += 1;
        }
        passed += row.passed;
        total += row.total;
        let status = row.status.replace('_', " ");
        let _ = writeln!(
            out,
            "{:<width$}  {status:<13}  {}/{}",
            exercise.id, row.passed, row.total
        );
    }
    let _ = writeln!(
        out,
        "\n{done} of {} exercises done, {passed} of {total} hidden tests pass ({} graded now, {} unchanged since the last grade).",
        exercises.len(),
        stale.len(),
        exercises.len() - stale.len()
    );
    Ok((out, done == exercises.len()))
}
