//! Where things are: the workspace root, the exercises it holds and how a learner names them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Which crates the hidden tests grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The learner's crates under `exercises/`.
    Exercises,
    /// The reference solutions under `solutions/`.
    Solutions,
}

impl Target {
    /// The folder under the root, which is also the name used in reports.
    pub fn dir(self) -> &'static str {
        match self {
            Target::Exercises => "exercises",
            Target::Solutions => "solutions",
        }
    }
}

/// One exercise, named by its id: `01-state-machine`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exercise {
    pub id: String,
}

impl Exercise {
    /// The two-digit number: `01`.
    pub fn number(&self) -> &str {
        &self.id[..2]
    }

    /// The package that holds its hidden tests.
    pub fn hidden_package(&self) -> String {
        format!("hidden-{}", self.id)
    }
}

impl fmt::Display for Exercise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// An exercise id is two digits, a dash and a name: `01-state-machine`.
fn is_exercise_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 3 && bytes[..2].iter().all(u8::is_ascii_digit) && bytes[2] == b'-'
}

/// The workspace the tool works on.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    /// Cargo's target folder (`CARGO_TARGET_DIR`, or `target/` under the root): builds go there
    /// and the tool keeps its caches there.
    pub target: PathBuf,
}

impl Workspace {
    /// The workspace this tool belongs to, or `root` when given.
    pub fn locate(root: Option<PathBuf>) -> Result<Self> {
        let root = match root {
            Some(root) => root,
            None => Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .context("the xtask crate has no parent folder")?
                .to_path_buf(),
        };
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot open the workspace at {}", root.display()))?;
        if !root.join("Cargo.toml").is_file() {
            bail!("{} holds no Cargo.toml", root.display());
        }
        // Cargo reads a relative `CARGO_TARGET_DIR` from the current folder; the grader runs
        // each test from its own folder, so every path it hands out must be absolute.
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => std::path::absolute(PathBuf::from(dir))
                .context("cannot resolve CARGO_TARGET_DIR")?,
            None => root.join("target"),
        };
        Ok(Workspace { root, target })
    }

    /// `hidden/<id>` under `xtask/`: the hidden tests of one exercise.
    pub fn hidden_dir(&self, exercise: &Exercise) -> PathBuf {
        self.root.join("xtask").join("hidden").join(&exercise.id)
    }

    /// `exercises/<id>` or `solutions/<id>`.
    pub fn crate_dir(&self, target: Target, exercise: &Exercise) -> PathBuf {
        self.root.join(target.dir()).join(&exercise.id)
    }

    /// Every exercise that has hidden tests, in order. Nothing is hard-coded: adding
    /// `xtask/hidden/05-...` adds an exercise.
    pub fn exercises(&self) -> Result<Vec<Exercise>> {
        let dir = self.root.join("xtask").join("hidden");
        let mut found = Vec::new();
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_exercise_id(&name) && entry.path().join("Cargo.toml").is_file() {
                found.push(Exercise { id: name });
            }
        }
        found.sort();
        if found.is_empty() {
            bail!("no exercises: {} holds no hidden tests", dir.display());
        }
        Ok(found)
    }

    /// Resolves what the learner typed (`01`, `1` or `01-state-machine`) to exercises; no names
    /// means all of them.
    pub fn select(&self, names: &[String]) -> Result<Vec<Exercise>> {
        let all = self.exercises()?;
        if names.is_empty() {
            return Ok(all);
        }
        let mut selected = Vec::new();
        for name in names {
            let found = all.iter().find(|e| {
                e.id == *name
                    || name
                        .parse::<u32>()
                        .is_ok_and(|n| e.number().parse::<u32>() == Ok(n))
            });
            match found {
                Some(exercise) if !selected.contains(exercise) => selected.push(exercise.clone()),
                Some(_) => {}
                None => {
                    let valid: Vec<String> = all
                        .iter()
                        .map(|e| format!("  {} (or {})", e.id, e.number()))
                        .collect();
                    bail!(
                        "there is no exercise `{name}`; the exercises are:\n{}",
                        valid.join("\n")
                    );
                }
            }
        }
        selected.sort();
        Ok(selected)
    }

    /// Fails with a clear message when an exercise has no crate under `target`.
    pub fn require(&self, target: Target, exercises: &[Exercise]) -> Result<()> {
        for exercise in exercises {
            let dir = self.crate_dir(target, exercise);
            if !dir.join("Cargo.toml").is_file() {
                bail!(
                    "{}/{} is missing (the hidden tests of {} have nothing to grade)",
                    target.dir(),
                    exercise.id,
                    exercise.id
                );
            }
        }
        Ok(())
    }

    /// `cargo`, the one that runs this tool, in the root and building into the target folder.
    pub fn cargo(&self) -> Command {
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target);
        command
    }

    /// `cargo run` of one of the workspace's tools (the slides renderer, the lab): arguments
    /// after `--` go to the tool. The tools are crates of their own, so that
    /// `cargo xtask check` never builds their dependencies.
    pub fn cargo_run(&self, package: &str, bin: &str) -> Command {
        let mut command = self.cargo();
        command.args(["run", "--quiet", "--package", package, "--bin", bin]);
        command
    }

    /// `path` relative to the root, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}
