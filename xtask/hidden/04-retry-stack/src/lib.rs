//! Hidden tests of exercise 04 (the retry + circuit breaker stack), run by `cargo xtask check`.
//!
//! Each test pins one rule of the exercise's README (`exercises/04-retry-stack/README.md`, "The
//! policy" and "Predict, then observe"), and its failure message says what was expected, what
//! happened and which rule it is about. Every test starts by building its service with the
//! exercise's policy or stack functions (or by asking the policy directly), so on an untouched
//! exercise each one stops at a `todo!()`.
//!
//! The backend is a scripted service that records the instant of every attempt, and time is
//! Tokio's paused clock: the backoff sleeps take no real time, and the paused clock's
//! auto-advance makes their instants exact. No test sleeps.

#[cfg(feature = "solution")]
pub use solution as graded;

#[cfg(all(feature = "exercise", not(feature = "solution")))]
pub use exercise as graded;

#[cfg(not(any(feature = "exercise", feature = "solution")))]
compile_error!("enable the `exercise` (default) or the `solution` feature");

#[cfg(test)]
mod support;

#[cfg(test)]
mod attempts;
#[cfg(test)]
mod backoff;
#[cfg(test)]
mod breaker_outside;
#[cfg(test)]
mod budget;
#[cfg(test)]
mod retry_outside;
#[cfg(test)]
mod transient;
