//! An abandoned probe is given back: a service made ready and dropped before `call`, a probe
//! future dropped before it completes, a probe whose backend turns out not to be ready. An
//! abandoned probe gives no verdict: the circuit stays half-open and the next caller probes.

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn a_ready_service_dropped_before_call_frees_the_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let mut ready = h.svc.clone();
    let polled = poll_ready(&mut ready);
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "at `until`, poll_ready must return Ready(Ok(())); it returned {polled:?}"
    );
    h.reject(
        "while a clone that poll_ready made ready holds the probe (poll_ready reserves the probe, \
         so that the caller's `call` is sure to send it)",
    );
    drop(ready);
    h.expect_state(
        State::HalfOpen,
        "after a service holding the probe was dropped before `call` (no request was sent: no \
         verdict)",
    );
    let probe = h.start("the next request, after the service that held the probe was dropped");
    assert!(
        probe.reached(),
        "a service made ready (holding the probe) was dropped before `call`: the probe must be \
         given back when the service is dropped (a Drop for the probe), and the next request \
         must be the probe; the breaker did not send it"
    );
    expect_no_request(&mut h.handle, "while one probe was in flight");
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the new probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn a_probe_future_dropped_before_it_completes_frees_the_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    let abandoned = h.start("the probe, at `until`, whose caller gives up");
    assert!(
        abandoned.reached(),
        "the first request at `until` is the probe: it must reach the backend"
    );
    h.reject("while the probe is in flight, before its caller gives up");
    let late_reply = abandoned.abandon();
    h.expect_state(
        State::HalfOpen,
        "after the probe's response future was dropped before the backend answered (a dropped \
         probe gives no verdict: neither Closed nor Open)",
    );
    let probe = h.start("the next request, after the probe's future was dropped");
    assert!(
        probe.reached(),
        "the probe's response future was dropped before it completed: the probe must be given \
         back when the future is dropped (the future owns it, and a Drop for the probe frees \
         it), and the next request must be the probe; the breaker did not send it"
    );
    expect_no_request(&mut h.handle, "while one probe was in flight");
    if let Some(late_reply) = late_reply {
        late_reply.send_response("too late");
    }
    h.expect_state(
        State::HalfOpen,
        "after the backend answered the abandoned probe (nobody is listening any more)",
    );
    h.reject("while the new probe is in flight, after the abandoned one was answered");
    let _ = probe.answer(Err(BackendError("still down")));
    h.expect_state(
        State::Open {
            until: t0() + OPEN + OPEN,
        },
        "after the new probe failed at t0+10s",
    );
}

#[tokio::test(start_paused = true)]
async fn a_probe_whose_backend_is_not_ready_is_given_back() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    h.handle.allow(0);
    let mut waiting = h.svc.clone();
    let (flag, waker) = Flag::waker();
    let polled = waiting.poll_ready(&mut Context::from_waker(&waker));
    assert!(
        polled.is_pending(),
        "at `until`, with a backend that is not ready, poll_ready must return Pending (the \
         backend's own answer); it returned {polled:?}"
    );
    h.expect_state(
        State::HalfOpen,
        "after a request arrived at `until` and its backend was not ready",
    );
    h.handle.allow(1);
    assert!(
        flag.is_woken(),
        "the backend became ready but the waiting task was not woken: return the backend's \
         Pending as it is (it registered the task's waker)"
    );
    let probe = h.start(
        "a request through another clone, while the first one waits for its backend with \
         nothing sent",
    );
    assert!(
        probe.reached(),
        "a service whose backend was not ready returned Pending: it sent nothing, so it must not \
         keep the probe (a probe held while waiting tests nothing and fails everyone else); the \
         next ready request must be the probe, but the breaker did not send it"
    );
    h.handle.allow(1);
    let polled = poll_ready(&mut waiting);
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "with the probe in flight, poll_ready must return Ready(Ok(())) (its call fails fast); \
         it returned {polled:?}"
    );
    let outcome = poll_once(waiting.call("request"));
    assert!(
        matches!(outcome, Poll::Ready(Err(Error::Open))),
        "the service that waited for its backend asked again while another request held the \
         probe: it must fail fast with Err(Error::Open); it got {}",
        show_poll(&outcome)
    );
    expect_no_request(&mut h.handle, "while one probe was in flight");
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe succeeded",
    );
}

#[tokio::test(start_paused = true)]
async fn a_readiness_error_in_half_open_frees_the_probe() {
    let mut h = breaker::<&str>(1);
    h.open_until_half_open(1).await;
    h.handle.send_error(BackendError("not ready"));
    let polled = poll_ready(&mut h.svc);
    assert!(
        matches!(
            polled,
            Poll::Ready(Err(Error::Inner(BackendError("not ready"))))
        ),
        "at `until`, with a backend whose poll_ready fails, poll_ready must return \
         Ready(Err(Error::Inner(..))) with the backend's error; it returned {polled:?}"
    );
    h.expect_state(
        State::HalfOpen,
        "after the backend's poll_ready failed at `until` (no request was sent: no verdict)",
    );
    // A service whose poll_ready failed is discarded (Tower's rule): the next one is a clone.
    let mut fresh = h.svc.clone();
    let probe = start(
        &mut fresh,
        &mut h.handle,
        "the next request, through a clone, after the readiness error",
    );
    assert!(
        probe.reached(),
        "the backend's poll_ready failed, so no request was sent: the probe must be given back, \
         and the next request must be the probe; the breaker did not send it"
    );
    let _ = probe.answer(Ok("fine"));
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after the probe succeeded",
    );
}
