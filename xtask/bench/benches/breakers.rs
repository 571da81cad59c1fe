//! The workshop's circuit breakers against the real crates, per call, in one run:
//!
//! * `closed`: a bare `tower::service_fn` that is always ready (the floor), the minimal atomic
//!   breaker (the yardstick), the 02 and 03 reference breakers, and the peers, all closed;
//! * `open`: the same breakers tripped by `THRESHOLD` failures: the fast-fail path (checked
//!   outside the timed loop: no request reaches the backend);
//! * `contended`: two threads (the machine has two cores), each driving its own clone of one
//!   closed breaker; the time is per call as each thread sees it (wall time / calls per thread);
//! * `async`: every row of `closed` and `open` again (`async/closed/<id>`, `async/open/<id>`),
//!   driven the way an application calls a service: `ready().await`, then `call(..).await`,
//!   in the task of a current-thread tokio runtime. One criterion iteration batch is one
//!   `block_on` running all its calls, timed inside the task, so the runtime's start-up is not
//!   counted.
//!
//! The first three groups poll by hand with a no-op waker (`drive::call`); the last awaits
//! (`drive::call_async`). At the end, a table of the medians, one column per driver, and
//! their ratios to the bare service.
//!
//! ```sh
//! cargo bench -p breaker-bench                 # everything (about 6 minutes)
//! cargo bench -p breaker-bench -- closed       # a filter: `closed/` and `async/closed/` rows
//! cargo bench -p breaker-bench -- '^async/'    # one group (criterion filters are regexes)
//! cargo bench -p breaker-bench -- --quick      # a fast, rougher pass
//! ```

use std::fmt::Debug;
use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant, SystemTime};

use breaker_bench::drive::{self, Counters, call, call_async, failing_backend, ok_backend, trip};
use breaker_bench::minimal::{MinimalError, MinimalLayer};
use breaker_bench::peers;
use breaker_bench::table::{self, Measure, Row};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode};
use tokio::runtime::Runtime;
use tower::{Layer, Service};

/// Consecutive failures that open every breaker.
const THRESHOLD: u32 = 5;
/// Long enough that a tripped breaker stays open for the whole run.
const OPEN: Duration = Duration::from_secs(3600);

fn layer_02() -> solution_02_breaker_layer::CircuitBreakerLayer {
    solution_02_breaker_layer::CircuitBreakerLayer::new(solution_02_breaker_layer::Config {
        failure_threshold: THRESHOLD,
        open_duration: OPEN,
    })
}

fn layer_03() -> solution_03_single_probe::CircuitBreakerLayer {
    solution_03_single_probe::CircuitBreakerLayer::new(solution_03_single_probe::Config {
        failure_threshold: THRESHOLD,
        open_duration: OPEN,
    })
}

fn minimal_layer() -> MinimalLayer {
    MinimalLayer::new(THRESHOLD, OPEN)
}

/// How a benchmark drives its service, and where its results go.
#[derive(Clone, Copy)]
enum Driver<'a> {
    /// `drive::call`: by hand, with a no-op waker; `<group>/<id>`.
    Poll,
    /// `drive::call_async` inside `block_on`; `async/<case>/<id>`.
    Async(&'a Runtime),
}

/// Measures one call of `svc` per iteration with `driver`, as `id` of `case` (`closed`, `open`).
/// `check` sees every outcome (in debug builds only: it costs nothing in the timed loop).
fn bench_calls<S>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    driver: Driver<'_>,
    case: &str,
    id: &str,
    svc: &mut S,
    check: impl Fn(&Result<u64, S::Error>) -> bool,
) where
    S: Service<u64, Response = u64>,
{
    match driver {
        Driver::Poll => {
            group.bench_function(id, |b| {
                b.iter(|| {
                    let out = call(svc, black_box(1));
                    debug_assert!(check(&out));
                    out
                })
            });
        }
        Driver::Async(runtime) => {
            group.bench_function(BenchmarkId::new(case, id), |b| {
                b.iter_custom(|iters| {
                    runtime.block_on(async {
                        let began = Instant::now();
                        for _ in 0..iters {
                            let out = call_async(svc, black_box(1)).await;
                            debug_assert!(check(&out));
                            let _ = black_box(out);
                        }
                        began.elapsed()
                    })
                })
            });
        }
    }
}

/// One closed-state benchmark: every call passes through to the backend.
fn closed_one<S>(group: &mut BenchmarkGroup<'_, WallTime>, driver: Driver<'_>, id: &str, mut svc: S)
where
    S: Service<u64, Response = u64>,
    S::Error: Debug,
{
    assert_eq!(call(&mut svc, 1).expect("a closed breaker passes"), 1);
    bench_calls(group, driver, "closed", id, &mut svc, |out| {
        matches!(out, Ok(1))
    });
    assert_eq!(call(&mut svc, 1).expect("still closed"), 1);
}

