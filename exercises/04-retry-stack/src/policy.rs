//! The retry policy: how many attempts, which errors, how long to wait in between.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Sleep;
use tower::retry::Policy;
use tower::retry::budget::{Budget, TpsBudget};

use crate::transient::Transient;

/// A request that may refuse to be cloned.
///
/// A retry sends the request again, so the policy keeps a copy of it before each attempt. Not
/// every request can be copied: a body streamed from a socket or a file can be sent only once
/// (`reqwest::Request::try_clone` returns `None` for those). Such a request is sent once and never
/// retried.
///
/// Every `Clone` type is `TryClone`. A request type that is not `Clone` implements it by hand:
///
/// ```
/// use exercise_04_retry_stack::TryClone;
/// # #[derive(Clone)] struct Bytes;
/// # struct BodyStream;
///
/// enum Upload { Buffered(Bytes), Streamed(BodyStream) }
///
/// impl TryClone for Upload {
///     fn try_clone(&self) -> Option<Self> {
///         match self {
///             Upload::Buffered(bytes) => Some(Upload::Buffered(bytes.clone())),
///             Upload::Streamed(_) => None,
///         }
///     }
/// }
///
/// assert!(Upload::Streamed(BodyStream).try_clone().is_none());
/// ```
pub trait TryClone: Sized {
    /// A copy to send again, or `None` if this request can be sent only once.
    fn try_clone(&self) -> Option<Self>;
}

impl<T: Clone> TryClone for T {
    fn try_clone(&self) -> Option<Self> {
        Some(self.clone())
    }
}

/// How a [`RetryPolicy`] retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first one included: 3 means at most 2 retries. 0 behaves like 1
    /// (the request is sent once, never retried).
    pub max_attempts: u32,
    /// The wait after the first failed attempt, doubled after each further one.
    pub base_delay: Duration,
    /// No wait is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    /// Three attempts, waiting 100 ms then 200 ms; never more than 2 s.
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryConfig {
    /// The wait after attempt number `attempt` (1 for the first) failed, before the next one:
    /// `base_delay * 2^(attempt - 1)`, but never more than `max_delay`.
    ///
    /// | failed attempt | 1      | 2          | 3          | k                      |
    /// |----------------|--------|------------|------------|------------------------|
    /// | wait           | `base` | `2 * base` | `4 * base` | `2^(k-1) * base`, capped |
    ///
    /// With `base_delay` 100 ms and `max_delay` 350 ms: 100 ms, 200 ms, 350 ms, 350 ms...
    /// An `attempt` of 0 is taken as 1. A product too large for a `Duration` is `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        // TODO: the table above is the contract (README: "the backoff is exponential with a
        // cap"): the first failed attempt waits `base_delay`, each further one twice as long,
        // and no wait exceeds `max_delay`. An `attempt` of 0 counts as 1. Pitfalls: an off-by-one
        // in the exponent (attempt 1 is not doubled), and arithmetic overflow: a large `attempt`
        // or `base_delay` must give `max_delay`, never a panic.
        todo!("RetryConfig::backoff: the wait after a failed attempt")
    }
}

/// A [`tower::retry::Policy`]: retries transient errors ([`Transient`]) of clonable requests
/// ([`TryClone`]), at most [`RetryConfig::max_attempts`] attempts in all, waiting
/// [`RetryConfig::backoff`] on the Tokio clock between two attempts.
///
/// `RetryLayer` clones the policy for every request, and each clone counts the attempts of its
/// own request. A clone is cheap: a `Copy` config, a counter, and the budget's `Arc` if there is
/// one.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    config: RetryConfig,
    /// The attempts made so far for the request this clone follows, the first one included.
    attempts: u32,
    /// Shared by every clone: it limits the retries of all the requests together.
    budget: Option<Arc<TpsBudget>>,
}

impl RetryPolicy {
    /// A policy with no budget: every request may use all of its attempts.
    pub fn new(config: RetryConfig) -> Self {
        RetryPolicy {
            config,
            attempts: 1,
            budget: None,
        }
    }

    /// The same policy, whose retries must also be paid for from `budget`.
    ///
    /// `max_attempts` bounds the retries of one request; a budget bounds the retries of all of
    /// them, so that a backend that is down does not see `max_attempts` times the traffic (a
    /// retry storm). Each successful attempt deposits into the budget, each retry withdraws from
    /// it, and a retry the budget cannot pay for is not made (see [`tower::retry::budget`]). The
    /// clones of the policy share the budget.
    pub fn with_budget(self, budget: Arc<TpsBudget>) -> Self {
        RetryPolicy {
            budget: Some(budget),
            ..self
        }
    }
}

impl<Req, Res, E> Policy<Req, Res, E> for RetryPolicy
where
    Req: TryClone,
    E: Transient,
{
    /// The backoff: a sleep on the Tokio clock (a paused test clock moves it).
    type Future = Sleep;

    fn retry(&mut self, _req: &mut Req, result: &mut Result<Res, E>) -> Option<Self::Future> {
        // TODO: `None` hands `result` to the caller; `Some` is the backoff tower waits for before
        // it sends the copy again. The README's rules decide: at most `max_attempts` attempts
        // in all, only transient errors, never an `Ok`; and with a budget, successes deposit
        // and retries withdraw. When a retry is made, `self.attempts` counts it and the wait
        // is the backoff of the attempt that just failed, on Tokio's clock. Pitfall: a retry
        // that is not made (for any reason) must cost the shared budget nothing.
        todo!("RetryPolicy::retry: retry this outcome, and after how long?")
    }

    fn clone_request(&mut self, req: &Req) -> Option<Req> {
        // TODO: the copy tower keeps to send again if this attempt fails, or `None` for a request
        // that can be sent only once (README: "a request that cannot be cloned is sent once").
        todo!("RetryPolicy::clone_request: a copy for the next attempt, if possible")
    }
}
