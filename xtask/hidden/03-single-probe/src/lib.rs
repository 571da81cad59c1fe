//! Hidden tests of exercise 03 (half-open with exactly one probe at a time), run by
//! `cargo xtask check`.
//!
//! Each test pins one single-probe behaviour of the exercise's README (its pitfalls), and its
//! failure message says what was expected, what happened and which rule it is about. Every test first opens the circuit and lets the open period pass (the closed path
//! of exercise 02, given), so its first request of interest is a half-open probe: on an
//! untouched exercise each one stops at a `todo!()` of the probe's gate. The backend is a
//! `tower_test::mock` and time is Tokio's paused clock, except in the stress test, which runs
//! on a multi-threaded runtime with an open duration of zero: no test sleeps.
//!
//! `races.rs` drives two or three callers through the interleavings of their steps, with the
//! scheduler of `interleave.rs` and the `interleave` feature of the graded crate (its `sync`
//! types call a hook before every operation): a race fails there on every run.

#[cfg(feature = "solution")]
pub use solution as graded;

#[cfg(all(feature = "exercise", not(feature = "solution")))]
pub use exercise as graded;

#[cfg(not(any(feature = "exercise", feature = "solution")))]
compile_error!("enable the `exercise` (default) or the `solution` feature");

#[cfg(test)]
mod interleave;
#[cfg(test)]
mod support;

#[cfg(test)]
mod abandon;
#[cfg(test)]
mod one_probe;
#[cfg(test)]
mod races;
#[cfg(test)]
mod stale;
#[cfg(test)]
mod stress;
#[cfg(test)]
mod verdict;
