//! Races, step by step: two or three callers meet a half-open breaker on threads of their own,
//! and the scheduler of `interleave.rs` tries every interleaving of their steps (up to a few
//! preemptions), the same ones on every run. A racy take, a probe given back before its
//! verdict or a late release that frees a newer probe fails here every time, with the
//! interleaving that broke it.
//!
//! The backend counts the requests it receives and how many are in flight at once; a request
//! either hangs (in flight until its future is dropped) or fails at its first poll. Open
//! duration 10 s on Tokio's paused clock, which the callers read but never move: an open
//! circuit stays open during a run.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::runtime::Runtime;
use tower::{Layer, Service};

use crate::graded::{CircuitBreaker, CircuitBreakerLayer, Config, Error, State};
use crate::interleave::{Run, explore};
use crate::support::BackendError;

const OPEN: Duration = Duration::from_secs(10);

/// What the backend saw, shared by its clones.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Seen {
    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

#[derive(Clone, Default)]
struct Backend(Arc<Seen>);

/// How the backend answers a request.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Never: the request stays in flight until its future is dropped.
    Hang,
    /// An error, at the first poll.
    Fail,
}

struct Reply {
    answer: Answer,
    /// `Some` while in flight.
    seen: Option<Arc<Seen>>,
}

impl Reply {
    fn done(&mut self) {
        if let Some(seen) = self.seen.take() {
            seen.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        self.done();
    }
}

impl Future for Reply {
    type Output = Result<(), BackendError>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.answer {
            Answer::Hang => Poll::Pending,
            Answer::Fail => {
                self.done();
                Poll::Ready(Err(BackendError("still down")))
            }
        }
    }
}

impl Service<Answer> for Backend {
    type Response = ();
    type Error = BackendError;
    type Future = Reply;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, answer: Answer) -> Reply {
        let seen = &self.0;
        seen.requests.fetch_add(1, Ordering::SeqCst);
        let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Reply {
            answer,
            seen: Some(Arc::clone(seen)),
        }
    }
}

type Breaker = CircuitBreaker<Backend>;
type Future_ = Pin<Box<<Breaker as Service<Answer>>::Future>>;
type Polled = Poll<Result<(), Error<BackendError>>>;

/// A request sent: how its first poll went, and its response future, kept alive until the
/// check (it may hold the probe).
struct Sent {
    polled: Polled,
    #[allow(dead_code)]
    future: Option<Future_>,
}

fn noop() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// `poll_ready`, `call`, one poll: what a Tower caller does.
fn send(svc: &mut Breaker, answer: Answer) -> Sent {
    let ready = svc.poll_ready(&mut noop());
    assert!(
        matches!(ready, Poll::Ready(Ok(()))),
        "poll_ready on a breaker whose backend is always ready must return Ready(Ok(())) \
         (an open circuit answers from `call`); it returned {ready:?}"
    );
    let mut future = Box::pin(svc.call(answer));
    let polled = future.as_mut().poll(&mut noop());
    Sent {
        polled,
        future: Some(future),
    }
}

fn show(polled: &Polled) -> String {
    match polled {
        Poll::Pending => "in flight (the probe)".to_owned(),
        Poll::Ready(Err(Error::Open)) => "Err(Error::Open)".to_owned(),
        Poll::Ready(other) => format!("{other:?}"),
    }
}

/// A breaker (threshold 1) around a counting backend, and what the backend saw.
struct World {
    svc: Breaker,
    seen: Arc<Seen>,
}

/// Opened by one failure, its open period over: the next request goes half-open and probes.
fn open_period_over(rt: &Runtime) -> World {
    let backend = Backend::default();
    let seen = Arc::clone(&backend.0);
    let mut svc = CircuitBreakerLayer::new(Config {
        failure_threshold: 1,
        open_duration: OPEN,
    })
    .layer(backend);
    let sent = send(&mut svc, Answer::Fail);
    assert!(
        matches!(sent.polled, Poll::Ready(Err(Error::Inner(_)))),
        "with the circuit closed, a request must reach the backend and get its error; it got {}",
        show(&sent.polled)
    );
    rt.block_on(tokio::time::advance(OPEN));
    World { svc, seen }
}

