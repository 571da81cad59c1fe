//! Hidden tests of exercise 02 (the circuit breaker as a Tower Layer), run by `cargo xtask check`.
//!
//! Each test pins one rule of the exercise's README (`exercises/02-breaker-layer/README.md`:
//! the readiness contract and the rules under it, with exercise 01's transition table), and its
//! failure message says what was expected, what happened and which rule it is about. Every test
//! starts by building a breaker with `CircuitBreakerLayer::layer` (or by classifying an outcome),
//! so on an untouched exercise each one stops at a `todo!()`. The backend is a
//! `tower_test::mock`, and time is Tokio's paused clock: no test sleeps. The readiness tests poll
//! through `tokio_test::task`, which sees whether the task was woken.

#[cfg(feature = "solution")]
pub use solution as graded;

#[cfg(all(feature = "exercise", not(feature = "solution")))]
pub use exercise as graded;

#[cfg(not(any(feature = "exercise", feature = "solution")))]
compile_error!("enable the `exercise` (default) or the `solution` feature");

#[cfg(test)]
mod support;

#[cfg(test)]
mod classify;
#[cfg(test)]
mod closed;
#[cfg(test)]
mod errors;
#[cfg(test)]
mod half_open;
#[cfg(test)]
mod open;
#[cfg(test)]
mod sharing;
#[cfg(test)]
mod stale;
