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
        // BEGIN SOLUTION
        let ticket = match self.admission {
            // Decided already: keep the decision until `call` takes it.
            Some(Admission::Rejected) => return Poll::Ready(Ok(())),
            Some(Admission::Admitted(ticket)) => ticket,
            None => {
                // The circuit first: an open breaker must not wait on (or even poll) a backend.
                let decision = lock(&self.circuit).admit(Instant::now());
                match decision {
                    Some(ticket) => ticket,
                    None => {
                        // Ready: `call` fails fast. An `Err` here would tell the layers above
                        // that this service is dead for good (`Buffer` would fail every later
                        // request), when it is only open for a while.
                        self.admission = Some(Admission::Rejected);
                        return Poll::Ready(Ok(()));
                    }
                }
            }
        };
        match self.inner.poll_ready(cx) {
            Poll::Ready(Ok(())) => {
                self.admission = Some(Admission::Admitted(ticket));
                Poll::Ready(Ok(()))
            }
            // The inner service was not asked to serve a request, so nothing is counted: the
            // ticket is dropped and the next `poll_ready` asks the circuit again. A waiting task
            // thus sees the circuit as it is when its request can leave.
            Poll::Ready(Err(e)) => {
                self.admission = None;
                Poll::Ready(Err(Error::Inner(e)))
            }
            // The inner service has registered `cx`'s waker and will wake the task.
            Poll::Pending => {
                self.admission = None;
                Poll::Pending
            }
        }
        // END SOLUTION
        // EXERCISE: // TODO: when this returns `Ready` with `Ok`, `self.admission` holds the decision that
        // EXERCISE: // the next `call` acts on: rejected (the circuit is open), or admitted with its `Ticket`
        // EXERCISE: // AND an inner service that is ready for that call. The README's readiness contract: an
        // EXERCISE: // open circuit is `Ready` with `Ok`, never `Err`; the circuit is asked before the inner
        // EXERCISE: // service, which an open breaker never polls. When the inner service is `Pending` or its
        // EXERCISE: // readiness fails (`Error::Inner`, not a counted failure: nothing was sent), no decision is
        // EXERCISE: // kept. A decision already kept survives a second `poll_ready`. Pitfalls: keeping the
        // EXERCISE: // admission before the inner service is ready; holding the circuit's lock while polling
        // EXERCISE: // the inner service.
        // EXERCISE: todo!("CircuitBreaker::poll_ready: admit or reject the next request")
    }

    fn call(&mut self, req: Req) -> Self::Future {
        // BEGIN SOLUTION
        match self.admission.take() {
            Some(Admission::Admitted(ticket)) => ResponseFuture::called(
                self.inner.call(req),
                ticket,
                Arc::clone(&self.circuit),
                self.classifier.clone(),
            ),
            Some(Admission::Rejected) => ResponseFuture::open(),
            None => panic!("CircuitBreaker::call without a successful poll_ready before it"),
        }
        // END SOLUTION
        // EXERCISE: // TODO: the decision `poll_ready` kept serves this request and no other. A rejected
        // EXERCISE: // request gets a future that fails fast, and the inner service never sees it; an
        // EXERCISE: // admitted one goes to the inner service, and its future reports the outcome under the
        // EXERCISE: // admission's ticket. No decision means the caller broke tower's contract (`call`
        // EXERCISE: // without `poll_ready`): panic, as tower's own services do.
        // EXERCISE: todo!("CircuitBreaker::call: send the request, or fail fast")
    }
}

/// Locks the circuit. The lock is only ever held for a few synchronous lines (never across an
/// `.await` or a call into the inner service), and a panic while holding it cannot leave a
/// `Circuit` half-updated, so a poisoned lock is simply taken over.
pub(crate) fn lock(circuit: &Mutex<Circuit>) -> MutexGuard<'_, Circuit> {
    circuit.lock().unwrap_or_else(PoisonError::into_inner)
}
