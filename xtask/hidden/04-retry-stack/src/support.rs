//! Shared helpers: a scripted backend that records every attempt, the policy and the two stacks
//! built around it, and requests sent on the paused clock.
//!
//! The helpers that build a service go through the exercise's `RetryPolicy` (whose
//! `clone_request` runs on the first `call`) or its stack functions: the first thing a test does
//! reaches the learner's code.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::{Future, Ready, ready};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, Once, PoisonError};

use futures::FutureExt;

pub use std::task::{Context, Poll};
pub use std::time::Duration;

pub use tokio::time::{Instant, advance};
pub use tower::retry::{Retry, RetryLayer};
pub use tower::{Layer, Service, ServiceBuilder, ServiceExt};

pub use crate::graded::{
    CircuitBreaker, CircuitBreakerLayer, Config, Error, ErrorsAsFailures, RetryConfig, RetryPolicy,
    State, Transient, TransientErrors, TryClone, breaker_outside_retry, retry_outside_breaker,
};

/// The open duration of every breaker here.
pub const OPEN: Duration = Duration::from_secs(10);
/// How long of the paused clock a request may take before the test gives up on it.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The backend's errors: two transient ones, two that are the caller's mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendError {
    /// 503: the backend is down or overloaded. Transient.
    Unavailable,
    /// The attempt timed out. Transient.
    TimedOut,
    /// 400: the request is wrong, and will be wrong next time too.
    BadRequest,
    /// 404: there is nothing there, and there will be nothing next time either.
    NotFound,
}

pub use BackendError::{BadRequest, NotFound, TimedOut, Unavailable};

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for BackendError {}

impl Transient for BackendError {
    fn is_transient(&self) -> bool {
        matches!(self, Unavailable | TimedOut)
    }
}

pub type Reply = Result<&'static str, BackendError>;

/// A request whose body is either in memory (it can be cloned) or streamed (it cannot: it can
/// be sent only once). Not `Clone`.
#[derive(Debug, PartialEq, Eq)]
pub enum Upload {
    Buffered(&'static str),
    Streamed(&'static str),
}

impl TryClone for Upload {
    fn try_clone(&self) -> Option<Self> {
        match self {
            Upload::Buffered(body) => Some(Upload::Buffered(body)),
            Upload::Streamed(_) => None,
        }
    }
}

// ===== the backend =====

type Script = dyn Fn(usize) -> Reply + Send + Sync;

/// A backend that answers attempt number `n` (1 for the first it ever sees) with `script(n)`, at
/// once, and records when each attempt came and what it carried. Its clones share the record.
#[derive(Clone)]
pub struct Backend {
    script: Arc<Script>,
    log: Arc<Mutex<Log>>,
}

#[derive(Default)]
struct Log {
    t0: Option<Instant>,
    attempts: Vec<(Instant, String)>,
}

/// What the backend saw; a handle that stays with the test.
#[derive(Clone)]
pub struct Calls(Arc<Mutex<Log>>);

impl Backend {
    /// A backend that answers `script(n)` to its `n`-th attempt.
    pub fn scripted(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> (Backend, Calls) {
        let log = Arc::new(Mutex::new(Log {
            t0: Some(Instant::now()),
            attempts: Vec::new(),
        }));
        let backend = Backend {
            script: Arc::new(script),
            log: Arc::clone(&log),
        };
        (backend, Calls(log))
    }

    /// A backend that is down: every attempt fails with `Unavailable`.
    pub fn down() -> (Backend, Calls) {
        Backend::scripted(|_| Err(Unavailable))
    }

    /// A backend that always answers `reply`.
    pub fn always(reply: Reply) -> (Backend, Calls) {
        Backend::scripted(move |_| reply)
    }
}

impl<R: fmt::Debug> Service<R> for Backend {
    type Response = &'static str;
    type Error = BackendError;
    type Future = Ready<Reply>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: R) -> Self::Future {
        let n = {
            let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
            log.attempts.push((Instant::now(), format!("{req:?}")));
            log.attempts.len()
        };
        ready((self.script)(n))
    }
}

impl Calls {
    /// How many attempts reached the backend so far.
    pub fn count(&self) -> usize {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .attempts
            .len()
    }

    /// When each attempt came, from the moment the backend was made.
    pub fn times(&self) -> Vec<Duration> {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let t0 = log.t0.expect("set when the backend is made");
        log.attempts.iter().map(|(t, _)| *t - t0).collect()
    }

    /// What each attempt carried (its `Debug`).
    pub fn requests(&self) -> Vec<String> {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        log.attempts.iter().map(|(_, req)| req.clone()).collect()
    }
}

// ===== the services under test =====

/// The breaker outside, the retry inside (`breaker_outside_retry`).
pub type Outside<C = ErrorsAsFailures> = CircuitBreaker<Retry<RetryPolicy, Backend>, C>;
/// The retry outside, the breaker inside (`retry_outside_breaker`).
pub type Inside<C = ErrorsAsFailures> = Retry<RetryPolicy, CircuitBreaker<Backend, C>>;

/// The config of [`policy`]: `max_attempts` attempts, waiting 100 ms, 200 ms, 400 ms... up to
/// 10 s.
pub fn config(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(10),
    }
}

/// A policy of `max_attempts` attempts, waiting 100 ms, 200 ms, 400 ms... up to 10 s.
pub fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::new(config(max_attempts))
}

thread_local! {
    /// Set while [`backoff`] runs the learner's `RetryConfig::backoff` on this thread; a panic
    /// there leaves its location here instead of being printed.
    static IN_BACKOFF: Cell<bool> = const { Cell::new(false) };
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(text) => text,
        None => payload.downcast_ref::<String>().map_or("", String::as_str),
    }
}

