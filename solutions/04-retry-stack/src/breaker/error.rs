//! The breaker's error: the circuit was open, or the inner service failed.

use std::fmt;

/// The error of a [`CircuitBreaker`](crate::breaker::CircuitBreaker).
///
/// The two cases stay apart so that the layers around the breaker can tell them apart: a retry
/// policy must not retry [`Error::Open`] (the circuit will still be open), and a caller may
/// want to answer "503, try later" for it but pass the inner error on.
///
/// When `E` is a `std::error::Error + Send + Sync + 'static`, so is `Error<E>`: it converts into a
/// [`tower::BoxError`] with `?` or `.into()` (and `downcast_ref::<Error<E>>()` gets it back), and
/// [`source`](std::error::Error::source) returns the inner error.
///
/// A `BoxError` itself is not a `std::error::Error` (a limitation of the standard library), so
/// neither is `Error<BoxError>`: to put a breaker around a service whose error is boxed, map that
/// error to a concrete type first (for instance with `tower::util::MapErr`).
#[derive(Debug)]
pub enum Error<E> {
    /// The circuit was open: the request was not sent to the inner service.
    Open,
    /// The inner service failed (in `poll_ready` or in its response future).
    Inner(E),
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The inner error is not repeated here: `source()` returns it, and error reporters
        // print the whole chain.
        match self {
            Error::Open => f.write_str("the circuit breaker is open: the request was not sent"),
            Error::Inner(_) => f.write_str("the service behind the circuit breaker failed"),
        }
    }
}

impl<E> std::error::Error for Error<E>
where
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Open => None,
            Error::Inner(e) => Some(e),
        }
    }
}
