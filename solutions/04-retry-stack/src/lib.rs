//! Retries and a circuit breaker, stacked: a [`RetryPolicy`] for tower's `Retry`, and the two
//! orders of the stack ([`breaker_outside_retry`], [`retry_outside_breaker`]) to compare them.
//!
//! The breaker itself (`src/breaker/`) is the one of exercise 03, solved (exactly one half-open
//! probe at a time); this crate uses it through its public API only.
//!
//! # Why it is built this way
//!
//! * **The breaker goes outside the retry** ([`breaker_outside_retry`]). The breaker then sees one
//!   outcome per logical request, the one the caller gets, however many attempts the retry made;
//!   and once the circuit is open a request is answered `Error::Open` before the retry sees it,
//!   so the backend that is down gets no attempt at all. The other order
//!   ([`retry_outside_breaker`]) counts every attempt: a single logical request can open the
//!   circuit by itself, and the caller then gets `Error::Open` for a request that was sent.
//! * **Only transient errors are retried** ([`Transient`]), the same ones that trip the breaker
//!   when it is given [`TransientErrors`]: a "bad request" fails the same way every time, and
//!   [`Error::Open`] is never retried (the circuit outlives any backoff).
//! * **`max_attempts` counts every attempt**, the first one included, and a request that cannot
//!   be cloned ([`TryClone`]) is sent once: tower's `Retry` retries only when
//!   `Policy::clone_request` gave it a copy.
//! * **The backoff sleeps on the Tokio clock** ([`RetryConfig::backoff`]: exponential, capped):
//!   `Policy::retry` returns a `tokio::time::Sleep`, which `#[tokio::test(start_paused = true)]`
//!   moves without waiting.
//! * **The policy is cheap to clone**: `RetryLayer` clones it for every request, and that clone
//!   counts the request's attempts. The optional retry budget ([`RetryPolicy::with_budget`]) is
//!   behind an `Arc`, shared by all the clones. Nothing is boxed: the stack's types are spelled
//!   out, and its futures are tower's and the breaker's own.

mod breaker;
mod policy;
mod stack;
mod transient;

pub use crate::breaker::{
    Circuit, CircuitBreaker, CircuitBreakerLayer, Classify, Config, Error, ErrorsAsFailures,
    HttpClassifier, Metrics, Probe, ResponseFuture, State, Ticket,
};
pub use crate::policy::{RetryConfig, RetryPolicy, TryClone};
pub use crate::stack::{breaker_outside_retry, retry_outside_breaker};
pub use crate::transient::{Transient, TransientErrors};
