//! The response future: it reports the request's outcome to the circuit.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use tokio::time::Instant;

use crate::classify::Classify;
use crate::error::Error;
use crate::service::lock;
use crate::state::{Circuit, Ticket};

pin_project! {
    /// The future of a [`CircuitBreaker`](crate::CircuitBreaker)'s `call`.
    ///
    /// Either the inner service's future, whose outcome it records in the circuit when it
    /// completes, or an immediate [`Error::Open`].
    pub struct ResponseFuture<F, C> {
        #[pin]
        kind: Kind<F, C>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, C> {
        /// The request was admitted and sent to the inner service.
        Called {
            #[pin]
            future: F,
            ticket: Ticket,
            circuit: Arc<Mutex<Circuit>>,
            classifier: C,
        },
        /// The circuit was open: the inner service was not called.
        Open,
    }
}

impl<F, C> ResponseFuture<F, C> {
    /// The inner service's `future`; its outcome is reported to `circuit` with `ticket`.
    pub(crate) fn called(
        future: F,
        ticket: Ticket,
        circuit: Arc<Mutex<Circuit>>,
        classifier: C,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Called {
                future,
                ticket,
                circuit,
                classifier,
            },
        }
    }

    /// A future that resolves at once to [`Error::Open`].
    pub(crate) fn open() -> Self {
        ResponseFuture { kind: Kind::Open }
    }
}

impl<F, C, Res, E> Future for ResponseFuture<F, C>
where
    F: Future<Output = Result<Res, E>>,
    C: Classify<Res, E>,
{
    type Output = Result<Res, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // BEGIN SOLUTION
        match self.project().kind.project() {
            KindProj::Open => Poll::Ready(Err(Error::Open)),
            KindProj::Called {
                future,
                ticket,
                circuit,
                classifier,
            } => {
                let outcome = ready!(future.poll(cx));
                // Classify before locking: the classifier is the user's code.
                let failed = classifier.is_failure(&outcome);
                // The time the outcome is known: a failed probe re-opens from here.
                let now = Instant::now();
                {
                    let mut circuit = lock(circuit);
                    if failed {
                        circuit.on_failure(*ticket, now);
                    } else {
                        circuit.on_success(*ticket);
                    }
                }
                Poll::Ready(outcome.map_err(Error::Inner))
            }
        }
        // END SOLUTION
        // EXERCISE: // TODO: when this returns `Ready`, the caller gets what it would have got without the
        // EXERCISE: // breaker (its error wrapped as `Error::Inner`), or `Error::Open` at once for a
        // EXERCISE: // request the circuit rejected; and the circuit has heard of an admitted request's
        // EXERCISE: // outcome exactly once, under that request's `Ticket`, judged by the classifier, at the
        // EXERCISE: // time the outcome became known (the README: read the time with Tokio's clock).
        // EXERCISE: // While the inner future is `Pending`, nothing is reported. Pitfalls: the classifier is
        // EXERCISE: // the user's code, keep it out of the lock; never hold the lock across a poll.
        // EXERCISE: todo!("ResponseFuture::poll: record the outcome in the circuit")
    }
}
