//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::time::Instant;

use crate::shared::{NO_PROBE, Shared};
use crate::state::Ticket;

/// The right to send the one request a half-open circuit lets through: the probe.
///
/// It works like the semaphore permit of tower's `ConcurrencyLimit`, with room for one:
///
/// * **taken in `poll_ready`**, when the circuit is half-open and no probe is out (every other
///   caller is answered [`Error::Open`](crate::Error::Open) by its `call`);
/// * **moved by `call` into the response future**, so that it stays out for as long as the
///   request is in flight;
/// * **settled when the request completes**: its outcome decides the half-open period (success
///   closes the circuit, failure re-opens it) and the slot is freed in the same critical
///   section;
/// * **released by `Drop`** if it is abandoned first: the service that holds it is dropped
///   before `call`, the response future is dropped before the request completes, or the inner
///   service turns out not to be ready. An abandoned probe gives no verdict: the circuit stays
///   half-open and the next caller may probe at once.
///
/// The slot holds the epoch of the half-open period that handed the probe out, and a probe
/// only ever frees the slot if it still holds *its* epoch. Releasing is thus harmless when
/// repeated (settle, then `Drop`) or late: it can never free the probe of a newer period.
#[must_use = "a probe that is dropped is released at once: keep it until the request completes"]
pub struct Probe {
    shared: Arc<Shared>,
    /// The ticket of the half-open period that handed out the probe; its epoch tags the slot.
    ticket: Ticket,
}

impl Probe {
    /// Takes the probe of the half-open period that admitted `ticket`, or `None` if another
    /// request holds it. Called with the circuit locked, and only when it is half-open.
    pub(crate) fn reserve(shared: &Arc<Shared>, ticket: Ticket) -> Option<Probe> {
        // TODO: the slot `shared.probe` holds `NO_PROBE` while no probe is out, and the
        // half-open epoch (`ticket.epoch()`) while one is. Take it with ONE atomic step
        // (`compare_exchange`): of two callers that race, exactly one must win. The winner
        // gets `Some(Probe { shared: Arc::clone(shared), ticket })`, the loser `None`.
        // (A `load` followed by a `store` lets both through.)
        todo!("Probe::reserve: take the one probe, or find it taken")
    }

    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period and give the probe back.
    pub(crate) fn settle(self, failed: bool) {
        // TODO: with the circuit locked (`self.shared.update(|circuit| ..)`, which also
        // publishes the new state), report the outcome with the probe's ticket:
        // `circuit.on_failure(self.ticket, now)` (read `now` with `Instant::now()` before
        // locking) or `circuit.on_success(self.ticket)`. Then, still under the lock, free
        // the slot (`self.release()`), so that a new half-open period finds it free.
        todo!("Probe::settle: let the probe's outcome decide, then give the probe back")
    }

    /// Frees the slot if it still holds this probe's epoch. Idempotent: once freed (or taken by
    /// the probe of a newer half-open period) the slot is left alone.
    fn release(&self) {
        // TODO: set the slot `self.shared.probe` back to `NO_PROBE`, but only if it still
        // holds this probe's epoch (`self.ticket.epoch()`): `settle` releases, then `Drop`
        // runs and releases again, and by then another request may hold the probe of a
        // newer half-open period. `compare_exchange` again; its `Err` just means "not ours".
        todo!("Probe::release: give the probe back, if it is still ours")
    }
}

impl Drop for Probe {
    /// An abandoned probe (its service or its response future dropped first) gives no verdict:
    /// it only frees the slot. Without the lock: a cancelled probe never waits, and a probe
    /// dropped where the lock is held (inside `Shared::update`, where `reserve` runs) cannot
    /// deadlock.
    fn drop(&mut self) {
        self.release();
    }
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Probe")
            .field("epoch", &self.ticket.epoch())
            .finish_non_exhaustive()
    }
}
