//! Closed: failures are counted, the threshold-th consecutive one opens, a success resets.

use crate::support::*;

#[test]
fn new_circuit_admits_requests() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    let _ticket = admit(&mut c, t0, t0, "a new circuit is closed");
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after admitting one request into a new circuit",
    );
}

#[test]
fn threshold_minus_one_failures_stay_closed() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    fail_n(&mut c, 2, t0, t0);
    expect_state(
        &c,
        State::Closed { failure_count: 2 },
        t0,
        "after 2 failures with threshold 3 (below the threshold the failures are only counted)",
    );
}

#[test]
fn threshold_th_failure_opens() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    fail_n(&mut c, 3, t0, t0);
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after 3 failures with threshold 3 and an open duration of 10s",
    );
}

#[test]
fn threshold_one_opens_on_the_first_failure() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    fail_n(&mut c, 1, t0, t0);
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after 1 failure with threshold 1",
    );
}

#[test]
fn threshold_zero_behaves_like_one() {
    let t0 = Instant::now();
    let mut c = circuit(0);
    fail_n(&mut c, 1, t0, t0);
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after 1 failure with threshold 0 (documented to behave like 1)",
    );
}

#[test]
fn success_resets_the_failure_count() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    fail_n(&mut c, 2, t0, t0);
    let ticket = admit(&mut c, t0, t0, "the circuit is closed");
    c.on_success(ticket);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after 2 failures and then a success (a success resets the count)",
    );
    fail_n(&mut c, 2, t0, t0);
    expect_state(
        &c,
        State::Closed { failure_count: 2 },
        t0,
        "after failure, failure, success, failure, failure with threshold 3 (only consecutive \
         failures open the circuit)",
    );
}

#[test]
fn open_duration_counts_from_the_failure_that_opens() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    fail_n(&mut c, 1, t0, t0);
    fail_n(&mut c, 1, t0 + Duration::from_secs(1), t0);
    fail_n(&mut c, 1, t0 + Duration::from_secs(5), t0);
    expect_state(
        &c,
        State::Open {
            until: t0 + Duration::from_secs(5) + OPEN,
        },
        t0,
        "after failures at t0, t0+1s and t0+5s with threshold 3 (the deadline is measured from \
         the `now` of the failure that opens, plus the open duration)",
    );
}
