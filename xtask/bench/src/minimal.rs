//! The yardstick: the least a Tower circuit breaker can do per call.
//!
//! One `AtomicU32` counts consecutive failures and one `AtomicU64` holds the end of the open
//! period. Per call on the closed path:
//!
//! * **admit:** one atomic load (`failures < threshold`);
//! * **success:** one atomic load, and no write when the count is already zero;
//! * **the response future** holds an `Arc` of the state, so that it can report the outcome
//!   after the service has moved on: one reference-count increment in `call` and one decrement
//!   when the future is dropped. That is the price of a `'static` future that reports back,
//!   and every breaker measured here pays it (or more);
//! * no allocation, no lock, no clock.
//!
//! The open path reads the clock (once per call) and never touches the inner service.
//!
//! **It is not a reference.** It keeps only what the closed-path cost needs and is *not*
//! correct by the rules of the exercise READMEs (01 to 03): it has no epochs, so a late
//! success can close an open circuit and a late failure can re-open a half-open one; half-open
//! admits every request instead of one probe; and a request admitted while the failure that
//! trips the circuit is being recorded may slip through. It exists to say what "cheap" means.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// Puts a [`Minimal`] breaker around a service; every `layer` call makes an independent one.
#[derive(Debug, Clone, Copy)]
pub struct MinimalLayer {
    failure_threshold: u32,
    open_duration: Duration,
}

impl MinimalLayer {
    /// `failure_threshold` consecutive failures open the circuit for `open_duration`.
    pub fn new(failure_threshold: u32, open_duration: Duration) -> Self {
        MinimalLayer {
            failure_threshold: failure_threshold.max(1),
            open_duration,
        }
    }
}

impl<S> Layer<S> for MinimalLayer {
    type Service = Minimal<S>;

    fn layer(&self, inner: S) -> Minimal<S> {
        let open_nanos = u64::try_from(self.open_duration.as_nanos()).unwrap_or(u64::MAX);
        Minimal {
            inner,
            shared: Arc::new(Shared {
                failures: AtomicU32::new(0),
                until: AtomicU64::new(0),
                threshold: self.failure_threshold,
                open_nanos,
                start: Instant::now(),
            }),
            decision: None,
        }
    }
}

/// What the clones of one [`Minimal`] breaker share.
#[derive(Debug)]
struct Shared {
    /// Consecutive failures; `>= threshold` means open (or half-open once `until` has passed).
    failures: AtomicU32,
    /// The end of the open period, in nanoseconds since `start`.
    until: AtomicU64,
    threshold: u32,
    open_nanos: u64,
    start: Instant,
}

impl Shared {
    /// The hot path: one load while closed.
    #[inline]
    fn admit(&self) -> bool {
        self.failures.load(Ordering::Acquire) < self.threshold || self.admit_open()
    }

    /// Open: reject until `until`, then admit (half-open).
    #[cold]
    fn admit_open(&self) -> bool {
        self.now() >= self.until.load(Ordering::Acquire)
    }

    /// No write when there is nothing to reset.
    #[inline]
    fn on_success(&self) {
        if self.failures.load(Ordering::Relaxed) != 0 {
            self.failures.store(0, Ordering::Release);
        }
    }

    #[cold]
    fn on_failure(&self) {
        let before = self
            .failures
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(1))
            })
            .unwrap_or_else(|n| n);
        let failures = before.saturating_add(1);
        if failures < self.threshold {
            return;
        }
        let now = self.now();
        // The failure that trips the circuit, or a failure in half-open: (re-)open.
        if failures == self.threshold || now >= self.until.load(Ordering::Acquire) {
            self.until
                .store(now.saturating_add(self.open_nanos), Ordering::Release);
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// The minimal breaker around `S`. Its clones share one state.
#[derive(Debug)]
pub struct Minimal<S> {
    inner: S,
    shared: Arc<Shared>,
    /// `poll_ready`'s decision, kept until `call`: `true` admitted, `false` rejected.
    decision: Option<bool>,
}

impl<S: Clone> Clone for Minimal<S> {
    fn clone(&self) -> Self {
        Minimal {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
            decision: None,
        }
    }
}

/// The minimal breaker's error.
#[derive(Debug)]
pub enum MinimalError<E> {
    /// The circuit was open: the inner service was not called.
    Open,
    /// The inner service failed.
    Inner(E),
}

impl<S, Req> Service<Req> for Minimal<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = MinimalError<S::Error>;
    type Future = MinimalFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.decision == Some(false) {
            return Poll::Ready(Ok(()));
        }
        if self.decision.is_none() && !self.shared.admit() {
            // Open: ready, and `call` fails fast (never `Err`, see tower's `LoadShed`).
            self.decision = Some(false);
            return Poll::Ready(Ok(()));
        }
        match self.inner.poll_ready(cx) {
            Poll::Ready(Ok(())) => {
                self.decision = Some(true);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                self.decision = None;
                Poll::Ready(Err(MinimalError::Inner(e)))
            }
            Poll::Pending => {
                self.decision = None;
                Poll::Pending
            }
        }
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        match self.decision.take() {
            Some(true) => MinimalFuture {
                kind: Kind::Called {
                    future: self.inner.call(req),
                    shared: Arc::clone(&self.shared),
                },
            },
            Some(false) => MinimalFuture { kind: Kind::Open },
            None => panic!("Minimal::call without a successful poll_ready before it"),
        }
    }
}

pin_project! {
    /// The minimal breaker's response future.
    pub struct MinimalFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        /// Admitted: the inner future; its outcome is reported when it completes.
        Called {
            #[pin]
            future: F,
            shared: Arc<Shared>,
        },
        /// Rejected: resolves at once to [`MinimalError::Open`].
        Open,
    }
}

impl<F, T, E> Future for MinimalFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, MinimalError<E>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Called { future, shared } => {
                let outcome = ready!(future.poll(cx));
                match outcome {
                    Ok(_) => shared.on_success(),
                    Err(_) => shared.on_failure(),
                }
                Poll::Ready(outcome.map_err(MinimalError::Inner))
            }
            KindProj::Open => Poll::Ready(Err(MinimalError::Open)),
        }
    }
}
