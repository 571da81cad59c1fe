//! What a dashboard reads from a breaker: its state, its transitions by kind, the requests it
//! failed fast. Given code: nothing to write here.
//!
//! The counters live in the state the clones share, so [`CircuitBreaker::metrics`] on any clone
//! reads the same breaker. They cost nothing on the closed hot path: a transition is counted in
//! `Shared::update`, under the lock it already holds, and a rejection on the fast-fail path.
//! Each count is one `Relaxed` increment of its own `AtomicU64` (a counter needs no ordering
//! with anything else), no lock and no allocation.
//!
//! [`CircuitBreaker::metrics`]: crate::CircuitBreaker::metrics

use std::sync::atomic::{AtomicU64, Ordering};

use crate::state::State;

/// A snapshot of a breaker's metrics: export the counters as monotonic counters and the state
/// as a gauge, per backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    /// The state when the snapshot was taken.
    pub state: State,
    /// Transitions to `Open`: from `Closed` (the threshold reached) or from `HalfOpen` (the probe
    /// failed). Alert on these when they come often.
    pub opened: u64,
    /// Transitions from `Open` to `HalfOpen` (the first request after the open period).
    pub half_opened: u64,
    /// Transitions from `HalfOpen` to `Closed` (the probe succeeded).
    pub closed: u64,
    /// Requests answered `Error::Open` without reaching the backend: open, or half-open with the
    /// probe already out.
    pub rejected: u64,
}

/// The shared counters behind [`Metrics`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    opened: AtomicU64,
    half_opened: AtomicU64,
    closed: AtomicU64,
    rejected: AtomicU64,
}

impl Counters {
    /// The circuit entered `state` (a new epoch began).
    pub(crate) fn entered(&self, state: State) {
        let counter = match state {
            State::Open { .. } => &self.opened,
            State::HalfOpen => &self.half_opened,
            State::Closed { .. } => &self.closed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A request was failed fast.
    pub(crate) fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(&self, state: State) -> Metrics {
        Metrics {
            state,
            opened: self.opened.load(Ordering::Relaxed),
            half_opened: self.half_opened.load(Ordering::Relaxed),
            closed: self.closed.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
        }
    }
}
