//! Stale results: the outcome of a request admitted in an earlier period of the circuit changes
//! nothing (the response future reports it with the ticket it was admitted with).

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn late_failure_while_open_does_not_extend_until() {
    let mut h = breaker::<&str>(2);
    let slow = h.start("a slow request, while Closed");
    h.fail_n(2, "with threshold 2, at t0");
    advance(Duration::from_secs(5)).await;
    let _ = slow.answer(Err(BackendError("late")));
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after a request sent while Closed failed at t0+5s, when the circuit was already Open \
         (a stale failure must not push the deadline out: report it with the request's ticket)",
    );
}

#[tokio::test(start_paused = true)]
async fn late_success_while_open_does_not_close() {
    let mut h = breaker::<&str>(2);
    let slow = h.start("a slow request, while Closed");
    h.fail_n(2, "with threshold 2, at t0");
    let outcome = slow.answer(Ok("late"));
    assert!(
        matches!(outcome, Ok("late")),
        "a late request's caller still gets the backend's Ok(\"late\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after a request sent while Closed succeeded when the circuit was already Open (a stale \
         success must not close it)",
    );
}

#[tokio::test(start_paused = true)]
async fn closed_request_succeeding_in_half_open_does_not_decide_the_probe() {
    let mut h = breaker::<&str>(1);
    let slow = h.start("a slow request, while Closed");
    h.fail_n(1, "with threshold 1, at t0");
    advance(OPEN).await;
    let probe = h.start("the probe, at t0+10s");
    let _ = slow.answer(Ok("late"));
    h.expect_state(
        State::HalfOpen,
        "after a request sent while Closed succeeded during HalfOpen (only a request admitted in \
         HalfOpen decides)",
    );
    let _ = probe.answer(Err(BackendError("still down")));
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after the probe itself failed at t0+10s",
    );
}

#[tokio::test(start_paused = true)]
async fn closed_request_failing_in_half_open_does_not_decide_the_probe() {
    let mut h = breaker::<&str>(1);
    let slow = h.start("a slow request, while Closed");
    h.fail_n(1, "with threshold 1, at t0");
    advance(OPEN).await;
    let probe = h.start("the probe, at t0+10s");
    let _ = slow.answer(Err(BackendError("late")));
    h.expect_state(
        State::HalfOpen,
        "after a request sent while Closed failed during HalfOpen (only a request admitted in \
         HalfOpen decides)",
    );
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe itself succeeded",
    );
}
