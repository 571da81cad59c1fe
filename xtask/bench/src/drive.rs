//! How every service is driven, and the backends behind the breakers.
//!
//! Two drivers make the same call, the one a Tower caller makes: `poll_ready`, then `call`,
//! then the response future to completion.
//!
//! * [`call`] polls by hand with a no-op waker: the loop measures the services, not an
//!   executor.
//! * [`call_async`] is what an application writes: `ServiceExt::ready().await`, then
//!   `call(..).await`, inside a task of a current-thread tokio runtime ([`runtime`]). The
//!   service and its futures are moved in and out of the `async` block's state as the compiler
//!   lays it out, so their size and the work the compiler cannot see through count here.
//!
//! No breaker measured here needs more of a runtime than that: the tokio mutex of
//! `tower-resilience-circuitbreaker` is a plain semaphore that resolves at once when it is free
//! (its timers are only used in its back-pressure mode, which is off). [`call`] polls `Pending`
//! again in a spin loop (only the two-thread case can see one); the async driver is only used
//! on one thread, where nothing is ever pending.

use std::future::Future;
use std::hint;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use tower::{Service, ServiceExt};

/// One call through `svc`: `poll_ready`, `call`, then the response future until it completes.
///
/// Always inlined, so that the caller's loop measures the service and never a call into this
/// driver, however many places call it for the same service (left to the compiler, it stops
/// inlining it once a second place does).
#[inline(always)]
pub fn call<S, Req>(svc: &mut S, req: Req) -> Result<S::Response, S::Error>
where
    S: Service<Req>,
{
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match svc.poll_ready(&mut cx) {
            Poll::Ready(Ok(())) => break,
            Poll::Ready(Err(e)) => return Err(e),
            Poll::Pending => hint::spin_loop(),
        }
    }
    let mut future = pin!(svc.call(req));
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        hint::spin_loop();
    }
}

/// One call through `svc` the way an application makes it: `svc.ready().await`, then
/// `call(req).await`. Run it inside [`runtime`]'s `block_on` (or any executor).
#[inline]
pub async fn call_async<S, Req>(svc: &mut S, req: Req) -> Result<S::Response, S::Error>
where
    S: Service<Req>,
{
    svc.ready().await?.call(req).await
}

/// The async driver's executor: a current-thread tokio runtime with no timer and no I/O
/// driver (no breaker measured here needs them), so that a call is polled in the task that
/// `block_on` runs, on the calling thread.
///
/// # Panics
///
/// If the runtime cannot be built.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread tokio runtime")
}

/// The backend's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the backend failed")
    }
}

impl std::error::Error for Failure {}

/// The backend of the closed-state rows (and the floor): a `tower::service_fn` that is always
/// ready and answers its request at once.
pub fn ok_backend()
-> impl Service<u64, Response = u64, Error = Failure, Future: Send + 'static> + Clone + Send + 'static
{
    tower::service_fn(|req: u64| std::future::ready(Ok::<u64, Failure>(req)))
}

/// What a [`failing_backend`] saw.
#[derive(Debug, Default)]
pub struct Counters {
    /// Calls of the backend's `call` (the request was handed over).
    pub called: AtomicU64,
    /// Response futures polled (the request reached the backend).
    pub reached: AtomicU64,
}

impl Counters {
    /// Fresh counters that live for the rest of the program (a few bytes per benchmark), so
    /// that the backend is `Copy`: cloning it costs nothing, even for a breaker that clones its
    /// inner service on every call.
    pub fn leaked() -> &'static Counters {
        Box::leak(Box::default())
    }

    /// `(called, reached)`.
    pub fn get(&self) -> (u64, u64) {
        (
            self.called.load(Ordering::Relaxed),
            self.reached.load(Ordering::Relaxed),
        )
    }
}

/// The backend of the open-state rows: always ready, every request fails, and it counts.
pub fn failing_backend(
    counters: &'static Counters,
) -> impl Service<u64, Response = u64, Error = Failure, Future: Send + 'static> + Clone + Send + 'static
{
    tower::service_fn(move |_req: u64| {
        counters.called.fetch_add(1, Ordering::Relaxed);
        async move {
            counters.reached.fetch_add(1, Ordering::Relaxed);
            Err::<u64, Failure>(Failure)
        }
    })
}

/// Trips `svc` with failures (its backend must fail every request) until a call fails fast,
/// as `is_open` tells; returns how many failures it took.
///
/// # Panics
///
/// If a call succeeds, or 100 failures do not open the circuit.
pub fn trip<S, E>(svc: &mut S, is_open: impl Fn(&E) -> bool) -> u32
where
    S: Service<u64, Error = E>,
{
    for failures in 0..100 {
        match call(svc, 0) {
            Err(e) if is_open(&e) => return failures,
            Err(_) => {}
            Ok(_) => panic!("the failing backend answered Ok"),
        }
    }
    panic!("100 failures did not open the circuit")
}
