//! How many attempts: exactly `max_attempts` for a transient error, one for anything else (a
//! success, a "bad request"-like error, a request that cannot be cloned).

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn attempts_are_exactly_max_attempts() {
    for max_attempts in [1, 2, 3, 5] {
        let (backend, calls) = Backend::down();
        let mut svc = retrying(policy(max_attempts), backend);
        let what = format!("a backend that is down and max_attempts {max_attempts}");
        let outcome = request(&mut svc, "GET /", &what).await;
        assert_eq!(
            outcome,
            Err(Unavailable),
            "{what}: the caller must get the last attempt's error"
        );
        assert_eq!(
            calls.count(),
            max_attempts as usize,
            "{what}: the backend must see exactly {max_attempts} attempt(s) in all (max_attempts \
             counts every attempt, the first one included); it saw {}",
            calls.count()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_like_unavailable() {
    let (backend, calls) = Backend::always(Err(TimedOut));
    let mut svc = retrying(policy(3), backend);
    let outcome = request(&mut svc, "GET /", "a backend that times out").await;
    assert_eq!(outcome, Err(TimedOut), "the caller must get the last error");
    assert_eq!(
        calls.count(),
        3,
        "a timeout is transient (`is_transient()` is true): with max_attempts 3 the backend must \
         see 3 attempts; it saw {}",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn zero_max_attempts_sends_the_request_once() {
    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(0), backend);
    let outcome = request(&mut svc, "GET /", "max_attempts 0").await;
    assert_eq!(outcome, Err(Unavailable), "the caller must get the error");
    assert_eq!(
        calls.count(),
        1,
        "with max_attempts 0 (documented to behave like 1) the request is sent once and never \
         retried; the backend saw {} attempt(s)",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn every_attempt_sends_the_same_request() {
    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(3), backend);
    let _ = request(&mut svc, "GET /orders/7", "a backend that is down").await;
    let expected = vec!["\"GET /orders/7\"".to_owned(); 3];
    assert_eq!(
        calls.requests(),
        expected,
        "each retry must send a copy of the original request (`clone_request`)"
    );
}

#[tokio::test(start_paused = true)]
async fn a_success_is_not_retried() {
    let (backend, calls) = Backend::always(Ok("fine"));
    let mut svc = retrying(policy(3), backend);
    let outcome = request(&mut svc, "GET /", "a backend that is fine").await;
    assert_eq!(outcome, Ok("fine"), "the caller must get the response");
    assert_eq!(
        calls.count(),
        1,
        "an Ok is never retried; the backend saw {} attempts",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_first_success() {
    let (backend, calls) = Backend::scripted(|n| if n < 3 { Err(Unavailable) } else { Ok("fine") });
    let mut svc = retrying(policy(5), backend);
    let outcome = request(
        &mut svc,
        "GET /",
        "a backend that fails twice, then answers",
    )
    .await;
    assert_eq!(
        outcome,
        Ok("fine"),
        "a success on a retry is the caller's outcome"
    );
    assert_eq!(
        calls.count(),
        3,
        "with a backend that fails twice then answers, and max_attempts 5, the backend must see \
         3 attempts (no retry after the success); it saw {}",
        calls.count()
    );
}

#[tokio::test(start_paused = true)]
async fn non_transient_errors_are_not_retried() {
    for error in [BadRequest, NotFound] {
        let (backend, calls) = Backend::always(Err(error));
        let mut svc = retrying(policy(3), backend);
        let what = format!("a backend that answers {error:?}");
        let outcome = request(&mut svc, "GET /", &what).await;
        assert_eq!(outcome, Err(error), "{what}: the caller must get the error");
        assert_eq!(
            calls.count(),
            1,
            "{what}: a \"bad request\"-like error fails the same way every time, so it must not \
             be retried (`is_transient()` is false); the backend saw {} attempts",
            calls.count()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_request_that_cannot_be_cloned_is_sent_once() {
    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(3), backend);
    let outcome = request(&mut svc, Upload::Streamed("big"), "a streamed upload").await;
    assert_eq!(outcome, Err(Unavailable), "the caller must get the error");
    assert_eq!(
        calls.count(),
        1,
        "a request whose `try_clone()` is None cannot be sent again, so `clone_request` must \
         return None and tower sends it once; the backend saw {} attempts",
        calls.count()
    );

    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(3), backend);
    let _ = request(&mut svc, Upload::Buffered("small"), "a buffered upload").await;
    assert_eq!(
        calls.requests(),
        vec!["Buffered(\"small\")".to_owned(); 3],
        "a request whose `try_clone()` is Some is retried like any other: 3 attempts of the same \
         request with max_attempts 3"
    );
}

#[tokio::test(start_paused = true)]
async fn clone_request_follows_try_clone() {
    let mut policy = policy(3);
    let streamed = <RetryPolicy as tower::retry::Policy<Upload, &str, BackendError>>::clone_request(
        &mut policy,
        &Upload::Streamed("big"),
    );
    assert!(
        streamed.is_none(),
        "clone_request of a streamed upload (try_clone() is None) must be None; it was \
         {streamed:?}"
    );
    let buffered = <RetryPolicy as tower::retry::Policy<Upload, &str, BackendError>>::clone_request(
        &mut policy,
        &Upload::Buffered("small"),
    );
    assert_eq!(
        buffered,
        Some(Upload::Buffered("small")),
        "clone_request of a buffered upload must be its copy"
    );
}
