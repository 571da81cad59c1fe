//! The other order, `retry_outside_breaker`: every attempt is an outcome for the breaker, the
//! policy never retries `Error::Open`, and the backend sees exactly the threshold number of
//! attempts before every later request fails fast.

use crate::support::*;

/// A backend that is down, threshold 3, and a retry of `max_attempts`.
fn down_stack(max_attempts: u32) -> (Inside, Calls) {
    let (backend, calls) = Backend::down();
    let svc = retry_outside_breaker(backend, breaker(3), policy(max_attempts));
    (svc, calls)
}

#[tokio::test(start_paused = true)]
async fn retry_outside_each_attempt_is_a_breaker_outcome() {
    let (mut svc, calls) = down_stack(3);
    let outcome = request(&mut svc, "GET /", "request 1 to a backend that is down").await;
    assert!(
        matches!(outcome, Err(Error::Inner(Unavailable))),
        "request 1: the caller must get the last attempt's error, Error::Inner(Unavailable); it \
         was {outcome:?}"
    );
    assert_eq!(
        calls.count(),
        3,
        "with max_attempts 3, the backend must see 3 attempts; it saw {}",
        calls.count()
    );
    assert!(
        is_open(svc.get_ref().state()),
        "with the retry outside the breaker, every attempt is an outcome: 3 failed attempts with \
         threshold 3 must open the circuit after a single logical request; it is {}",
        show(svc.get_ref().state())
    );
}

#[tokio::test(start_paused = true)]
async fn retry_outside_never_retries_error_open() {
    // More attempts than the threshold: the 4th attempt is rejected by the open circuit.
    let (mut svc, calls) = down_stack(5);
    // This test's premise: the backoff of `policy(5)` is right. If it is not, the instant the
    // request ends says nothing about `Error::Open`.
    let waits: Vec<Duration> = (1..=3).map(|k| backoff(&config(5), k)).collect();
    assert_eq!(
        waits,
        [100, 200, 400].map(Duration::from_millis),
        "this test measures how long a request whose 4th attempt meets an open circuit takes, so \
         it needs a correct backoff first: with base_delay 100ms, backoff(1), backoff(2) and \
         backoff(3) must be 100, 200 and 400 ms (`base_delay * 2^(k-1)`). Fix \
         `RetryConfig::backoff` first (see backoff_doubles_after_each_failed_attempt)"
    );
    let start = Instant::now();
    let outcome = request(&mut svc, "GET /", "request 1, max_attempts 5, threshold 3").await;
    assert_eq!(
        calls.count(),
        3,
        "with the retry outside the breaker, threshold 3 and max_attempts 5, the backend must see \
         exactly 3 attempts (the 3rd failure opens the circuit); it saw {}",
        calls.count()
    );
    assert!(
        matches!(outcome, Err(Error::Open)),
        "the 4th attempt was rejected by the open circuit and must not be retried, so the caller \
         gets Error::Open; it was {outcome:?}"
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(700),
        "the request must end as soon as its 4th attempt is rejected: waits of 100, 200 and \
         400 ms before attempts 2, 3 and 4 (700 ms), and no wait after Error::Open; it took {:?} \
         (retrying Error::Open only sleeps on an open circuit)",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn retry_outside_later_requests_fail_fast() {
    let (mut svc, calls) = down_stack(3);
    let _ = request(&mut svc, "GET /", "request 1, which opens the circuit").await;
    for n in 2..=5 {
        let what = format!("request {n}, with the circuit open");
        let outcome = fail_fast(&mut svc, "GET /", &what);
        assert!(
            matches!(outcome, Err(Error::Open)),
            "{what}: the caller must get Error::Open at once; it was {outcome:?}"
        );
    }
    assert_eq!(
        calls.count(),
        3,
        "with the retry outside the breaker, threshold 3 and max_attempts 3, the backend must see \
         exactly 3 attempts, then none for the 4 requests that fail fast; it saw {}",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn retry_outside_a_bad_request_is_one_attempt() {
    let (backend, calls) = Backend::always(Err(BadRequest));
    let mut svc = retry_outside_breaker(backend, breaker(3), policy(3));
    let outcome = request(&mut svc, "POST /bad", "a bad request").await;
    assert!(
        matches!(outcome, Err(Error::Inner(BadRequest))),
        "the caller must get Error::Inner(BadRequest); it was {outcome:?}"
    );
    assert_eq!(
        calls.count(),
        1,
        "with the retry outside the breaker, the policy sees Error::Inner(BadRequest): not \
         transient, so not retried; the backend saw {} attempts",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn retry_outside_service_and_future_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (mut svc, _calls) = down_stack(3);
    assert_send(&svc);
    ServiceExt::<&str>::ready(&mut svc)
        .await
        .expect("the stack is ready");
    let future = svc.call("GET /");
    assert_send(&future);
    let _ = tokio::time::timeout(LIMIT, future).await;
}
