//! The four scenarios: what each one scripts, which variants it compares, what its table says.

use std::time::Duration;

use crate::sim::{
    Backend, BackendError, Health, Outcome, Phase, Protected, Record, Request, Run, Sample, Script,
    Stretch, Stuck, pick, simulate,
};
use crate::table::Table;
use crate::{BREAKER, Breakers, RETRY_ATTEMPTS, Stack};

/// A scenario of the lab.
pub struct Scenario {
    pub name: &'static str,
    pub title: &'static str,
    /// What it shows, in a sentence or two (printed above the table and on the page).
    pub about: &'static str,
    run: fn(&Breakers) -> Result<Report, Stuck>,
}

impl Scenario {
    pub fn run(&self, breakers: &Breakers) -> Result<Report, Stuck> {
        (self.run)(breakers)
    }
}

/// Every scenario, in the order `cargo xtask lab` runs them.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "outage",
        title: "A backend goes down for 30 s: without a breaker, and with one",
        about: "50 requests a second. The backend answers in 20 ms, then from 20 s to 50 s it \
                hangs: a timeout inside the breaker fails each request after 1 s (a verdict the breaker \
                counts), then it is healthy again. The breaker \
                opens after 5 consecutive failures, for 10 s.",
        run: outage,
    },
    Scenario {
        name: "half-open",
        title: "Half-open: everyone through (exercise 02) or a single probe (exercise 03)",
        about: "The outage of the `outage` scenario. When the open period ends, exercise 02 lets every \
                request through until the first one fails, a second later: a burst at a \
                backend that is still down. Exercise 03 sends one probe and fails the others \
                fast.",
        run: half_open,
    },
    Scenario {
        name: "retry-storm",
        title: "Retries during an outage: no breaker, breaker outside retry, retry outside breaker",
        about: "50 requests a second; the backend answers 503 in 20 ms from 10 s to 40 s. At \
                most 3 attempts, 100 ms then 200 ms apart; the budget (tower's TpsBudget) allows \
                10 retries a second plus 20% of the recent successes.",
        run: retry_storm,
    },
    Scenario {
        name: "pool",
        title: "A pool of three backends, one bad: a breaker per backend, or one for the pool",
        about: "60 requests a second, each to one of three backends (a fixed pseudo-random \
                choice). Backend 1 answers 503 in 20 ms from 10 s to 40 s. With a breaker per \
                backend, a request whose backend's breaker is open goes to the next backend, as \
                a balancer skips a node that is out.",
        run: pool,
    },
];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// What a scenario found.
pub struct Report {
    pub scenario: &'static Scenario,
    pub table: Table,
    pub runs: Vec<VariantRun>,
    pub duration: Duration,
    /// The script of the backend whose health the charts draw (a pool's bad one).
    pub watched: Script,
    /// Where the breakers came from, one line each.
    pub sources: Vec<String>,
}

/// One variant's run.
pub struct VariantRun {
    pub name: String,
    pub record: Record,
}

const MS: fn(u64) -> Duration = Duration::from_millis;
const S: fn(u64) -> Duration = Duration::from_secs;

fn up(latency: u64) -> Health {
    Health::Up {
        latency: MS(latency),
    }
}

fn down(latency: u64, error: BackendError) -> Health {
    Health::Down {
        latency: MS(latency),
        error,
    }
}

fn script(stretches: &[(u64, Health)]) -> Script {
    Script(
        stretches
            .iter()
            .map(|&(from, health)| Stretch {
                from: S(from),
                health,
            })
            .collect(),
    )
}

/// How a variant puts its service together from the backends.
type Build<B> = fn(B, &Breakers) -> Protected;