/// Every closed-state row.
fn closed_rows(group: &mut BenchmarkGroup<'_, WallTime>, driver: Driver<'_>) {
    closed_one(group, driver, "bare", ok_backend());
    closed_one(
        group,
        driver,
        "minimal",
        minimal_layer().layer(ok_backend()),
    );
    closed_one(
        group,
        driver,
        "02-breaker-layer",
        layer_02().layer(ok_backend()),
    );
    closed_one(
        group,
        driver,
        "03-single-probe",
        layer_03().layer(ok_backend()),
    );
    closed_one(
        group,
        driver,
        "failsafe",
        peers::failsafe(ok_backend(), THRESHOLD, OPEN),
    );
    closed_one(
        group,
        driver,
        "recloser",
        peers::recloser(ok_backend(), THRESHOLD, OPEN),
    );
    closed_one(
        group,
        driver,
        "tower-resilience",
        peers::tower_resilience(ok_backend(), THRESHOLD, OPEN),
    );
}

fn closed(c: &mut Criterion) {
    let mut group = c.benchmark_group("closed");
    closed_rows(&mut group, Driver::Poll);
    group.finish();
}

/// One open-state benchmark: trip the breaker, then measure calls that fail fast.
///
/// `spares_call`: the inner service's `call` must not run either (false for the peers whose
/// futures API takes an already-built future; the request still never reaches the backend).
fn open_one<S, E>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    driver: Driver<'_>,
    id: &str,
    make: impl FnOnce(&'static Counters) -> S,
    is_open: fn(&E) -> bool,
    spares_call: bool,
) where
    S: Service<u64, Response = u64, Error = E>,
{
    let counters = Counters::leaked();
    let mut svc = make(counters);
    let failures = trip(&mut svc, is_open);
    assert!(
        (THRESHOLD..=THRESHOLD + 1).contains(&failures),
        "{id}: opened after {failures} failures"
    );
    let (called, reached) = counters.get();
    bench_calls(
        group,
        driver,
        "open",
        id,
        &mut svc,
        |out| matches!(out, Err(e) if is_open(e)),
    );
    assert!(
        matches!(call(&mut svc, 1), Err(e) if is_open(&e)),
        "{id}: still open"
    );
    let (called_after, reached_after) = counters.get();
    assert_eq!(
        reached_after, reached,
        "{id}: a request reached the backend"
    );
    if spares_call {
        assert_eq!(called_after, called, "{id}: the inner service was called");
    }
}

/// Every open-state row.
fn open_rows(group: &mut BenchmarkGroup<'_, WallTime>, driver: Driver<'_>) {
    open_one(
        group,
        driver,
        "minimal",
        |n| minimal_layer().layer(failing_backend(n)),
        |e| matches!(e, MinimalError::Open),
        true,
    );
    open_one(
        group,
        driver,
        "02-breaker-layer",
        |n| layer_02().layer(failing_backend(n)),
        |e| matches!(e, solution_02_breaker_layer::Error::Open),
        true,
    );
    open_one(
        group,
        driver,
        "03-single-probe",
        |n| layer_03().layer(failing_backend(n)),
        |e| matches!(e, solution_03_single_probe::Error::Open),
        true,
    );
    open_one(
        group,
        driver,
        "failsafe",
        |n| peers::failsafe(failing_backend(n), THRESHOLD, OPEN),
        |e| matches!(e, failsafe::Error::Rejected),
        false,
    );
    open_one(
        group,
        driver,
        "recloser",
        |n| peers::recloser(failing_backend(n), THRESHOLD, OPEN),
        |e| matches!(e, recloser::Error::Rejected),
        false,
    );
    open_one(
        group,
        driver,
        "tower-resilience",
        |n| peers::tower_resilience(failing_backend(n), THRESHOLD, OPEN),
        |e| e.is_circuit_open(),
        true,
    );
}

fn open(c: &mut Criterion) {
    let mut group = c.benchmark_group("open");
    open_rows(&mut group, Driver::Poll);
    group.finish();
}

/// The closed and open rows again, awaited in a current-thread tokio runtime.
fn async_driver(c: &mut Criterion) {
    let runtime = drive::runtime();
    let mut group = c.benchmark_group("async");
    closed_rows(&mut group, Driver::Async(&runtime));
    open_rows(&mut group, Driver::Async(&runtime));
    group.finish();
}

/// Two threads, each with its own clone of `svc`, `iters` calls each; the wall time from the
/// moment both may start until both are done.
fn two_threads<S>(svc: &S, iters: u64) -> Duration
where
    S: Service<u64, Response = u64> + Clone + Send,
{
    let start = Barrier::new(3);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let mut svc = svc.clone();
            let start = &start;
            scope.spawn(move || {
                start.wait();
                for _ in 0..iters {
                    let _ = black_box(call(&mut svc, black_box(1)));
                }
            });
        }
        start.wait();
        let began = Instant::now();
        // Leaving the scope joins both threads.
        began
    })
    .elapsed()
}

