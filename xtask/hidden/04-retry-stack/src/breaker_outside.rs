//! The recommended order, `breaker_outside_retry`: one logical request is one outcome for the
//! breaker, however many attempts it took, and once the circuit is open the backend sees no
//! attempt at all.

use crate::support::*;

/// Threshold 3, max_attempts 3, a backend that is down: the figures of the README.
fn down_stack() -> (Outside, Calls) {
    let (backend, calls) = Backend::down();
    (breaker_outside_retry(backend, breaker(3), policy(3)), calls)
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_one_logical_request_is_one_breaker_outcome() {
    let (mut svc, calls) = down_stack();
    for n in 1..=3u32 {
        let what = format!("request {n} to a backend that is down");
        let outcome = request(&mut svc, "GET /", &what).await;
        assert!(
            matches!(outcome, Err(Error::Inner(Unavailable))),
            "{what}: the caller must get the last attempt's error, Error::Inner(Unavailable); it \
             was {outcome:?}"
        );
        assert_eq!(
            calls.count(),
            3 * n as usize,
            "{what}: with max_attempts 3, the backend must have seen {} attempts so far; it saw {}",
            3 * n,
            calls.count()
        );
        let state = svc.state();
        let expected = if n < 3 {
            show(State::Closed { failure_count: n })
        } else {
            "Open".to_owned()
        };
        let as_expected = if n < 3 {
            state == State::Closed { failure_count: n }
        } else {
            is_open(state)
        };
        assert!(
            as_expected,
            "with the breaker outside the retry, 1 logical request must be 1 breaker outcome: \
             after {n} failing request(s) of 3 attempts each, with threshold 3, the circuit must \
             be {expected}; it is {}",
            show(state)
        );
    }
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_an_open_circuit_sends_zero_attempts() {
    let (mut svc, calls) = down_stack();
    for n in 1..=3 {
        let _ = request(&mut svc, "GET /", &format!("failing request {n}")).await;
    }
    let before = calls.count();
    for n in 4..=5 {
        let what = format!("request {n}, with the circuit open");
        let outcome = fail_fast(&mut svc, "GET /", &what);
        assert!(
            matches!(outcome, Err(Error::Open)),
            "{what}: the caller must get Error::Open at once; it was {outcome:?}"
        );
    }
    assert_eq!(
        calls.count() - before,
        0,
        "with the breaker outside the retry, 1 logical request must be 1 breaker outcome; after \
         3 failing requests with threshold 3 the backend must see 0 more attempts, it saw {}",
        calls.count() - before
    );
    assert_eq!(
        calls.count(),
        9,
        "in all, 3 failing requests of 3 attempts, then 2 rejected ones: the backend must have \
         seen 9 attempts; it saw {}",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_a_success_on_the_last_attempt_is_a_success() {
    // Attempts 1-3 (request 1) fail; request 2 fails twice, then succeeds on its last attempt.
    let (backend, calls) =
        Backend::scripted(|n| if n == 6 { Ok("fine") } else { Err(Unavailable) });
    let mut svc = breaker_outside_retry(backend, breaker(2), policy(3));
    let _ = request(&mut svc, "GET /", "request 1, which fails 3 times").await;
    assert_eq!(
        svc.state(),
        State::Closed { failure_count: 1 },
        "after 1 failing request (3 attempts) with threshold 2, the breaker outside the retry \
         must count 1 failure; it is {}",
        show(svc.state())
    );
    let outcome = request(
        &mut svc,
        "GET /",
        "request 2, which succeeds on its 3rd attempt",
    )
    .await;
    assert!(
        matches!(outcome, Ok("fine")),
        "request 2 succeeded on its last attempt: the caller must get Ok(\"fine\"); it was \
         {outcome:?}"
    );
    assert_eq!(
        calls.count(),
        6,
        "request 2 must have taken 3 attempts (the backend saw {} in all, 6 expected)",
        calls.count()
    );
    assert_eq!(
        svc.state(),
        State::Closed { failure_count: 0 },
        "a success on the last attempt is a success for the breaker: the failed attempts before \
         it are not outcomes of their own, and the success resets the count; the circuit is {}",
        show(svc.state())
    );
    let _ = request(&mut svc, "GET /", "request 3, which fails 3 times").await;
    assert_eq!(
        svc.state(),
        State::Closed { failure_count: 1 },
        "after the success, 1 more failing request with threshold 2 must leave the circuit \
         closed with 1 failure; it is {}",
        show(svc.state())
    );
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_recovers_after_the_open_period() {
    // Down for the first 6 attempts (2 requests of 3), fine after.
    let (backend, calls) =
        Backend::scripted(|n| if n <= 6 { Err(Unavailable) } else { Ok("fine") });
    let mut svc = breaker_outside_retry(backend, breaker(2), policy(3));
    for n in 1..=2 {
        let _ = request(&mut svc, "GET /", &format!("failing request {n}")).await;
    }
    assert!(
        is_open(svc.state()),
        "after 2 failing requests with threshold 2, the circuit must be Open; it is {}",
        show(svc.state())
    );
    advance(OPEN).await;
    let outcome = request(&mut svc, "GET /", "the first request after the open period").await;
    assert!(
        matches!(outcome, Ok("fine")),
        "after the open period, the next request must reach the backend (which is fine again) \
         and get Ok(\"fine\"); it was {outcome:?}"
    );
    assert_eq!(
        (calls.count(), svc.state()),
        (7, State::Closed { failure_count: 0 }),
        "the probe succeeded at its first attempt: the backend must have seen 7 attempts and the \
         circuit must be closed again; got {} attempts and {}",
        calls.count(),
        show(svc.state())
    );
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_the_probe_is_one_logical_request_with_its_retries() {
    // Attempts 1-6 (2 requests) open the circuit; the probe fails its first attempt (7) and
    // succeeds on its retry (8).
    let (backend, calls) =
        Backend::scripted(|n| if n <= 7 { Err(Unavailable) } else { Ok("fine") });
    let mut svc = breaker_outside_retry(backend, breaker(2), policy(3));
    let mut other = svc.clone();
    for n in 1..=2 {
        let _ = request(&mut svc, "GET /", &format!("failing request {n}")).await;
    }
    advance(OPEN).await;
    ServiceExt::<&str>::ready(&mut svc)
        .await
        .expect("the breaker is ready");
    let mut probe = Box::pin(svc.call("GET / (the probe)"));
    assert!(
        poll_once(&mut probe).is_pending(),
        "the probe's first attempt failed (Unavailable): its future must be waiting for the \
         backoff before the retry"
    );
    assert_eq!(
        calls.count(),
        7,
        "the probe's first attempt must have reached the backend"
    );
    let outcome = fail_fast(
        &mut other,
        "GET /",
        "another request while the probe waits to retry",
    );
    assert!(
        matches!(outcome, Err(Error::Open)),
        "with the breaker outside the retry, the half-open probe is one logical request, retries \
         included: while it waits to retry, another caller must get Error::Open at once (one \
         probe at a time); it got {outcome:?}"
    );
    assert_eq!(
        calls.count(),
        7,
        "the backend must see nothing from other callers while the probe is out; it saw {} \
         attempts in all (7 expected)",
        calls.count()
    );
    let outcome = tokio::time::timeout(LIMIT, probe)
        .await
        .expect("the probe completes after its backoff");
    assert!(
        matches!(outcome, Ok("fine")),
        "the probe's retry succeeded: its caller must get Ok(\"fine\"); it was {outcome:?}"
    );
    assert_eq!(
        svc.state(),
        State::Closed { failure_count: 0 },
        "the probe (one logical request) succeeded on its retry: the circuit must close; it is {}",
        show(svc.state())
    );
}

#[tokio::test(start_paused = true)]
async fn breaker_outside_service_and_future_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (mut svc, _calls) = down_stack();
    assert_send(&svc);
    ServiceExt::<&str>::ready(&mut svc)
        .await
        .expect("the stack is ready");
    let future = svc.call("GET /");
    assert_send(&future);
    let _ = tokio::time::timeout(LIMIT, future).await;
}
