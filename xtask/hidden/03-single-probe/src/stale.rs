//! Stale results and stale releases: a request admitted before the current half-open period
//! holds no probe and an old ticket, so its outcome neither decides the probe nor frees it; and
//! a probe of an earlier half-open period, dropped late, never frees the probe of a newer one.

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn a_stale_success_neither_decides_nor_frees_the_probe() {
    let mut h = breaker::<&str>(1);
    let slow = h.start("a slow request, while Closed");
    h.open_until_half_open(1).await;
    let probe = h.start("the probe, at t0+10s");
    assert!(
        probe.reached(),
        "the first request at `until` must be the probe"
    );
    let outcome = slow.answer(Ok("late"));
    assert!(
        matches!(outcome, Ok("late")),
        "the slow request's caller still gets the backend's Ok(\"late\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::HalfOpen,
        "after a request sent while Closed succeeded during HalfOpen (a stale success must not \
         decide the probe: only the probe does)",
    );
    h.reject(
        "after a request sent while Closed succeeded, with the probe still in flight (a stale \
         success must not free the probe either)",
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
async fn a_stale_failure_neither_decides_nor_frees_the_probe() {
    let mut h = breaker::<&str>(1);
    let slow = h.start("a slow request, while Closed");
    h.open_until_half_open(1).await;
    let probe = h.start("the probe, at t0+10s");
    assert!(
        probe.reached(),
        "the first request at `until` must be the probe"
    );
    let _ = slow.answer(Err(BackendError("late")));
    h.expect_state(
        State::HalfOpen,
        "after a request sent while Closed failed during HalfOpen (a stale failure must not \
         decide the probe: only the probe does)",
    );
    h.reject(
        "after a request sent while Closed failed, with the probe still in flight (a stale \
         failure must not free the probe either)",
    );
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe itself succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn stale_results_after_the_probe_failed_leave_the_open_circuit_alone() {
    let mut h = breaker::<&str>(2);
    let slow_failure = h.start("a slow request that will fail, while Closed");
    let slow_success = h.start("a slow request that will succeed, while Closed");
    h.open_until_half_open(2).await;
    let _ = h.send(
        Err(BackendError("still down")),
        "the probe, at t0+10s, which fails",
    );
    let reopened = State::Open {
        until: t0() + OPEN + OPEN,
    };
    h.expect_state(reopened, "after the probe failed at t0+10s");
    advance(Duration::from_secs(5)).await;
    let _ = slow_failure.answer(Err(BackendError("late")));
    h.expect_state(
        reopened,
        "after a request sent while Closed failed at t0+15s, when the probe had re-opened the \
         circuit (a stale failure must not push `until` out)",
    );
    let _ = slow_success.answer(Ok("late"));
    h.expect_state(
        reopened,
        "after a request sent while Closed succeeded at t0+15s, when the probe had re-opened \
         the circuit (a stale success must not close it)",
    );
    h.reject("at t0+15s, with the circuit re-opened by the probe");
}

#[tokio::test(start_paused = true)]
async fn a_settled_probe_dropped_late_does_not_free_a_newer_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let _ = h.send(
        Err(BackendError("still down")),
        "a first probe, at t0+10s, which fails",
    );
    advance(OPEN).await;
    let mut old = h.start("the probe of the next half-open period, at t0+20s");
    assert!(
        old.reached(),
        "the first request at the fresh `until` must be the probe"
    );
    let _ = old.answer_and_keep(Err(BackendError("still down")));
    h.expect_state(
        State::Open {
            until: t0() + OPEN * 3,
        },
        "after the probe sent at t0+20s failed (its response future is kept, not dropped)",
    );
    advance(OPEN).await;
    let newer = h.start("the probe of a newer half-open period, at t0+30s");
    assert!(
        newer.reached(),
        "at t0+30s, the circuit goes half-open again: the request must be its probe, even \
         though the response future of the previous, settled probe still exists"
    );
    drop(old);
    h.reject(
        "after the settled probe of the previous half-open period was dropped, while the newer \
         probe is in flight (its Drop must give back only its own probe: the slot now holds the \
         newer period's probe, which it must leave alone)",
    );
    let _ = newer.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the newer probe succeeded",
    );
}