/// Half-open, the probe free: a first probe was sent and abandoned (given back, no verdict).
fn half_open(rt: &Runtime) -> World {
    let mut world = open_period_over(rt);
    let abandoned = send(&mut world.svc, Answer::Hang);
    assert!(
        abandoned.polled.is_pending() && world.seen.requests() == 2,
        "once the open period is over, the next request must be the probe and reach the \
         backend; it got {}",
        show(&abandoned.polled)
    );
    drop(abandoned);
    world
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime with a paused clock")
}

/// A caller: on its own thread, in the runtime's context (for the paused clock).
fn caller<R: Send + 'static>(
    rt: &Runtime,
    f: impl FnOnce() -> R + Send + 'static,
) -> Box<dyn FnOnce() -> R + Send> {
    let handle = rt.handle().clone();
    Box::new(move || {
        let _clock = handle.enter();
        f()
    })
}

/// A caller that sends one request through its own clone of the breaker.
fn racer(rt: &Runtime, world: &World) -> Box<dyn FnOnce() -> Option<Sent> + Send> {
    let mut svc = world.svc.clone();
    caller(rt, move || Some(send(&mut svc, Answer::Hang)))
}

/// Of the racers' requests, exactly one must be the probe, and the others must fail fast.
fn exactly_one_probe(
    what: &str,
    seen: &Seen,
    before: usize,
    sent: &[Option<Sent>],
) -> Result<(), String> {
    let reached = seen.requests() - before;
    let outcomes: Vec<String> = sent.iter().flatten().map(|s| show(&s.polled)).collect();
    if reached > 1 {
        return Err(format!(
            "{what}: {reached} requests reached the backend (the callers got {outcomes:?}). \
             Half-open admits exactly one probe: between \"the probe is free\" and \"it is \
             mine\" no other caller may take it, so taking it must be one indivisible step that \
             only one caller can win"
        ));
    }
    if reached == 0 {
        return Err(format!(
            "{what}: no request reached the backend (the callers got {outcomes:?}). The probe \
             was free: one of the callers must get it and send its request"
        ));
    }
    let rejected = sent
        .iter()
        .flatten()
        .filter(|s| matches!(s.polled, Poll::Ready(Err(Error::Open))))
        .count();
    if rejected + 1 != sent.iter().flatten().count() {
        return Err(format!(
            "{what}: one request reached the backend, and every other caller must fail fast \
             with Err(Error::Open); the callers got {outcomes:?}"
        ));
    }
    Ok(())
}

#[test]
fn two_callers_racing_for_a_free_probe_send_exactly_one() {
    let rt = runtime();
    let _clock = rt.enter();
    explore(2, || {
        let world = half_open(&rt);
        let before = world.seen.requests();
        Run {
            callers: vec![racer(&rt, &world), racer(&rt, &world)],
            check: Box::new(move |sent| {
                exactly_one_probe(
                    "two callers raced for the free probe of a half-open circuit",
                    &world.seen,
                    before,
                    &sent,
                )
            }),
        }
    });
}

#[test]
fn two_callers_racing_into_half_open_send_exactly_one() {
    let rt = runtime();
    let _clock = rt.enter();
    explore(2, || {
        let world = open_period_over(&rt);
        let before = world.seen.requests();
        Run {
            callers: vec![racer(&rt, &world), racer(&rt, &world)],
            check: Box::new(move |sent| {
                exactly_one_probe(
                    "two callers arrived together at an open circuit whose open period was over \
                     (the first one moves it to half-open)",
                    &world.seen,
                    before,
                    &sent,
                )
            }),
        }
    });
}

