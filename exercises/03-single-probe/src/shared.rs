//! What the clones of one breaker share: the circuit behind a lock, a snapshot of it that the
//! hot path reads without the lock, and the probe's gate.
//!
//! ```text
//!  Shared
//!  ├── circuit:  Mutex<Circuit>  every change of state, made under the lock
//!  ├── snapshot: AtomicU64       epoch + closed? + no failure counted?, published under the lock
//!  └── gate:     ProbeGate       the one probe of half-open (`probe.rs`)
//! ```
//!
//! Who touches what:
//!
//! | path                                    | snapshot     | lock | gate               |
//! |-----------------------------------------|--------------|------|--------------------|
//! | admit while `Closed`                    | one load     | no   | no                 |
//! | success, `Closed` with no failure       | one load     | no   | no                 |
//! | admit while `HalfOpen`                  | two loads    | no   | `reserve`          |
//! | a probe dropped                         | no           | no   | `Probe`'s `Drop`   |
//! | failure, or success after failures      | load, store  | yes  | `follow`           |
//! | admit while `Open` (fast-fail)          | load, store  | yes  | `reserve`, `follow`|
//! | the probe settles                       | store        | yes  | `follow`           |
//!
//! A request that fails fast also adds one to the `rejected` counter of the metrics (a
//! relaxed `fetch_add`, off the closed path). The types that threads share come from
//! `crate::sync` (std's own in a normal build).

use std::sync::{Arc, PoisonError};

use tokio::time::Instant;

use crate::metrics::{Counters, Metrics};
use crate::probe::{Probe, ProbeGate, Reservation};
use crate::state::{Circuit, Config, State, Ticket};
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{Mutex, MutexGuard};

/// The state one breaker and all its clones share (behind an `Arc`).
///
/// Aligned to 128 bytes, so that the `Arc`'s reference counts, which every request writes
/// (`call` clones the `Arc` into its response future, whose drop releases it), sit on cache
/// lines of their own (the pair of lines that x86 fetches together), away from the snapshot
/// that every request reads. Two threads calling clones at once may move the counts' line
/// between their cores; the snapshot's line, only read while closed, stays in both caches.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct Shared {
    /// The state machine of exercise 01. Every change of state happens under this lock, in
    /// [`Shared::update`], which also publishes the snapshot.
    circuit: Mutex<Circuit>,
    /// [`Snapshot`] of the circuit, stored under the lock after every change and loaded
    /// without it, both `Relaxed` (see [`Shared::snapshot`]).
    snapshot: AtomicU64,
    /// The one probe of half-open (see `probe.rs`). [`Shared::update`] makes it follow every
    /// change of the circuit, under the lock; [`Shared::admit`] asks it for the probe, without
    /// the lock, whenever the circuit is not closed.
    pub(crate) gate: ProbeGate,
    /// Transitions and rejections, for [`Metrics`]: counted off the closed hot path.
    counters: Counters,
}

/// What `poll_ready` decided for the next request.
#[derive(Debug)]
pub(crate) enum Admission {
    /// The circuit is closed: the request is admitted with its ticket.
    Admitted(Ticket),
    /// The circuit is half-open and this request holds the one probe.
    Probe(Probe),
    /// The circuit is open, or half-open with the probe already out: `call` answers
    /// [`Error::Open`](crate::Error::Open) without the inner service.
    Rejected,
}

impl Shared {
    /// A closed circuit with no failures, no probe out.
    pub(crate) fn new(config: Config) -> Self {
        let circuit = Circuit::new(config);
        Shared {
            snapshot: AtomicU64::new(Snapshot::of(&circuit).0),
            circuit: Mutex::new(circuit),
            gate: ProbeGate::new(),
            counters: Counters::default(),
        }
    }

    /// The circuit's current state (takes the lock: for metrics and tests, not the hot path).
    pub(crate) fn state(&self) -> State {
        self.lock().state()
    }

    /// The hot path of the admission: the ticket of a request that arrives now if the circuit
    /// is closed, `None` otherwise (then [`Shared::admit`] decides). A closed circuit admits
    /// without changing anything, so one load of the snapshot is enough, and the ticket is the
    /// one `Circuit::admit` would hand out. Inlined into the caller's `poll_ready`.
    #[inline]
    pub(crate) fn closed_ticket(&self) -> Option<Ticket> {
        let snapshot = self.snapshot();
        if snapshot.is_closed() {
            Some(Ticket::issued_in(snapshot.epoch()))
        } else {
            None
        }
    }

    /// Decides the fate of a request that arrives now, when [`Shared::closed_ticket`] found the
    /// circuit not closed: out of line, so that the closed path stays small enough to inline.
    #[cold]
    #[inline(never)]
    pub(crate) fn admit(self: &Arc<Self>) -> Admission {
        // Closed again since the caller looked: admitted like on the hot path.
        if let Some(ticket) = self.closed_ticket() {
            return Admission::Admitted(ticket);
        }
        // Half-open: the gate decides, without the lock.
        if let Some(admission) = self.probe_admission() {
            return admission;
        }
        // Open: the clock decides, under the lock; this request may move the circuit to
        // half-open.
        let now = Instant::now();
        let admitted =
            self.update(|circuit| circuit.admit(now).map(|ticket| (ticket, circuit.state())));
        match admitted {
            None => self.reject(),
            // Half-open now: this request races for the probe like any other.
            Some((_, State::HalfOpen)) => self.probe_admission().unwrap_or_else(|| self.reject()),
            // It closed while we were waiting for the lock.
            Some((ticket, _)) => Admission::Admitted(ticket),
        }
    }

