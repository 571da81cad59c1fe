//! Exercise 03 with a `Mutex`, wrong: `reserve` asks the circuit for its state while it holds
//! the gate's lock, the reverse order of `follow` (called with the circuit's lock held). The
//! hidden tests must report the deadlock, not hang or crash (see `xtask/tests/designs.rs`).

use std::sync::{Arc, PoisonError};

use tokio::time::Instant;

use crate::shared::Shared;
use crate::state::{Circuit, State, Ticket};
use crate::sync::{Mutex, MutexGuard};

/// The half-open period, if the circuit is in one: its epoch and whether its probe is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    epoch: u64,
    taken: bool,
}

#[derive(Debug)]
pub(crate) struct ProbeGate {
    /// `None` while the circuit is not half-open. Locked after the circuit's lock (in
    /// `follow`), or alone: never the other way round.
    period: Mutex<Option<Period>>,
}

#[derive(Debug)]
#[must_use = "a probe that is dropped is given back at once: keep it until the request completes"]
pub struct Probe {
    shared: Arc<Shared>,
    ticket: Ticket,
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
            period: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Period>> {
        self.period.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn follow(&self, circuit: &Circuit) {
        let mut period = self.lock();
        if circuit.state() != State::HalfOpen {
            *period = None;
        } else if period.is_none_or(|p| p.epoch != circuit.epoch()) {
            *period = Some(Period {
                epoch: circuit.epoch(),
                taken: false,
            });
        }
    }

    pub(crate) fn reserve(shared: &Arc<Shared>) -> Reservation {
        let mut period = shared.gate.lock();
        if shared.state() != State::HalfOpen {
            return Reservation::NotHalfOpen;
        }
        match *period {
            None => Reservation::NotHalfOpen,
            Some(Period { taken: true, .. }) => Reservation::Busy,
            Some(Period {
                epoch,
                taken: false,
            }) => {
                *period = Some(Period { epoch, taken: true });
                Reservation::Probe(Probe {
                    shared: Arc::clone(shared),
                    ticket: Ticket::issued_in(epoch),
                })
            }
        }
    }
}

impl Probe {
    pub(crate) fn settle(&mut self, failed: bool) {
        let now = Instant::now();
        // The verdict ends the period; `follow` clears it under the same lock.
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
    fn drop(&mut self) {
        let mut period = self.shared.gate.lock();
        let mine = Period {
            epoch: self.ticket.epoch(),
            taken: true,
        };
        if *period == Some(mine) {
            *period = Some(Period {
                taken: false,
                ..mine
            });
        }
    }
}
