//! Hidden tests of exercise 01 (the state machine), run by `cargo xtask check`.
//!
//! Each test pins one row of the transition table or one rule of the exercise's README
//! (`exercises/01-state-machine/README.md`), and its failure message says what was expected,
//! what happened and which rule it is about.

#[cfg(feature = "solution")]
pub use solution as graded;

#[cfg(all(feature = "exercise", not(feature = "solution")))]
pub use exercise as graded;

#[cfg(not(any(feature = "exercise", feature = "solution")))]
compile_error!("enable the `exercise` (default) or the `solution` feature");

#[cfg(test)]
mod support;

#[cfg(test)]
mod closed;
#[cfg(test)]
mod half_open;
#[cfg(test)]
mod in_flight;
#[cfg(test)]
mod open;
#[cfg(test)]
mod stale;
#[cfg(test)]
mod trace;
