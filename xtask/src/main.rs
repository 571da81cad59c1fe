//! The workshop's own tool, run as `cargo xtask <command>` (the cargo-xtask convention: an alias
//! in `.cargo/config.toml` and a plain binary crate).

mod backup;
mod generate;
mod grade;
mod workspace;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use crate::grade::report::{self, Style};
use crate::workspace::{Target, Workspace};

/// Every selected exercise passes.
const SUCCESS: u8 = 0;
/// Something is unfinished, failing or drifted.
const UNFINISHED: u8 = 1;
/// Bad usage, or the tool could not do its job.
const ERROR: u8 = 2;

fn cli() -> Command {
    Command::new("xtask")
        .bin_name("cargo xtask")
        .about(
            "Day 13, circuit breakers in Tower: grade the exercises and keep the workshop in shape",
        )
        .disable_version_flag(true)
        .subcommand_required(false)
        .arg(
            Arg::new("root")
                .long("root")
                .global(true)
                .hide(true)
                .value_parser(value_parser!(PathBuf))
                .help("The workspace to work on (default: this one)"),
        )
        .subcommand(
            Command::new("check")
                .about("Grade exercises against the hidden tests (all of them by default)")
                .arg(
                    Arg::new("exercises")
                        .value_name("EXERCISE")
                        .num_args(0..)
                        .help("Exercises to grade: `01`, `1` or `01-state-machine`"),
                )
                .arg(
                    Arg::new("solutions")
                        .long("solutions")
                        .action(ArgAction::SetTrue)
                        .help("Grade the reference solutions instead (for instructors)"),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["human", "json"])
                        .default_value("human")
                        .help("Report for people, or one JSON document on stdout"),
                )
                .arg(
                    Arg::new("timeout")
                        .long("timeout")
                        .value_name("SECS")
                        .value_parser(value_parser!(u64).range(1..))
                        .default_value("10")
                        .help("Seconds one test may run before it counts as timed out"),
                )
                .arg(
                    Arg::new("jobs")
                        .long("jobs")
                        .short('j')
                        .value_name("N")
                        .value_parser(value_parser!(usize))
                        .help("Tests run at once (default: the number of cores)"),
                ),
        )
        .subcommand(
            Command::new("slides").about(
                "Render slides/day13.md to target/slides/day13.html, one self-contained file",
            ),
        )
        .subcommand(
            Command::new("gen")
                .about("Write exercises/ from solutions/ (maintainers)")
                .arg(
                    Arg::new("check")
                        .long("check")
                        .action(ArgAction::SetTrue)
                        .help("Write nothing; fail if exercises/ differs from what gen writes"),
                ),
        )
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    match run(&matches) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(ERROR)
        }
    }
}

fn run(matches: &ArgMatches) -> Result<u8> {
    let root = matches.get_one::<PathBuf>("root").cloned();
    match matches.subcommand() {
        Some(("check", m)) => {
            let ws = Workspace::locate(root)?;
            check(&ws, m)
        }
        Some(("gen", m)) => {
            let ws = Workspace::locate(root)?;
            let ok = generate::run(&ws, m.get_flag("check"))?;
            Ok(if ok { SUCCESS } else { UNFINISHED })
        }
        Some(("slides", _)) => {
            let ws = Workspace::locate(root)?;
            slides(&ws)
        }
        _ => {
            cli().print_help()?;
            Ok(SUCCESS)
        }
    }
}

fn check(ws: &Workspace, m: &ArgMatches) -> Result<u8> {
    let names: Vec<String> = m
        .get_many::<String>("exercises")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let exercises = ws.select(&names)?;
    let target = if m.get_flag("solutions") {
        Target::Solutions
    } else {
        Target::Exercises
    };
    let jobs = m
        .get_one::<usize>("jobs")
        .copied()
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let options = grade::Options {
        target,
        timeout: Duration::from_secs(*m.get_one::<u64>("timeout").expect("has a default")),
        jobs,
    };
    let grade = grade::grade(ws, &exercises, &options)?;
    if m.get_one::<String>("format").map(String::as_str) == Some("json") {
        println!("{:#}", report::json(&grade));
    } else {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        print!("{}", report::human(&grade, Style { color }));
    }
    Ok(if grade.all_passed() {
        SUCCESS
    } else {
        UNFINISHED
    })
}

/// The renderer is its own crate (`slides`, binary `render-slides`), so that learners never
/// compile its dependencies: `cargo xtask check` does not build it.
fn slides(ws: &Workspace) -> Result<u8> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let input = ws.root.join("slides").join("day13.md");
    let output = ws.root.join("target").join("slides").join("day13.html");
    let status = std::process::Command::new(cargo)
        .current_dir(&ws.root)
        .args([
            "run",
            "--quiet",
            "--package",
            "slides",
            "--bin",
            "render-slides",
            "--",
        ])
        .arg(&input)
        .arg(&output)
        .status()?;
    if !status.success() {
        anyhow::bail!("the slides renderer failed ({status})");
    }
    println!("wrote {}", ws.relative(&output).display());
    Ok(SUCCESS)
}
