//! Shared helpers: a circuit with a known config, and states rendered relative to `t0` so that
//! failure messages read `Open { until: t0+10s }` rather than an opaque `Instant`.

pub use std::time::Duration;

pub use tokio::time::Instant;

pub use crate::graded::{Circuit, Config, State, Ticket};

/// The open duration every test uses.
pub const OPEN: Duration = Duration::from_secs(10);
pub const MS: Duration = Duration::from_millis(1);

pub fn circuit(failure_threshold: u32) -> Circuit {
    Circuit::new(Config {
        failure_threshold,
        open_duration: OPEN,
    })
}

/// `t` relative to `t0`, as `t0+10s` or `t0-1ms`.
pub fn at(t: Instant, t0: Instant) -> String {
    if t == t0 {
        "t0".to_owned()
    } else if t > t0 {
        format!("t0+{:?}", t - t0)
    } else {
        format!("t0-{:?}", t0 - t)
    }
}

/// A state with its instants relative to `t0`.
pub fn show(state: State, t0: Instant) -> String {
    match state {
        State::Closed { failure_count } => format!("Closed {{ failure_count: {failure_count} }}"),
        State::Open { until } => format!("Open {{ until: {} }}", at(until, t0)),
        State::HalfOpen => "HalfOpen".to_owned(),
    }
}

/// Fails the test unless the circuit is in `expected`; `after` says what happened before.
#[track_caller]
pub fn expect_state(c: &Circuit, expected: State, t0: Instant, after: &str) {
    let actual = c.state();
    assert!(
        actual == expected,
        "{after}, the circuit must be {}; it was {}",
        show(expected, t0),
        show(actual, t0),
    );
}

/// Admits a request at `now`, failing the test if the circuit rejects it.
#[track_caller]
pub fn admit(c: &mut Circuit, now: Instant, t0: Instant, why: &str) -> Ticket {
    let before = c.state();
    match c.admit(now) {
        Some(ticket) => ticket,
        None => panic!(
            "a request at {} must be admitted ({why}), but the circuit rejected it; it was {} before",
            at(now, t0),
            show(before, t0),
        ),
    }
}

/// Sends `n` requests at `now` that all fail.
#[track_caller]
pub fn fail_n(c: &mut Circuit, n: u32, now: Instant, t0: Instant) {
    for _ in 0..n {
        let ticket = admit(c, now, t0, "the circuit is closed");
        c.on_failure(ticket, now);
    }
}

/// Opens a circuit of threshold 1 at `t0` and returns the instant it may probe again.
#[track_caller]
pub fn opened(c: &mut Circuit, t0: Instant) -> Instant {
    let ticket = admit(c, t0, t0, "a new circuit is closed");
    c.on_failure(ticket, t0);
    expect_state(
        c,
        State::Open { until: t0 + OPEN },
        t0,
        "after 1 failure with threshold 1",
    );
    t0 + OPEN
}