/// The bare backend: every error is a failure, nothing fails fast.
fn bare(backend: Backend) -> Protected {
    Protected::new(
        backend,
        |result| match result {
            Ok(()) => Outcome::Ok,
            Err(_) => Outcome::Failed,
        },
        |_| Sample::NO_BREAKER,
    )
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn transitions(record: &Record) -> String {
    match record.counters() {
        Some(c) => format!("{}/{}/{}", c.opened, c.half_opened, c.closed),
        None => "-".to_owned(),
    }
}

fn the_outage() -> Run {
    Run {
        duration: S(80),
        rate: 50,
        scripts: vec![script(&[
            (0, up(20)),
            (20, down(1000, BackendError::TimedOut)),
            (50, up(20)),
        ])],
    }
}

fn outage(breakers: &Breakers) -> Result<Report, Stuck> {
    let run = the_outage();
    let (_, recovery) = run.scripts[0].down_periods(run.duration)[0];
    let breaker = breakers.under_test;
    let variants: [(&str, Build<Backend>); 2] = [
        ("no breaker", |b, _| bare(b)),
        ("breaker", |b, k| (k.under_test.wrap)(BREAKER, b)),
    ];
    let mut table = Table::new(&[
        "variant",
        "calls while down",
        "ok",
        "failed",
        "fast-failed",
        "normal again after recovery",
        "opened/half-opened/closed",
    ]);
    let mut runs = Vec::new();
    for (name, build) in variants {
        let record = simulate(&run, |b| {
            build(b.into_iter().next().expect("one"), breakers)
        })?;
        table.row(vec![
            name.to_owned(),
            record.calls_while_down.to_string(),
            record.total(Outcome::Ok).to_string(),
            record.total(Outcome::Failed).to_string(),
            record.total(Outcome::FastFailed).to_string(),
            seconds(record.normal_after(recovery)),
            transitions(&record),
        ]);
        runs.push(VariantRun {
            name: name.to_owned(),
            record,
        });
    }
    Ok(Report {
        scenario: find("outage").expect("listed"),
        table,
        runs,
        duration: run.duration,
        watched: run.scripts[0].clone(),
        sources: vec![format!("breaker: {}", breaker.source)],
    })
}

/// The second at which the breaker was first seen open, if ever.
fn first_open(record: &Record) -> Option<u64> {
    record
        .samples
        .iter()
        .find(|(_, s)| s.phase == Phase::Open)
        .map(|(ms, _)| ms.div_ceil(1000))
}

/// How many times the breaker was seen entering half-open between `from` and `until` (ms).
fn half_open_periods(record: &Record, from: u64, until: u64) -> usize {
    record
        .samples
        .windows(2)
        .filter(|w| {
            w[1].0 >= from
                && w[1].0 < until
                && w[1].1.phase == Phase::HalfOpen
                && w[0].1.phase != Phase::HalfOpen
        })
        .count()
}

fn half_open(breakers: &Breakers) -> Result<Report, Stuck> {
    let run = the_outage();
    let (_, recovery) = run.scripts[0].down_periods(run.duration)[0];
    let variants = [
        ("everyone through (02)", breakers.everyone_through),
        ("single probe (03)", breakers.single_probe),
    ];
    let mut table = Table::new(&[
        "variant",
        "calls while down",
        "after it opened",
        "half-open periods",
        "calls per half-open period",
        "fast-failed",
        "normal again after recovery",
    ]);
    let mut runs = Vec::new();
    for (name, breaker) in variants {
        let record = simulate(&run, |b| {
            (breaker.wrap)(BREAKER, b.into_iter().next().expect("one"))
        })?;
        // While down, after the circuit first opened: the calls are the half-open periods'.
        let opened = first_open(&record).unwrap_or(recovery.as_secs());
        let calls = record.calls_per_second();
        let window: u32 = calls[opened as usize..recovery.as_secs() as usize]
            .iter()
            .sum();
        let periods = half_open_periods(&record, opened * 1000, recovery.as_millis() as u64);
        table.row(vec![
            name.to_owned(),
            record.calls_while_down.to_string(),
            window.to_string(),
            periods.to_string(),
            if periods == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}", f64::from(window) / periods as f64)
            },
            record.total(Outcome::FastFailed).to_string(),
            seconds(record.normal_after(recovery)),
        ]);
        runs.push(VariantRun {
            name: name.to_owned(),
            record,
        });
    }
    Ok(Report {
        scenario: find("half-open").expect("listed"),
        table,
        runs,
        duration: run.duration,
        watched: run.scripts[0].clone(),
        sources: vec![
            format!("everyone through: {}", breakers.everyone_through.source),
            format!("single probe: {}", breakers.single_probe.source),
        ],
    })
}

