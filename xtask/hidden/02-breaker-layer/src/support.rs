//! Shared helpers: a breaker around a `tower_test` mock backend, requests sent and answered step
//! by step, and states rendered relative to the test's start (`Open { until: t0+10s }`).
//!
//! Every helper that builds a breaker goes through `CircuitBreakerLayer::layer`, so it is the
//! first thing a test does.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::task::{Wake, Waker};

use futures::FutureExt;

// `Context`: for the hidden tests of exercise 03, which include this file.
#[allow(unused_imports)]
pub use std::task::Context;
pub use std::task::Poll;
pub use std::time::Duration;

pub use tokio::time::{Instant, advance};
pub use tower::util::MapErr;
pub use tower::{BoxError, Layer, Service};
pub use tower_test::mock::{self, Handle, Mock, SendResponse};

pub use crate::graded::{
    CircuitBreaker, CircuitBreakerLayer, Classify, Config, Error, ErrorsAsFailures, HttpClassifier,
    State,
};

/// The open duration every test uses.
pub const OPEN: Duration = Duration::from_secs(10);
pub const MS: Duration = Duration::from_millis(1);

/// The backend's error: a concrete `std::error::Error`, so that `Error<BackendError>` is one too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendError(pub &'static str);

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "backend error: {}", self.0)
    }
}

impl std::error::Error for BackendError {}

pub type Req = &'static str;
/// The mock backend, its `BoxError` turned back into the `BackendError` the test gave it.
pub type Backend<Res> = MapErr<Mock<Req, Res>, fn(BoxError) -> BackendError>;
pub type Breaker<Res, C = ErrorsAsFailures> = CircuitBreaker<Backend<Res>, C>;
pub type Outcome<Res> = Result<Res, Error<BackendError>>;

pub fn config(failure_threshold: u32) -> Config {
    Config {
        failure_threshold,
        open_duration: OPEN,
    }
}

fn to_backend_error(e: BoxError) -> BackendError {
    match e.downcast::<BackendError>() {
        Ok(e) => *e,
        Err(_) => BackendError("the mock backend is closed"),
    }
}

/// A mock backend and the handle that sees its requests and answers them.
pub fn backend<Res>() -> (Backend<Res>, Handle<Req, Res>) {
    let (mock, handle) = mock::pair();
    let map: fn(BoxError) -> BackendError = to_backend_error;
    (MapErr::new(mock, map), handle)
}

/// A breaker and its backend's handle.
pub struct Harness<Res, C = ErrorsAsFailures> {
    pub svc: Breaker<Res, C>,
    pub handle: Handle<Req, Res>,
}

/// `CircuitBreakerLayer::new(config(threshold)).layer(backend)`: the default classifier.
pub fn breaker<Res>(failure_threshold: u32) -> Harness<Res> {
    start_clock();
    let (backend, handle) = backend();
    let svc = CircuitBreakerLayer::new(config(failure_threshold)).layer(backend);
    Harness { svc, handle }
}

/// A breaker whose layer was given `classifier`.
pub fn breaker_with<Res, C: Clone>(failure_threshold: u32, classifier: C) -> Harness<Res, C> {
    start_clock();
    let (backend, handle) = backend();
    let svc = CircuitBreakerLayer::new(config(failure_threshold))
        .with_classifier(classifier)
        .layer(backend);
    Harness { svc, handle }
}

impl<Res: fmt::Debug, C> Harness<Res, C>
where
    C: Classify<Res, BackendError> + Clone,
{
    /// See [`start`].
    #[track_caller]
    pub fn start(&mut self, what: &str) -> InFlight<Breaker<Res, C>, Res> {
        start(&mut self.svc, &mut self.handle, what)
    }

    /// See [`send`].
    #[track_caller]
    pub fn send(&mut self, reply: Result<Res, BackendError>, what: &str) -> Outcome<Res> {
        send(&mut self.svc, &mut self.handle, reply, what)
    }

    /// See [`reject`].
    #[track_caller]
    pub fn reject(&mut self, what: &str) {
        reject(&mut self.svc, &mut self.handle, what)
    }

    /// `n` requests that reach the backend and fail.
    #[track_caller]
    pub fn fail_n(&mut self, n: u32, what: &str) {
        for i in 1..=n {
            let _ = self.send(
                Err(BackendError("boom")),
                &format!("{what} (failure {i} of {n})"),
            );
        }
    }

    /// Fails the test unless the circuit is `expected`; `after` says what happened before.
    #[track_caller]
    pub fn expect_state(&self, expected: State, after: &str) {
        expect_state(&self.svc, expected, after);
    }
}

// ===== the clock =====

thread_local! {
    /// When the test built its breaker: `t0` in the messages. Each test runs on its own thread.
    static T0: Cell<Option<Instant>> = const { Cell::new(None) };
}

pub fn start_clock() {
    T0.with(|t0| t0.set(Some(Instant::now())));
}

