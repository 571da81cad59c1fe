//! Exactly one probe: half-open lets one request through, across clones; while it is in flight
//! every other request fails fast with `Error::Open`, without reaching the backend. The probe
//! is reserved by `poll_ready` and belongs to the service that was polled, not to its clones.

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn two_clones_racing_into_half_open_send_exactly_one_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let mut a = h.svc.clone();
    let mut b = h.svc.clone();
    let ready_a = poll_ready(&mut a);
    let ready_b = poll_ready(&mut b);
    assert!(
        matches!(ready_a, Poll::Ready(Ok(()))) && matches!(ready_b, Poll::Ready(Ok(()))),
        "two clones polled at `until` (the backend is ready): poll_ready must return \
         Ready(Ok(())) for both, the one that gets the probe and the one whose `call` will fail \
         fast; it returned {ready_a:?} and {ready_b:?}"
    );
    let future_a = Box::pin(a.call("request"));
    let future_b = Box::pin(b.call("request"));
    let Poll::Ready(Some((_, probe_reply))) = h.handle.poll_request() else {
        panic!(
            "two clones polled ready at `until` and then called: the first one polled holds the \
             probe, and its request must reach the backend; the backend received nothing"
        );
    };
    expect_no_request(
        &mut h.handle,
        "two clones polled ready at `until` and both called: while one probe was in flight",
    );
    let rejected = poll_once(future_b);
    assert!(
        matches!(rejected, Poll::Ready(Err(Error::Open))),
        "the clone that found the probe taken must get Err(Error::Open) at once; it got {}",
        show_poll(&rejected)
    );
    if let Poll::Ready(Err(error)) = &rejected {
        assert!(
            error.to_string().contains("open") && std::error::Error::source(error).is_none(),
            "Error::Open must say that the circuit is open, and have no source(); it displays \
             {:?}",
            error.to_string()
        );
    }
    probe_reply.send_response("fine");
    let probed = poll_once(future_a);
    assert!(
        matches!(probed, Poll::Ready(Ok("fine"))),
        "the probe's caller must get the backend's Ok(\"fine\"); it got {}",
        show_poll(&probed)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the one probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn requests_while_the_probe_is_in_flight_fail_fast_without_the_backend() {
    let mut h = breaker::<&str>(2);
    h.open_until_half_open(2).await;
    let probe = h.start("the probe, at `until`");
    assert!(
        probe.reached(),
        "the first request at `until` is the probe: it must reach the backend"
    );
    h.expect_state(State::HalfOpen, "while the probe is in flight");
    let mut clone = h.svc.clone();
    h.reject("through the original, while the probe is in flight");
    reject(
        &mut clone,
        &mut h.handle,
        "through a clone, while the probe is in flight",
    );
    advance(OPEN * 3).await;
    h.reject(
        "30s later, with the probe still in flight (a slow probe is still the probe: time alone \
         frees nothing)",
    );
    h.handle.allow(0);
    let polled = poll_ready(&mut clone);
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "with the probe in flight and a backend that is not ready, poll_ready must return \
         Ready(Ok(())) without waiting on the backend (the request will fail fast, as when \
         Open); it returned {polled:?}"
    );
    let outcome = poll_once(clone.call("request"));
    assert!(
        matches!(outcome, Poll::Ready(Err(Error::Open))),
        "with the probe in flight, a request must fail at once with Err(Error::Open); it got {}",
        show_poll(&outcome)
    );
    expect_no_request(&mut h.handle, "while one probe was in flight");
    h.expect_state(
        State::HalfOpen,
        "after requests were rejected while the probe was in flight (a rejection changes nothing)",
    );
    let outcome = probe.answer(Ok("fine"));
    assert!(
        matches!(outcome, Ok("fine")),
        "the probe's caller must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn poll_ready_twice_takes_one_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    for i in 1..=2 {
        let polled = poll_ready(&mut h.svc);
        assert!(
            matches!(polled, Poll::Ready(Ok(()))),
            "poll_ready number {i} at `until`, before any call, must return Ready(Ok(())); it \
             returned {polled:?}"
        );
    }
    let probe = start_after_ready(
        &mut h.svc,
        &mut h.handle,
        "the call after two poll_ready at `until`",
    );
    assert!(
        probe.reached(),
        "poll_ready was called twice at `until`, then call: the request must be the probe and \
         reach the backend (the second poll_ready keeps the probe the first one took; asking \
         the circuit again would find the probe taken, by the very same service)"
    );
    let mut clone = h.svc.clone();
    reject(
        &mut clone,
        &mut h.handle,
        "through a clone while that probe is in flight",
    );
    let _ = probe.answer(Err(BackendError("still down")));
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after the probe failed at t0+10s",
    );
    advance(OPEN).await;
    let next = h.start("the next probe, at the fresh `until`");
    assert!(
        next.reached(),
        "after a probe taken by two poll_ready calls failed and the circuit re-opened, the next \
         probe must reach the backend: two poll_ready calls take one probe, and it was given \
         back; the breaker did not send it"
    );
    let _ = next.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the next probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn a_clone_inherits_no_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let polled = poll_ready(&mut h.svc);
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "at `until`, poll_ready must return Ready(Ok(())); it returned {polled:?}"
    );
    let mut clone = h.svc.clone();
    reject(
        &mut clone,
        &mut h.handle,
        "through a clone made after the original's poll_ready took the probe (a clone starts \
         with no admission and no probe: it must ask the circuit, which finds the probe taken)",
    );
    let probe = start_after_ready(
        &mut h.svc,
        &mut h.handle,
        "the original's call, after its poll_ready took the probe",
    );
    assert!(
        probe.reached(),
        "the original's poll_ready took the probe before it was cloned: its call must send the \
         probe to the backend; the breaker did not send it"
    );
    expect_no_request(&mut h.handle, "while one probe was in flight");
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn probe_future_and_service_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync>() {}
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let probe = h.start("the probe, to check that its future is Send");
    assert_send(&probe);
    assert_send(&h.svc);
    assert_send_sync::<crate::graded::Probe>();
    let _ = probe.answer(Ok("fine"));
}
