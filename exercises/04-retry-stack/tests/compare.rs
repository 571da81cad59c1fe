//! Observe how many attempts reach a backend that is down, with the breaker outside the retry
//! and with the retry outside the breaker:
//!
//! ```sh
//! cargo test -p exercise-04-retry-stack --test compare -- --nocapture
//! ```
//!
//! Write your prediction down first (see the README). The clock is Tokio's, paused: the backoff
//! waits take no real time, and the times printed are those of the paused clock.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Service, ServiceExt, service_fn};

use exercise_04_retry_stack as retry_stack;
use retry_stack::{
    CircuitBreakerLayer, Config, Error, RetryConfig, RetryPolicy, State, Transient,
    breaker_outside_retry, retry_outside_breaker,
};

const THRESHOLD: u32 = 3;
const MAX_ATTEMPTS: u32 = 3;
const REQUESTS: u32 = 5;

/// What the backend answers every time: it is down.
#[derive(Debug)]
struct Unavailable;

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("503 Service Unavailable")
    }
}

impl std::error::Error for Unavailable {}

impl Transient for Unavailable {
    fn is_transient(&self) -> bool {
        true
    }
}

/// Prints what happens; it checks nothing (the hidden tests do).
#[tokio::test(start_paused = true)]
async fn compare_the_two_orders() {
    let breaker = CircuitBreakerLayer::new(Config {
        failure_threshold: THRESHOLD,
        open_duration: Duration::from_secs(30),
    });
    let retry = RetryPolicy::new(RetryConfig {
        max_attempts: MAX_ATTEMPTS,
        ..RetryConfig::default()
    });
    println!(
        "A backend that is down, a breaker with threshold {THRESHOLD}, a retry of {MAX_ATTEMPTS} \
         attempts, {REQUESTS} requests one after the other.\n"
    );

    println!("breaker_outside_retry (breaker outside, retry inside):");
    let calls = Arc::new(AtomicU32::new(0));
    let mut svc = breaker_outside_retry(down(&calls), breaker.clone(), retry.clone());
    for n in 1..=REQUESTS {
        let (before, start) = (calls.load(Ordering::SeqCst), Instant::now());
        let outcome = svc.ready().await.expect("ready").call(()).await;
        report(
            n,
            &outcome,
            calls.load(Ordering::SeqCst) - before,
            start,
            svc.state(),
        );
    }
    let outside = calls.load(Ordering::SeqCst);
    println!("  the backend saw {outside} attempt(s) in all\n");

    println!("retry_outside_breaker (retry outside, breaker inside):");
    let calls = Arc::new(AtomicU32::new(0));
    let mut svc = retry_outside_breaker(down(&calls), breaker, retry);
    for n in 1..=REQUESTS {
        let (before, start) = (calls.load(Ordering::SeqCst), Instant::now());
        let outcome = svc.ready().await.expect("ready").call(()).await;
        let state = svc.get_ref().state();
        report(
            n,
            &outcome,
            calls.load(Ordering::SeqCst) - before,
            start,
            state,
        );
    }
    let inside = calls.load(Ordering::SeqCst);
    println!("  the backend saw {inside} attempt(s) in all");
    println!("\nWhy:\n\n{WHY}");
}

/// Why the two orders differ: printed after what happened, so that the README does not spoil
/// the prediction.
const WHY: &str = "\
With the breaker outside, one logical request is one outcome for the breaker: after the first\n\
request the circuit is `Closed { failure_count: 1 }`, though the backend failed three times. It\n\
takes three failed *requests* to open it, and from then on the backend sees nothing at all.\n\
\n\
With the retry outside, every attempt is an outcome: the first request opens the circuit by\n\
itself (`Open` after 3 attempts), and every later request is rejected on its first attempt,\n\
which the policy does not retry, so it fails fast.\n\
\n\
Fewer attempts is not the whole story. With the retry outside, the breaker counts attempts, not\n\
requests: its threshold now depends on `max_attempts`, one unlucky request can open it, and with\n\
`max_attempts` 4 the first caller would get `Error::Open` for a request that was in fact sent three\n\
times. With the breaker outside, the threshold means what it says (consecutive failed requests),\n\
the caller's outcome is the breaker's outcome (a success on the last attempt is a success), and\n\
once the circuit is open not a single retry piles up on the backend. The half-open probe is one\n\
logical request too, retries included: while it waits to retry, the other callers still get\n\
`Error::Open`, and a success on its retry closes the circuit.\n";

/// A backend that is down, counting the attempts it sees.
fn down(
    calls: &Arc<AtomicU32>,
) -> impl Service<
    (),
    Response = (),
    Error = Unavailable,
    Future = std::future::Ready<Result<(), Unavailable>>,
> + Clone {
    let calls = Arc::clone(calls);
    service_fn(move |()| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Err(Unavailable))
    })
}

fn report(
    n: u32,
    outcome: &Result<(), Error<Unavailable>>,
    calls: u32,
    start: Instant,
    state: State,
) {
    let outcome = match outcome {
        Ok(()) => "Ok".to_owned(),
        Err(Error::Open) => "Err(Error::Open)".to_owned(),
        Err(Error::Inner(e)) => format!("Err(Error::Inner({e:?}))"),
    };
    let state = match state {
        State::Closed { failure_count } => format!("Closed {{ failure_count: {failure_count} }}"),
        State::Open { .. } => "Open".to_owned(),
        State::HalfOpen => "HalfOpen".to_owned(),
    };
    println!(
        "  request {n}: {outcome:<32} {calls} attempt(s) at the backend, {:>6?}; then the circuit is {state}",
        start.elapsed()
    );
}
