//! Which errors are transient: `Error::Open` never is, `Error::Inner(e)` is when `e` is; and the
//! breaker can count the same errors with `TransientErrors`.

use tower::retry::Policy;

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn error_open_is_never_transient() {
    let open: Error<BackendError> = Error::Open;
    assert!(
        !open.is_transient(),
        "Error::Open must not be transient: the circuit stays open for its whole open_duration, \
         far longer than any backoff, so a retry only delays the fast failure"
    );
    for (inner, transient) in [
        (Unavailable, true),
        (TimedOut, true),
        (BadRequest, false),
        (NotFound, false),
    ] {
        assert_eq!(
            Error::Inner(inner).is_transient(),
            transient,
            "Error::Inner({inner:?}).is_transient() must be the inner error's answer, {transient}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_policy_never_retries_error_open() {
    let mut policy = policy(3);
    let mut req = "GET /";
    let mut result: Result<&str, Error<BackendError>> = Err(Error::Open);
    let decision = policy.retry(&mut req, &mut result);
    assert!(
        decision.is_none(),
        "RetryPolicy::retry with Err(Error::Open) and attempts left must be None: an open \
         circuit is never retried"
    );
    let mut result: Result<&str, Error<BackendError>> = Err(Error::Inner(Unavailable));
    assert!(
        policy.retry(&mut req, &mut result).is_some(),
        "RetryPolicy::retry with Err(Error::Inner(Unavailable)) on the first attempt of 3 must \
         retry (Some(the backoff sleep))"
    );
}

#[tokio::test(start_paused = true)]
async fn transient_errors_classifier_trips_only_on_transient_errors() {
    let (backend, calls) = Backend::scripted(|n| {
        if n == 1 {
            Err(BadRequest)
        } else {
            Err(Unavailable)
        }
    });
    let layer = breaker(1).with_classifier(TransientErrors);
    let mut svc = breaker_outside_retry(backend, layer, policy(3));
    let outcome = request(&mut svc, "POST /bad", "a bad request").await;
    assert!(
        matches!(outcome, Err(Error::Inner(BadRequest))),
        "the caller must get Error::Inner(BadRequest); it was {outcome:?}"
    );
    assert_eq!(
        calls.count(),
        1,
        "a bad request must not be retried; the backend saw {} attempts",
        calls.count()
    );
    assert_eq!(
        show(svc.state()),
        show(State::Closed { failure_count: 0 }),
        "with TransientErrors as the breaker's classifier and threshold 1, a bad request must not \
         trip the breaker (it is not the backend's fault)"
    );
    let _ = request(&mut svc, "GET /", "a request the backend is down for").await;
    assert!(
        is_open(svc.state()),
        "with TransientErrors and threshold 1, a request that failed with Unavailable (after its \
         retries) must open the circuit; it is {}",
        show(svc.state())
    );
}
