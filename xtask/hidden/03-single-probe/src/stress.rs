//! Many tasks, many threads, racing one half-open breaker: never two probes in flight at the
//! backend.
//!
//! Paused time needs a current-thread runtime, so these tests use an open duration of zero
//! instead: the circuit opens and, at the very next request, goes half-open. The backend always
//! fails, so a probe that completes re-opens the circuit, and every request the backend sees is
//! a probe. The backend counts the requests in flight, from `call` until its future completes
//! or is dropped. Bounded loops, no sleeping.
//!
//! The second line of defence: the interleaving tests of `races.rs` try the interleavings of
//! two or three callers step by step and catch a race on every run; these run real threads
//! at full speed, which catches a race often, not always (how often depends on the machine and
//! its load), and also what the scheduler cannot see (a type not taken from `crate::sync`). On
//! a correct implementation they always pass.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use tower::{Layer, Service};

use crate::support::{BackendError, CircuitBreaker, CircuitBreakerLayer, Config, Duration, Error};

/// What the backend saw, shared by its clones.
#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

/// A backend that is always ready, answers after `turns` polls (waking the task each time, as a
/// yield does) and always fails.
#[derive(Clone, Default)]
struct Counting(Arc<Seen>);

/// One request at the backend: in flight until it completes or is dropped.
struct Answer {
    turns: usize,
    /// `Some` while in flight.
    seen: Option<Arc<Seen>>,
}

impl Answer {
    fn done(&mut self) {
        if let Some(seen) = self.seen.take() {
            seen.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.done();
    }
}

impl Future for Answer {
    type Output = Result<(), BackendError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.turns == 0 {
            self.done();
            return Poll::Ready(Err(BackendError("still down")));
        }
        self.turns -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl Service<usize> for Counting {
    type Response = ();
    type Error = BackendError;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, turns: usize) -> Answer {
        let seen = &self.0;
        seen.requests.fetch_add(1, Ordering::SeqCst);
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Answer {
            turns,
            seen: Some(Arc::clone(seen)),
        }
    }
}

type Breaker = CircuitBreaker<Counting>;

/// A breaker (threshold 1, open duration 0) around a counting backend, made half-open: one
/// request opens the circuit, the next one is a probe (and fails, re-opening it).
fn half_open_breaker() -> (Breaker, Arc<Seen>) {
    let backend = Counting::default();
    let seen = Arc::clone(&backend.0);
    let mut breaker = CircuitBreakerLayer::new(Config {
        failure_threshold: 1,
        open_duration: Duration::ZERO,
    })
    .layer(backend);
    let waker = Waker::noop();
    for what in ["the request that opens the circuit", "the first probe"] {
        let polled = breaker.poll_ready(&mut Context::from_waker(waker));
        assert!(
            matches!(polled, Poll::Ready(Ok(()))),
            "{what}: poll_ready must return Ready(Ok(())); it returned {polled:?}"
        );
        let mut future = pin!(breaker.call(0));
        let outcome = future.as_mut().poll(&mut Context::from_waker(waker));
        assert!(
            matches!(
                outcome,
                Poll::Ready(Err(Error::Inner(BackendError("still down"))))
            ),
            "{what} must reach the backend (open duration 0: the request after the one that \
             opened the circuit is a probe) and get its error at once; it got {outcome:?}"
        );
    }
    (breaker, seen)
}

#[track_caller]
fn expect_one_in_flight_at_most(seen: &Seen, what: &str) {
    let most = seen.most_in_flight.load(Ordering::SeqCst);
    assert!(
        most <= 1,
        "{what}: at one point {most} requests were in flight at the backend. While one probe was \
         in flight a second request reached the inner service; half-open must admit exactly one \
         probe (taken in one indivisible step, kept in the response future until its verdict, \
         given back exactly once and only if it is still out)"
    );
}

#[track_caller]
fn expect_a_probe_at_the_end(svc: &mut Breaker, seen: &Seen, what: &str) {
    let before = seen.requests.load(Ordering::SeqCst);
    let polled = svc.poll_ready(&mut Context::from_waker(Waker::noop()));
    assert!(
        matches!(polled, Poll::Ready(Ok(()))),
        "poll_ready: {polled:?}"
    );
    let mut future = pin!(svc.call(0));
    let outcome = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert!(
        seen.requests.load(Ordering::SeqCst) > before,
        "{what}, with nothing in flight any more, the next request must be a probe and reach the \
         backend: a probe was never given back; it got {outcome:?}"
    );
}

const TASKS: usize = 64;
const ROUNDS: usize = 200;

async fn ready<S: Service<usize>>(svc: &mut S) -> Result<(), S::Error> {
    poll_fn(|cx| svc.poll_ready(cx)).await
}

#[test]
fn stress_never_two_probes_in_flight_on_a_multi_threaded_runtime() {
    let (breaker, seen) = half_open_breaker();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .expect("a multi-threaded runtime");
    let rejected: usize = runtime.block_on(async {
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
                            1..=5 => {
                                ready(&mut svc).await.expect("the backend is always ready");
                                let mut future = pin!(svc.call(2));
                                poll_fn(|cx| {
                                    let _ = future.as_mut().poll(cx);
                                    Poll::Ready(())
                                })
                                .await;
                            }
                            // Sent and awaited: a probe's failure re-opens the circuit.
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
        rejected
    });
    let what =
        format!("{TASKS} tasks x {ROUNDS} rounds on 4 threads, the circuit half-open or open");
    expect_one_in_flight_at_most(&seen, &what);
    assert!(
        rejected > 0,
        "{what}: not one request was rejected with Err(Error::Open); requests that find the \
         probe taken must fail fast"
    );
    expect_a_probe_at_the_end(&mut breaker.clone(), &seen, &format!("after {what}"));
}

const THREADS: usize = 2;
const RACES: usize = 5_000;

/// A barrier for threads that spin (a sleeping barrier wakes them microseconds apart, and the
/// race is over by then). Every thread calls `wait` the same number of times; a thread that
/// panics lets the others go (`Abandon`), so that a failure never turns into a hang.
struct SpinBarrier {
    arrived: AtomicUsize,
    abandoned: std::sync::atomic::AtomicBool,
}

impl SpinBarrier {
    fn wait(&self, round: usize) {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let mut spins = 0u32;
        while self.arrived.load(Ordering::SeqCst) < (round + 1) * THREADS
            && !self.abandoned.load(Ordering::SeqCst)
        {
            spins += 1;
            if spins % 64 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// Releases the other threads if this one panics.
struct Abandon<'a>(&'a SpinBarrier);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.abandoned.store(true, Ordering::SeqCst);
        }
    }
}

