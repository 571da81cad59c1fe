//! The [`Service`]: admission in `poll_ready`, the answer in `call`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use tokio::time::Instant;
use tower::Service;

use crate::classify::{Classify, ErrorsAsFailures};
use crate::error::Error;
use crate::future::ResponseFuture;
use crate::state::{Circuit, State, Ticket};

/// A circuit breaker around the service `S`; `C` classifies the outcomes (see [`Classify`]).
///
/// Made by [`CircuitBreakerLayer`](crate::CircuitBreakerLayer). Its clones share one circuit.
#[derive(Debug)]
pub struct CircuitBreaker<S, C = ErrorsAsFailures> {
    inner: S,
    circuit: Arc<Mutex<Circuit>>,
    classifier: C,
    /// What `poll_ready` decided for the next request, kept until `call` takes it.
    admission: Option<Admission>,
}

/// The decision `poll_ready` took for the request that `call` will receive.
#[derive(Debug, Clone, Copy)]
enum Admission {
    /// The circuit admitted the request and the inner service is ready for it.
    Admitted(Ticket),
    /// The circuit is open: `call` answers [`Error::Open`] without the inner service.
    Rejected,
}

impl<S, C> CircuitBreaker<S, C> {
    /// Wraps `inner`; the breaker and its clones share `circuit`.
    pub(crate) fn new(inner: S, circuit: Arc<Mutex<Circuit>>, classifier: C) -> Self {
        CircuitBreaker {
            inner,
            circuit,
            classifier,
            admission: None,
        }
    }

    /// The circuit's current state, shared with every clone (for metrics and tests).
    ///
    /// The move from `Open` to `HalfOpen` happens when a request arrives, so an open circuit
    /// whose `until` has passed still reports `Open` until then.
    pub fn state(&self) -> State {
        lock(&self.circuit).state()
    }
}

impl<S: Clone, C: Clone> Clone for CircuitBreaker<S, C> {
    fn clone(&self) -> Self {
        CircuitBreaker {
            inner: self.inner.clone(),
            circuit: Arc::clone(&self.circuit),
            classifier: self.classifier.clone(),
            // Readiness belongs to the service that was polled, not to its clones (as in
            // `LoadShed` and `ConcurrencyLimit`): a clone must call `poll_ready` itself.
            admission: None,
        }
    }
}

impl<S, C, Req> Service<Req> for CircuitBreaker<S, C>
where
    S: Service<Req>,
    C: Classify<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = Error<S::Error>;
    type Future = ResponseFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // TODO: when this returns `Ready` with `Ok`, `self.admission` holds the decision that
        // the next `call` acts on: rejected (the circuit is open), or admitted with its `Ticket`
        // AND an inner service that is ready for that call. The README's readiness contract: an
        // open circuit is `Ready` with `Ok`, never `Err`; the circuit is asked before the inner
        // service, which an open breaker never polls. When the inner service is `Pending` or its
        // readiness fails (`Error::Inner`, not a counted failure: nothing was sent), no decision is
        // kept. A decision already kept survives a second `poll_ready`. Pitfalls: keeping the
        // admission before the inner service is ready; holding the circuit's lock while polling
        // the inner service.
        todo!("CircuitBreaker::poll_ready: admit or reject the next request")
    }

    fn call(&mut self, req: Req) -> Self::Future {
        // TODO: the decision `poll_ready` kept serves this request and no other. A rejected
        // request gets a future that fails fast, and the inner service never sees it; an
        // admitted one goes to the inner service, and its future reports the outcome under the
        // admission's ticket. No decision means the caller broke tower's contract (`call`
        // without `poll_ready`): panic, as tower's own services do.
        todo!("CircuitBreaker::call: send the request, or fail fast")
    }
}

/// Locks the circuit. The lock is only ever held for a few synchronous lines (never across an
/// `.await` or a call into the inner service), and a panic while holding it cannot leave a
/// `Circuit` half-updated, so a poisoned lock is simply taken over.
pub(crate) fn lock(circuit: &Mutex<Circuit>) -> MutexGuard<'_, Circuit> {
    circuit.lock().unwrap_or_else(PoisonError::into_inner)
}