fn retry_storm(breakers: &Breakers) -> Result<Report, Stuck> {
    let run = Run {
        duration: S(60),
        rate: 50,
        scripts: vec![script(&[
            (0, up(20)),
            (10, down(20, BackendError::Unavailable)),
            (40, up(20)),
        ])],
    };
    let (from, until) = run.scripts[0].down_periods(run.duration)[0];
    let sent = run.rate * (until - from).as_secs() as u32;
    let variants = [
        ("no breaker, retry", Stack::RetryOnly { budget: false }),
        (
            "no breaker, retry + budget",
            Stack::RetryOnly { budget: true },
        ),
        (
            "breaker outside retry",
            Stack::BreakerOutside { budget: false },
        ),
        (
            "breaker outside retry + budget",
            Stack::BreakerOutside { budget: true },
        ),
        (
            "retry outside breaker",
            Stack::RetryOutside { budget: false },
        ),
        (
            "retry outside breaker + budget",
            Stack::RetryOutside { budget: true },
        ),
    ];
    let mut table = Table::new(&[
        "variant",
        "requests while down",
        "backend calls while down",
        "amplification",
        "peak calls/s",
        "ok",
        "failed",
        "fast-failed",
    ]);
    let mut runs = Vec::new();
    for (name, stack) in variants {
        let record = simulate(&run, |b| {
            (breakers.stacks.build)(stack, BREAKER, b.into_iter().next().expect("one"))
        })?;
        let calls = record.calls_between(from, until);
        table.row(vec![
            name.to_owned(),
            sent.to_string(),
            calls.to_string(),
            format!("{:.3}x", f64::from(calls) / f64::from(sent)),
            record
                .calls_per_second()
                .iter()
                .max()
                .copied()
                .unwrap_or(0)
                .to_string(),
            record.total(Outcome::Ok).to_string(),
            record.total(Outcome::Failed).to_string(),
            record.total(Outcome::FastFailed).to_string(),
        ]);
        runs.push(VariantRun {
            name: name.to_owned(),
            record,
        });
    }
    Ok(Report {
        scenario: find("retry-storm").expect("listed"),
        table,
        runs,
        duration: run.duration,
        watched: run.scripts[0].clone(),
        sources: vec![format!(
            "stacks: {} (at most {RETRY_ATTEMPTS} attempts)",
            breakers.stacks.source
        )],
    })
}

/// The bad backend of the pool.
const BAD: usize = 1;

fn pool(breakers: &Breakers) -> Result<Report, Stuck> {
    let healthy = script(&[(0, up(20))]);
    let bad = script(&[
        (0, up(20)),
        (10, down(20, BackendError::Unavailable)),
        (40, up(20)),
    ]);
    let run = Run {
        duration: S(60),
        rate: 60,
        scripts: vec![healthy.clone(), bad.clone(), healthy],
    };
    let breaker = breakers.under_test;
    let variants: [(&str, Build<Vec<Backend>>); 3] = [
        ("no breaker", |b, _| bare(Backend::pool(&b))),
        ("one breaker per backend", |b, k| {
            let nodes: Vec<Protected> = b
                .into_iter()
                .map(|node| (k.under_test.wrap)(BREAKER, node))
                .collect();
            let watched = nodes[BAD].clone();
            Protected::from_fn(
                move |request: Request| {
                    let nodes = nodes.clone();
                    async move {
                        let first = pick(request, nodes.len());
                        for k in 0..nodes.len() {
                            let outcome = nodes[(first + k) % nodes.len()].call(request).await;
                            if outcome != Outcome::FastFailed {
                                return outcome;
                            }
                        }
                        Outcome::FastFailed
                    }
                },
                &watched,
            )
        }),
        ("one breaker for the pool", |b, k| {
            (k.under_test.wrap)(BREAKER, Backend::pool(&b))
        }),
    ];
    let mut table = Table::new(&[
        "variant",
        "requests",
        "served",
        "share served",
        "failed",
        "fast-failed",
        "calls to the bad backend while down",
    ]);
    let mut runs = Vec::new();
    let (from, until) = bad.down_periods(run.duration)[0];
    for (name, build) in variants {
        let record = simulate(&run, |b| build(b, breakers))?;
        let served = record.total(Outcome::Ok);
        let requests = run.rate * run.duration.as_secs() as u32;
        let bad_calls: u32 = record.calls[BAD][from.as_secs() as usize..until.as_secs() as usize]
            .iter()
            .sum();
        table.row(vec![
            name.to_owned(),
            requests.to_string(),
            served.to_string(),
            format!("{:.1}%", 100.0 * f64::from(served) / f64::from(requests)),
            record.total(Outcome::Failed).to_string(),
            record.total(Outcome::FastFailed).to_string(),
            bad_calls.to_string(),
        ]);
        runs.push(VariantRun {
            name: name.to_owned(),
            record,
        });
    }
    Ok(Report {
        scenario: find("pool").expect("listed"),
        table,
        runs,
        duration: run.duration,
        watched: bad,
        sources: vec![format!("breaker: {}", breaker.source)],
    })
}
