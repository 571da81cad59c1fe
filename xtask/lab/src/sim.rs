//! The simulation: scripted backends, callers at a steady rate, a recorder, all on Tokio's
//! paused clock.
//!
//! Every run gets a fresh current-thread runtime whose clock starts paused: a `sleep` of a
//! second takes no real time (the runtime jumps to the next timer when every task waits), and
//! the tasks run in the same order every time, so the numbers are the same on every machine.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Service, ServiceExt};

/// The request the callers send: its sequence number.
pub type Request = u64;

/// What a healthy backend answers.
pub type Response = ();

/// How a backend fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendError {
    /// No answer within the caller's timeout (a `Timeout` inside the breaker).
    TimedOut,
    /// `503 Service Unavailable`, or a refused connection: an answer, a quick one.
    Unavailable,
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::TimedOut => f.write_str("timed out"),
            BackendError::Unavailable => f.write_str("503 Service Unavailable"),
        }
    }
}

impl std::error::Error for BackendError {}

/// What a caller got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer from the backend.
    Ok,
    /// The backend failed (after every retry, if any).
    Failed,
    /// The breaker answered `Error::Open` without sending the request.
    FastFailed,
}

/// The breaker's state as the lab draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Closed,
    Open,
    HalfOpen,
    /// No breaker in this variant.
    None,
}

/// Counters read from a breaker's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub opened: u64,
    pub half_opened: u64,
    pub closed: u64,
    pub rejected: u64,
}

/// What the lab reads from a breaker while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub phase: Phase,
    pub counters: Option<Counters>,
}

impl Sample {
    pub const NO_BREAKER: Sample = Sample {
        phase: Phase::None,
        counters: None,
    };
}

type BoxFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;
type CallFn = Arc<dyn Fn(Request) -> BoxFuture + Send + Sync>;
type WatchFn = Arc<dyn Fn() -> Sample + Send + Sync>;

/// A service the callers send to (a breaker, a stack, or the bare backend), with its type
/// erased: how to send one request, and how to read the breaker's state.
#[derive(Clone)]
pub struct Protected {
    call: CallFn,
    watch: WatchFn,
}

impl Protected {
    /// Wraps a service. `outcome` says what its result means for the caller; `watch` reads the
    /// breaker inside it. Every request goes through a clone, as with a shared client.
    pub fn new<S, E>(
        service: S,
        outcome: fn(Result<Response, E>) -> Outcome,
        watch: fn(&S) -> Sample,
    ) -> Protected
    where
        S: Service<Request, Response = Response, Error = E> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
        E: 'static,
    {
        let watched = service.clone();
        Protected {
            call: Arc::new(move |request| {
                let service = service.clone();
                Box::pin(async move { outcome(service.oneshot(request).await) })
            }),
            watch: Arc::new(move || watch(&watched)),
        }
    }

    /// Sends one request.
    pub fn call(&self, request: Request) -> impl Future<Output = Outcome> + Send + 'static {
        (self.call)(request)
    }

    /// The breaker's state now.
    pub fn sample(&self) -> Sample {
        (self.watch)()
    }

    /// The same service, read through another breaker's state (a pool's bad node, say).
    pub fn watched_by(self, other: &Protected) -> Protected {
        Protected {
            call: self.call,
            watch: Arc::clone(&other.watch),
        }
    }

    /// A service made of a closure (a balancer over several breakers, say).
    pub fn from_fn<F, Fut>(call: F, watch: &Protected) -> Protected
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        Protected {
            call: Arc::new(move |request| Box::pin(call(request))),
            watch: Arc::clone(&watch.watch),
        }
    }
}

/// One stretch of a backend's script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    /// When it starts, from the start of the run.
    pub from: Duration,
    pub health: Health,
}

/// How a backend behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Answers after `latency`.
    Up { latency: Duration },
    /// Fails with `error` after `latency`.
    Down {
        latency: Duration,
        error: BackendError,
    },
}

impl Health {
    pub fn is_up(self) -> bool {
        matches!(self, Health::Up { .. })
    }
}

/// A backend's script: its health over time (the first stretch starts at 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script(pub Vec<Stretch>);