fn is_todo(payload: &(dyn Any + Send)) -> bool {
    panic_text(payload).starts_with("not yet implemented")
}

/// The innermost line of the graded crate's own code on the stack
/// (`exercises/04-retry-stack/src/policy.rs:88:9`): an overflow panics inside `core`
/// (`u32::pow`, `Duration * u32`), whose location says nothing about the learner's code.
fn learner_frame() -> Option<String> {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    trace.lines().find_map(|line| {
        let (_, path) = line.trim().split_once("at ")?;
        ["exercises/04-retry-stack/", "solutions/04-retry-stack/"]
            .iter()
            .find_map(|dir| path.find(dir).map(|start| path[start..].to_owned()))
    })
}

/// `config.backoff(attempt)`. A panic in it (an arithmetic overflow: "attempt to multiply with
/// overflow") is reported with the line of `RetryConfig::backoff` that panicked: the grader
/// shows a panic's message, and this one says nothing about where it came from.
#[track_caller]
pub fn backoff(config: &RetryConfig, attempt: u32) -> Duration {
    static RECORD_BACKOFF_PANICS: Once = Once::new();
    RECORD_BACKOFF_PANICS.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_BACKOFF.with(Cell::get) && !is_todo(info.payload()) {
                let at = learner_frame().or_else(|| info.location().map(ToString::to_string));
                PANIC_AT.with(|slot| *slot.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    IN_BACKOFF.with(|flag| flag.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| config.backoff(attempt)));
    IN_BACKOFF.with(|flag| flag.set(false));
    match result {
        Ok(wait) => wait,
        // A gap not filled yet: the grader must see the `todo!()` itself.
        Err(payload) if is_todo(&*payload) => panic::resume_unwind(payload),
        Err(payload) => {
            let message = panic_text(&*payload);
            let at = PANIC_AT
                .with(|slot| slot.borrow_mut().take())
                .unwrap_or_else(|| "an unknown location".to_owned());
            panic!(
                "backoff({attempt}) with base_delay {:?} and max_delay {:?} panicked at {at}: \
                 \"{message}\". It must not panic: a wait too large for a `u32` factor or a \
                 `Duration` is max_delay (the checked operations return `None` on overflow)",
                config.base_delay, config.max_delay
            )
        }
    }
}

/// A breaker layer with this threshold, open for [`OPEN`].
pub fn breaker(failure_threshold: u32) -> CircuitBreakerLayer {
    CircuitBreakerLayer::new(Config {
        failure_threshold,
        open_duration: OPEN,
    })
}

/// The policy alone around the backend: tower's `RetryLayer` with the exercise's policy.
pub fn retrying(policy: RetryPolicy, backend: Backend) -> Retry<RetryPolicy, Backend> {
    ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(backend)
}

// ===== requests =====

/// Sends `req` (after `ready`) and waits for its outcome on the paused clock, which moves by
/// itself to the next timer while every task waits: the backoff sleeps take no real time.
#[track_caller]
pub fn request<'a, S, R>(
    svc: &'a mut S,
    req: R,
    what: &'a str,
) -> impl Future<Output = Result<S::Response, S::Error>> + 'a
where
    S: Service<R>,
    R: 'a,
{
    let caller = std::panic::Location::caller();
    async move {
        let outcome = tokio::time::timeout(LIMIT, async {
            svc.ready().await?;
            svc.call(req).await
        })
        .await;
        match outcome {
            Ok(outcome) => outcome,
            Err(_) => panic!(
                "{what}: no outcome after {LIMIT:?} of the paused clock ({caller}): do the \
                 retries ever stop? The policy must stop after `max_attempts` attempts in all"
            ),
        }
    }
}

/// `poll_ready` then `call`, and the response future polled once: it must be ready at once
/// (the circuit is open, so the request must fail fast, without a backoff).
#[track_caller]
pub fn fail_fast<S, R>(svc: &mut S, req: R, what: &str) -> Result<S::Response, S::Error>
where
    S: Service<R>,
    S::Error: fmt::Debug,
{
    match svc.ready().now_or_never() {
        Some(Ok(_)) => {}
        Some(Err(e)) => panic!(
            "{what}: poll_ready failed with {e:?}; with the circuit open it must be Ready(Ok(())) \
             (the breaker answers from `call`)"
        ),
        None => panic!("{what}: poll_ready was Pending with a backend that is ready"),
    }
    // `unconstrained`: Tokio's cooperative budget must not turn a ready future into `Pending`.
    match tokio::task::unconstrained(svc.call(req)).now_or_never() {
        Some(outcome) => outcome,
        None => panic!(
            "{what}: the request must fail at once with Error::Open, but its future was Pending: \
             is the policy waiting to retry Error::Open? (an open circuit stays open far longer \
             than any backoff: `Error::Open` is never transient)"
        ),
    }
}

/// Polls `future` once with a waker that does nothing. (`unconstrained`: Tokio's cooperative
/// budget must not turn a ready future into `Pending`.)
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    match tokio::task::unconstrained(future).now_or_never() {
        Some(output) => Poll::Ready(output),
        None => Poll::Pending,
    }
}

/// A state, without its instant.
pub fn show(state: State) -> String {
    match state {
        State::Closed { failure_count } => format!("Closed {{ failure_count: {failure_count} }}"),
        State::Open { .. } => "Open".to_owned(),
        State::HalfOpen => "HalfOpen".to_owned(),
    }
}

pub fn is_open(state: State) -> bool {
    matches!(state, State::Open { .. })
}

/// Durations as `[0ns, 100ms, 300ms]`.
pub fn ms(times: &[Duration]) -> String {
    format!("{times:?}")
}
