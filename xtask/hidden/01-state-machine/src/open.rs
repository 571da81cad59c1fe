//! Open: every request is rejected until `until`; the first one at or after it becomes the probe.

use crate::support::*;

#[test]
fn rejects_requests_before_until() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    for now in [t0, t0 + Duration::from_secs(5), until - MS] {
        let admitted = c.admit(now).is_some();
        assert!(
            !admitted,
            "an Open circuit must reject a request at {} (before `until` = {}); it admitted it",
            at(now, t0),
            at(until, t0),
        );
        expect_state(
            &c,
            State::Open { until },
            t0,
            &format!(
                "after rejecting a request at {} (a rejection changes nothing)",
                at(now, t0)
            ),
        );
    }
}

#[test]
fn admits_at_until_and_moves_to_half_open() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let _probe = admit(
        &mut c,
        until,
        t0,
        "it arrives exactly at `until`, when the open period is over",
    );
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after a request arrived at `until` (the move to HalfOpen happens lazily, on the request)",
    );
}

#[test]
fn admits_long_after_until_and_moves_to_half_open() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let _probe = admit(
        &mut c,
        until + Duration::from_secs(3600),
        t0,
        "it arrives an hour after `until`",
    );
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after a request arrived an hour after `until`",
    );
}
