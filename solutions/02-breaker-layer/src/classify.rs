//! Which outcomes count as failures of the backend.
//!
//! Not every error should trip the breaker. The circuit protects a backend that is degraded, so
//! only outcomes that say "the backend is unwell" count: a server error or a timeout does, a
//! "404 Not Found" or a "400 Bad Request" does not (the request was wrong, and sending it again
//! later fails the same way). And a response can be a failure: an HTTP client returns
//! `Ok(response)` for a 503.

use http::StatusCode;

/// Decides whether the outcome of a request counts as a failure of the backend.
///
/// The breaker asks once per request that reached the backend, when its response future
/// completes. The outcome itself is handed to the caller unchanged: the classifier only decides
/// what the breaker counts.
///
/// Any `Fn(&Result<Res, E>) -> bool` closure is a classifier. Name the argument's type, so that
/// the closure accepts a reference of any lifetime:
///
/// ```
/// use solution_02_breaker_layer::{CircuitBreakerLayer, Config};
///
/// // Only errors count, and not the "not found" ones.
/// let layer = CircuitBreakerLayer::new(Config::default())
///     .with_classifier(|outcome: &Result<String, std::io::Error>| {
///         matches!(outcome, Err(e) if e.kind() != std::io::ErrorKind::NotFound)
///     });
/// # let _ = layer;
/// ```
pub trait Classify<Res, E> {
    /// `true` if `outcome` counts towards opening the circuit, `false` if it counts as a success.
    fn is_failure(&self, outcome: &Result<Res, E>) -> bool;
}

impl<F, Res, E> Classify<Res, E> for F
where
    F: Fn(&Result<Res, E>) -> bool,
{
    fn is_failure(&self, outcome: &Result<Res, E>) -> bool {
        self(outcome)
    }
}

/// The default classifier: every `Err` is a failure, every `Ok` is a success.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorsAsFailures;

impl<Res, E> Classify<Res, E> for ErrorsAsFailures {
    fn is_failure(&self, outcome: &Result<Res, E>) -> bool {
        // BEGIN SOLUTION
        outcome.is_err()
        // END SOLUTION
        // EXERCISE: // TODO: the default classifier. The breaker protects the caller from a backend that
        // EXERCISE: // does not answer: which of the two sides of the outcome says so?
        // EXERCISE: todo!("ErrorsAsFailures::is_failure: is this outcome a failure?")
    }
}

/// A classifier for HTTP clients (`Response = http::Response<B>`), after the lesson's table:
///
/// | outcome                                             | failure? |
/// |-----------------------------------------------------|----------|
/// | `Err(_)`: connection refused or reset, timed out    | yes      |
/// | `Ok` with a server error (5xx: 500, 502, 503, 504)  | yes      |
/// | `Ok` with `408 Request Timeout`                     | yes      |
/// | `Ok` with any other client error (400, 404, ...)    | no       |
/// | `Ok` with 1xx, 2xx or 3xx                           | no       |
///
/// An `Err` from an HTTP client means no answer came back (the transport failed or the request
/// timed out), which is exactly what a breaker is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpClassifier;

impl<B, E> Classify<http::Response<B>, E> for HttpClassifier {
    fn is_failure(&self, outcome: &Result<http::Response<B>, E>) -> bool {
        // BEGIN SOLUTION
        match outcome {
            Err(_) => true,
            Ok(response) => {
                let status = response.status();
                status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
            }
        }
        // END SOLUTION
        // EXERCISE: // TODO: the answer follows the table above (the README's rule on HTTP): a failure is
        // EXERCISE: // an outcome that says the backend is unwell, not one that says the caller asked badly.
        // EXERCISE: // Pitfall: a 503 arrives as an `Ok`, and one client error (408) is the backend's fault.
        // EXERCISE: // `http::StatusCode` can tell you the class of a status code.
        // EXERCISE: todo!("HttpClassifier::is_failure: is this HTTP outcome a failure?")
    }
}
