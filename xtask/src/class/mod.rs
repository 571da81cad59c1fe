//! `cargo xtask class DIR...`: where the room is. It reads the learners' reports
//! (`check --format json`, collected from CI artifacts or by hand), keeps one per learner from one
//! version of the hidden tests, and shows each learner's progress and the hidden tests the class
//! fails most, in the terminal and in `target/class/index.html`.
//!
//! `cargo xtask summary FILE` renders one report as Markdown, for a CI job's summary.

mod html;
mod markdown;
mod report;
pub mod stamp;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Arg, ArgMatches, Command, value_parser};

use crate::workspace::Workspace;
use report::Report;

pub fn command() -> Command {
    Command::new("class")
        .about("Where the class is: progress and most-failed tests over learners' JSON reports")
        .arg(
            Arg::new("dirs")
                .value_name("DIR")
                .num_args(1..)
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("Folders holding reports (`check --format json` output, *.json), searched recursively"),
        )
}

pub fn summary_command() -> Command {
    Command::new("summary")
        .about("One JSON report as Markdown (for a CI job summary)")
        .arg(
            Arg::new("file")
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("A report written by `cargo xtask check --format json`"),
        )
}

pub fn run(ws: &Workspace, m: &ArgMatches) -> Result<()> {
    let dirs: Vec<&PathBuf> = m.get_many::<PathBuf>("dirs").expect("required").collect();
    let class = Class::collect(&dirs)?;
    let out = ws.target.join("class").join("index.html");
    std::fs::create_dir_all(out.parent().expect("has a parent"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(&out, html::page(&class))
        .with_context(|| format!("cannot write {}", out.display()))?;
    print!("{}", class.summary());
    // Relative to where the command was run from, when it is below it.
    let cwd = std::env::current_dir().unwrap_or_default();
    println!(
        "\nwrote {}",
        out.strip_prefix(&cwd).unwrap_or(&out).display()
    );
    Ok(())
}

pub fn summary(m: &ArgMatches) -> Result<()> {
    let path = m.get_one::<PathBuf>("file").expect("required");
    let report = report::read(path).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
    print!("{}", markdown::summary(&report));
    Ok(())
}

/// One learner's kept report.
#[derive(Debug)]
pub struct Learner {
    /// The `learner` field, else the report's path.
    pub name: String,
    pub path: String,
    pub report: Report,
}

/// A file that is not in the picture, and why.
#[derive(Debug)]
pub struct Aside {
    pub path: String,
    pub why: String,
}

/// How the class does on one hidden test (or, with `test` empty, on compiling an exercise).
#[derive(Debug)]
pub struct Stuck {
    pub exercise: String,
    pub test: String,
    /// Learners who reached it and did not pass it.
    pub failing: usize,
    /// Learners whose report has it (those who have not reached it included).
    pub graded: usize,
    /// Learners for whom it still reaches a `todo!()`.
    pub not_reached: usize,
    /// The most common failure message, and how many learners got it.
    pub message: String,
    pub message_count: usize,
}

impl Stuck {
    pub fn label(&self) -> &str {
        if self.test.is_empty() {
            "(does not compile)"
        } else {
            &self.test
        }
    }
    pub fn percent(&self) -> usize {
        (self.failing * 100 + self.graded / 2) / self.graded.max(1)
    }
}

#[derive(Debug)]
pub struct Class {
    /// The hidden tests' version the kept reports share.
    pub version: Option<String>,
    pub learners: Vec<Learner>,
    pub aside: Vec<Aside>,
    /// Every exercise id in the kept reports, in order.
    pub exercises: Vec<String>,
    /// Tests (and compile steps) at least one learner fails, the most failed first.
    pub stuck: Vec<Stuck>,
    /// Tests nobody who reached them fails.
    pub clean_tests: usize,
}

impl Class {
    /// Reads every `*.json` under `dirs`.
    pub fn collect(dirs: &[&PathBuf]) -> Result<Self> {
        let mut files = Vec::new();
        for dir in dirs {
            if !dir.is_dir() {
                bail!("{} is not a folder of reports", dir.display());
            }
            find_json(dir, &mut files)?;
        }
        files.sort();
        files.dedup();
        let mut reports = Vec::new();
        let mut aside = Vec::new();
        for file in files {
            let path = file.display().to_string();
            match report::read(&file) {
                Ok(report) => reports.push((path, report)),
                Err(why) => aside.push(Aside { path, why }),
            }
        }
        Ok(Self::from_reports(reports, aside))
    }

    fn from_reports(reports: Vec<(String, Report)>, mut aside: Vec<Aside>) -> Self {
        // The version most learners' reports share; a tie goes to the newest report's.
        let mut by_version: BTreeMap<&Option<String>, (BTreeSet<String>, Option<&str>)> =
            BTreeMap::new();
        for (path, r) in &reports {
            let entry = by_version.entry(&r.version).or_default();
            entry
                .0
                .insert(r.learner.clone().unwrap_or_else(|| path.clone()));
            entry.1 = entry.1.max(r.generated_at.as_deref());
        }
        let version = by_version
            .iter()
            .max_by_key(|(_, (learners, newest))| (learners.len(), *newest))
            .and_then(|(v, _)| (*v).clone());
        let mut kept: BTreeMap<String, (String, Report)> = BTreeMap::new();
        for (path, r) in reports {
            if r.version != version {
                let theirs = r.version.as_deref().unwrap_or("none (an older grader)");
                aside.push(Aside {
                    path,
                    why: format!(
                        "other hidden tests: version {theirs}, the class's is {}",
                        version.as_deref().unwrap_or("none")
                    ),
                });
                continue;
            }
            let name = r.learner.clone().unwrap_or_else(|| path.clone());
            match kept.remove(&name) {
                None => {
                    kept.insert(name, (path, r));
                }
                Some((old_path, old)) => {
                    // Files come in path order, so on a tie the later path wins.
                    let (keep, drop) = if r.generated_at >= old.generated_at {
                        ((path, r), (old_path, old))
                    } else {
                        ((old_path, old), (path, r))
                    };
                    let when = match &keep.1.generated_at {
                        Some(t) => format!("newer, {t}"),
                        None => "no timestamp to compare, the later path".to_owned(),
                    };
                    aside.push(Aside {
                        path: drop.0,
                        why: format!("duplicate of {name}: kept {} ({when})", keep.0),
                    });
                    kept.insert(name, keep);
                }
            }
        }
        aside.sort_by(|a, b| a.path.cmp(&b.path));
        let mut learners: Vec<Learner> = kept
            .into_iter()
            .map(|(name, (path, report))| Learner { name, path, report })
            .collect();
        learners.sort_by(|a, b| {
            (a.name.to_lowercase(), &a.name).cmp(&(b.name.to_lowercase(), &b.name))
        });
        let exercises: Vec<String> = learners
            .iter()
            .flat_map(|l| l.report.exercises.iter().map(|e| e.id.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (stuck, clean_tests) = stuck(&learners);
        Class {
            version,
            learners,
            aside,
            exercises,
            stuck,
            clean_tests,
        }
    }

    /// The terminal summary.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Class: {} learner(s), hidden tests {}; {} file(s) set aside.",
            self.learners.len(),
            self.version.as_deref().unwrap_or("(no version)"),
            self.aside.len()
        );
        if !self.learners.is_empty() {
            progress_table(&mut out, self);
            stuck_list(&mut out, self);
        }
        if !self.aside.is_empty() {
            let _ = writeln!(out, "\nSet aside (not in the figures above):");
            for a in &self.aside {
                let _ = writeln!(out, "  {}: {}", a.path, a.why);
            }
        }
        out
    }
}

/// Every `*.json` under `dir`, not following links to folders (a loop would never end).
fn find_json(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            find_json(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            files.push(path);
        }
    }
    Ok(())
}

fn stuck(learners: &[Learner]) -> (Vec<Stuck>, usize) {
    #[derive(Default)]
    struct Tally {
        failing: usize,
        graded: usize,
        not_reached: usize,
        messages: BTreeMap<String, usize>,
    }
    // Keyed by exercise, then test ("" for the compile step).
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for l in learners {
        for e in &l.report.exercises {
            let build = tallies.entry((e.id.clone(), String::new())).or_default();
            build.graded += 1;
            if let Some(error) = &e.compile_error {
                build.failing += 1;
                *build.messages.entry(error.clone()).or_default() += 1;
            }
            for test in &e.tests {
                let t = tallies
                    .entry((e.id.clone(), test.name.clone()))
                    .or_default();
                t.graded += 1;
                if test.status == "todo" {
                    t.not_reached += 1;
                } else if test.failing() {
                    t.failing += 1;
                    let message = if test.message.is_empty() {
                        format!("({})", test.status)
                    } else {
                        test.message.clone()
                    };
                    *t.messages.entry(message).or_default() += 1;
                }
            }
        }
    }
    // Compile steps that nobody fails are not hidden tests.
    let total = tallies
        .iter()
        .filter(|((_, test), t)| !test.is_empty() || t.failing > 0)
        .count();
    let mut stuck: Vec<Stuck> = tallies
        .into_iter()
        .filter(|(_, t)| t.failing > 0)
        .map(|((exercise, test), t)| {
            // The most common message; on a tie, the first in order.
            let (message, message_count) = t
                .messages
                .iter()
                .fold(None::<(&String, usize)>, |best, (m, &n)| match best {
                    Some((_, b)) if b >= n => best,
                    _ => Some((m, n)),
                })
                .map(|(m, n)| (m.clone(), n))
                .unwrap_or_default();
            Stuck {
                exercise,
                test,
                failing: t.failing,
                graded: t.graded,
                not_reached: t.not_reached,
                message,
                message_count,
            }
        })
        .collect();
    // The most learners failing first; then the larger share of those graded; then in order.
    stuck.sort_by(|a, b| {
        b.failing
            .cmp(&a.failing)
            .then((b.failing * a.graded).cmp(&(a.failing * b.graded)))
            .then(a.exercise.cmp(&b.exercise))
            .then(a.test.cmp(&b.test))
    });
    let clean = total - stuck.len();
    (stuck, clean)
}

/// One exercise of one learner, in a few characters: `✓ 20/20`, `✗ 3/20`, `· 0/20`, `! build`.
pub fn cell(e: Option<&report::Exercise>) -> (&'static str, String) {
    match e {
        None => ("missing", "–".to_owned()),
        Some(e) => match e.status.as_str() {
            "passed" => ("passed", format!("✓ {}/{}", e.passed, e.total)),
            "not_started" => ("todo", format!("· {}/{}", e.passed, e.total)),
            "compile_error" => ("compile", "! build".to_owned()),
            _ => ("failed", format!("✗ {}/{}", e.passed, e.total)),
        },
    }
}

impl Learner {
    pub fn exercise(&self, id: &str) -> Option<&report::Exercise> {
        self.report.exercises.iter().find(|e| e.id == id)
    }
    pub fn passed(&self) -> (usize, usize) {
        self.report
            .exercises
            .iter()
            .fold((0, 0), |(p, t), e| (p + e.passed, t + e.total))
    }
    pub fn done(&self) -> usize {
        self.report
            .exercises
            .iter()
            .filter(|e| e.status == "passed")
            .count()
    }
}

/// Cuts `text` to `width` characters, marking the cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

fn progress_table(out: &mut String, class: &Class) {
    let names: Vec<String> = class.learners.iter().map(|l| fit(&l.name, 28)).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let _ = writeln!(
        out,
        "\nProgress (hidden tests passed; ✓ done, ✗ failing, · not started, ! does not compile):"
    );
    // Columns headed by the exercise's number (`01` for `01-state-machine`).
    let short = |id: &str| match id.split_once('-') {
        Some((number, _)) if !number.is_empty() => fit(number, 8),
        _ => fit(id, 8),
    };
    let _ = writeln!(out, "  exercises: {}", class.exercises.join(", "));
    let mut header = format!("  {}", pad("learner", width));
    for id in &class.exercises {
        let _ = write!(header, "  {}", pad(&short(id), 8));
    }
    let _ = writeln!(out, "{header}  total");
    for (l, name) in class.learners.iter().zip(&names) {
        let mut line = format!("  {}", pad(name, width));
        for id in &class.exercises {
            let _ = write!(line, "  {}", pad(&cell(l.exercise(id)).1, 8));
        }
        let (passed, total) = l.passed();
        let _ = writeln!(out, "{line}  {passed}/{total}");
    }
}

fn stuck_list(out: &mut String, class: &Class) {
    let _ = writeln!(
        out,
        "\nWhere the room is stuck (learners failing a hidden test, of those graded on it):"
    );
    for s in &class.stuck {
        let _ = writeln!(
            out,
            "  {:>2} of {:<2} ({:>3}%)  {}  {}",
            s.failing,
            s.graded,
            s.percent(),
            s.exercise,
            s.label()
        );
        let _ = writeln!(
            out,
            "                   {}× {}",
            s.message_count,
            fit(&s.message, 100)
        );
    }
    if class.stuck.is_empty() {
        let _ = writeln!(out, "  nothing: no learner fails a test they reached.");
    }
    let _ = writeln!(
        out,
        "  ({} hidden test(s) fail for nobody who reached them.)",
        class.clean_tests
    );
}
