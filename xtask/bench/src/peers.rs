//! The peers, configured alike (consecutive failures, a threshold, an open period), each as a
//! Tower `Service` the way a user would wire it.
//!
//! `failsafe` and `recloser` are not Tower middleware: their futures APIs wrap a future that is
//! already built. The adapters below poll the inner service's readiness, call it, and hand its
//! future to the breaker, which checks the circuit on the first poll and never polls the future
//! when the circuit is open. So on their open path the inner service's `call` still runs (it
//! builds a future that is dropped unpolled): the request never reaches the backend, but the
//! backend's `call` is not spared. `tower-resilience-circuitbreaker` is Tower-native.

use std::task::{Context, Poll};
use std::time::Duration;

use failsafe::backoff::{self, Constant};
use failsafe::failure_policy::{ConsecutiveFailures, consecutive_failures};
use recloser::{AnyError, AsyncRecloser, RecloserFuture};
use tower::{Layer, Service};

/// `failsafe` 1.3's state machine with a consecutive-failures policy and no instrument.
pub type FailsafeBreaker = failsafe::StateMachine<ConsecutiveFailures<Constant>, ()>;

/// A service behind `failsafe` 1.3's futures API (`failsafe::futures::CircuitBreaker`).
#[derive(Debug, Clone)]
pub struct Failsafe<S> {
    inner: S,
    breaker: FailsafeBreaker,
}

/// `failsafe`: `consecutive_failures(threshold, backoff::constant(open))`, default config
/// otherwise. Half-open lets every request through (failsafe has no probe limit).
pub fn failsafe<S>(inner: S, threshold: u32, open: Duration) -> Failsafe<S> {
    let policy = consecutive_failures(threshold, backoff::constant(open));
    Failsafe {
        inner,
        breaker: failsafe::Config::new().failure_policy(policy).build(),
    }
}

impl<S, Req> Service<Req> for Failsafe<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = failsafe::Error<S::Error>;
    type Future = failsafe::futures::ResponseFuture<
        S::Future,
        ConsecutiveFailures<Constant>,
        (),
        failsafe::Any,
    >;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(failsafe::Error::Inner)
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        failsafe::futures::CircuitBreaker::call(&self.breaker, self.inner.call(req))
    }
}

/// A service behind `recloser` 1.4's `AsyncRecloser`.
#[derive(Debug, Clone)]
pub struct Recloser<S> {
    inner: S,
    breaker: AsyncRecloser,
}

/// `recloser` has no consecutive-failures mode: it opens when the failure rate over a ring of
/// the last `closed_len` calls reaches `error_rate`. A ring of `threshold` calls and a rate of
/// 1.0 is "the last `threshold` calls all failed", i.e. `threshold` consecutive failures (a
/// fresh ring decides from its `threshold + 1`-th call on). Half-open decides on a ring of 1.
pub fn recloser<S>(inner: S, threshold: u32, open: Duration) -> Recloser<S> {
    let breaker = recloser::Recloser::custom()
        .error_rate(1.0)
        .closed_len(threshold.max(1) as usize)
        .half_open_len(1)
        .open_wait(open)
        .build();
    Recloser {
        inner,
        breaker: AsyncRecloser::from(breaker),
    }
}

impl<S, Req> Service<Req> for Recloser<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = recloser::Error<S::Error>;
    type Future = RecloserFuture<S::Future, AnyError>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(recloser::Error::Inner)
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        self.breaker.call(self.inner.call(req))
    }
}

/// The service type of `tower-resilience-circuitbreaker` 0.14 with the default classifier.
pub type TowerResilience<S> = tower_resilience_circuitbreaker::CircuitBreaker<
    S,
    tower_resilience_circuitbreaker::DefaultClassifier,
>;

/// `tower-resilience-circuitbreaker` 0.14: `FailureModel::ConsecutiveFailures { k: threshold }`,
/// `wait_duration_in_open(open)`, one permitted call in half-open, no back-pressure.
pub fn tower_resilience<S>(inner: S, threshold: u32, open: Duration) -> TowerResilience<S> {
    use tower_resilience_circuitbreaker::{CircuitBreakerLayer, FailureModel};
    CircuitBreakerLayer::builder()
        .failure_model(FailureModel::ConsecutiveFailures {
            k: threshold.max(1) as usize,
        })
        .wait_duration_in_open(open)
        .permitted_calls_in_half_open(1)
        .build()
        .expect("a valid tower-resilience configuration")
        .layer(inner)
}
