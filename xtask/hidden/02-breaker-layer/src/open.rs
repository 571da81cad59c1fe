//! Open: `poll_ready` is `Ready(Ok)` without asking the backend, `call` fails fast with
//! `Error::Open`, and the first request at or after `until` reaches the backend again.

use std::future::poll_fn;

use tokio::time::timeout;
use tokio_test::{assert_ready_ok, task};
use tower::buffer::Buffer;

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn open_poll_ready_is_ready_without_polling_a_pending_inner() {
    let mut h = breaker::<&str>(1);
    h.fail_n(1, "with threshold 1");
    h.handle.allow(0);
    let mut task = task::spawn(());
    assert_ready_ok!(
        task.enter(|cx, _| h.svc.poll_ready(cx)),
        "with the circuit Open and a backend that is not ready, poll_ready must return \
         Ready(Ok(())) (ask the circuit first: an open breaker never waits on the backend)"
    );
    let outcome = poll_once(call(&mut h.svc, "with the circuit Open"));
    assert!(
        matches!(outcome, Poll::Ready(Err(Error::Open))),
        "with the circuit Open, call must return a future that resolves at once to \
         Err(Error::Open); it was {}",
        match &outcome {
            Poll::Pending => "Pending".to_owned(),
            Poll::Ready(outcome) => show_outcome(outcome),
        }
    );
    assert!(
        h.handle.poll_request().is_pending(),
        "with the circuit Open, the backend received a request: an open breaker must not call \
         the inner service"
    );
    h.handle.allow(1);
    h.reject("with the circuit still open and the backend ready again");
}

#[tokio::test(start_paused = true)]
async fn open_call_fails_fast_with_error_open() {
    let mut h = breaker::<&str>(2);
    h.fail_n(2, "with threshold 2");
    let request = h.start("the first request after the circuit opened");
    assert!(
        !request.reached(),
        "the backend received a request while the circuit was Open: an open breaker must not \
         call the inner service"
    );
    let outcome = request.rejected();
    assert!(
        matches!(outcome, Err(Error::Open)),
        "while the circuit is Open, a request must fail at once with Err(Error::Open); it was {}",
        show_outcome(&outcome)
    );
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after a request was rejected (a rejection changes nothing)",
    );
}

#[tokio::test(start_paused = true)]
async fn open_until_boundary_on_the_paused_clock() {
    let mut h = breaker::<&str>(1);
    h.fail_n(1, "with threshold 1, at t0");
    h.expect_state(
        State::Open { until: t0() + OPEN },
        "after 1 failure at t0 with threshold 1 and an open duration of 10s",
    );
    advance(OPEN - MS).await;
    h.reject("at t0+10s-1ms, one millisecond before `until` (read tokio::time::Instant::now())");
    advance(MS).await;
    let request = h.start("at t0+10s, exactly `until`");
    assert!(
        request.reached(),
        "at t0+10s, exactly `until`, the open period is over: the request must reach the backend \
         (read the time with tokio::time::Instant::now(), which the paused test clock moves); the \
         breaker did not send it"
    );
    h.expect_state(
        State::HalfOpen,
        "after a request arrived at `until` (the circuit moves to HalfOpen when it admits it)",
    );
    let _ = request.answer(Ok("fine"));
}

/// The bug of the lesson card's sketch: an open circuit reported from `poll_ready` makes a
/// `Buffer` fail for good.
#[tokio::test(start_paused = true)]
async fn buffer_keeps_serving_after_an_open_period() {
    let Harness { svc, mut handle } = breaker::<&str>(1);
    let mut buffer = Buffer::new(svc, 8);

    let outcome = through_buffer(
        &mut buffer,
        &mut handle,
        Some(Err(BackendError("boom"))),
        "through a Buffer, a first request that fails (threshold 1)",
    )
    .await;
    let error = outcome.expect_err("the backend failed the first request");
    assert!(
        matches!(
            error.downcast_ref::<Error<BackendError>>(),
            Some(Error::Inner(BackendError("boom")))
        ),
        "through a Buffer, a request the backend failed must fail with Error::Inner(its error); \
         it failed with `{error}`"
    );

    let outcome = through_buffer(
        &mut buffer,
        &mut handle,
        None,
        "through a Buffer, a request while the circuit is open",
    )
    .await;
    let error = outcome.expect_err("the circuit is open");
    assert!(
        matches!(
            error.downcast_ref::<Error<BackendError>>(),
            Some(Error::Open)
        ),
        "through a Buffer, a request while the circuit is open must fail with Error::Open; it \
         failed with `{error}` (a \"buffered service failed\" error means the breaker's poll_ready \
         returned an error, and the Buffer took the breaker for dead: an open circuit must be \
         answered from `call`, with poll_ready returning Ready(Ok(())))"
    );

    advance(OPEN).await;
    for what in [
        "through a Buffer, the first request after the open period",
        "through a Buffer, the next request",
    ] {
        let outcome = through_buffer(&mut buffer, &mut handle, Some(Ok("fine")), what).await;
        match outcome {
            Ok(response) => assert_eq!(
                response, "fine",
                "{what}: the caller must get the backend's response"
            ),
            Err(e) => panic!(
                "{what}: the open period is over, so the request must get the backend's \
                 Ok(\"fine\"); it failed with `{e}`. (If poll_ready ever returned an error, the \
                 Buffer took the service for dead: an open circuit must be answered from `call`)"
            ),
        }
    }
}

/// One request through `buffer`. With `reply`, the backend must receive it and answers `reply`;
/// without, the backend must not receive it. Never waits more than a second of the paused clock.
async fn through_buffer<S>(
    buffer: &mut S,
    handle: &mut Handle<Req, &'static str>,
    reply: Option<Result<&'static str, BackendError>>,
    what: &str,
) -> Result<&'static str, BoxError>
where
    S: Service<Req, Response = &'static str, Error = BoxError>,
{
    const LIMIT: Duration = Duration::from_secs(1);
    match timeout(LIMIT, poll_fn(|cx| buffer.poll_ready(cx))).await {
        Err(_) => panic!("{what}: the Buffer never became ready"),
        Ok(Err(e)) => panic!(
            "{what}: the Buffer's poll_ready failed with `{e}`: the Buffer took the breaker for \
             dead, because the breaker's poll_ready returned an error. An open circuit must be \
             answered from `call`, with poll_ready returning Ready(Ok(()))"
        ),
        Ok(Ok(())) => {}
    }
    let future = buffer.call("request");
    let must_reach = reply.is_some();
    if let Some(reply) = reply {
        match timeout(LIMIT, handle.next_request()).await {
            Ok(Some((_, reply_to))) => match reply {
                Ok(response) => reply_to.send_response(response),
                Err(e) => reply_to.send_error(e),
            },
            _ => panic!("{what}: the request must reach the backend; the breaker did not send it"),
        }
    }
    let outcome = timeout(LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: the response never came"));
    if !must_reach {
        assert!(
            !matches!(handle.poll_request(), Poll::Ready(Some(_))),
            "{what}: the backend received the request, but an open breaker must not call the \
             inner service"
        );
    }
    outcome
}
