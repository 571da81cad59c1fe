//! Classification: only the classifier decides which outcomes count as failures, and the caller
//! gets the outcome unchanged either way.

use crate::support::*;

type HttpResult = Result<http::Response<()>, BackendError>;

#[tokio::test(start_paused = true)]
async fn default_classifier_counts_errors_not_responses() {
    let mut h = breaker::<&str>(1);
    let outcome = h.send(Ok("fine"), "a response, with the default classifier");
    assert!(
        matches!(outcome, Ok("fine")),
        "the caller must get the backend's Ok(\"fine\"); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after an Ok response with threshold 1 and the default classifier (ErrorsAsFailures: an \
         Ok is a success)",
    );
    let _ = h.send(
        Err(BackendError("boom")),
        "an error, with the default classifier",
    );
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after an Err with threshold 1 and the default classifier (ErrorsAsFailures: every Err \
         is a failure)",
    );
}

#[tokio::test(start_paused = true)]
async fn closure_classifier_decides_what_counts() {
    // A backend that answers "degraded" is failing; a "not found" error is the caller's fault.
    let classifier = |outcome: &Result<&'static str, BackendError>| match outcome {
        Ok(body) => *body == "degraded",
        Err(e) => e.0 != "not found",
    };
    let mut h = breaker_with::<&str, _>(1, classifier);
    let outcome = h.send(
        Err(BackendError("not found")),
        "an error the closure does not count",
    );
    assert!(
        matches!(outcome, Err(Error::Inner(BackendError("not found")))),
        "the caller must get the backend's error as Error::Inner, whatever the classifier says; \
         it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Closed { failure_count: 0 },
        "after an Err that the closure classifies as a success, with threshold 1 (ask the layer's \
         classifier, not `is_err()`)",
    );
    let outcome = h.send(
        Ok("degraded"),
        "an Ok response the closure counts as a failure",
    );
    assert!(
        matches!(outcome, Ok("degraded")),
        "the caller must get the backend's Ok(\"degraded\"), whatever the classifier says; it \
         was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after an Ok response that the closure classifies as a failure, with threshold 1",
    );
}

#[tokio::test(start_paused = true)]
async fn http_server_error_response_is_a_failure_and_still_returned() {
    let mut h = breaker_with::<http::Response<()>, _>(1, HttpClassifier);
    let outcome = h.send(
        Ok(response(500)),
        "an Ok(500 Internal Server Error) response",
    );
    match &outcome {
        Ok(response) => assert_eq!(
            response.status(),
            500,
            "the caller must get the backend's response unchanged"
        ),
        Err(_) => panic!(
            "the backend answered Ok(500): the caller must get that response (the classifier \
             only decides what the breaker counts); it was {}",
            show_outcome(&outcome)
        ),
    }
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after an Ok response with status 500, with HttpClassifier and threshold 1 (a server \
         error is a failure, even inside an Ok)",
    );
}

#[tokio::test(start_paused = true)]
async fn http_timeouts_trip_the_breaker() {
    let cases: [(HttpResult, &str); 3] = [
        (Ok(response(408)), "an Ok(408 Request Timeout) response"),
        (Ok(response(504)), "an Ok(504 Gateway Timeout) response"),
        (
            Err(BackendError("timed out")),
            "an Err from the HTTP client (a timeout, a refused connection)",
        ),
    ];
    for (reply, what) in cases {
        let mut h = breaker_with::<http::Response<()>, _>(1, HttpClassifier);
        let _ = h.send(reply, what);
        h.expect_state(
            State::Open { until: t0() + OPEN },
            &format!("after {what}, with HttpClassifier and threshold 1 (timeouts are failures)"),
        );
    }
}

#[tokio::test(start_paused = true)]
async fn http_not_found_and_bad_request_do_not_trip() {
    let mut h = breaker_with::<http::Response<()>, _>(1, HttpClassifier);
    for (status, what) in [
        (404, "404 Not Found"),
        (400, "400 Bad Request"),
        (200, "200 OK"),
    ] {
        let outcome = h.send(Ok(response(status)), &format!("an Ok({what}) response"));
        assert!(
            matches!(&outcome, Ok(r) if r.status() == status),
            "the caller must get the backend's {what} response unchanged; it was {}",
            show_outcome(&outcome)
        );
        h.expect_state(
            State::Closed { failure_count: 0 },
            &format!(
                "after an Ok({what}) response, with HttpClassifier and threshold 1 (the request \
                 was wrong or fine, the backend is healthy: not a failure)"
            ),
        );
    }
}

#[test]
fn http_classifier_follows_the_table() {
    let table: [(u16, bool); 14] = [
        (200, false),
        (201, false),
        (204, false),
        (301, false),
        (304, false),
        (400, false),
        (401, false),
        (404, false),
        (408, true),
        (500, true),
        (502, true),
        (503, true),
        (504, true),
        (599, true),
    ];
    for (status, failure) in table {
        let outcome: HttpResult = Ok(response(status));
        let classified = HttpClassifier.is_failure(&outcome);
        assert_eq!(
            classified,
            failure,
            "HttpClassifier must classify an Ok response with status {status} as {}; it said {}",
            if failure { "a failure" } else { "a success" },
            if classified { "failure" } else { "success" },
        );
    }
    let outcome: HttpResult = Err(BackendError("connection refused"));
    assert!(
        HttpClassifier.is_failure(&outcome),
        "HttpClassifier must classify an Err (no response came back) as a failure; it said success"
    );
}
