//! The two orders of the stack, so that they can be compared.
//!
//! ```text
//! breaker_outside_retry:   caller ──▶ CircuitBreaker ──▶ Retry ──▶ backend
//! retry_outside_breaker:   caller ──▶ Retry ──▶ CircuitBreaker ──▶ backend
//! ```
//!
//! The function names say which layer is on the outside: the one the caller's request reaches
//! first.

use tower::ServiceBuilder;
use tower::retry::{Retry, RetryLayer};

use crate::breaker::{CircuitBreaker, CircuitBreakerLayer};
use crate::policy::RetryPolicy;

/// The recommended order: the breaker outside, the retry inside.
///
/// One logical request is one outcome for the breaker, however many attempts the retry makes,
/// and it is the outcome the caller gets (a success on the last attempt is a success). Once the
/// circuit is open, a request fails fast with `Error::Open` before the retry sees it: the backend
/// gets no attempt at all.
pub fn breaker_outside_retry<S, C: Clone>(
    backend: S,
    breaker: CircuitBreakerLayer<C>,
    retry: RetryPolicy,
) -> CircuitBreaker<Retry<RetryPolicy, S>, C> {
    // BEGIN SOLUTION
    ServiceBuilder::new()
        .layer(breaker)
        .layer(RetryLayer::new(retry))
        .service(backend)
    // END SOLUTION
    // EXERCISE: // TODO: `backend` wrapped in a `Retry` with this policy, wrapped in the breaker: the
    // EXERCISE: // return type says which service wraps which. `ServiceBuilder` composes layers; mind
    // EXERCISE: // which end of it is the outside.
    // EXERCISE: todo!("breaker_outside_retry: the breaker around the retry around the backend")
}

/// The other order, to compare: the retry outside, the breaker inside.
///
/// Every attempt is an outcome for the breaker, so one logical request can open the circuit by
/// itself. The policy never retries `Error::Open`: once the circuit is open, the next attempt
/// fails fast and the request ends there.
pub fn retry_outside_breaker<S, C: Clone>(
    backend: S,
    breaker: CircuitBreakerLayer<C>,
    retry: RetryPolicy,
) -> Retry<RetryPolicy, CircuitBreaker<S, C>> {
    // BEGIN SOLUTION
    ServiceBuilder::new()
        .layer(RetryLayer::new(retry))
        .layer(breaker)
        .service(backend)
    // END SOLUTION
    // EXERCISE: // TODO: the same three pieces, the other way round: the retry outside, so that every
    // EXERCISE: // attempt goes through the breaker.
    // EXERCISE: todo!("retry_outside_breaker: the retry around the breaker around the backend")
}
