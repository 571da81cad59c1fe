//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through, and
//! the slot it is taken from.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;

use crate::breaker::shared::Shared;
use crate::breaker::state::{Circuit, State, Ticket};

/// The right to send the one request a half-open circuit lets through: the probe.
///
/// It works like the semaphore permit of tower's `ConcurrencyLimit`, with room for one:
///
/// * **taken in `poll_ready`**, when the circuit is half-open and no probe is out (every other
///   caller is answered [`Error::Open`](crate::breaker::Error::Open) by its `call`);
/// * **moved by `call` into the response future**, so that it stays out for as long as the
///   request is in flight;
/// * **settled when the request completes**: its outcome decides the half-open period (success
///   closes the circuit, failure re-opens it), which also closes the slot. The probe stays in
///   its future until that is dropped;
/// * **released by `Drop`** if it is abandoned first: the service that holds it is dropped
///   before `call`, the response future is dropped before the request completes, or the inner
///   service turns out not to be ready. An abandoned probe gives no verdict: the circuit stays
///   half-open and the next caller may probe at once.
///
/// The probe remembers the epoch of the half-open period that handed it out, and only ever
/// frees the slot of *that* period. Releasing is thus harmless after a verdict, however late:
/// it can never free the probe of a newer period.
#[derive(Debug)]
#[must_use = "a probe that is dropped is released at once: keep it until the request completes"]
pub struct Probe {
    shared: Arc<Shared>,
    /// The ticket of the half-open period that handed out the probe.
    ticket: Ticket,
}

/// What [`Probe::reserve`] found in the slot.
#[derive(Debug)]
pub(crate) enum Reservation {
    /// The circuit is half-open, and this caller took the probe.
    Probe(Probe),
    /// The circuit is half-open, and another request holds the probe: fail fast.
    Busy,
    /// The circuit is not half-open: ask the circuit, under its lock.
    NotHalfOpen,
}

// The probe slot is one `AtomicU64` (`Shared::probe`). While the circuit is half-open in epoch
// `e`, it holds `free(e)` or `taken(e)`; otherwise it holds `NOT_HALF_OPEN`. Only
// `Shared::update` (under the lock) opens and closes it, with the state, in `follow`. Without
// the lock, a caller can only flip `free(e)` to `taken(e)` (`reserve`) and a probe back
// (`release`), both with a compare-and-swap on the whole word, epoch included.

/// The slot's word while the circuit is not half-open. (No epoch gets anywhere near it.)
pub(crate) const NOT_HALF_OPEN: u64 = u64::MAX;

/// The slot's word when the probe of half-open epoch `epoch` is free.
pub(crate) fn free(epoch: u64) -> u64 {
    epoch << 1
}

/// The slot's word when the probe of half-open epoch `epoch` is out.
pub(crate) fn taken(epoch: u64) -> u64 {
    epoch << 1 | 1
}

/// A slot's word, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    NotHalfOpen,
    /// Half-open in this epoch, the probe is free.
    Free(u64),
    /// Half-open, the probe is out.
    Taken,
}

impl Slot {
    pub(crate) fn decode(word: u64) -> Slot {
        match word {
            NOT_HALF_OPEN => Slot::NotHalfOpen,
            _ if word & 1 == 0 => Slot::Free(word >> 1),
            _ => Slot::Taken,
        }
    }
}

/// Makes the slot follow the circuit; called by `Shared::update`, under the lock, after every
/// change. Entering half-open opens the slot (free) for the new epoch; leaving it closes the
/// slot. A slot already open for the current epoch is left alone: it may be taken.
///
/// Plain stores are enough: without the lock, the slot only ever changes by a compare-and-swap
/// from a half-open word, and half-open ends only with the verdict of the probe, which holds
/// the slot until then. So no swap can be lost between the load and the store here.
pub(crate) fn follow(slot: &AtomicU64, circuit: &Circuit) {
    if circuit.state() != State::HalfOpen {
        slot.store(NOT_HALF_OPEN, Ordering::Release);
    } else if Slot::decode(slot.load(Ordering::Relaxed)) == Slot::NotHalfOpen {
        slot.store(free(circuit.epoch()), Ordering::Release);
    }
}

impl Probe {
    /// Takes the probe if the circuit is half-open and the probe is free. Without the lock: any
    /// number of clones, tasks and threads may call this at the same moment.
    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        let word = shared.probe.load(Ordering::Acquire);
        match Slot::decode(word) {
            Slot::NotHalfOpen => Reservation::NotHalfOpen,
            Slot::Taken => Reservation::Busy,
            // Free -> ours, in one indivisible step: of two callers that read `free` here,
            // exactly one swaps it. The word holds the epoch, so the swap also fails if this
            // half-open period has ended since the load.
            Slot::Free(epoch) => {
                match shared.probe.compare_exchange(
                    word,
                    taken(epoch),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => Reservation::Probe(Probe {
                        shared: Arc::clone(shared),
                        ticket: Ticket::issued_in(epoch),
                    }),
                    // Another caller took it first (the slot was `taken` at some point since
                    // the load: answering `Busy` is what it would have been a moment earlier).
                    Err(_) => Reservation::Busy,
                }
            }
        }
    }

    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period. The probe stays where it is (in the response future) until it is
    /// dropped; by then the slot has moved on, and `Drop` leaves it alone.
    pub(crate) fn settle(&self, failed: bool) {
        let now = Instant::now();
        // The verdict moves the circuit out of half-open, and `update` closes the slot in the
        // same critical section: no second probe can slip in between.
        self.shared.update(|circuit| {
            if failed {
                circuit.on_failure(self.ticket, now);
            } else {
                circuit.on_success(self.ticket);
            }
        });
    }

    /// Gives the probe back if the slot still holds it: same half-open period, still taken.
    /// Harmless when repeated or late: once the period is over, the slot holds another word.
    fn release(&self) {
        // Ours -> free. If the slot holds anything else, this probe was settled (its period is
        // over): a plain `store` here could free the probe of a newer period, taken by another
        // request in the meantime.
        let epoch = self.ticket.epoch();
        let _ = self.shared.probe.compare_exchange(
            taken(epoch),
            free(epoch),
            Ordering::Release,
            Ordering::Relaxed,
        );
    }
}

impl Drop for Probe {
    /// An abandoned probe (its service or its response future dropped first) gives no verdict:
    /// it only frees the slot. Without the lock: a cancelled probe never waits, and a probe
    /// dropped where the lock is held cannot deadlock.
    fn drop(&mut self) {
        self.release();
    }
}
