//! The response future: it reports the request's outcome to the circuit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::breaker::classify::Classify;
use crate::breaker::error::Error;
use crate::breaker::probe::Probe;
use crate::breaker::shared::Shared;
use crate::breaker::state::Ticket;

pin_project! {
    /// The future of a [`CircuitBreaker`](crate::breaker::CircuitBreaker)'s `call`.
    ///
    /// The inner service's future, whose outcome it records in the circuit when it completes;
    /// the same for the half-open probe, which it holds while the request is in flight; or an
    /// immediate [`Error::Open`].
    pub struct ResponseFuture<F, C> {
        #[pin]
        kind: Kind<F, C>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, C> {
        /// The circuit was closed: the request was admitted and sent to the inner service.
        Called {
            #[pin]
            future: F,
            ticket: Ticket,
            shared: Arc<Shared>,
            classifier: C,
        },
        /// The circuit was half-open and this request is its probe.
        Probe {
            // Declared before `probe`, so dropped before it (fields drop in declaration order):
            // the inner request is cancelled before the probe is handed to the next caller.
            #[pin]
            future: F,
            // Settled when the request completes, released (if still out) when dropped.
            probe: Probe,
            classifier: C,
        },
        /// The circuit was open: the inner service was not called.
        Open,
    }
}

impl<F, C> ResponseFuture<F, C> {
    /// The inner service's `future`; its outcome is reported to the circuit with `ticket`.
    pub(crate) fn called(future: F, ticket: Ticket, shared: Arc<Shared>, classifier: C) -> Self {
        ResponseFuture {
            kind: Kind::Called {
                future,
                ticket,
                shared,
                classifier,
            },
        }
    }

    /// The probe's `future`: its outcome settles `probe`; dropped before that, it releases it.
    pub(crate) fn probe(future: F, probe: Probe, classifier: C) -> Self {
        ResponseFuture {
            kind: Kind::Probe {
                future,
                probe,
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

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Open => Poll::Ready(Err(Error::Open)),
            KindProj::Called {
                future,
                ticket,
                shared,
                classifier,
            } => {
                let outcome = ready!(future.poll(cx));
                // Classify before locking: the classifier is the user's code.
                let failed = classifier.is_failure(&outcome);
                shared.record(*ticket, failed);
                Poll::Ready(outcome.map_err(Error::Inner))
            }
            KindProj::Probe {
                future,
                probe,
                classifier,
            } => {
                let outcome = ready!(future.poll(cx));
                let failed = classifier.is_failure(&outcome);
                probe.settle(failed);
                Poll::Ready(outcome.map_err(Error::Inner))
            }
        }
    }
}
