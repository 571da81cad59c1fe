//! Exercise 03 written with a one-permit `tokio::sync::Semaphore` (see
//! `xtask/tests/designs.rs`: the hidden tests must pass it, like the reference's atomic slot).

use std::sync::Arc;

use tokio::time::Instant;

use crate::shared::Shared;
use crate::state::{Circuit, State, Ticket};
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{OwnedSemaphorePermit, Semaphore};

/// `ProbeGate::half_open` while the circuit is not half-open.
const NOT_HALF_OPEN: u64 = u64::MAX;

#[derive(Debug)]
pub(crate) struct ProbeGate {
    /// One permit: the probe.
    permit: Arc<Semaphore>,
    /// The epoch of the current half-open period, or `NOT_HALF_OPEN`; stored by `follow`.
    half_open: AtomicU64,
}

#[derive(Debug)]
#[must_use = "a probe that is dropped is given back at once: keep it until the request completes"]
pub struct Probe {
    shared: Arc<Shared>,
    ticket: Ticket,
    /// Given back by `settle`, right after the verdict, or on drop.
    permit: Option<OwnedSemaphorePermit>,
}

#[derive(Debug)]
pub(crate) enum Reservation {
    Probe(Probe),
    Busy,
    NotHalfOpen,
}

impl ProbeGate {
    pub(crate) fn new() -> Self {
        ProbeGate {
            permit: Arc::new(Semaphore::new(1)),
            half_open: AtomicU64::new(NOT_HALF_OPEN),
        }
    }

    pub(crate) fn follow(&self, circuit: &Circuit) {
        let epoch = match circuit.state() {
            State::HalfOpen => circuit.epoch(),
            _ => NOT_HALF_OPEN,
        };
        self.half_open.store(epoch, Ordering::Release);
    }

    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        let gate = &shared.gate;
        let epoch = gate.half_open.load(Ordering::Acquire);
        if epoch == NOT_HALF_OPEN {
            return Reservation::NotHalfOpen;
        }
        let Ok(permit) = Arc::clone(&gate.permit).try_acquire_owned() else {
            return Reservation::Busy;
        };
        // The permit is ours; is the period we read still on? Only its probe's verdict ends
        // it, and that probe held the permit: if the epoch is the same now, it is not over.
        if gate.half_open.load(Ordering::Acquire) != epoch {
            return Reservation::Busy;
        }
        Reservation::Probe(Probe {
            shared: Arc::clone(shared),
            ticket: Ticket::issued_in(epoch),
            permit: Some(permit),
        })
    }
}

impl Probe {
    pub(crate) fn settle(&mut self, failed: bool) {
        let now = Instant::now();
        self.shared.update(|circuit| {
            if failed {
                circuit.on_failure(self.ticket, now);
            } else {
                circuit.on_success(self.ticket);
            }
        });
        // After the verdict, not before: the next period's probe must not wait for this
        // future to be dropped.
        self.permit = None;
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        // The permit, if still held, goes back by itself.
    }
}
