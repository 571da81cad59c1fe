//! Many tasks on a multi-threaded runtime, racing one half-open breaker: never two probes in
//! flight at the backend.
//!
//! Paused time needs a current-thread runtime, so this test uses an open duration of zero
//! instead: the circuit opens and, at the very next request, goes half-open. The backend always
//! fails, so every probe re-opens the circuit and every request the backend sees is a probe.
//! The backend counts the requests in flight (from `call` until its future completes or is
//! dropped). Bounded: 64 tasks x 200 rounds, no sleeping.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tower::{Layer, Service};

use crate::support::{BackendError, CircuitBreakerLayer, Config, Duration, Error};

const TASKS: usize = 64;
const ROUNDS: usize = 200;

/// What the backend saw, shared by its clones.
#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

/// A backend that is always ready, takes a few scheduler turns to answer, and always fails.
#[derive(Clone, Default)]
struct Counting(Arc<Seen>);

/// One request in flight at the backend, until its future completes or is dropped.
struct InFlight(Arc<Seen>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Service<usize> for Counting {
    type Response = ();
    type Error = BackendError;
    type Future = Pin<Box<dyn Future<Output = Result<(), BackendError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, turns: usize) -> Self::Future {
        let seen = &self.0;
        seen.requests.fetch_add(1, Ordering::SeqCst);
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let in_flight = InFlight(Arc::clone(seen));
        Box::pin(async move {
            for _ in 0..turns {
                tokio::task::yield_now().await;
            }
            drop(in_flight);
            Err(BackendError("still down"))
        })
    }
}

async fn ready<S: Service<usize>>(svc: &mut S) -> Result<(), S::Error> {
    poll_fn(|cx| svc.poll_ready(cx)).await
}

#[test]
fn stress_never_two_probes_in_flight_on_a_multi_threaded_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .expect("a multi-threaded runtime");
    runtime.block_on(async {
        let backend = Counting::default();
        let seen = Arc::clone(&backend.0);
        let breaker = CircuitBreakerLayer::new(Config {
            failure_threshold: 1,
            open_duration: Duration::ZERO,
        })
        .layer(backend);

        // On the test's thread first: one failure opens the circuit, the next request probes.
        let mut svc = breaker.clone();
        for what in ["the request that opens the circuit", "the first probe"] {
            ready(&mut svc).await.expect("the backend is always ready");
            let outcome = svc.call(0).await;
            assert!(
                matches!(outcome, Err(Error::Inner(BackendError("still down")))),
                "{what} must reach the backend (open duration 0: the request after the one \
                 that opened the circuit is a probe) and get its error; it got {outcome:?}"
            );
        }

        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let mut svc = breaker.clone();
                tokio::spawn(async move {
                    let mut rejected = 0;
                    for round in 0..ROUNDS {
                        match (task + round) % 8 {
                            // Made ready (perhaps holding the probe), then dropped before call.
                            0 => {
                                let mut clone = svc.clone();
                                ready(&mut clone)
                                    .await
                                    .expect("the backend is always ready");
                                drop(clone);
                            }
                            // Sent, polled once, then dropped: a caller that gives up.
                            1 => {
                                ready(&mut svc).await.expect("the backend is always ready");
                                let mut future = pin!(svc.call(2));
                                poll_fn(|cx| {
                                    let _ = future.as_mut().poll(cx);
                                    Poll::Ready(())
                                })
                                .await;
                            }
                            // Sent and awaited.
                            _ => {
                                ready(&mut svc).await.expect("the backend is always ready");
                                match svc.call(round % 3).await {
                                    Err(Error::Open) => rejected += 1,
                                    Err(Error::Inner(BackendError("still down"))) => {}
                                    other => panic!(
                                        "a request to a backend that always fails must end in \
                                         Err(Error::Open) or the backend's error; it got \
                                         {other:?}"
                                    ),
                                }
                            }
                        }
                        tokio::task::yield_now().await;
                    }
                    rejected
                })
            })
            .collect();
        let mut rejected = 0;
        for task in tasks {
            rejected += task.await.expect("a stress task panicked");
        }

        let most = seen.most_in_flight.load(Ordering::SeqCst);
        assert!(
            most <= 1,
            "{TASKS} tasks x {ROUNDS} rounds on 4 threads, circuit always half-open or open: at \
             one point {most} requests were in flight at the backend. While one probe was in \
             flight a second request reached the inner service; half-open must admit exactly \
             one probe (take it with one compare-and-swap, keep it in the response future, give \
             it back exactly once)"
        );
        assert!(
            rejected > 0,
            "{TASKS} tasks x {ROUNDS} rounds racing for the probe, and not one was rejected with \
             Err(Error::Open): requests that find the probe taken must fail fast"
        );
        // Every probe was settled or given back: the next request probes.
        let before = seen.requests.load(Ordering::SeqCst);
        ready(&mut svc).await.expect("the backend is always ready");
        let outcome = svc.call(0).await;
        assert!(
            matches!(outcome, Err(Error::Inner(_)))
                && seen.requests.load(Ordering::SeqCst) > before,
            "after every task finished (each probe settled, dropped or never sent), the next \
             request must be a probe and reach the backend: a probe was never given back; it \
             got {outcome:?}"
        );
    });
}
