// Exercise 03's reference, wrong: a caller that finds the probe taken waits for it (spins)
// instead of failing fast. The hidden tests must report a caller that waits on another, not
// crash (see `xtask/tests/designs.rs`).
//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through, and
//! the [`ProbeGate`] that hands it out.

use std::sync::Arc;

use tokio::time::Instant;

use crate::shared::Shared;
use crate::state::{Circuit, State, Ticket};
// BEGIN SOLUTION
use crate::sync::atomic::{AtomicU64, Ordering};
// END SOLUTION
// EXERCISE: // Take what your design shares between threads from `crate::sync` (see `src/sync.rs`).

/// Where the one probe of a breaker lives, shared by all its clones (it is a field of
/// `Shared`, behind the same `Arc` as the circuit). How it works is the design question of
/// exercise 03.
#[derive(Debug)]
pub(crate) struct ProbeGate {
    // BEGIN SOLUTION
    /// The probe slot: free(e) or taken(e) while the circuit is half-open in epoch `e`,
    /// `NOT_HALF_OPEN` otherwise. Opened and closed under the circuit's lock, by `follow`;
    /// taken and given back without it, by compare-and-swap.
    slot: AtomicU64,
    // END SOLUTION
    // EXERCISE: // TODO: the state of the one probe, shared by every clone and thread: whether the
    // EXERCISE: // circuit is half-open (and in which epoch), and whether its probe is out. Your
    // EXERCISE: // choice of mechanism (README, "The design question"); every type that threads
    // EXERCISE: // share comes from `crate::sync`.
}

/// The right to send the one request a half-open circuit lets through: the probe.
///
/// It works like the semaphore permit of tower's `ConcurrencyLimit`, with room for one:
///
/// * **taken in `poll_ready`**, when the circuit is half-open and no probe is out (every other
///   caller is answered [`Error::Open`](crate::Error::Open) by its `call`);
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
    // BEGIN SOLUTION
    shared: Arc<Shared>,
    /// The ticket of the half-open period that handed out the probe.
    ticket: Ticket,
    // END SOLUTION
    // EXERCISE: // TODO: what a probe must carry to settle the half-open period (its verdict goes to
    // EXERCISE: // the circuit with a `Ticket` of that period) and to be given back (to the gate it
    // EXERCISE: // came from, which lives in `Shared`). `Send + Sync`, like the future it
    // EXERCISE: // rides in.
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

// BEGIN SOLUTION
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

// END SOLUTION
impl ProbeGate {
    /// The gate of a new breaker, whose circuit is `Closed`: no probe anywhere.
    pub(crate) fn new() -> Self {
        // BEGIN SOLUTION
        ProbeGate {
            slot: AtomicU64::new(NOT_HALF_OPEN),
        }
        // END SOLUTION
        // EXERCISE: // TODO: your gate for a circuit that is `Closed`: not half-open, no probe out.
        // EXERCISE: todo!("ProbeGate::new: the probe's state for a new, closed circuit")
    }

    /// Called by `Shared::update` after every change of the circuit, **under the circuit's
    /// lock**, with the circuit as it now is: the moment to make the gate follow the state.
    pub(crate) fn follow(&self, circuit: &Circuit) {
        // BEGIN SOLUTION
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
        // END SOLUTION
        // EXERCISE: // TODO: when this returns, the gate agrees with `circuit`: a half-open period that
        // EXERCISE: // begins (`State::HalfOpen`, a new `circuit.epoch()`) has its probe free; outside
        // EXERCISE: // half-open no probe can be taken. Every `Shared::update` passes here, the probe's
        // EXERCISE: // verdict included, and so does one that changed nothing (a stale outcome): a
        // EXERCISE: // probe that is out stays out until its own period ends. Mind the locks: this runs
        // EXERCISE: // with the circuit's lock held. (A design may have little to do here.)
        // EXERCISE: todo!("ProbeGate::follow: keep the gate in step with the circuit")
    }

    /// Takes the probe if the circuit is half-open and the probe is free. `Shared::admit` calls
    /// it, without the circuit's lock, whenever the circuit is not closed: any number of
    /// clones, tasks and threads may call it at the same moment.
    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        // BEGIN SOLUTION
        let mut word = shared.gate.slot.load(Ordering::Acquire);
        while Slot::decode(word) == Slot::Taken {
            word = shared.gate.slot.load(Ordering::Acquire);
        }
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
        // END SOLUTION
        // EXERCISE: // TODO: the gate (`shared.gate`) says whether the circuit is half-open and the
        // EXERCISE: // probe free. Return `Reservation::NotHalfOpen` when it is not half-open,
        // EXERCISE: // `Reservation::Busy` when the probe is out, else take the probe and return it
        // EXERCISE: // (`Reservation::Probe`) with the `Ticket` of the half-open epoch.
        // EXERCISE: // The pitfall of the day: two callers reach this line at the same moment. Between
        // EXERCISE: // "the probe is free" and "it is mine" nobody else may take it, so exactly one of
        // EXERCISE: // them gets it; and a probe is never handed out for a half-open period that is over.
        // EXERCISE: todo!("ProbeGate::reserve: take the one probe, or find it taken")
    }
}

impl Probe {
    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period. The probe stays where it is (in the response future) until it is
    /// dropped, which may be much later.
    pub(crate) fn settle(&mut self, failed: bool) {
        // BEGIN SOLUTION
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
        // END SOLUTION
        // EXERCISE: // TODO: when this returns, the circuit has the probe's verdict, recorded like any
        // EXERCISE: // outcome of exercise 01 (with the ticket of the probe's period, at the time the
        // EXERCISE: // request ended, through the one way to change the circuit in `shared.rs`), and
        // EXERCISE: // the next half-open period can have a probe of its own, however long this one
        // EXERCISE: // stays in its response future.
        // EXERCISE: // The pitfall: until the verdict is in, the probe is still out. If it is free
        // EXERCISE: // before, another caller takes it and a second request reaches the backend.
        // EXERCISE: todo!("Probe::settle: let the probe's outcome decide the half-open period")
    }
}

impl Drop for Probe {
    /// Gives the probe back if it is still out: an abandoned probe (its service or its response
    /// future dropped first) gives no verdict, it only frees the probe for the next caller. A
    /// settled probe is dropped too, perhaps long after its verdict.
    fn drop(&mut self) {
        // BEGIN SOLUTION
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
        // END SOLUTION
        // EXERCISE: // TODO: when this returns, a probe that was still out is free again for its own
        // EXERCISE: // half-open period (no verdict: the circuit stays `HalfOpen`), and nothing else
        // EXERCISE: // changed. This runs wherever the future or the service is dropped, so it must not
        // EXERCISE: // wait or block. The pitfall: a settled probe is dropped late, when the circuit may
        // EXERCISE: // have re-opened, gone half-open again and handed out a newer probe; that one
        // EXERCISE: // must stay taken. (A design may have nothing to do here.)
        // EXERCISE: todo!("Probe's Drop: give the probe back, if it is still out")
    }
}
