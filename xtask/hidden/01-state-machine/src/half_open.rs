//! HalfOpen: the probe's outcome decides between Closed and Open.

use crate::support::*;

#[test]
fn probe_success_closes_with_a_zero_count() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    fail_n(&mut c, 3, t0, t0);
    let until = t0 + OPEN;
    let probe = admit(&mut c, until, t0, "the open period is over");
    c.on_success(probe);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after the half-open probe succeeded",
    );
    fail_n(&mut c, 2, until, t0);
    expect_state(
        &c,
        State::Closed { failure_count: 2 },
        t0,
        "after the probe closed the circuit and then 2 failures with threshold 3 (closing starts \
         the count from zero)",
    );
}

#[test]
fn probe_failure_reopens_from_the_probe_end() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let probe = admit(&mut c, until, t0, "the open period is over");
    let probe_end = until + Duration::from_secs(3);
    c.on_failure(probe, probe_end);
    expect_state(
        &c,
        State::Open {
            until: probe_end + OPEN,
        },
        t0,
        "after the probe admitted at t0+10s failed at t0+13s (the fresh deadline counts from the \
         probe's failure)",
    );
}

#[test]
fn reopened_circuit_probes_again_after_the_open_duration() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let probe = admit(&mut c, until, t0, "the open period is over");
    c.on_failure(probe, until);
    let second = until + OPEN;
    let rejected = c.admit(second - MS).is_none();
    assert!(
        rejected,
        "after the probe failed at t0+10s the circuit must reject requests until t0+20s; it \
         admitted one at t0+20s-1ms"
    );
    let probe = admit(&mut c, second, t0, "the second open period is over");
    c.on_success(probe);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after a second probe succeeded",
    );
}
