//! Shared helpers: a breaker around a `tower_test` mock backend, requests sent and answered step
//! by step, and states rendered relative to the test's start (`Open { until: t0+10s }`).
//!
//! Every test first opens the circuit and lets its `until` pass (`Harness::open_until_half_open`,
//! the closed path of exercise 02, given), so that its first request of interest is a half-open
//! probe: on an untouched exercise, that is where it stops at a `todo!()`.

use std::fmt;

/// The helpers of exercise 02's hidden tests, shared rather than copied.
#[path = "../../02-breaker-layer/src/support.rs"]
mod base;

pub use base::*;

impl<Res: fmt::Debug, C> Harness<Res, C>
where
    C: Classify<Res, BackendError> + Clone,
{
    /// Opens the circuit with `threshold` failures at the current time, then lets the open
    /// period pass: the next request is the half-open probe. The circuit still reports `Open`
    /// (it moves on when a request arrives).
    pub async fn open_until_half_open(&mut self, threshold: u32) {
        let opened_at = at(Instant::now());
        self.fail_n(
            threshold,
            &format!("with threshold {threshold}, at {opened_at}"),
        );
        advance(OPEN).await;
    }
}

impl<S, Res> InFlight<S, Res>
where
    S: Service<Req, Response = Res, Error = Error<BackendError>>,
{
    /// Drops the response future before the backend answers (a caller that gave up), and hands
    /// back the means to answer the request the backend received, if it received one.
    pub fn abandon(mut self) -> Option<SendResponse<Res>> {
        self.reply_to.take()
    }
}

/// A polled outcome, with `Error` spelled out.
pub fn show_poll<Res: fmt::Debug>(polled: &Poll<Outcome<Res>>) -> String {
    match polled {
        Poll::Pending => "Pending".to_owned(),
        Poll::Ready(outcome) => show_outcome(outcome),
    }
}

/// Fails the test if the backend received a request it should not have: `while` says what was
/// in flight.
#[track_caller]
pub fn expect_no_request<Res>(handle: &mut Handle<Req, Res>, while_: &str) {
    assert!(
        handle.poll_request().is_pending(),
        "{while_}, a second request reached the inner service; half-open must admit exactly one \
         probe (the others fail fast with Error::Open)"
    );
}