    /// What the gate says: take the probe, or fail fast; `None` if not half-open.
    fn probe_admission(self: &Arc<Self>) -> Option<Admission> {
        match ProbeGate::reserve(self) {
            Reservation::Probe(probe) => Some(Admission::Probe(probe)),
            Reservation::Busy => Some(self.reject()),
            Reservation::NotHalfOpen => None,
        }
    }

    /// Reports the outcome of a request that is not the probe (see [`Probe::settle`] for it).
    #[inline]
    pub(crate) fn record(&self, ticket: Ticket, failed: bool) {
        if failed || !self.snapshot().is_clean() {
            self.record_locked(ticket, failed);
        }
        // A success while closed with no failure counted would set the count to zero: it is
        // zero already. (Or the ticket is stale, and `Circuit` would ignore it.) Nothing to
        // write, which keeps the closed hot path free of writes.
    }

    /// [`Shared::record`] when there is something to write: under the lock, out of line.
    #[cold]
    #[inline(never)]
    fn record_locked(&self, ticket: Ticket, failed: bool) {
        if failed {
            let now = Instant::now();
            self.update(|circuit| circuit.on_failure(ticket, now));
        } else {
            self.update(|circuit| circuit.on_success(ticket));
        }
    }

    /// Runs `change` on the locked circuit, then, before unlocking, publishes the new snapshot
    /// and makes the gate follow the state. The only way to change the circuit: neither the
    /// snapshot nor the gate can miss a change.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut Circuit) -> R) -> R {
        let mut circuit = self.lock();
        let epoch = circuit.epoch();
        let result = change(&mut circuit);
        if circuit.epoch() != epoch {
            self.counters.entered(circuit.state());
        }
        self.snapshot
            .store(Snapshot::of(&circuit).0, Ordering::Relaxed);
        self.gate.follow(&circuit);
        result
    }

    /// The state and the counters (takes the lock for the state: not the hot path).
    pub(crate) fn metrics(&self) -> Metrics {
        self.counters.read(self.state())
    }

    /// A request fails fast: count it.
    fn reject(&self) -> Admission {
        self.counters.rejected();
        Admission::Rejected
    }

    /// The snapshot, loaded `Relaxed`: nothing is read *through* it. The closed path needs
    /// the word alone (its epoch is the ticket); a word that says "not closed" sends the caller
    /// to the gate or to the lock, which order what they guard themselves. (`Acquire` would not
    /// make the word any fresher: `Circuit` ignores the outcome of a stale ticket either way.)
    /// An `Acquire` load is free for an x86 processor, not for the compiler, which may then
    /// not reuse what it read before it: the closed path grows and is no longer inlined.
    #[inline]
    fn snapshot(&self) -> Snapshot {
        Snapshot(self.snapshot.load(Ordering::Relaxed))
    }

    /// Locks the circuit. The lock is only ever held for a few synchronous lines (never across
    /// an `.await` or a call into the inner service), and a panic while holding it cannot
    /// leave a `Circuit` half-updated, so a poisoned lock is simply taken over.
    fn lock(&self) -> MutexGuard<'_, Circuit> {
        self.circuit.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the lock-free paths need to know about the circuit, packed in one word so that one
/// load reads it consistently: `epoch << 2 | kind`.
///
/// 62 bits of epoch: a circuit that changed state every nanosecond would need 146 years to
/// run out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot(u64);

/// `Closed` with no failure counted: admit freely, and a success has nothing to reset.
const CLOSED_CLEAN: u64 = 0;
/// `Closed` with failures counted: admit freely, but a success must reset the count.
const CLOSED_COUNTING: u64 = 1;
/// `Open` or `HalfOpen`: every admission goes through the lock.
const NOT_CLOSED: u64 = 2;
const KIND_BITS: u32 = 2;
const KIND_MASK: u64 = (1 << KIND_BITS) - 1;

impl Snapshot {
    fn of(circuit: &Circuit) -> Snapshot {
        let kind = match circuit.state() {
            State::Closed { failure_count: 0 } => CLOSED_CLEAN,
            State::Closed { .. } => CLOSED_COUNTING,
            State::Open { .. } | State::HalfOpen => NOT_CLOSED,
        };
        Snapshot(circuit.epoch() << KIND_BITS | kind)
    }

    #[inline]
    fn epoch(self) -> u64 {
        self.0 >> KIND_BITS
    }

    #[inline]
    fn kind(self) -> u64 {
        self.0 & KIND_MASK
    }

    #[inline]
    fn is_closed(self) -> bool {
        self.kind() != NOT_CLOSED
    }

    #[inline]
    fn is_clean(self) -> bool {
        self.kind() == CLOSED_CLEAN
    }
}
