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
//! Half-open must let exactly one request through at a time: the [`Probe`], handed out by
//! a `ProbeGate` of your design (`src/probe.rs`). The README asks the design question and
//! names the pitfalls; tower's `ConcurrencyLimit` is the model ("reserve in `poll_ready`,
//! consume in `call`, release on drop"). The rest is given; this is how it is built.
//!
//! # What is atomic, what is locked
//!
//! The clones share one `Shared` (behind an `Arc`): the [`Circuit`] of exercise 01 (unchanged)
//! in a `Mutex`, a *snapshot* of it in an `AtomicU64`, and the probe's gate. `src/shared.rs`
//! has a table of which path touches what. These types come from `src/sync.rs`: std's and
//! tokio's own in a normal build, wrappers that a test scheduler can drive under the
//! `interleave` feature of the hidden tests.
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

pub use crate::classify::{Classify, ErrorsAsFailures, HttpClassifier};
pub use crate::error::Error;
pub use crate::future::ResponseFuture;
pub use crate::layer::CircuitBreakerLayer;
pub use crate::metrics::Metrics;
pub use crate::probe::Probe;
pub use crate::service::CircuitBreaker;
pub use crate::state::{Circuit, Config, State, Ticket};
/// For the hidden tests' scheduler (see `src/sync.rs`).
#[cfg(feature = "interleave")]
#[doc(hidden)]
pub use crate::sync::{Step, set_hook};
