//! The workshop's own tool, run as `cargo xtask <command>` (the cargo-xtask convention: an alias
//! in `.cargo/config.toml` and a plain binary crate).

mod backup;
mod class;
mod diff;
mod generate;
mod grade;
mod hints;
mod lab;
mod progress;
mod verify;
mod watch;
mod workspace;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use crate::grade::report::{self, Style};
use crate::workspace::{Exercise, Target, Workspace};

/// Every selected exercise passes.
const SUCCESS: u8 = 0;
/// Something is unfinished, failing or drifted.
const UNFINISHED: u8 = 1;
/// Bad usage, or the tool could not do its job.
const ERROR: u8 = 2;

fn exercise_arg() -> Arg {
    Arg::new("exercise")
        .value_name("EXERCISE")
        .required(true)
        .help("`01`, `1` or `01-state-machine`")
}

/// The options every command that grades shares.
fn grading_args(command: Command) -> Command {
    command
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
                .value_parser(value_parser!(u16).range(1..))
                .help("Tests run at once (default: the number of cores)"),
        )
        .arg(
            Arg::new("memory")
                .long("memory")
                .value_name("MiB")
                .value_parser(value_parser!(u64).range(16..))
                .default_value("1024")
                .help("Memory one test process may use, in MiB, before it counts as crashed"),
        )
}

fn cli() -> Command {
    Command::new("xtask")
        .bin_name("cargo xtask")
        .about("Day 13, circuit breakers in Tower: grade the exercises and keep the workshop in shape")
        .disable_version_flag(true)
        .arg(
            Arg::new("root")
                .long("root")
                .global(true)
                .hide(true)
                .value_parser(value_parser!(PathBuf))
                .help("The workspace to work on (default: this one)"),
        )
        .subcommand(grading_args(
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
                        .value_parser(["human", "json", "junit"])
                        .default_value("human")
                        .help("A report for people, one JSON document, or JUnit XML for CI"),
                )
                .arg(
                    Arg::new("learner")
                        .long("learner")
                        .value_name("NAME")
                        .help("Who the JSON report is from (default: git's user.name)"),
                ),
        ))
        .subcommand(
            Command::new("hint")
                .about("Show the next hint for every gap of an exercise")
                .arg(exercise_arg())
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help("Show every hint at once"),
                ),
        )
        .subcommand(grading_args(
            Command::new("watch")
                .about("Re-grade an exercise each time you save one of its files")
                .arg(
                    Arg::new("exercise")
                        .value_name("EXERCISE")
                        .help("Watch only this exercise (default: all)"),
                )
                .arg(
                    Arg::new("poll")
                        .long("poll")
                        .action(ArgAction::SetTrue)
                        .help("Poll for changes, for file systems without change events"),
                ),
        ))
        .subcommand(grading_args(
            Command::new("list").about("Progress: every exercise with its status and tests passed"),
        ))
        .subcommand(
            Command::new("reset")
                .about("Restore an exercise's starting code (your files are backed up first)")
                .arg(exercise_arg())
                .arg(
                    Arg::new("yes")
                        .long("yes")
                        .short('y')
                        .action(ArgAction::SetTrue)
                        .help("Do not ask for confirmation"),
                ),
        )
        .subcommand(
            Command::new("diff")
                .about("Diff an exercise against its solution (for instructors)")
                .arg(exercise_arg())
                .arg(
                    Arg::new("stat")
                        .long("stat")
                        .action(ArgAction::SetTrue)
                        .help("One line per file that differs"),
                ),
        )
        .subcommand(grading_args(Command::new("verify").about(
            "Check the workshop: exercises generated, solutions pass, untouched exercises fail, slides build",
        )))
        .subcommand(
            Command::new("slides")
                .about("Render slides/day13.md to target/slides/day13.html, one self-contained file"),
        )
        .subcommand(class::command())
        .subcommand(class::summary_command())
        .subcommand(grading_args(
            Command::new("lab")
                .about("Watch a breaker work: simulated outages, tables, charts in target/lab/")
                .arg(Arg::new("exercise").value_name("EXERCISE").help(
                    "The breaker of exercise 02, 03 or 04 (default: your last one that passes)",
                ))
                .arg(
                    Arg::new("solutions")
                        .long("solutions")
                        .action(ArgAction::SetTrue)
                        .help("Run the reference solutions instead"),
                )
                .arg(
                    Arg::new("scenario")
                        .long("scenario")
                        .value_name("NAME")
                        .help("One scenario: outage, half-open, retry-storm or pool"),
                ),
        ))
        .subcommand(
            Command::new("gen")
                .about("Write exercises/ from solutions/ (for maintainers)")
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
    let Some((command, m)) = matches.subcommand() else {
        cli().print_help()?;
        return Ok(SUCCESS);
    };
    let ws = Workspace::locate(matches.get_one::<PathBuf>("root").cloned())?;
    let status = |ok: bool| if ok { SUCCESS } else { UNFINISHED };
    match command {
        "check" => check(&ws, m),
        "hint" => {
            print!("{}", hints::run(&ws, &one(&ws, m)?, m.get_flag("all"))?);
            Ok(SUCCESS)
        }
        "watch" => {
            let exercises = match m.get_one::<String>("exercise") {
                Some(name) => ws.select(std::slice::from_ref(name))?,
                None => ws.exercises()?,
            };
            watch::run(
                &ws,
                &exercises,
                &options(m, Target::Exercises),
                m.get_flag("poll"),
            )?;
            Ok(SUCCESS)
        }
        "list" => {
            let (table, done) = progress::run(&ws, &options(m, Target::Exercises))?;
            print!("{table}");
            Ok(status(done))
        }
        "reset" => reset(&ws, &one(&ws, m)?, m.get_flag("yes")),
        "diff" => {
            let exercise = one(&ws, m)?;
            print!(
                "{}",
                diff::run(&ws, &exercise, m.get_flag("stat"), color())?
            );
            Ok(SUCCESS)
        }
        "verify" => Ok(status(verify::run(&ws, &options(m, Target::Solutions))?)),
        "slides" => {
            render_slides(&ws)?;
            Ok(SUCCESS)
        }
        "gen" => Ok(status(generate::run(&ws, m.get_flag("check"))?)),
        "class" => class::run(&ws, m).map(|()| SUCCESS),
        "summary" => class::summary(m).map(|()| SUCCESS),
        "lab" => lab::run(
            &ws,
            m.get_one::<String>("exercise"),
            m.get_flag("solutions"),
            m.get_one::<String>("scenario"),
            &options(m, Target::Exercises),
        ),
        _ => unreachable!("clap knows every command"),
    }
}

