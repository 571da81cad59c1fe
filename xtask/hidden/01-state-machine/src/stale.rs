//! Stale results: an outcome that lands after the circuit has moved on changes nothing.

use crate::support::*;

#[test]
fn late_failure_while_open_does_not_extend_until() {
    let t0 = Instant::now();
    let mut c = circuit(2);
    let slow = admit(&mut c, t0, t0, "the circuit is closed");
    fail_n(&mut c, 2, t0, t0);
    c.on_failure(slow, t0 + Duration::from_secs(5));
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after a request admitted while Closed failed at t0+5s, when the circuit was already Open \
         (a stale failure must not push the deadline out)",
    );
}

#[test]
fn late_success_while_open_does_not_close() {
    let t0 = Instant::now();
    let mut c = circuit(2);
    let slow = admit(&mut c, t0, t0, "the circuit is closed");
    fail_n(&mut c, 2, t0, t0);
    c.on_success(slow);
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after a request admitted while Closed succeeded when the circuit was already Open (a \
         stale success must not close it)",
    );
}

#[test]
fn closed_request_succeeding_in_half_open_does_not_decide_the_probe() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let slow = admit(&mut c, t0, t0, "the circuit is closed");
    let until = opened(&mut c, t0);
    let _probe = admit(&mut c, until, t0, "the open period is over");
    c.on_success(slow);
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after a request admitted while Closed succeeded during HalfOpen (only the probe decides)",
    );
}

#[test]
fn closed_request_failing_in_half_open_does_not_decide_the_probe() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let slow = admit(&mut c, t0, t0, "the circuit is closed");
    let until = opened(&mut c, t0);
    let probe = admit(&mut c, until, t0, "the open period is over");
    c.on_failure(slow, until);
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after a request admitted while Closed failed during HalfOpen (only the probe decides)",
    );
    c.on_success(probe);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after the probe itself succeeded",
    );
}

#[test]
fn result_from_an_earlier_half_open_period_is_stale() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let first = admit(&mut c, until, t0, "the open period is over");
    let second = admit(
        &mut c,
        until,
        t0,
        "this exercise's HalfOpen admits every request",
    );
    c.on_failure(first, until);
    let again = until + OPEN;
    let _probe = admit(&mut c, again, t0, "the second open period is over");
    c.on_success(second);
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after a request admitted in the first half-open period succeeded during the second one",
    );
}

#[test]
fn failure_admitted_before_the_circuit_closed_again_is_not_counted() {
    let t0 = Instant::now();
    let mut c = circuit(2);
    let slow = admit(&mut c, t0, t0, "the circuit is closed");
    fail_n(&mut c, 2, t0, t0);
    let probe = admit(&mut c, t0 + OPEN, t0, "the open period is over");
    c.on_success(probe);
    c.on_failure(slow, t0 + OPEN);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after the circuit closed again and then a request admitted before it opened failed",
    );
}
