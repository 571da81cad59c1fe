//! Which errors are worth another attempt.
//!
//! A retry helps only when the next attempt may go differently: a refused connection, a timeout,
//! a "503 Service Unavailable". A "400 Bad Request" or a "404 Not Found" fails the same way every
//! time, so retrying it only adds load. And [`Error::Open`] is never worth a retry: the circuit
//! stays open for its whole `open_duration`, far longer than any backoff.

use crate::breaker::{Classify, Error};

/// An error that says whether another attempt may succeed.
///
/// [`RetryPolicy`](crate::RetryPolicy) retries exactly the errors for which this is `true`.
/// Implement it for your backend's error type:
///
/// ```
/// use solution_04_retry_stack::Transient;
///
/// enum MyError { ConnectionRefused, TimedOut, Unavailable, BadRequest }
///
/// impl Transient for MyError {
///     fn is_transient(&self) -> bool {
///         matches!(self, MyError::ConnectionRefused | MyError::TimedOut | MyError::Unavailable)
///     }
/// }
///
/// assert!(MyError::TimedOut.is_transient());
/// assert!(!MyError::BadRequest.is_transient());
/// ```
///
/// With the retry outside the breaker, the policy sees the breaker's [`Error`]: its implementation
/// below asks the inner error, and never retries [`Error::Open`].
pub trait Transient {
    /// `true` if another attempt of the same request may succeed.
    fn is_transient(&self) -> bool;
}

impl<E: Transient> Transient for Error<E> {
    fn is_transient(&self) -> bool {
        // BEGIN SOLUTION
        match self {
            // The circuit stays open for `open_duration`: retrying only delays the fast failure
            // the breaker exists for (and a wait that outlasts the open period would turn the
            // retry into the half-open probe, sent by a caller that has already given up once).
            Error::Open => false,
            Error::Inner(e) => e.is_transient(),
        }
        // END SOLUTION
        // EXERCISE: // TODO: `true` exactly when another attempt of the same request may go differently.
        // EXERCISE: // README rule: `Error::Open` is never retried (the circuit stays open for its whole
        // EXERCISE: // `open_duration`, far longer than any backoff); for the backend's own error, the
        // EXERCISE: // backend's error type knows best.
        // EXERCISE: todo!("Transient for Error<E>: may another attempt succeed?")
    }
}

/// A breaker classifier that counts exactly the transient errors as failures.
///
/// Give it to the breaker (`CircuitBreakerLayer::with_classifier(TransientErrors)`) so that the
/// breaker and the retry agree: what is worth a retry is what says "the backend is unwell", and a
/// "bad request" neither trips the breaker nor is retried.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransientErrors;

impl<Res, E: Transient> Classify<Res, E> for TransientErrors {
    fn is_failure(&self, outcome: &Result<Res, E>) -> bool {
        matches!(outcome, Err(e) if e.is_transient())
    }
}