impl Script {
    pub fn health(&self, at: Duration) -> Health {
        self.0
            .iter()
            .rev()
            .find(|stretch| stretch.from <= at)
            .map_or(self.0[0].health, |stretch| stretch.health)
    }

    /// When the backend goes down and comes back: `(from, until)` of each down stretch.
    pub fn down_periods(&self, end: Duration) -> Vec<(Duration, Duration)> {
        let mut periods = Vec::new();
        for (i, stretch) in self.0.iter().enumerate() {
            if !stretch.health.is_up() {
                let until = self.0.get(i + 1).map_or(end, |next| next.from);
                periods.push((stretch.from, until));
            }
        }
        periods
    }
}

/// What happened during a run, by second of the paused clock.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Requests that reached backend `n` in each second: `calls[n][second]`.
    pub calls: Vec<Vec<u32>>,
    /// Requests that reached a backend while it was down.
    pub calls_while_down: u32,
    /// Caller outcomes by the second they completed in: `[ok, failed, fast-failed]`.
    pub outcomes: Vec<[u32; 3]>,
    /// The breaker, sampled every [`SAMPLE`]: `(milliseconds, sample)`.
    pub samples: Vec<(u64, Sample)>,
    /// Completion time (ms) and outcome of every request, in the order they completed.
    pub completions: Vec<(u64, Outcome)>,
}

/// How often the breaker's state is sampled for the chart.
pub const SAMPLE: Duration = Duration::from_millis(50);

impl Record {
    fn new(backends: usize, seconds: usize) -> Record {
        Record {
            calls: vec![vec![0; seconds]; backends],
            outcomes: vec![[0; 3]; seconds],
            ..Record::default()
        }
    }

    pub fn total(&self, outcome: Outcome) -> u32 {
        self.outcomes.iter().map(|o| o[outcome as usize]).sum()
    }

    /// Backend calls of every backend together, per second.
    pub fn calls_per_second(&self) -> Vec<u32> {
        let seconds = self.outcomes.len();
        (0..seconds)
            .map(|s| self.calls.iter().map(|c| c[s]).sum())
            .collect()
    }

    /// Calls of every backend together in `[from, until)` seconds.
    pub fn calls_between(&self, from: Duration, until: Duration) -> u32 {
        let (from, until) = (from.as_secs() as usize, until.as_secs() as usize);
        self.calls_per_second()[from..until.min(self.outcomes.len())]
            .iter()
            .sum()
    }

    /// After `recovery`, how long until callers got only `Ok` again: the completion of the
    /// last request that did not succeed, minus `recovery` (zero if none did).
    pub fn normal_after(&self, recovery: Duration) -> Duration {
        let recovery = recovery.as_millis() as u64;
        self.completions
            .iter()
            .filter(|(at, outcome)| *at >= recovery && *outcome != Outcome::Ok)
            .map(|(at, _)| Duration::from_millis(at - recovery))
            .max()
            .unwrap_or_default()
    }

    /// The breaker's last counters, if it has metrics.
    pub fn counters(&self) -> Option<Counters> {
        self.samples.last().and_then(|(_, sample)| sample.counters)
    }
}

/// The record, shared by the backends, the callers and the sampler of one run.
#[derive(Debug, Clone)]
pub struct Recorder {
    record: Arc<Mutex<Record>>,
    start: Instant,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn elapsed(&self) -> Duration {
        Instant::now() - self.start
    }

    fn second(&self, seconds: usize) -> usize {
        (self.elapsed().as_secs() as usize).min(seconds - 1)
    }
}

/// A scripted backend: a Tower service, cheap to clone. It counts every request that reaches
/// it and answers after its script's latency.
///
/// A backend made of several nodes ([`Backend::pool`]) is a load-balanced pool: each request
/// goes to the node [`pick`] names.
#[derive(Debug, Clone)]
pub struct Backend {
    /// `(index, script)` of each node.
    nodes: Arc<[(usize, Script)]>,
    recorder: Recorder,
}

impl Backend {
    /// One service over all the `backends`' nodes.
    pub fn pool(backends: &[Backend]) -> Backend {
        Backend {
            nodes: backends
                .iter()
                .flat_map(|b| b.nodes.iter().cloned())
                .collect(),
            recorder: backends[0].recorder.clone(),
        }
    }
}

