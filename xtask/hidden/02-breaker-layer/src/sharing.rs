//! Clones share one breaker; every `Layer::layer` call makes an independent one; readiness is
//! not cloned; services and futures are `Send`.

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn clones_share_one_breaker() {
    let mut h = breaker::<&str>(2);
    let mut clone = h.svc.clone();
    h.fail_n(1, "with threshold 2, through the original");
    let _ = send(
        &mut clone,
        &mut h.handle,
        Err(BackendError("boom")),
        "the second failure, through a clone",
    );
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after one failure through the original and one through its clone, with threshold 2 \
         (clones share one circuit: put it behind an Arc)",
    );
    reject(
        &mut clone,
        &mut h.handle,
        "through the clone, once the shared circuit is open",
    );
    h.reject("through the original, once the shared circuit is open");
}

#[tokio::test(start_paused = true)]
async fn each_layer_call_makes_an_independent_breaker() {
    start_clock();
    let layer = CircuitBreakerLayer::new(config(1));
    let (backend_a, mut handle_a) = backend::<&str>();
    let (backend_b, mut handle_b) = backend::<&str>();
    let mut a = layer.layer(backend_a);
    let mut b = layer.layer(backend_b);
    let _ = send(
        &mut a,
        &mut handle_a,
        Err(BackendError("a is down")),
        "backend A fails, threshold 1",
    );
    expect_state(
        &a,
        State::Open { until: t0() + OPEN },
        "after backend A failed once with threshold 1",
    );
    expect_state(
        &b,
        State::Closed { failure_count: 0 },
        "after backend A failed, the breaker of backend B (made by another `layer` call of the \
         same layer: each backend gets its own circuit, so create it in `layer`, not in the \
         layer's constructor)",
    );
    let outcome = send(
        &mut b,
        &mut handle_b,
        Ok("fine"),
        "backend B, while A is open",
    );
    assert!(
        matches!(outcome, Ok("fine")),
        "backend B must still serve while A's circuit is open; it was {}",
        show_outcome(&outcome)
    );
    reject(
        &mut a,
        &mut handle_a,
        "backend A, while its circuit is open",
    );
}

#[tokio::test(start_paused = true)]
async fn a_clone_inherits_no_admission() {
    let mut h = breaker::<&str>(1);
    let ready = poll_ready(&mut h.svc);
    assert!(
        matches!(ready, Poll::Ready(Ok(()))),
        "with the circuit Closed and a ready backend, poll_ready must return Ready(Ok(())); it \
         returned {ready:?}"
    );
    let mut clone = h.svc.clone();
    let mut other = h.svc.clone();
    let _ = send(
        &mut other,
        &mut h.handle,
        Err(BackendError("boom")),
        "a failure through another clone opens the circuit (threshold 1)",
    );
    reject(
        &mut clone,
        &mut h.handle,
        "a clone made after the original's poll_ready admitted a request, once the circuit is open \
         (a clone starts with no admission of its own)",
    );
}

#[tokio::test(start_paused = true)]
async fn a_clone_inherits_no_rejection() {
    let mut h = breaker::<&str>(1);
    h.fail_n(1, "with threshold 1, at t0");
    let ready = poll_ready(&mut h.svc);
    assert!(
        matches!(ready, Poll::Ready(Ok(()))),
        "with the circuit Open, poll_ready must return Ready(Ok(())); it returned {ready:?}"
    );
    let mut clone = h.svc.clone();
    advance(OPEN).await;
    let outcome = send(
        &mut clone,
        &mut h.handle,
        Ok("fine"),
        "at `until`, through a clone made after the original's poll_ready rejected a request \
         (a clone starts with no decision of its own)",
    );
    assert!(
        matches!(outcome, Ok("fine")),
        "the clone's request must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
}

#[tokio::test(start_paused = true)]
async fn service_and_response_future_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut h = breaker::<&str>(1);
    assert_send(&h.svc);
    let request = h.start("a request, to check that its future is Send");
    assert_send(&request);
    let _ = request.answer(Ok("fine"));
    assert_send(&CircuitBreakerLayer::new(config(1)).with_classifier(HttpClassifier));
}
