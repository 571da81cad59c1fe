//! **Given, solved: nothing to write in this folder.** The breaker of the earlier exercises,
//! used here through its public API only (`CircuitBreakerLayer`, `CircuitBreaker::state`, `Error`).
//!
//! The circuit breaker of exercise 02, with a half-open circuit that lets exactly one probe
//! through at a time, across clones and threads: the day's challenge.
//!
//! ```text
//! caller ──▶ CircuitBreaker ──▶ inner service (one backend)
//!              │ poll_ready: admit, reject, or (half-open) take the one Probe
//!              │ call:       send it (moving the probe into the future), or answer Error::Open
//!              └ response future: classify the outcome; report it, or settle the probe
//! ```
//!
//! Everything of exercise 02 still holds (see its README): an open circuit is answered from
//! `call`, never from `poll_ready`; the circuit is asked before the inner service; a decision
//! serves one request; clones share one breaker and every `Layer::layer` makes a new one; the
//! clock is read by the service; the classifier decides what a failure is; late results are
//! ignored thanks to the [`Ticket`]'s epoch.
//!
//! # The answer: the probe is a permit
//!
//! Half-open means "let one request test the backend". The one request is a [`Probe`]: a
//! permit with room for one, built like the semaphore permit of tower's `ConcurrencyLimit`
//! (`tower-0.5.*/src/limit/concurrency/`):
//!
//! * **Reserved in `poll_ready`**, when the circuit is half-open and the slot is free. Every
//!   other caller (another clone, another task, another thread) finds it taken and gets
//!   [`Error::Open`] from `call`, without reaching the inner service: while the probe is in
//!   flight, half-open fails fast like open.
//! * **Moved into the response future by `call`.** The future is pinned, and the probe goes
//!   with it: it stays out exactly as long as the request is in flight.
//! * **Settled when the probe completes**: success closes the circuit, failure re-opens it
//!   (from the probe's end), and the slot closes in the same critical section.
//! * **Released by `Drop` when abandoned**: a service made ready and dropped before `call`, a
//!   response future dropped before it completes (a timeout or a `select!` above the breaker),
//!   an inner service that is not ready after all. The probe never leaks, so the circuit can
//!   never get stuck half-open with nobody probing.
//! * **A clone starts with no probe**, as with `ConcurrencyLimit`: `Clone` never copies the
//!   admission. **`poll_ready` twice takes one probe**: a decision already taken is kept.
//!
//! Choices, and why:
//!
//! * **A dropped probe gives no verdict**: the circuit stays half-open and the next caller may
//!   probe at once. Cancelling is the caller's business (it gave up, or its own deadline
//!   passed) and says nothing certain about the backend. Counting it as a failure would let
//!   impatient callers keep a healthy backend's circuit open. If slowness must count, put a
//!   `Timeout` *inside* the breaker: then it is an `Err` outcome, which the classifier sees.
//! * **A probe whose inner service is not ready is given back** (the admission is dropped when
//!   `poll_ready` returns `Pending` or an error). `ConcurrencyLimit` keeps its permit while it
//!   waits, because waiting is the point of a limit; a breaker that held the probe while its
//!   backend is not ready would test nothing and fail every other caller.
//! * **A stale result neither decides the probe nor frees it.** A request admitted before the
//!   current half-open period (a slow one from `Closed`, say) holds a ticket of an older epoch
//!   and no probe: the circuit ignores its outcome, and it has no slot to free. This is the
//!   generation counter of sony/gobreaker.
//!
//! # What is atomic, what is locked
//!
//! The clones share one `Shared` (behind an `Arc`): the [`Circuit`] of exercise 01 (unchanged)
//! in a `Mutex`, a *snapshot* of it in an `AtomicU64`, and the probe's gate. `src/shared.rs`
//! has a table of which path touches what. These types come from `src/breaker/sync.rs`: std's
//! and tokio's own (in exercise 03 they become wrappers that a test scheduler drives).
//!
//! * **Every change of state happens under the lock**, in `Shared::update`, which before
//!   unlocking publishes the snapshot and makes the probe's gate follow the state
//!   (`ProbeGate::follow`). The state machine stays the plain, testable `Circuit`, and no
//!   transition is ever split between atomics that another thread could see half-done. The
//!   lock is held for a few synchronous lines only, never across an `.await`: services and
//!   futures are `Send`, and there is nothing to deadlock on.
//! * **The closed hot path takes no lock and writes nothing.** The snapshot packs the epoch and
//!   whether the circuit is closed (and with no failure counted) in one word, so one load reads
//!   them consistently. Admitting while closed is that one load; the ticket it hands out is the
//!   one `Circuit::admit` would have handed out. A success with no failure counted is one load
//!   too: setting the count to zero would change nothing. Only a failure, or the first success
//!   after failures, takes the lock (where `Circuit` ignores a stale ticket, as in exercise
//!   02). No allocation per call: the response future holds an `Arc` clone of the shared state
//!   (a reference-count increment), and a rejected request's future holds nothing at all.
//! * **Open takes the lock at every admission.** The clock decides there, and the request may
//!   move the circuit to half-open. The backend is down anyway; an uncontended lock costs tens
//!   of nanoseconds, and a lock-free open path would need `until` in an atomic too, for no gain
//!   a caller could notice.
//! * **Half-open takes no lock: the probe slot decides.** The gate is one `AtomicU64`, the
//!   *slot*: the half-open epoch and a "taken" bit, or `NOT_HALF_OPEN`. `follow` opens it
//!   (free) when half-open begins and closes it when it ends, under the lock.
//! * **Taking and giving back are one compare-and-swap each.** `reserve` reads the slot and
//!   swaps `free(e)` for `taken(e)` with one compare-and-swap, like Hystrix's single test
//!   request: of two callers that read `free(e)`, exactly one swaps it; the other, like
//!   everyone who reads `taken(e)`, fails fast. (A load then a store would let both through:
//!   that is the race of the challenge.) The probe's `Drop` swaps `taken(e)` back to
//!   `free(e)`, wherever the future or the service happens to be dropped, so it must neither
//!   wait nor deadlock: no lock there either.
//! * **The epoch in the word closes two races (no ABA).** A caller that read `free(e)` just
//!   before the period ended swaps nothing: the slot no longer holds that word (it is closed,
//!   or open for a newer epoch), so no probe is ever taken in a period that is over, and no
//!   request reaches a backend whose circuit has re-opened. And a late release finds
//!   `taken(e')`, not `taken(e)`, and leaves it alone: a settled probe stays in its response
//!   future until that is dropped, which may be long after the verdict, when the circuit has
//!   re-opened, gone half-open again and handed the slot to a newer probe. A boolean slot
//!   would have both bugs: its `store(false)` would free the newer probe and let a second one
//!   through.
//! * **The slot opens and closes only under the lock, with the state.** The probe's verdict
//!   and the closing of the slot are one critical section, so no second probe slips in
//!   between; every half-open period starts with its slot free. Plain stores are enough there:
//!   without the lock, the slot only changes by a compare-and-swap from a half-open word, and
//!   half-open only ends with the verdict of the probe, which holds the slot until then.
//! * **Why not a `Mutex<Option<..>>` or a one-permit `Semaphore`?** Both are correct too, if
//!   they keep the epoch (a semaphore permit must also be given back by `settle`, right after
//!   the verdict, or a settled probe kept in its future blocks the next period). The atomic
//!   slot is the cheapest: a failing-fast caller in half-open reads one word and takes no
//!   lock, and nothing on the closed path changes for it.
//!
//! Memory orderings. The probe slot is taken with `Acquire` and freed with `Release`, as any
//! lock is; the snapshot is stored (under the lock) and loaded `Relaxed`. Everything the
//! lock-free paths act on is *inside* the word they read (epoch and kind, or the slot's epoch),
//! so correctness rests on the atomicity of each single-word operation and on the coherence of
//! each location (a thread never sees a location's value go back in time), which even
//! `Relaxed` guarantees. The slot's `Acquire`/`Release` pairs add that whatever a writer did
//! before publishing is visible to a reader that sees the publication, so the slot can be
//! reasoned about like a lock; they cost nothing on x86 (plain loads and stores; a
//! compare-and-swap is a full barrier there anyway) and little on ARM. The snapshot needs no
//! pair: nothing is read *through* it. The closed path uses the word alone (its epoch is the
//! ticket), a word that says "not closed" only sends the caller to the slot or to the lock,
//! which order what they guard themselves, and `Acquire` would not make the word any fresher.
//! An `Acquire` load costs the compiler, though (below). The failure orderings of the
//! compare-and-swaps are `Relaxed`: a failed swap acts on nothing.
//!
//! Costs, per request while closed: one load of the snapshot in `poll_ready` (plus the inner
//! service's `poll_ready`), an `Arc` clone in `call` and its drop with the response future
//! (a reference-count increment and decrement), one load of the snapshot when a successful
//! request completes. While half-open: two loads of the snapshot (`poll_ready`'s, and `admit`'s
//! own look before it goes to the gate), then the gate: a compare-and-swap to take the probe,
//! or one load and the `rejected` counter to fail fast. While open: the lock.
//!
//! # What the choices cost
//!
//! Measured two ways: instructions per call with `valgrind --tool=callgrind` on
//! `xtask/bench/examples/per_call.rs` (exact, and the same on a busy machine), and
//! `cargo bench -p breaker-bench` (see `xtask/README.md`). The yardstick is the benchmark's
//! minimal atomic breaker, which is not correct (no epochs, no single probe): 29 instructions
//! per call polled with a no-op waker, 77 awaited in a tokio task. This crate: **40 and 98**
//! (it was 131 and 168 before the first three choices below).
//!
//! * **The closed path is inlined into the caller, the rest is `#[cold]`.** `closed_ticket`,
//!   `record` and the snapshot's accessors are `#[inline]`; `Shared::admit` and the locked
//!   part of `record` are out of line. Across crates, a function that is neither generic nor
//!   `#[inline]` is a call: 58 and 110 instructions without the `#[inline]`s.
//! * **`poll_ready` writes the admission in place, and `call` reads the ticket in place.** An
//!   `Admission` built first and moved into the field (or `take()`n out whole in `call`) is
//!   stored as two 8-byte halves and loaded back at once as one 16-byte value, which the
//!   processor cannot forward from its pending stores: it waits for them to reach the cache.
//!   64 and 126 instructions, and above all about 6 ns more per awaited call (26.4 against
//!   20.4 ns, fastest of 12 runs of a million calls, same machine, same minute).
//! * **The snapshot is loaded `Relaxed`.** With `Acquire` the compiler may not reuse, after
//!   the load, what it read before it: the service's own `admission` was read and its drop
//!   checked again, and `poll_ready` grew too big to be inlined into `ServiceExt::ready`'s
//!   future. 62 and 121 instructions with `Acquire`.
//! * **One `Arc<Shared>` for all clones, aligned to 128 bytes; no handle per clone.** Every
//!   request increments and decrements the `Arc`'s count (the response future holds a clone),
//!   so two threads on two clones of one breaker write one cache line, which moves between
//!   their cores at every request: as with the minimal breaker, and with tower's
//!   `ConcurrencyLimit`, whose permits hold an `Arc` of its semaphore. The alignment keeps the
//!   counts on lines of their own, so the snapshot that every request reads does not move with
//!   them (the compiler's field order happened to do that already: no difference measured, but
//!   now it does not depend on it). A `Handle` per clone (an `Arc` of its own, 128-byte
//!   aligned, which that clone's futures count on) removes the shared write, and was measured
//!   (`per_call`, medians of 10 runs of a million calls): two threads each on a clone, 21 ns
//!   per call with it against 73 without (20 for two independent breakers, 100 for the minimal
//!   breaker), 14 more instructions per call on one thread (54 polled, 95 awaited), and an
//!   allocation per clone: a clone and one call through it take 90 ns instead of 35 (870
//!   instructions instead of 61). Not taken, because a Tower service is cloned on hot paths:
//!   tower's `Retry` clones its inner service in every `call` (exercise 04's
//!   `retry_outside_breaker`), and routers clone their services per request (axum's `Route`).
//!   There the handle is an allocation per request, and the shared count is written anyway by
//!   the clone and its drop. A middleware meant to sit anywhere in a stack keeps its clones
//!   cheap; the shared count costs only when many threads hammer clones of one breaker, and
//!   even then 50 ns next to a network call.
//!
//! In the full run of `cargo bench -p breaker-bench` (`xtask/README.md`), closed: 18.8 ns per
//! call polled with a no-op waker (the minimal breaker 19.6, the fastest peer 43.5), 20.6
//! awaited (19.6); two threads, 76.8 (69.2); open, 56 either way (34 to 39), where the lock and
//! the clock decide. Exercise 02 takes 92 and 109 ns closed: it locks its `Mutex` twice and
//! reads the clock twice per call, and keeps the plain `Mutex` because it is the clearest; this
//! crate adds the snapshot and the slot because a breaker sits on every request.

mod classify;
mod error;
mod future;
mod layer;
mod metrics;
mod probe;
mod service;
mod shared;
mod state;
mod sync;

pub use crate::breaker::classify::{Classify, ErrorsAsFailures, HttpClassifier};
pub use crate::breaker::error::Error;
pub use crate::breaker::future::ResponseFuture;
pub use crate::breaker::layer::CircuitBreakerLayer;
pub use crate::breaker::metrics::Metrics;
pub use crate::breaker::probe::Probe;
pub use crate::breaker::service::CircuitBreaker;
pub use crate::breaker::state::{Circuit, Config, State, Ticket};
