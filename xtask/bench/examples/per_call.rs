//! `n` calls of one service by one driver, outside criterion: for instruction counts, which
//! are repeatable on a shared machine where wall-clock figures are not.
//!
//! ```sh
//! cargo build --release -p breaker-bench --example per_call
//! target/release/examples/per_call <driver> <service> <n>
//! #   driver:  noop (drive::call), async (drive::call_async in one block_on),
//! #            threads (two threads, each `n` calls on its own clone, no-op waker),
//! #            separate (the same with two independent breakers: nothing shared),
//! #            clone (no-op waker, each call on a fresh clone of the service, dropped after
//! #            it: what tower's `Retry` and routers that clone per request do)
//! #   service: bare, minimal, 03 (closed), minimal-open, 03-open (tripped)
//!
//! # Instructions per call: the difference of two runs, so that start-up cancels out.
//! for n in 100000 200000; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$n \
//!     target/release/examples/per_call async 03 $n >/dev/null
//! done
//! grep ^summary /tmp/cg.100000 /tmp/cg.200000   # (second - first) / 100000
//! ```
//!
//! It prints the size of the service and of its response future, and the wall time per call
//! (rough: one run, no statistics; the criterion benchmark is the measurement).

use std::fmt::Debug;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use breaker_bench::drive::{
    Counters, call, call_async, failing_backend, ok_backend, runtime, trip,
};
use breaker_bench::minimal::{MinimalError, MinimalLayer};
use tower::{Layer, Service};

const THRESHOLD: u32 = 5;
const OPEN: Duration = Duration::from_secs(3600);

/// The loops are not inlined into `main`, so that a profile names them.
#[inline(never)]
fn noop_loop<S: Service<u64, Response = u64>>(svc: &mut S, n: u64) {
    for _ in 0..n {
        let _ = black_box(call(svc, black_box(1)));
    }
}

#[inline(never)]
fn async_loop<S: Service<u64, Response = u64>>(svc: &mut S, n: u64) {
    runtime().block_on(async {
        for _ in 0..n {
            let _ = black_box(call_async(svc, black_box(1)).await);
        }
    });
}

/// Each call on a clone made for it, as tower's `Retry` (which clones itself, so its inner
/// service, in every `call`) and a router that clones its service per request do.
#[inline(never)]
fn clone_loop<S: Service<u64, Response = u64> + Clone>(svc: &S, n: u64) {
    for _ in 0..n {
        let mut clone = svc.clone();
        let _ = black_box(call(&mut clone, black_box(1)));
    }
}

fn threads_loop<S: Service<u64, Response = u64> + Clone + Send>(svc: &S, n: u64) {
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let mut svc = svc.clone();
            scope.spawn(move || noop_loop(&mut svc, n));
        }
    });
}

/// Two threads, each with a breaker of its own (not clones): nothing shared at all, so the
/// time per call is what two busy cores give, with no cache line moving between them.
fn separate_threads_loop<S: Service<u64, Response = u64> + Send>(make: impl Fn() -> S, n: u64) {
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let mut svc = make();
            scope.spawn(move || noop_loop(&mut svc, n));
        }
    });
}

fn run<S>(driver: &str, make: impl Fn() -> S, n: u64) -> Result<(), String>
where
    S: Service<u64, Response = u64> + Clone + Send,
    S::Error: Debug,
{
    let mut svc = make();
    println!(
        "size_of: service {} bytes, response future {} bytes",
        size_of::<S>(),
        size_of::<S::Future>()
    );
    let began = Instant::now();
    match driver {
        "noop" => noop_loop(&mut svc, n),
        "async" => async_loop(&mut svc, n),
        "threads" => threads_loop(&svc, n),
        "separate" => separate_threads_loop(make, n),
        "clone" => clone_loop(&svc, n),
        _ => {
            return Err(format!(
                "unknown driver {driver:?}: noop, async, threads, separate or clone"
            ));
        }
    }
    println!(
        "{:.2} ns/call (wall time, one run)",
        began.elapsed().as_secs_f64() * 1e9 / n as f64
    );
    Ok(())
}

fn layer_03() -> solution_03_single_probe::CircuitBreakerLayer {
    solution_03_single_probe::CircuitBreakerLayer::new(solution_03_single_probe::Config {
        failure_threshold: THRESHOLD,
        open_duration: OPEN,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [driver, service, n] = args.as_slice() else {
        eprintln!(
            "usage: per_call <noop|async|threads|separate|clone> <bare|minimal|03|minimal-open|03-open> <n>"
        );
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("<n>: a number of calls, not {n:?}");
        return ExitCode::FAILURE;
    };
    let minimal = MinimalLayer::new(THRESHOLD, OPEN);
    let outcome = match service.as_str() {
        "bare" => run(driver, ok_backend, n),
        "minimal" => run(driver, || minimal.layer(ok_backend()), n),
        "03" => run(driver, || layer_03().layer(ok_backend()), n),
        "minimal-open" => {
            let make = || {
                let mut svc = minimal.layer(failing_backend(Counters::leaked()));
                trip(&mut svc, |e| matches!(e, MinimalError::Open));
                svc
            };
            run(driver, make, n)
        }
        "03-open" => {
            let make = || {
                let mut svc = layer_03().layer(failing_backend(Counters::leaked()));
                trip(&mut svc, |e| {
                    matches!(e, solution_03_single_probe::Error::Open)
                });
                svc
            };
            run(driver, make, n)
        }
        _ => Err(format!(
            "unknown service {service:?}: bare, minimal, 03, minimal-open or 03-open"
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