#[test]
fn a_probe_keeps_its_place_until_its_verdict_is_in() {
    let rt = runtime();
    let _clock = rt.enter();
    explore(2, || {
        let mut world = half_open(&rt);
        // The probe, sent: its request will fail at its first poll.
        let ready = world.svc.poll_ready(&mut noop());
        assert!(
            matches!(ready, Poll::Ready(Ok(()))),
            "poll_ready: {ready:?}"
        );
        let mut probe: Future_ = Box::pin(world.svc.call(Answer::Fail));
        let before = world.seen.requests();
        let settles = caller(&rt, move || {
            let polled = probe.as_mut().poll(&mut noop());
            drop(probe);
            Some(Sent {
                polled,
                future: None,
            })
        });
        Run {
            callers: vec![settles, racer(&rt, &world)],
            check: Box::new(move |sent| {
                let [Some(probe), Some(other)] = &sent[..] else {
                    unreachable!("two callers")
                };
                let reached = world.seen.requests() - before;
                if reached > 0 || !matches!(other.polled, Poll::Ready(Err(Error::Open))) {
                    return Err(format!(
                        "caller A completed the probe (the backend failed it) while caller B \
                         sent a request: B's request must fail fast with Err(Error::Open) \
                         without reaching the backend, before the verdict (the probe is still \
                         out) as after it (the circuit is open again); B got {} and {reached} \
                         request(s) reached the backend. Give the probe back only once its \
                         verdict is in, never before",
                        show(&other.polled)
                    ));
                }
                if !matches!(probe.polled, Poll::Ready(Err(Error::Inner(_)))) {
                    return Err(format!(
                        "the probe's caller must get the backend's error; it got {}",
                        show(&probe.polled)
                    ));
                }
                let state = world.svc.state();
                if !matches!(state, State::Open { .. }) {
                    return Err(format!(
                        "after the probe failed, the circuit must be Open; it is {state:?}"
                    ));
                }
                Ok(())
            }),
        }
    });
}

#[test]
fn an_abandoned_probe_is_given_back_once_while_two_callers_race() {
    let rt = runtime();
    let _clock = rt.enter();
    explore(2, || {
        let mut world = half_open(&rt);
        let abandoned = send(&mut world.svc, Answer::Hang);
        assert!(
            abandoned.polled.is_pending(),
            "the first request in half-open must be the probe; it got {}",
            show(&abandoned.polled)
        );
        let before = world.seen.requests();
        world.seen.most_in_flight.store(1, Ordering::SeqCst);
        let gives_up = caller(&rt, move || {
            drop(abandoned);
            None
        });
        let mut after = world.svc.clone();
        Run {
            callers: vec![gives_up, racer(&rt, &world), racer(&rt, &world)],
            check: Box::new(move |sent| {
                let reached = world.seen.requests() - before;
                let most = world.seen.most_in_flight.load(Ordering::SeqCst);
                let outcomes: Vec<String> =
                    sent.iter().flatten().map(|s| show(&s.polled)).collect();
                if reached > 1 || most > 1 {
                    return Err(format!(
                        "caller A dropped the probe's response future (its caller gave up) while \
                         B and C raced for the probe: {reached} of their requests reached the \
                         backend, and at one point {most} were in flight (B and C got \
                         {outcomes:?}). An abandoned probe is given back once, and then only one \
                         caller may take it"
                    ));
                }
                drop(sent);
                let next = send(&mut after, Answer::Hang);
                if world.seen.requests() == before + reached {
                    return Err(format!(
                        "caller A dropped the probe's response future while B and C raced for \
                         the probe (they got {outcomes:?}); once every request was dropped, the \
                         next request must be the probe and reach the backend, but it got {}: \
                         the probe was never given back",
                        show(&next.polled)
                    ));
                }
                Ok(())
            }),
        }
    });
}

#[test]
fn a_settled_probe_dropped_late_races_the_next_half_open_period() {
    let rt = runtime();
    let _clock = rt.enter();
    explore(2, || {
        let mut world = half_open(&rt);
        let settled = send(&mut world.svc, Answer::Fail);
        assert!(
            matches!(settled.polled, Poll::Ready(Err(Error::Inner(_)))),
            "the probe must reach the backend and get its error; it got {}",
            show(&settled.polled)
        );
        // Its response future is kept; the circuit re-opened, and its open period passes.
        rt.block_on(tokio::time::advance(OPEN));
        let before = world.seen.requests();
        let drops_late = caller(&rt, move || {
            drop(settled);
            None
        });
        Run {
            callers: vec![drops_late, racer(&rt, &world), racer(&rt, &world)],
            check: Box::new(move |sent| {
                exactly_one_probe(
                    "caller A dropped the response future of a probe settled in the previous \
                     half-open period while B and C raced into the next one (a late drop must \
                     give back nothing: the probe it held belongs to a period that is over)",
                    &world.seen,
                    before,
                    &sent,
                )
            }),
        }
    });
}
