//! `Error` keeps `Open` and `Inner` apart, reaches the inner error through `source()` and
//! converts into a `tower::BoxError`.

use std::error::Error as _;

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn inner_error_is_wrapped_and_source_reaches_it() {
    let mut h = breaker::<&str>(3);
    let outcome = h.send(Err(BackendError("boom")), "a request the backend fails");
    let Err(error) = outcome else {
        panic!("the backend failed the request, so the caller must get an error; it got Ok");
    };
    assert!(
        matches!(error, Error::Inner(BackendError("boom"))),
        "the backend's error must come back as Error::Inner(BackendError(\"boom\")); it was {}",
        show_outcome::<()>(&Err(error))
    );
    let source = error
        .source()
        .and_then(|s| s.downcast_ref::<BackendError>());
    assert_eq!(
        source,
        Some(&BackendError("boom")),
        "the source() of Error::Inner must be the backend's error"
    );
    assert!(
        !error.to_string().is_empty(),
        "Error::Inner must display a message"
    );
}

#[tokio::test(start_paused = true)]
async fn open_error_is_distinct_from_inner() {
    let mut h = breaker::<&str>(1);
    let inner = h.send(Err(BackendError("boom")), "a request the backend fails");
    let request = h.start("a request while the circuit is open");
    let open = request.rejected();
    let (Err(inner), Err(open)) = (inner, open) else {
        panic!("both requests must fail: one from the backend, one because the circuit is open");
    };
    assert!(
        matches!(open, Error::Open),
        "a request rejected by the open circuit must fail with Error::Open; it was {}",
        show_outcome::<()>(&Err(open))
    );
    assert!(
        open.source().is_none(),
        "Error::Open has no inner error: its source() must be None"
    );
    let message = open.to_string();
    assert!(
        message.to_lowercase().contains("open"),
        "Error::Open must say that the circuit is open; it displays `{message}`"
    );
    assert_ne!(
        message,
        inner.to_string(),
        "Error::Open and Error::Inner must display different messages"
    );
}

#[tokio::test(start_paused = true)]
async fn error_converts_into_box_error() {
    let mut h = breaker::<&str>(1);
    let inner = h.send(Err(BackendError("boom")), "a request the backend fails");
    let inner: BoxError = inner.expect_err("the backend failed").into();
    let request = h.start("a request while the circuit is open");
    let open: BoxError = request.rejected().expect_err("the circuit is open").into();
    assert!(
        matches!(
            open.downcast_ref::<Error<BackendError>>(),
            Some(Error::Open)
        ),
        "Error::Open turned into a BoxError must downcast back to Error::Open; it is `{open}`"
    );
    assert!(
        matches!(
            inner.downcast_ref::<Error<BackendError>>(),
            Some(Error::Inner(BackendError("boom")))
        ),
        "Error::Inner turned into a BoxError must downcast back to Error::Inner; it is `{inner}`"
    );
}
