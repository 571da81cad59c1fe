//! The probe's verdict: its success closes the circuit, its failure re-opens it (from the
//! probe's end), the classifier decides which is which, and either way the probe is given back.

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn probe_success_closes_the_circuit() {
    let mut h = breaker::<&str>(3);
    h.open_until_half_open(3).await;
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
    // Closed again: no more probes, requests flow side by side.
    let mut clone = h.svc.clone();
    let first = h.start("a request once the circuit closed");
    let second = start(
        &mut clone,
        &mut h.handle,
        "a second request through a clone, while the first is in flight",
    );
    assert!(
        first.reached() && second.reached(),
        "once the probe closed the circuit, two requests in flight at the same time must both \
         reach the backend (only half-open is limited to one); reached: {} and {}",
        first.reached(),
        second.reached()
    );
    let _ = first.answer(Ok("fine"));
    let _ = second.answer(Ok("fine"));
    // And failures are counted afresh; a success resets them.
    h.fail_n(2, "after the probe closed the circuit, with threshold 3");
    h.expect_state(
        State::Closed { failure_count: 2 },
        "after the probe closed the circuit and then 2 failures (closing starts the count from \
         zero)",
    );
    let _ = h.send(Ok("fine"), "a success after 2 failures");
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after 2 failures and then a success (a success resets the count, even when it comes \
         after failures)",
    );
    h.fail_n(3, "3 failures, from t0+10s");
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after 3 consecutive failures at t0+10s with threshold 3",
    );
}

#[tokio::test(start_paused = true)]
async fn probe_failure_reopens_the_circuit_and_frees_the_probe() {
    let mut h = breaker::<&str>(2);
    h.open_until_half_open(2).await;
    let probe = h.start("the probe, at t0+10s");
    advance(Duration::from_secs(3)).await;
    let outcome = probe.answer(Err(BackendError("still down")));
    assert!(
        matches!(outcome, Err(Error::Inner(BackendError("still down")))),
        "the probe's caller must get the backend's error as Error::Inner; it was {}",
        show_outcome(&outcome)
    );
    if let Err(error) = &outcome {
        let source = std::error::Error::source(error).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("backend error: still down"),
            "the probe's Error::Inner must give the backend's error as its source()"
        );
    }
    let reopened_until = t0() + OPEN + Duration::from_secs(3) + OPEN;
    h.expect_state(
        State::Open {
            until: reopened_until,
        },
        "after the probe sent at t0+10s failed at t0+13s (a fresh open period, counted from the \
         probe's end)",
    );
    h.handle.allow(0);
    let polled = poll_ready(&mut h.svc);
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "with the circuit re-opened by the probe and a backend that is not ready, poll_ready \
         must return Ready(Ok(())) without waiting on the backend; it returned {polled:?}"
    );
    let outcome = poll_once(h.svc.call("request"));
    assert!(
        matches!(outcome, Poll::Ready(Err(Error::Open))),
        "with the circuit re-opened by the probe, a request must fail at once with \
         Err(Error::Open); it got {}",
        show_poll(&outcome)
    );
    h.handle.allow(u64::MAX);
    advance(OPEN - MS).await;
    h.reject("at t0+23s-1ms, just before the fresh `until`");
    advance(MS).await;
    let next = h.start("the next probe, at t0+23s, the fresh `until`");
    assert!(
        next.reached(),
        "the first probe failed and the circuit re-opened; at the fresh `until` the next probe \
         must reach the backend (settling the probe gives it back), but the breaker did not \
         send it"
    );
    h.reject("while the next probe is in flight");
    let _ = next.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the next probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn the_classifier_decides_the_probe() {
    let mut h = breaker_with::<http::Response<()>, _>(1, HttpClassifier);
    h.open_until_half_open(1).await;
    let outcome = h.send(
        Ok(response(503)),
        "the probe, answered 503 Service Unavailable",
    );
    assert!(
        matches!(&outcome, Ok(r) if r.status() == 503),
        "the probe's caller must get the backend's 503 response; it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after the probe was answered 503 at t0+10s (an Ok response the classifier counts as a \
         failure re-opens the circuit)",
    );
    advance(OPEN).await;
    let _ = h.send(Ok(response(404)), "the next probe, answered 404 Not Found");
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe was answered 404 (not a failure of the backend: the probe succeeded)",
    );
}

#[tokio::test(start_paused = true)]
async fn a_closure_classifier_decides_the_probe() {
    let overloaded_or_error =
        |outcome: &Result<&str, BackendError>| matches!(outcome, Ok("overloaded") | Err(_));
    let mut h = breaker_with(1, overloaded_or_error);
    h.open_until_half_open(1).await;
    let outcome = h.send(Ok("overloaded"), "the probe, answered Ok(\"overloaded\")");
    assert!(
        matches!(outcome, Ok("overloaded")),
        "the probe's caller must get the backend's Ok(\"overloaded\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after the probe was answered Ok(\"overloaded\"), which the layer's closure classifies as \
         a failure",
    );
    advance(OPEN).await;
    let _ = h.send(Ok("fine"), "the next probe, answered Ok(\"fine\")");
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the next probe was answered Ok(\"fine\"), which the closure does not count",
    );
}
