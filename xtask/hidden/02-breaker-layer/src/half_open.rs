//! HalfOpen: the outcome of a request admitted after `until` decides between Closed and Open.
//! (In this exercise HalfOpen admits every request; the single probe is exercise 03.)

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn half_open_success_closes_the_circuit() {
    let mut h = breaker::<&str>(2);
    h.fail_n(2, "with threshold 2");
    advance(OPEN).await;
    let outcome = h.send(Ok("fine"), "the probe, at `until`, which succeeds");
    assert!(
        matches!(outcome, Ok("fine")),
        "the probe's caller must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the half-open probe succeeded",
    );
    h.fail_n(1, "after the circuit closed again");
    h.expect_state(
        State::Closed { failure_count: 1 },
        "after the probe closed the circuit and then 1 failure with threshold 2 (closing starts \
         the count from zero)",
    );
}

#[tokio::test(start_paused = true)]
async fn half_open_failure_reopens_from_the_probe_end() {
    let mut h = breaker::<&str>(1);
    h.fail_n(1, "with threshold 1, at t0");
    advance(OPEN).await;
    let probe = h.start("the probe, at t0+10s");
    advance(Duration::from_secs(3)).await;
    let outcome = probe.answer(Err(BackendError("still down")));
    assert!(
        matches!(outcome, Err(Error::Inner(BackendError("still down")))),
        "the probe's caller must get the backend's error as Error::Inner; it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open {
            until: t0() + OPEN + Duration::from_secs(3) + OPEN,
        },
        "after the probe sent at t0+10s failed at t0+13s (a fresh open period, counted from when \
         the failure came back: read tokio::time::Instant::now() in the response future)",
    );
    advance(OPEN - MS).await;
    h.reject("at t0+23s-1ms, just before the fresh `until`");
    advance(MS).await;
    let _ = h.send(Ok("fine"), "at t0+23s, the fresh `until`");
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after a second probe succeeded",
    );
}
