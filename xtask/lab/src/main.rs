//! `breaker-lab [--breaker NN] [--scenario NAME] [--out DIR] [--slides DIR]`, run by
//! `cargo xtask lab` (which picks the crate's features and the arguments).
//!
//! Prints a table per scenario and writes `DIR/<scenario>.html` (default `target/lab`).
//! `--slides DIR` writes instead the charts the deck shows, as SVG files, and nothing else.
//! Exit code: 0 when every scenario ran, 1 when the code under test is unfinished (a `todo!()`
//! reached) or broken, 2 for bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

use breaker_lab::gap;
use breaker_lab::scenarios::{self, Report, SCENARIOS, Scenario};
use breaker_lab::{chart, selected};

/// The charts of the deck: the scenario, and the SVG file written for it by `--slides`.
const SLIDE_CHARTS: [(&str, &str); 2] = [
    ("half-open", "lab-half-open.svg"),
    ("retry-storm", "lab-retry-storm.svg"),
];

struct Args {
    breaker: u8,
    scenario: Option<String>,
    out: PathBuf,
    slides: Option<PathBuf>,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    eprintln!(
        "usage: breaker-lab [--breaker 02|03|04] [--scenario NAME] [--out DIR] [--slides DIR]"
    );
    ExitCode::from(2)
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        breaker: 3,
        scenario: None,
        out: PathBuf::from("target/lab"),
        slides: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{arg}` needs a value"));
        match arg.as_str() {
            "--breaker" => {
                let v = value()?;
                args.breaker = match v.trim_start_matches('0') {
                    "2" => 2,
                    "3" => 3,
                    "4" => 4,
                    _ => return Err(format!("no breaker `{v}`: 02, 03 or 04")),
                };
            }
            "--scenario" => args.scenario = Some(value()?),
            "--out" => args.out = PathBuf::from(value()?),
            "--slides" => args.slides = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => return usage(&message),
    };
    let chosen: Vec<&'static Scenario> = match (&args.scenario, &args.slides) {
        (Some(name), _) => match scenarios::find(name) {
            Some(scenario) => vec![scenario],
            None => {
                let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
                eprintln!(
                    "error: no scenario `{name}`; the scenarios are: {}",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
        (None, Some(_)) => SLIDE_CHARTS
            .iter()
            .map(|(name, _)| scenarios::find(name).expect("a scenario"))
            .collect(),
        (None, None) => SCENARIOS.iter().collect(),
    };
    let breakers = selected(args.breaker);

    let mut reports: Vec<Report> = Vec::new();
    for scenario in chosen {
        match gap::catch(|| scenario.run(&breakers)) {
            Ok(Ok(report)) => {
                if args.slides.is_none() {
                    println!("== {}: {}", scenario.name, scenario.title);
                    println!("{}", report.sources.join("; "));
                    println!();
                    print!("{}", report.table);
                    println!();
                }
                reports.push(report);
            }
            Ok(Err(scenarios_stuck)) => {
                eprintln!(
                    "error: scenario `{}` did not finish: {scenarios_stuck:?}. A request never \
                     completed: does a `Pending` get woken up, does every response future end?",
                    scenario.name
                );
                return ExitCode::from(1);
            }
            Err(panic) => {
                eprintln!("error: scenario `{}`: {panic}", scenario.name);
                if panic.is_todo() {
                    eprintln!(
                        "That exercise is not finished: fill in that gap (`cargo xtask check` \
                         tells what is left), or watch the reference: `cargo xtask lab --solutions`."
                    );
                }
                return ExitCode::from(1);
            }
        }
    }

    if let Some(dir) = &args.slides {
        for (name, file) in SLIDE_CHARTS {
            let Some(report) = reports.iter().find(|r| r.scenario.name == name) else {
                continue;
            };
            let path = dir.join(file);
            let svg = match chart::comparison(report) {
                Ok(svg) => svg,
                Err(e) => {
                    eprintln!("error: the chart of `{name}`: {e}");
                    return ExitCode::from(1);
                }
            };
            if let Err(e) = std::fs::write(&path, svg) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            println!("wrote {}", path.display());
        }
        return ExitCode::SUCCESS;
    }

    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    for report in &reports {
        let path = args.out.join(format!("{}.html", report.scenario.name));
        let written = chart::page(report)
            .map_err(|e| e.to_string())
            .and_then(|html| std::fs::write(&path, html).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