/// The instant the test started (built its first breaker).
pub fn t0() -> Instant {
    T0.with(|t0| t0.get()).expect("a breaker is built first")
}

/// `t` relative to `t0`, as `t0+10s` or `t0-1ms`.
pub fn at(t: Instant) -> String {
    let t0 = t0();
    if t == t0 {
        "t0".to_owned()
    } else if t > t0 {
        format!("t0+{:?}", t - t0)
    } else {
        format!("t0-{:?}", t0 - t)
    }
}

/// A state with its instants relative to `t0`.
pub fn show(state: State) -> String {
    match state {
        State::Closed { failure_count } => format!("Closed {{ failure_count: {failure_count} }}"),
        State::Open { until } => format!("Open {{ until: {} }}", at(until)),
        State::HalfOpen => "HalfOpen".to_owned(),
    }
}

/// An outcome, with `Error` spelled out (and `Open` told apart from `Inner`).
pub fn show_outcome<Res: fmt::Debug>(outcome: &Outcome<Res>) -> String {
    match outcome {
        Ok(res) => format!("Ok({res:?})"),
        Err(Error::Open) => "Err(Error::Open)".to_owned(),
        Err(Error::Inner(e)) => format!("Err(Error::Inner({e:?}))"),
    }
}

#[track_caller]
pub fn expect_state<Res, C>(svc: &Breaker<Res, C>, expected: State, after: &str) {
    let actual = svc.state();
    assert!(
        actual == expected,
        "{after}, the circuit must be {}; it was {}",
        show(expected),
        show(actual),
    );
}

// ===== polling =====

/// Polls `poll_ready` once, in a `tokio_test` task of its own (a waker that wakes nothing here).
pub fn poll_ready<S: Service<Req>>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    tokio_test::task::spawn(()).enter(|cx, _| svc.poll_ready(cx))
}

/// Polls `future` once with a waker that does nothing. (`unconstrained`: Tokio's cooperative
/// budget must not turn a ready future into `Pending`.)
pub fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    match tokio::task::unconstrained(future).now_or_never() {
        Some(output) => Poll::Ready(output),
        None => Poll::Pending,
    }
}

/// A waker that remembers whether it was woken. (The tests of exercise 02 use
/// `tokio_test::task` instead; those of exercise 03, which include this file, still use it.)
#[allow(dead_code)]
#[derive(Default)]
pub struct Flag(AtomicBool);

#[allow(dead_code)]
impl Flag {
    pub fn waker() -> (Arc<Flag>, Waker) {
        let flag = Arc::new(Flag::default());
        (flag.clone(), Waker::from(flag))
    }