#[test]
fn threads_racing_for_a_given_back_probe_never_both_take_it() {
    let (breaker, seen) = half_open_breaker();
    let barrier = SpinBarrier {
        arrived: AtomicUsize::new(0),
        abandoned: std::sync::atomic::AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let mut svc = breaker.clone();
            let barrier = &barrier;
            scope.spawn(move || {
                let _abandon = Abandon(barrier);
                let waker = Waker::noop();
                for race in 0..RACES {
                    // The probe is free (given back at the end of the last race): go!
                    barrier.wait(race);
                    // A different head start each time, to sweep every interleaving of the two.
                    for _ in 0..(race * 7 + thread * 3) % 24 {
                        std::hint::spin_loop();
                    }
                    let polled = svc.poll_ready(&mut Context::from_waker(waker));
                    assert!(
                        matches!(polled, Poll::Ready(Ok(()))),
                        "poll_ready: {polled:?}"
                    );
                    // Mostly a caller that gives up after one poll: the probe is given back
                    // without a verdict. Now and then, a probe that completes and re-opens the
                    // circuit.
                    let completes = (race + thread) % 16 == 0;
                    let mut future = pin!(svc.call(if completes { 0 } else { 1 }));
                    let _ = future.as_mut().poll(&mut Context::from_waker(waker));
                }
            });
        }
    });
    let what = format!(
        "{THREADS} threads racing {RACES} times for the probe, the winner giving up after one \
         poll (the probe given back) or completing (the circuit re-opened)"
    );
    expect_one_in_flight_at_most(&seen, &what);
    expect_a_probe_at_the_end(&mut breaker.clone(), &seen, &format!("after {what}"));
}
