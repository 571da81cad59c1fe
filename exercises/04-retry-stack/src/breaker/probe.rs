//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through, and
//! the [`ProbeGate`] that hands it out.

use std::sync::Arc;

use tokio::time::Instant;

use crate::breaker::shared::Shared;
use crate::breaker::state::{Circuit, State, Ticket};
use crate::breaker::sync::atomic::{AtomicU64, Ordering};

/// Where the one probe of a breaker lives, shared by all its clones (it is a field of
/// `Shared`, behind the same `Arc` as the circuit). How it works is the design question of
/// exercise 03.
#[derive(Debug)]
pub(crate) struct ProbeGate {
    /// The probe slot: free(e) or taken(e) while the circuit is half-open in epoch `e`,
    /// `NOT_HALF_OPEN` otherwise. Opened and closed under the circuit's lock, by `follow`;
    /// taken and given back without it, by compare-and-swap.
    slot: AtomicU64,
}

/// The right to send the one request a half-open circuit lets through: the probe.
///
/// It works like the semaphore permit of tower's `ConcurrencyLimit`, with room for one:
///
/// * **taken in `poll_ready`**, when the circuit is half-open and no probe is out (every other
///   caller is answered [`Error::Open`](crate::breaker::Error::Open) by its `call`);
/// * **moved by `call` into the response future**, so that it stays out for as long as the
///   request is in flight;
/// * **settled when the request completes**: its outcome decides the half-open period (success
///   closes the circuit, failure re-opens it). The probe stays in its future until that is
///   dropped;
/// * **given back by `Drop`** if it is abandoned first: the service that holds it is dropped
///   before `call`, the response future is dropped before the request completes, or the inner
///   service turns out not to be ready. An abandoned probe gives no verdict: the circuit stays
///   half-open and the next caller may probe at once.
#[derive(Debug)]
#[must_use = "a probe that is dropped is given back at once: keep it until the request completes"]
pub struct Probe {
    shared: Arc<Shared>,
    /// The ticket of the half-open period that handed out the probe.
    ticket: Ticket,
}

/// What [`ProbeGate::reserve`] found.
#[derive(Debug)]
pub(crate) enum Reservation {
    /// The circuit is half-open, and this caller took the probe.
    Probe(Probe),
    /// The circuit is half-open, and another request holds the probe: fail fast.
    Busy,
    /// The circuit is not half-open: the circuit decides, under its lock.
    NotHalfOpen,
}

// The slot is one `AtomicU64`. While the circuit is half-open in epoch `e`, it holds free(e)
// or taken(e); otherwise it holds `NOT_HALF_OPEN`. Only `follow` (under the circuit's lock)
// opens and closes it, with the state. Without the lock, a caller can only flip free(e) to
// taken(e) (`reserve`) and a probe back (`Drop`), both with a compare-and-swap on the whole
// word, epoch included.

/// The slot's word while the circuit is not half-open. (No epoch gets anywhere near it.)
const NOT_HALF_OPEN: u64 = u64::MAX;

/// The slot's word when the probe of half-open epoch `epoch` is free.
fn free(epoch: u64) -> u64 {
    epoch << 1
}

/// The slot's word when the probe of half-open epoch `epoch` is out.
fn taken(epoch: u64) -> u64 {
    epoch << 1 | 1
}

/// A slot's word, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    NotHalfOpen,
    /// Half-open in this epoch, the probe is free.
    Free(u64),
    /// Half-open, the probe is out.
    Taken,
}

impl Slot {
    fn decode(word: u64) -> Slot {
        match word {
            NOT_HALF_OPEN => Slot::NotHalfOpen,
            _ if word & 1 == 0 => Slot::Free(word >> 1),
            _ => Slot::Taken,
        }
    }
}

impl ProbeGate {
    /// The gate of a new breaker, whose circuit is `Closed`: no probe anywhere.
    pub(crate) fn new() -> Self {
        ProbeGate {
            slot: AtomicU64::new(NOT_HALF_OPEN),
        }
    }

    /// Called by `Shared::update` after every change of the circuit, **under the circuit's
    /// lock**, with the circuit as it now is: the moment to make the gate follow the state.
    pub(crate) fn follow(&self, circuit: &Circuit) {
        // Entering half-open opens the slot (free) for the new epoch; leaving it closes the slot.
        // A slot already open for the current epoch is left alone: it may be taken.
        //
        // Plain stores are enough: without the lock, the slot only ever changes by a
        // compare-and-swap from a half-open word, and half-open ends only with the verdict of
        // the probe, which holds the slot until then. So no swap is lost between load and store.
        if circuit.state() != State::HalfOpen {
            self.slot.store(NOT_HALF_OPEN, Ordering::Release);
        } else if Slot::decode(self.slot.load(Ordering::Relaxed)) == Slot::NotHalfOpen {
            self.slot.store(free(circuit.epoch()), Ordering::Release);
        }
    }

    /// Takes the probe if the circuit is half-open and the probe is free. `Shared::admit` calls
    /// it, without the circuit's lock, whenever the circuit is not closed: any number of
    /// clones, tasks and threads may call it at the same moment.
    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        let word = shared.gate.slot.load(Ordering::Acquire);
        match Slot::decode(word) {
            Slot::NotHalfOpen => Reservation::NotHalfOpen,
            Slot::Taken => Reservation::Busy,
            // Free -> ours, in one indivisible step: of two callers that read `free` here,
            // exactly one swaps it. The word holds the epoch, so the swap also fails if this
            // half-open period has ended since the load.
            Slot::Free(epoch) => {
                match shared.gate.slot.compare_exchange(
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
}

impl Probe {
    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period. The probe stays where it is (in the response future) until it is
    /// dropped, which may be much later.
    pub(crate) fn settle(&mut self, failed: bool) {
        let now = Instant::now();
        // The verdict moves the circuit out of half-open, and `update` closes the slot (in
        // `follow`) in the same critical section: no second probe can slip in between.
        self.shared.update(|circuit| {
            if failed {
                circuit.on_failure(self.ticket, now);
            } else {
                circuit.on_success(self.ticket);
            }
        });
    }
}

impl Drop for Probe {
    /// Gives the probe back if it is still out: an abandoned probe (its service or its response
    /// future dropped first) gives no verdict, it only frees the probe for the next caller. A
    /// settled probe is dropped too, perhaps long after its verdict.
    fn drop(&mut self) {
        // Ours -> free, without the lock: a cancelled probe never waits, and a probe dropped
        // where the lock is held cannot deadlock. If the slot holds anything else, this probe
        // was settled (its period is over): a plain `store` here could free the probe of a
        // newer period, taken by another request in the meantime.
        let epoch = self.ticket.epoch();
        let _ = self.shared.gate.slot.compare_exchange(
            taken(epoch),
            free(epoch),
            Ordering::Release,
            Ordering::Relaxed,
        );
    }
}