fn contended_one<S>(group: &mut BenchmarkGroup<'_, WallTime>, id: &str, mut svc: S)
where
    S: Service<u64, Response = u64> + Clone + Send,
    S::Error: Debug,
{
    assert_eq!(call(&mut svc, 1).expect("a closed breaker passes"), 1);
    group.bench_function(id, |b| b.iter_custom(|iters| two_threads(&svc, iters)));
    assert_eq!(call(&mut svc, 1).expect("still closed"), 1);
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("contended");
    // Every sample the same size: each one pays for starting two threads.
    group.sampling_mode(SamplingMode::Flat);
    contended_one(&mut group, "bare", ok_backend());
    contended_one(&mut group, "minimal", minimal_layer().layer(ok_backend()));
    contended_one(
        &mut group,
        "02-breaker-layer",
        layer_02().layer(ok_backend()),
    );
    contended_one(
        &mut group,
        "03-single-probe",
        layer_03().layer(ok_backend()),
    );
    contended_one(
        &mut group,
        "failsafe",
        peers::failsafe(ok_backend(), THRESHOLD, OPEN),
    );
    contended_one(
        &mut group,
        "recloser",
        peers::recloser(ok_backend(), THRESHOLD, OPEN),
    );
    contended_one(
        &mut group,
        "tower-resilience",
        peers::tower_resilience(ok_backend(), THRESHOLD, OPEN),
    );
    group.finish();
}

/// The table's columns: one per driver.
const COLUMNS: [&str; 2] = ["no-op waker", "async"];

/// The table's rows, in order: every case and service above, with its `group/id` per driver
/// (`contended` has no async column).
fn rows() -> Vec<Row> {
    const SERVICES: [(&str, &str); 7] = [
        ("bare", "bare `service_fn` (floor)"),
        ("minimal", "minimal atomic breaker (yardstick)"),
        ("02-breaker-layer", "02 reference (`Mutex`)"),
        ("03-single-probe", "03 reference"),
        ("failsafe", "failsafe 1.3"),
        ("recloser", "recloser 1.4"),
        ("tower-resilience", "tower-resilience-circuitbreaker 0.14"),
    ];
    let mut rows = Vec::new();
    for case in ["closed", "open", "contended"] {
        for (id, label) in SERVICES {
            let polled = Measure {
                group: case.to_owned(),
                id: id.to_owned(),
                baseline: if case == "contended" {
                    ("contended".to_owned(), "bare".to_owned())
                } else {
                    ("closed".to_owned(), "bare".to_owned())
                },
            };
            let awaited = (case != "contended").then(|| Measure {
                group: "async".to_owned(),
                id: format!("{case}/{id}"),
                baseline: ("async".to_owned(), "closed/bare".to_owned()),
            });
            rows.push(Row {
                case,
                label,
                measures: vec![Some(polled), awaited],
            });
        }
    }
    rows
}

/// The goals for the 03 reference, checked on this run's medians: closed, within 1.3x of the
/// minimal atomic breaker with either driver (and, polled, at least as fast as the fastest
/// peer); contended, within 1.5x of it. One line per goal whose rows were measured.
fn goal(dir: &std::path::Path, since: SystemTime) -> Vec<String> {
    let median = |group: &str, id: &str| table::median_ns(dir, group, id, since);
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    let polled = || {
        let reference = median("closed", "03-single-probe")?;
        let minimal = median("closed", "minimal")?;
        let (peer, fastest) = ["failsafe", "recloser", "tower-resilience"]
            .into_iter()
            .filter_map(|id| Some((id, median("closed", id)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(format!(
            "Goal, closed path, no-op waker: 03 is {:.2}x the minimal atomic breaker (at most \
             1.3x) and {:.2}x the fastest peer, {peer} (at most 1x): {}.",
            reference / minimal,
            reference / fastest,
            verdict(reference <= fastest && reference <= 1.3 * minimal),
        ))
    };
    let ratio = |group: &str, id: &str, what: &str, at_most: f64| {
        let reference = median(group, &format!("{id}03-single-probe"))?;
        let minimal = median(group, &format!("{id}minimal"))?;
        Some(format!(
            "Goal, {what}: 03 is {:.2}x the minimal atomic breaker (at most {at_most}x): {}.",
            reference / minimal,
            verdict(reference <= at_most * minimal),
        ))
    };
    polled()
        .into_iter()
        .chain(ratio("async", "closed/", "closed path, async", 1.3))
        .chain(ratio("contended", "", "two threads", 1.5))
        .collect()
}

fn main() {
    let since = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    closed(&mut criterion);
    open(&mut criterion);
    contended(&mut criterion);
    async_driver(&mut criterion);
    criterion.final_summary();

    let dir = table::criterion_dir();
    if let Some(table) = table::render(&dir, &COLUMNS, &rows(), since) {
        println!(
            "\nMedian time per call, per driver, and its ratio to the bare service of the same \
             driver"
        );
        println!(
            "(closed and open rows: to the closed bare row; contended rows: to the bare service \
             in two threads):\n"
        );
        println!("{table}");
        for goal in goal(&dir, since) {
            println!("{goal}\n");
        }
        let path = dir.join("breakers.md");
        if std::fs::write(&path, &table).is_ok() {
            println!("(also written to {})", path.display());
        }
    }
}