/// The node of `nodes` that a pool sends `request` to: a fixed pseudo-random choice (so that
/// a bad node's failures come in irregular runs, as with a real balancer).
pub fn pick(request: Request, nodes: usize) -> usize {
    // SplitMix64.
    let mut z = request.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % nodes as u64) as usize
}

impl Service<Request> for Backend {
    type Response = Response;
    type Error = BackendError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, BackendError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let (index, script) = &self.nodes[pick(request, self.nodes.len())];
        let health = script.health(self.recorder.elapsed());
        {
            let mut record = self.recorder.lock();
            let seconds = record.outcomes.len();
            let second = self.recorder.second(seconds);
            record.calls[*index][second] += 1;
            if !health.is_up() {
                record.calls_while_down += 1;
            }
        }
        Box::pin(async move {
            match health {
                Health::Up { latency } => {
                    tokio::time::sleep(latency).await;
                    Ok(())
                }
                Health::Down { latency, error } => {
                    tokio::time::sleep(latency).await;
                    Err(error)
                }
            }
        })
    }
}

/// One run: how long, how fast the callers send, the backends' scripts.
#[derive(Debug, Clone)]
pub struct Run {
    pub duration: Duration,
    /// Requests per second, evenly spaced.
    pub rate: u32,
    pub scripts: Vec<Script>,
}

impl Run {
    pub fn seconds(&self) -> usize {
        self.duration.as_secs() as usize
    }
}

/// Why a run did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuck {
    /// Requests were still waiting long after the last one was sent (a `Pending` that nobody
    /// wakes up?).
    Hung { pending: usize },
}

/// Runs `run` against the service `build` makes from the backends, on a fresh paused clock.
///
/// A panic of the service (a `todo!()` reached, say) propagates out of this function, from
/// whichever task it happened in.
pub fn simulate(run: &Run, build: impl FnOnce(Vec<Backend>) -> Protected) -> Result<Record, Stuck> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(async {
        let seconds = run.seconds();
        let recorder = Recorder {
            record: Arc::new(Mutex::new(Record::new(run.scripts.len(), seconds))),
            start: Instant::now(),
        };
        let backends = run
            .scripts
            .iter()
            .enumerate()
            .map(|(index, script)| Backend {
                nodes: Arc::new([(index, script.clone())]),
                recorder: recorder.clone(),
            })
            .collect();
        let service = build(backends);
        let start = recorder.start;

        let sampler = {
            let (service, recorder) = (service.clone(), recorder.clone());
            let end = start + run.duration;
            tokio::spawn(async move {
                let mut at = start;
                while at < end {
                    tokio::time::sleep_until(at).await;
                    let sample = service.sample();
                    let ms = (at - start).as_millis() as u64;
                    recorder.lock().samples.push((ms, sample));
                    at += SAMPLE;
                }
            })
        };

        let period = Duration::from_secs(1) / run.rate;
        let total = run.rate as u64 * run.duration.as_secs();
        let mut requests = tokio::task::JoinSet::new();
        for n in 0..total {
            tokio::time::sleep_until(start + period * n as u32).await;
            let call = service.call(n);
            let recorder = recorder.clone();
            requests.spawn(async move {
                let outcome = call.await;
                let mut record = recorder.lock();
                let second = recorder.second(seconds);
                record.outcomes[second][outcome as usize] += 1;
                let ms = recorder.elapsed().as_millis() as u64;
                record.completions.push((ms, outcome));
            });
            // A panic in a request's task is the service's: raise it here.
            while let Some(done) = requests.try_join_next() {
                if let Err(e) = done {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        }
        // Every request ends within seconds (the longest latency, the retries' backoffs); a
        // minute of the paused clock costs nothing and tells a request that never ends.
        let deadline = tokio::time::sleep(Duration::from_secs(60));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                done = requests.join_next() => match done {
                    None => break,
                    Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Some(_) => {}
                },
                () = &mut deadline => return Err(Stuck::Hung { pending: requests.len() }),
            }
        }
        if let Err(e) = sampler.await
            && e.is_panic()
        {
            std::panic::resume_unwind(e.into_panic());
        }
        let record = recorder.lock().clone();
        Ok(record)
    })
}
