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
//! # The challenge
//!
//! Half-open must let exactly one request through at a time: the [`Probe`]. The README
//! frames the challenge and names the pitfalls; tower's `ConcurrencyLimit` is the model
//! ("reserve in `poll_ready`, consume in `call`, release on drop"). The rest is given;
//! this is how it is built.
//!
//! # What is atomic, what is locked
//!
//! The clones share one `Shared` (behind an `Arc`): the [`Circuit`] of exercise 01 (unchanged)
//! in a `std::sync::Mutex`, a *snapshot* of it in an `AtomicU64`, and the *probe slot* in
//! another `AtomicU64`. `src/shared.rs` has a table of which path touches what.
//!
//! * **Every change of state happens under the lock**, in `Shared::update`, which before
//!   unlocking publishes the snapshot and makes the probe slot follow the state: the slot opens
//!   (free) when half-open begins and closes when it ends. The state machine stays the plain,
//!   testable `Circuit`, and no transition is ever split between atomics that another thread
//!   could see half-done. The lock is held for a few synchronous lines only, never across an
//!   `.await`: services and futures are `Send`, and there is nothing to deadlock on.
//! * **The closed hot path takes no lock and writes nothing.** The snapshot packs the epoch and
//!   whether the circuit is closed (and with no failure counted) in one word, so one load reads
//!   them consistently. Admitting while closed is that one load; the ticket it hands out is the
//!   one `Circuit::admit` would have handed out. A success with no failure counted is one load
//!   too: setting the count to zero would change nothing. Only a failure, or the first success
//!   after failures, takes the lock (where `Circuit` ignores a stale ticket, as in exercise 02). No allocation per call: the
//!   response future holds an `Arc` clone of the shared state (a reference-count increment),
//!   and a rejected request's future holds nothing at all.
//! * **Open takes the lock at every admission.** The clock decides there, and the request may
//!   move the circuit to half-open. The backend is down anyway; an uncontended lock costs tens
//!   of nanoseconds, and a lock-free open path would need `until` in an atomic too, for no gain
//!   a caller could notice.
//! * **Half-open is decided by the probe slot**, an `AtomicU64` that `Shared::update`
//!   opens (free) when half-open begins and closes when it ends. Taking the probe and
//!   giving it back happen without the lock: that is the challenge.
//!
//! Memory orderings. The snapshot is stored with `Release` (under the lock) and loaded with
//! `Acquire`; the probe slot is taken with `Acquire` and freed with `Release`, as any lock is.
//! Everything the lock-free paths act on is *inside* the word they read (epoch and kind, or
//! the slot's epoch), so correctness rests on the atomicity of each single-word operation and
//! on the coherence of each location (a thread never sees a location's value go back in
//! time), which even `Relaxed` guarantees. The `Acquire`/`Release` pairs add that whatever a
//! writer did before publishing is visible to a reader that sees the publication, so the
//! snapshot and the slot can be reasoned about like messages; they cost nothing on x86 (plain
//! loads and stores; a compare-and-swap is a full barrier there anyway) and little on ARM. The
//! failure orderings of the compare-and-swaps are `Relaxed`: a failed swap acts on nothing.
//!
//! Costs, per request while closed: one `Acquire` load in `poll_ready` (plus the inner
//! service's `poll_ready`), an `Arc` clone and drop, one `Acquire` load when a successful
//! request completes. The reference count and the snapshot share a cache line: on many cores
//! at once the reference count, not the snapshot, is what bounces. While half-open: two loads
//! to fail fast, a compare-and-swap to take the probe. While open: the lock.
//!
//! What the choices cost, measured by `cargo bench -p breaker-bench` (see the README): closed,
//! one task, about 14 ns per call against 64 ns for exercise 02, which locks its `Mutex` twice
//! and reads the clock twice per call, and 12.5 ns for a minimal atomic breaker that is not
//! correct (no epochs, no single probe). With two threads on one breaker it is the shared
//! reference count that bounces between the cores (about 130 ns per call): giving each clone a
//! handle of its own, on its own cache line, would remove that at the price of one allocation
//! per clone. Exercise 02 keeps the plain `Mutex` because it is the clearest; this crate adds
//! the snapshot and the slot because a breaker sits on every request.

mod classify;
mod error;
mod future;
mod layer;
mod metrics;
mod probe;
mod service;
mod shared;
mod state;

pub use crate::classify::{Classify, ErrorsAsFailures, HttpClassifier};
pub use crate::error::Error;
pub use crate::future::ResponseFuture;
pub use crate::layer::CircuitBreakerLayer;
pub use crate::metrics::Metrics;
pub use crate::probe::Probe;
pub use crate::service::CircuitBreaker;
pub use crate::state::{Circuit, Config, State, Ticket};