/// The one exercise a command names.
fn one(ws: &Workspace, m: &ArgMatches) -> Result<Exercise> {
    let name = m.get_one::<String>("exercise").expect("required");
    Ok(ws.select(std::slice::from_ref(name))?.remove(0))
}

fn options(m: &ArgMatches, target: Target) -> grade::Options {
    let jobs = m
        .get_one::<u16>("jobs")
        .map(|&n| usize::from(n))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    grade::Options {
        target,
        timeout: Duration::from_secs(*m.get_one::<u64>("timeout").expect("has a default")),
        jobs,
        memory_mib: *m.get_one::<u64>("memory").expect("has a default"),
    }
}

/// Colour on a terminal, unless `NO_COLOR` is set.
fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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
    let grade = grade::grade(ws, &exercises, &options(m, target))?;
    if target == Target::Exercises {
        // The progress table's cache; failing to write it must not fail the grade.
        let _ = progress::store(ws, &grade.exercises);
    }
    match m.get_one::<String>("format").map(String::as_str) {
        Some("json") => {
            let learner = m.get_one::<String>("learner").map(String::as_str);
            let stamp = class::stamp::Stamp::new(&ws.root, learner)?;
            println!("{:#}", report::json(&grade, &stamp));
        }
        Some("junit") => print!("{}", report::junit(&grade)),
        _ => print!("{}", report::human(&grade, Style { color: color() })),
    }
    Ok(if grade.all_passed() {
        SUCCESS
    } else {
        UNFINISHED
    })
}

fn reset(ws: &Workspace, exercise: &Exercise, yes: bool) -> Result<u8> {
    let dir = format!("exercises/{}", exercise.id);
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "`reset` asks before it replaces {dir}, but there is no terminal to ask on; \
                 add `--yes` to reset without asking (your files are backed up either way)"
            );
        }
        print!("Reset {dir} to its starting code? Your files are backed up first. [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(SUCCESS);
        }
    }
    let saved = generate::reset(ws, exercise)?;
    println!(
        "Reset {dir}. Your files are in {}.",
        ws.relative(&saved).display()
    );
    Ok(SUCCESS)
}

/// The renderer is its own crate (`slides`, binary `render-slides`), so that learners never
/// compile its dependencies: `cargo xtask check` does not build it.
fn render_slides(ws: &Workspace) -> Result<()> {
    // The lab's charts on the deck, drawn again from the reference solutions.
    lab::slide_charts(ws, &ws.root.join("slides"))?;
    let input = ws.root.join("slides").join("day13.md");
    let output = ws.target.join("slides").join("day13.html");
    let status = ws
        .cargo_run("slides", "render-slides")
        .arg("--")
        .arg(&input)
        .arg(&output)
        .status()?;
    if !status.success() {
        bail!("the slides renderer failed ({status})");
    }
    println!("wrote {}", ws.relative(&output).display());
    Ok(())
}
