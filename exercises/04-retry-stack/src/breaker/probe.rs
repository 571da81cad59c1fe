//! The [`Probe`]: the permit to send the one request that a half-open circuit lets through.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::time::Instant;

use crate::breaker::shared::{NO_PROBE, Shared};
use crate::breaker::state::Ticket;

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
        // Free -> ours, in one indivisible step: of two callers, exactly one wins.
        shared
            .probe
            .compare_exchange(
                NO_PROBE,
                ticket.epoch(),
                Ordering::Acquire,
                Ordering::Relaxed,
            )
            .ok()?;
        Some(Probe {
            shared: Arc::clone(shared),
            ticket,
        })
    }

    /// The probe's request completed, and the classifier says whether it `failed`: decide the
    /// half-open period and give the probe back.
    pub(crate) fn settle(self, failed: bool) {
        let now = Instant::now();
        self.shared.update(|circuit| {
            if failed {
                circuit.on_failure(self.ticket, now);
            } else {
                circuit.on_success(self.ticket);
            }
            // Freed under the lock, with the verdict: a later half-open period never finds
            // the slot still taken by this one.
            self.release();
        });
    }

    /// Frees the slot if it still holds this probe's epoch. Idempotent: once freed (or taken by
    /// the probe of a newer half-open period) the slot is left alone.
    fn release(&self) {
        // Ours -> free. If the slot holds anything else, this probe was released already: a
        // plain `store(NO_PROBE)` here could free the probe of a newer period.
        let _ = self.shared.probe.compare_exchange(
            self.ticket.epoch(),
            NO_PROBE,
            Ordering::Release,
            Ordering::Relaxed,
        );
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
