//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through, and
//! the [`ProbeGate`] that hands it out.

use std::sync::Arc;

use tokio::time::Instant;

use crate::shared::Shared;
use crate::state::{Circuit, State, Ticket};
// Take what your design shares between threads from `crate::sync` (see `src/sync.rs`).

/// Where the one probe of a breaker lives, shared by all its clones (it is a field of
/// `Shared`, behind the same `Arc` as the circuit). How it works is the design question of
/// exercise 03.
#[derive(Debug)]
pub(crate) struct ProbeGate {
    // TODO: the state of the one probe, shared by every clone and thread: whether the
    // circuit is half-open (and in which epoch), and whether its probe is out. Your
    // choice of mechanism (README, "The design question"); every type that threads
    // share comes from `crate::sync`.
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
    // TODO: what a probe must carry to settle the half-open period (its verdict goes to
    // the circuit with a `Ticket` of that period) and to be given back (to the gate it
    // came from, which lives in `Shared`). `Send + Sync`, like the future it
    // rides in.
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

impl ProbeGate {
    /// The gate of a new breaker, whose circuit is `Closed`: no probe anywhere.
    pub(crate) fn new() -> Self {
        // TODO: your gate for a circuit that is `Closed`: not half-open, no probe out.
        todo!("ProbeGate::new: the probe's state for a new, closed circuit")
    }

    /// Called by `Shared::update` after every change of the circuit, **under the circuit's
    /// lock**, with the circuit as it now is: the moment to make the gate follow the state.
    pub(crate) fn follow(&self, circuit: &Circuit) {
        // TODO: when this returns, the gate agrees with `circuit`: a half-open period that
        // begins (`State::HalfOpen`, a new `circuit.epoch()`) has its probe free; outside
        // half-open no probe can be taken. Every `Shared::update` passes here, the probe's
        // verdict included, and so does one that changed nothing (a stale outcome): a
        // probe that is out stays out until its own period ends. Mind the locks: this runs
        // with the circuit's lock held. (A design may have little to do here.)
        todo!("ProbeGate::follow: keep the gate in step with the circuit")
    }

    /// Takes the probe if the circuit is half-open and the probe is free. `Shared::admit` calls
    /// it, without the circuit's lock, whenever the circuit is not closed: any number of
    /// clones, tasks and threads may call it at the same moment.
    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        // TODO: the gate (`shared.gate`) says whether the circuit is half-open and the
        // probe free. Return `Reservation::NotHalfOpen` when it is not half-open,
        // `Reservation::Busy` when the probe is out, else take the probe and return it
        // (`Reservation::Probe`) with the `Ticket` of the half-open epoch.
        // The pitfall of the day: two callers reach this line at the same moment. Between
        // "the probe is free" and "it is mine" nobody else may take it, so exactly one of
        // them gets it; and a probe is never handed out for a half-open period that is over.
        todo!("ProbeGate::reserve: take the one probe, or find it taken")
    }
}

impl Probe {
    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period. The probe stays where it is (in the response future) until it is
    /// dropped, which may be much later.
    pub(crate) fn settle(&mut self, failed: bool) {
        // TODO: when this returns, the circuit has the probe's verdict, recorded like any
        // outcome of exercise 01 (with the ticket of the probe's period, at the time the
        // request ended, through the one way to change the circuit in `shared.rs`), and
        // the next half-open period can have a probe of its own, however long this one
        // stays in its response future.
        // The pitfall: until the verdict is in, the probe is still out. If it is free
        // before, another caller takes it and a second request reaches the backend.
        todo!("Probe::settle: let the probe's outcome decide the half-open period")
    }
}

impl Drop for Probe {
    /// Gives the probe back if it is still out: an abandoned probe (its service or its response
    /// future dropped first) gives no verdict, it only frees the probe for the next caller. A
    /// settled probe is dropped too, perhaps long after its verdict.
    fn drop(&mut self) {
        // TODO: when this returns, a probe that was still out is free again for its own
        // half-open period (no verdict: the circuit stays `HalfOpen`), and nothing else
        // changed. This runs wherever the future or the service is dropped, so it must not
        // wait or block. The pitfall: a settled probe is dropped late, when the circuit may
        // have re-opened, gone half-open again and handed out a newer probe; that one
        // must stay taken. (A design may have nothing to do here.)
        todo!("Probe's Drop: give the probe back, if it is still out")
    }
}
