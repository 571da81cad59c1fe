//! The [`Service`]: admission in `poll_ready`, the answer in `call`.

use std::sync::Arc;
use std::task::{Context, Poll};

use tower::Service;

use crate::classify::{Classify, ErrorsAsFailures};
use crate::error::Error;
use crate::future::ResponseFuture;
use crate::metrics::Metrics;
use crate::shared::{Admission, Shared};
use crate::state::State;

/// A circuit breaker around the service `S`; `C` classifies the outcomes (see [`Classify`]).
///
/// Made by [`CircuitBreakerLayer`](crate::CircuitBreakerLayer). Its clones share one circuit
/// and, while it is half-open, one [`Probe`](crate::Probe).
#[derive(Debug)]
pub struct CircuitBreaker<S, C = ErrorsAsFailures> {
    inner: S,
    shared: Arc<Shared>,
    classifier: C,
    /// What `poll_ready` decided for the next request (possibly holding the probe), kept until
    /// `call` takes it. Dropping the service drops it, which releases a probe it holds.
    admission: Option<Admission>,
}

impl<S, C> CircuitBreaker<S, C> {
    /// Wraps `inner`; the breaker and its clones share `shared`.
    pub(crate) fn new(inner: S, shared: Arc<Shared>, classifier: C) -> Self {
        CircuitBreaker {
            inner,
            shared,
            classifier,
            admission: None,
        }
    }

    /// The circuit's current state, shared with every clone (for metrics and tests).
    ///
    /// The move from `Open` to `HalfOpen` happens when a request arrives, so an open circuit
    /// whose `until` has passed still reports `Open` until then.
    pub fn state(&self) -> State {
        self.shared.state()
    }

    /// The breaker's [`Metrics`]: its state, its transitions by kind and the requests it failed
    /// fast, shared with every clone (export them per backend).
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics()
    }
}

impl<S: Clone, C: Clone> Clone for CircuitBreaker<S, C> {
    fn clone(&self) -> Self {
        CircuitBreaker {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
            classifier: self.classifier.clone(),
            // Readiness belongs to the service that was polled, not to its clones (as in
            // `LoadShed` and `ConcurrencyLimit`): a clone must call `poll_ready` itself. Above
            // all, a clone must not hold a second probe.
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

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Admitted already: keep the decision (and the probe it may hold) until `call`. Asking
        // the circuit again would take a second probe, or find the first one taken.
        if self.admission.is_none() {
            // The circuit first: an open breaker must not wait on (or even poll) a backend.
            // Closed, the decision is written in place; an `Admission` built elsewhere and
            // moved in is stored in two halves and loaded back whole at once, which stalls the
            // processor (about 6 ns per awaited call). Any other state asks `Shared::admit`.
            match self.shared.closed_ticket() {
                Some(ticket) => self.admission = Some(Admission::Admitted(ticket)),
                None => self.admission = Some(self.shared.admit()),
            }
        }
        if matches!(self.admission, Some(Admission::Rejected)) {
            // Ready: `call` fails fast, whatever the inner service says. An `Err` here would
            // tell the layers above that this service is dead for good, when it is only open
            // for a while.
            return Poll::Ready(Ok(()));
        }
        match self.inner.poll_ready(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            // The inner service was not asked to serve a request, so nothing is counted, and the
            // admission is dropped here: the probe is given back, for a caller whose
            // backend is ready (unlike `ConcurrencyLimit`, which keeps its permit while it
            // waits, a breaker that holds the probe while it waits tests nothing and fails
            // everyone else). The next `poll_ready` asks the circuit again.
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
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        // The closed path reads the ticket where `poll_ready` wrote it (a `Ticket` is `Copy`)
        // rather than moving the whole admission out first (see `poll_ready`).
        if let Some(Admission::Admitted(ticket)) = self.admission {
            self.admission = None;
            return ResponseFuture::called(
                self.inner.call(req),
                ticket,
                Arc::clone(&self.shared),
                self.classifier.clone(),
            );
        }
        match self.admission.take() {
            Some(Admission::Probe(probe)) => {
                // TODO: this request holds the probe. When this returns, the request is on its
                // way to the inner service and the probe rides in the response future it returns
                // (`ResponseFuture::probe`), out for exactly as long as the request is in flight.
                // The pitfall: a probe dropped here is given back at once, with its request
                // still in flight, and the next caller sends a second one.
                todo!("CircuitBreaker::call: send the probe, and carry it into the future")
            }
            Some(Admission::Rejected) => ResponseFuture::open(),
            Some(Admission::Admitted(_)) => unreachable!("an admitted request is sent above"),
            None => panic!("CircuitBreaker::call without a successful poll_ready before it"),
        }
    }
}
