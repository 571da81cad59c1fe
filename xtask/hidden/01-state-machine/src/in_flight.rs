//! Several requests in flight at once: all are admitted before any outcome comes back, in every
//! state. Counting a failure is not a change of state, so the other requests admitted in the
//! same period keep current tickets; a change of state makes them stale.

use crate::support::*;

/// Admits `n` requests at `now`, all before any outcome.
#[track_caller]
fn admit_n(c: &mut Circuit, n: usize, now: Instant, t0: Instant, why: &str) -> Vec<Ticket> {
    (0..n).map(|_| admit(c, now, t0, why)).collect()
}

#[test]
fn closed_counts_every_failure_of_requests_admitted_together() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    let tickets = admit_n(&mut c, 3, t0, t0, "the circuit is closed");
    for (i, ticket) in tickets.into_iter().enumerate() {
        c.on_failure(ticket, t0);
        if i < 2 {
            expect_state(
                &c,
                State::Closed {
                    failure_count: i as u32 + 1,
                },
                t0,
                &format!(
                    "after 3 requests admitted together and {} of them failed, threshold 3 \
                     (counting a failure is not a change of state: it must not start a new \
                     epoch, or the other requests in flight become stale and are not counted)",
                    i + 1
                ),
            );
        }
    }
    expect_state(
        &c,
        State::Open { until: t0 + OPEN },
        t0,
        "after 3 requests admitted together all failed, threshold 3 (each failure is counted: \
         counting must not start a new epoch, or the second and third failures are dropped as \
         stale)",
    );
}

#[test]
fn closed_success_of_a_request_admitted_together_resets_the_count() {
    let t0 = Instant::now();
    let mut c = circuit(3);
    let mut tickets = admit_n(&mut c, 3, t0, t0, "the circuit is closed").into_iter();
    c.on_failure(tickets.next().unwrap(), t0);
    c.on_failure(tickets.next().unwrap(), t0);
    c.on_success(tickets.next().unwrap());
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after 3 requests admitted together: failure, failure, then a success, threshold 3 \
         (the success is current: counting failures does not start a new epoch)",
    );
}

#[test]
fn closed_failures_after_the_opening_one_are_stale() {
    let t0 = Instant::now();
    let mut c = circuit(2);
    let tickets = admit_n(&mut c, 4, t0, t0, "the circuit is closed");
    for (i, ticket) in tickets.into_iter().enumerate() {
        c.on_failure(ticket, t0 + Duration::from_secs(i as u64));
    }
    expect_state(
        &c,
        State::Open {
            until: t0 + Duration::from_secs(1) + OPEN,
        },
        t0,
        "after 4 requests admitted together failed at t0, t0+1s, t0+2s and t0+3s, threshold 2 \
         (the second failure opens the circuit; opening starts a new epoch, so the later \
         failures are stale and do not move the deadline)",
    );
}

#[test]
fn open_rejects_every_request_of_a_burst() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    for i in 0..3 {
        assert!(
            c.admit(until - MS).is_none(),
            "request {} of a burst at {} must be rejected while the circuit is {}; it was admitted",
            i + 1,
            at(until - MS, t0),
            show(State::Open { until }, t0),
        );
    }
    expect_state(
        &c,
        State::Open { until },
        t0,
        "after a burst of requests rejected before `until` (rejecting changes nothing)",
    );
}

#[test]
fn half_open_first_outcome_decides_and_the_rest_are_stale() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let mut tickets = admit_n(&mut c, 3, until, t0, "the circuit may probe at `until`").into_iter();
    expect_state(
        &c,
        State::HalfOpen,
        t0,
        "after 3 requests admitted together at `until`",
    );
    c.on_failure(tickets.next().unwrap(), until);
    expect_state(
        &c,
        State::Open {
            until: until + OPEN,
        },
        t0,
        "after 3 requests admitted together in HalfOpen and the first one failed",
    );
    c.on_success(tickets.next().unwrap());
    c.on_failure(tickets.next().unwrap(), until + Duration::from_secs(1));
    expect_state(
        &c,
        State::Open {
            until: until + OPEN,
        },
        t0,
        "after the first half-open request failed and re-opened the circuit, then the two \
         others admitted with it succeeded and failed (re-opening starts a new epoch: their \
         results are stale)",
    );
}

#[test]
fn half_open_success_closes_and_later_failures_of_its_batch_are_stale() {
    let t0 = Instant::now();
    let mut c = circuit(1);
    let until = opened(&mut c, t0);
    let mut tickets = admit_n(&mut c, 2, until, t0, "the circuit may probe at `until`").into_iter();
    c.on_success(tickets.next().unwrap());
    c.on_failure(tickets.next().unwrap(), until);
    expect_state(
        &c,
        State::Closed { failure_count: 0 },
        t0,
        "after 2 requests admitted together in HalfOpen, the first succeeded (closing the \
         circuit) and the second then failed, threshold 1 (closing starts a new epoch: the \
         failure is stale)",
    );
}
