//! Closed: requests reach the backend and failures are counted; the inner service's readiness
//! (`Pending`, errors) is passed through.

use tokio_test::{assert_pending, assert_ready_ok, task};

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn inner_sees_exactly_threshold_requests_before_the_circuit_opens() {
    let mut h = breaker::<&str>(3);
    h.fail_n(3, "with threshold 3");
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after 3 failed requests with threshold 3",
    );
    for i in 1..=4 {
        h.reject(&format!(
            "request {i} after the circuit opened (the backend has seen exactly 3 requests)"
        ));
    }
}

#[tokio::test(start_paused = true)]
async fn success_resets_the_failure_count() {
    let mut h = breaker::<&str>(3);
    h.fail_n(2, "with threshold 3");
    let outcome = h.send(Ok("fine"), "after 2 failures, a request that succeeds");
    assert!(
        matches!(outcome, Ok("fine")),
        "a request the backend answered with Ok(\"fine\") must return it; it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after 2 failures and then a success with threshold 3 (a success resets the count)",
    );
    h.fail_n(2, "after the success");
    h.expect_state(
        State::Closed { failure_count: 2 },
        "after failure, failure, success, failure, failure with threshold 3 (only consecutive \
         failures open the circuit)",
    );
}

#[tokio::test(start_paused = true)]
async fn inner_pending_is_passed_through_and_wakes_the_task() {
    let mut h = breaker::<&str>(3);
    h.handle.allow(0);
    let mut task = task::spawn(());
    assert_pending!(
        task.enter(|cx, _| h.svc.poll_ready(cx)),
        "with the circuit Closed and a backend that is not ready, poll_ready must return \
         Pending (the backend's own answer)"
    );
    assert!(
        !task.is_woken(),
        "nothing happened yet, but the task was woken: poll_ready must not wake the task itself \
         (that is a busy loop)"
    );
    h.handle.allow(1);
    assert!(
        task.is_woken(),
        "the backend became ready, but the task that polled the breaker was not woken: pass the \
         caller's Context (`cx`) to the inner service's poll_ready, so that it can wake the task"
    );
    let outcome = h.send(Ok("fine"), "once the backend is ready");
    assert!(
        matches!(outcome, Ok("fine")),
        "once the backend is ready, a request must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
}

#[tokio::test(start_paused = true)]
async fn inner_readiness_error_is_wrapped_and_not_counted() {
    let mut h = breaker::<&str>(1);
    h.handle.send_error(BackendError("not ready"));
    let polled = poll_ready(&mut h.svc);
    assert!(
        matches!(
            polled,
            Poll::Ready(Err(Error::Inner(BackendError("not ready"))))
        ),
        "when the backend's poll_ready fails with BackendError(\"not ready\"), the breaker's \
         poll_ready must return Ready(Err(Error::Inner(that error))); it returned {}",
        match polled {
            Poll::Pending => "Pending".to_owned(),
            Poll::Ready(Ok(())) => "Ready(Ok(()))".to_owned(),
            Poll::Ready(Err(e)) => format!("Ready({})", show_outcome::<()>(&Err(e))),
        }
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the backend's poll_ready failed, with threshold 1 (no request was sent, so no \
         request failed: a readiness error is not counted)",
    );
    let outcome = h.send(Ok("fine"), "after the readiness error");
    assert!(
        matches!(outcome, Ok("fine")),
        "after a readiness error, the next request must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
}

#[tokio::test(start_paused = true)]
async fn poll_ready_twice_then_call_sends_one_request() {
    let mut h = breaker::<&str>(3);
    let mut task = task::spawn(());
    assert_ready_ok!(
        task.enter(|cx, _| h.svc.poll_ready(cx)),
        "with the circuit Closed and a ready backend, poll_ready must return Ready(Ok(()))"
    );
    let outcome = h.send(Ok("fine"), "a second poll_ready before call, then call");
    assert!(
        matches!(outcome, Ok("fine")),
        "after poll_ready twice and one call, the request must get the backend's Ok(\"fine\"); it \
         was {}",
        show_outcome(&outcome)
    );
    assert!(
        h.handle.poll_request().is_pending(),
        "poll_ready twice and call once must send exactly one request; the backend received two"
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after one request that succeeded",
    );
}