    pub fn is_woken(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What `tower_test`'s mock panics with when it is called without a `Ready(Ok)` from its own
/// `poll_ready`.
const MOCK_NOT_READY: &str = "poll_ready must be called first";

thread_local! {
    /// Set while [`call`] calls the breaker on this thread: the mock's panic is then explained
    /// by `call`, not printed as it is.
    static CALLING: Cell<bool> = const { Cell::new(false) };
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    match payload.downcast_ref::<&str>() {
        Some(text) => text,
        None => payload.downcast_ref::<String>().map_or("", String::as_str),
    }
}

/// `svc.call("request")`. If the breaker calls the mock backend although the backend's own
/// `poll_ready` did not return `Ready(Ok)`, the mock panics with a message about the *mock*
/// ("service not ready; poll_ready must be called first"); this says which service was not ready
/// and why. Every other panic goes on unchanged.
#[track_caller]
pub fn call<S: Service<Req>>(svc: &mut S, what: &str) -> S::Future {
    static QUIET_MOCK_PANIC: Once = Once::new();
    QUIET_MOCK_PANIC.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let explained =
                CALLING.with(Cell::get) && panic_text(info.payload()).contains(MOCK_NOT_READY);
            if !explained {
                previous(info);
            }
        }));
    });
    CALLING.with(|calling| calling.set(true));
    let called = panic::catch_unwind(AssertUnwindSafe(|| svc.call("request")));
    CALLING.with(|calling| calling.set(false));
    match called {
        Ok(future) => future,
        Err(payload) if panic_text(&*payload).contains(MOCK_NOT_READY) => panic!(
            "{what}: the breaker called the inner service without the inner service being ready \
             (the mock backend panicked: \"{}\"). Poll the inner service in `poll_ready` and \
             only keep the admission on `Ready(Ok)`: after `Pending` or an error, the next \
             `poll_ready` must ask the inner service again",
            panic_text(&*payload)
        ),
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// A request that went through `poll_ready` and `call`, and whether the backend received it.
pub struct InFlight<S: Service<Req>, Res> {
    future: Pin<Box<S::Future>>,
    /// Crate-visible so that the hidden tests of exercise 03, which include this file, can add
    /// helpers of their own.
    pub(crate) reply_to: Option<SendResponse<Res>>,
    what: String,
}

/// `poll_ready` (which must be `Ready(Ok)`: the backend is ready, and an open circuit is
/// answered from `call`), then `call`. The backend does not answer yet.
#[track_caller]
pub fn start<Res, C>(
    svc: &mut Breaker<Res, C>,
    handle: &mut Handle<Req, Res>,
    what: &str,
) -> InFlight<Breaker<Res, C>, Res>
where
    C: Classify<Res, BackendError> + Clone,
{
    let before = show(svc.state());
    match poll_ready(svc) {
        Poll::Ready(Ok(())) => {}
        Poll::Pending => panic!(
            "{what}: poll_ready returned Pending, with a backend that is ready and the circuit \
             {before}; it must return Ready(Ok(()))"
        ),
        Poll::Ready(Err(e)) => panic!(
            "{what}: poll_ready returned Err({e:?}), with a backend that is ready and the circuit \
             {before}; it must return Ready(Ok(())). An error from poll_ready tells Tower that the \
             service is dead for good: an open circuit is answered from `call` instead"
        ),
    }
    start_after_ready(svc, handle, what)
}

/// `call` alone, after a `poll_ready` that returned `Ready(Ok)`. The backend does not answer yet.
pub fn start_after_ready<Res, C>(
    svc: &mut Breaker<Res, C>,
    handle: &mut Handle<Req, Res>,
    what: &str,
) -> InFlight<Breaker<Res, C>, Res>
where
    C: Classify<Res, BackendError> + Clone,
{
    let future = Box::pin(call(svc, what));
    let reply_to = match handle.poll_request() {
        Poll::Ready(Some((_, reply_to))) => Some(reply_to),
        _ => None,
    };
    InFlight {
        future,
        reply_to,
        what: what.to_owned(),
    }
}

impl<S, Res> InFlight<S, Res>
where
    S: Service<Req, Response = Res, Error = Error<BackendError>>,
{
    /// Whether the backend received the request.
    pub fn reached(&self) -> bool {
        self.reply_to.is_some()
    }

    /// The backend answers `reply`; the response future must then complete at once.
    #[track_caller]
    pub fn answer(mut self, reply: Result<Res, BackendError>) -> Outcome<Res> {
        self.answer_and_keep(reply)
    }

    /// Like [`InFlight::answer`], but the completed response future is kept (not dropped) until
    /// `self` is.
    #[track_caller]
    pub fn answer_and_keep(&mut self, reply: Result<Res, BackendError>) -> Outcome<Res> {
        let Some(reply_to) = self.reply_to.take() else {
            panic!(
                "{}: the request must reach the backend, but the breaker did not send it",
                self.what
            );
        };
        match reply {
            Ok(response) => reply_to.send_response(response),
            Err(e) => reply_to.send_error(e),
        }
        self.poll_now("the backend has answered, so the response future must complete")
    }

    /// The request was rejected: its future must resolve at once.
    #[track_caller]
    pub fn rejected(mut self) -> Outcome<Res> {
        assert!(
            !self.reached(),
            "{}: the backend received the request, but the circuit was open: an open breaker \
             must not call the inner service",
            self.what
        );
        self.poll_now("a rejected request's future must resolve at once (to Err(Error::Open))")
    }

    #[track_caller]
    fn poll_now(&mut self, why: &str) -> Outcome<Res> {
        match poll_once(self.future.as_mut()) {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => panic!("{}: {why}; it was still Pending", self.what),
        }
    }
}

/// One request that must reach the backend, which answers `reply`.
#[track_caller]
pub fn send<Res, C>(
    svc: &mut Breaker<Res, C>,
    handle: &mut Handle<Req, Res>,
    reply: Result<Res, BackendError>,
    what: &str,
) -> Outcome<Res>
where
    C: Classify<Res, BackendError> + Clone,
{
    let before = show(svc.state());
    let request = start(svc, handle, what);
    assert!(
        request.reached(),
        "{what}: the request must reach the backend (the circuit was {before}), but the breaker \
         did not send it"
    );
    request.answer(reply)
}

/// One request that the open circuit must reject: the backend sees nothing, the caller gets
/// `Error::Open` at once.
#[track_caller]
pub fn reject<Res: fmt::Debug, C>(
    svc: &mut Breaker<Res, C>,
    handle: &mut Handle<Req, Res>,
    what: &str,
) where
    C: Classify<Res, BackendError> + Clone,
{
    let before = show(svc.state());
    let request = start(svc, handle, what);
    assert!(
        !request.reached(),
        "{what}: the backend received the request, but the circuit was {before}: an open breaker \
         must not call the inner service"
    );
    let outcome = request.rejected();
    assert!(
        matches!(outcome, Err(Error::Open)),
        "{what}: with the circuit {before}, the request must fail with Err(Error::Open); it was {}",
        show_outcome(&outcome)
    );
}

/// An HTTP response with this status and no body.
pub fn response(status: u16) -> http::Response<()> {
    http::Response::builder()
        .status(status)
        .body(())
        .expect("a valid status")
}
