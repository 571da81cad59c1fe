//! The circuit breaker's state machine, with no I/O and no clock of its own: exercise 01, solved
//! (two crate-private accessors to the epoch were added for the lock-free paths of `shared.rs`).
//!
//! A circuit breaker watches the outcomes of the requests it lets through:
//!
//! ```text
//!            N-th consecutive failure                 a request at or after `until`
//! Closed ───────────────────────────────▶ Open ─────────────────────────────────▶ HalfOpen
//!   ▲  │                                   ▲                                        │   │
//!   │  └─ success resets the count         └──── the probe fails: re-open ──────────┘   │
//!   └────────────────────────────── the probe succeeds: close ──────────────────────────┘
//! ```
//!
//! Two choices make this type easy to test and to share:
//!
//! * **Time is passed in.** Every method that needs the time takes `now`; nothing in here calls
//!   `Instant::now()`. A test builds the instants it wants (`start + open_duration - 1ms`), and
//!   the Tower service in this crate reads `tokio::time::Instant::now()`, which
//!   `#[tokio::test(start_paused = true)]` and `tokio::time::advance` control.
//! * **Every admitted request carries a [`Ticket`].** The ticket remembers which period of the
//!   circuit (its *epoch*) admitted the request. A result that comes back after the circuit has
//!   moved on is *stale* and changes nothing: a slow request admitted while `Closed` must not
//!   decide a half-open probe, and a late failure must not push an `Open` deadline further out.
//!   This is the generation counter of sony/gobreaker.

use std::time::Duration;

use tokio::time::Instant;

/// How the breaker reacts to failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How many consecutive failures in `Closed` open the circuit. A threshold of 0 behaves like 1.
    pub failure_threshold: u32,
    /// How long the circuit stays `Open` before the next request may probe the backend.
    pub open_duration: Duration,
}

impl Default for Config {
    /// Five consecutive failures open the circuit for thirty seconds.
    fn default() -> Self {
        Config {
            failure_threshold: 5,
            open_duration: Duration::from_secs(30),
        }
    }
}

/// The three states of a circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Normal operation: requests pass and consecutive failures are counted.
    Closed {
        /// Consecutive failures since the last success (or since the circuit closed).
        failure_count: u32,
    },
    /// Fast-fail: every request is rejected without reaching the backend until `until`.
    Open {
        /// The first instant at which a request may probe the backend again.
        until: Instant,
    },
    /// Probing: the outcome of the next request decides between `Closed` and `Open`.
    HalfOpen,
}

/// Proof that a request was admitted, handed back with its outcome.
///
/// It records the epoch that admitted the request, so that [`Circuit`] can tell a current result
/// from a stale one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "report the request's outcome with this ticket"]
pub struct Ticket {
    epoch: u64,
}

impl Ticket {
    /// A ticket for a request admitted in `epoch`. Only the lock-free admission uses it: it
    /// reads the epoch of a `Closed` circuit from the published snapshot (see `shared.rs`)
    /// instead of asking [`Circuit::admit`], which would hand out the very same ticket.
    #[inline]
    pub(crate) fn issued_in(epoch: u64) -> Ticket {
        Ticket { epoch }
    }

    /// The epoch that admitted the request.
    #[inline]
    pub(crate) fn epoch(self) -> u64 {
        self.epoch
    }
}

/// The state machine: the current [`State`], its [`Config`] and the epoch counter.
#[derive(Debug, Clone)]
pub struct Circuit {
    config: Config,
    state: State,
    /// Bumped on every change of state (not when a failure is merely counted).
    epoch: u64,
}

impl Circuit {
    /// A closed circuit with no failures counted.
    pub fn new(config: Config) -> Self {
        Circuit {
            config,
            state: State::Closed { failure_count: 0 },
            epoch: 0,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// A request arrives at `now`: admit it, handing out its [`Ticket`], or reject it (`None`).
    ///
    /// `Closed` and `HalfOpen` admit. `Open` rejects until `until`; the first request at or after
    /// `until` moves the circuit to `HalfOpen` and is admitted as the probe. Nothing moves the
    /// circuit out of `Open` but a request: there is no timer, the change happens lazily.
    pub fn admit(&mut self, now: Instant) -> Option<Ticket> {
        match self.state {
            State::Closed { .. } | State::HalfOpen => Some(self.ticket()),
            State::Open { until } if now >= until => {
                self.enter(State::HalfOpen);
                Some(self.ticket())
            }
            State::Open { .. } => None,
        }
    }

    /// The request that holds `ticket` succeeded.
    ///
    /// In `Closed` the failure count starts again from zero; in `HalfOpen` the probe succeeded
    /// and the circuit closes. A stale ticket changes nothing.
    pub fn on_success(&mut self, ticket: Ticket) {
        if !self.is_current(ticket) {
            return;
        }
        match self.state {
            State::Closed { .. } => self.state = State::Closed { failure_count: 0 },
            State::HalfOpen => self.enter(State::Closed { failure_count: 0 }),
            // `Open` admits nothing, and entering it starts a new epoch: no current ticket exists.
            State::Open { .. } => {}
        }
    }

    /// The request that holds `ticket` failed at `now`.
    ///
    /// In `Closed` the failure is counted and the `failure_threshold`-th consecutive one opens the
    /// circuit until `now + open_duration`; in `HalfOpen` the probe failed and the circuit
    /// re-opens, again until `now + open_duration`. A stale ticket changes nothing.
    pub fn on_failure(&mut self, ticket: Ticket, now: Instant) {
        if !self.is_current(ticket) {
            return;
        }
        let open = State::Open {
            until: now + self.config.open_duration,
        };
        match self.state {
            State::Closed { failure_count } => {
                let failure_count = failure_count.saturating_add(1);
                if failure_count >= self.config.failure_threshold {
                    self.enter(open);
                } else {
                    self.state = State::Closed { failure_count };
                }
            }
            State::HalfOpen => self.enter(open),
            State::Open { .. } => {}
        }
    }

    /// The current epoch: it grows by one at every change of state, never goes back.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Whether `ticket` was handed out in the circuit's current epoch.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        ticket.epoch == self.epoch
    }

    /// Moves to `state` and starts a new epoch: results of requests admitted before are now stale.
    fn enter(&mut self, state: State) {
        self.state = state;
        self.epoch += 1;
    }

    /// A ticket for a request admitted now.
    fn ticket(&self) -> Ticket {
        Ticket { epoch: self.epoch }
    }
}
