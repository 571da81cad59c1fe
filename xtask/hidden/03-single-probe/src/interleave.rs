//! A scheduler that tries the interleavings of two or three callers, one step at a time.
//!
//! The crate under test is built with its `interleave` feature: every operation on one of its
//! `crate::sync` types (an atomic load, a compare-and-swap, a `Mutex::lock`, a semaphore
//! permit taken or given back) first calls [`hook`]. Each caller runs on a thread of its own,
//! but only one thread runs at a time: at each hook the running thread stops, and the scheduler
//! picks which thread makes the next step. One run of the callers follows one *schedule*; the
//! scheduler runs them again and again (from a fresh setup each time), depth first, until it
//! has tried every schedule with at most `preemptions` switches away from a thread that could
//! have gone on (the technique of CHESS; races between two callers need one or two). The same
//! schedules in the same order on every run and every machine: a race fails every time.
//!
//! Threads the scheduler does not drive (every other test's) are not affected.

use std::any::Any;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use crate::graded::{Step, set_hook};

/// More steps than that in one schedule: a caller spins, waiting for another to move.
const MAX_STEPS: usize = 2_000;
/// Enough for every scenario here with a correct breaker (a few hundred schedules each).
const MAX_SCHEDULES: usize = 50_000;

/// The callers of one run, and what to check once they are all done.
pub struct Run<R> {
    /// Each one runs on a thread of its own (named `A`, `B`, `C` in reports) and returns what
    /// the check needs (and keeps alive until then).
    pub callers: Vec<Box<dyn FnOnce() -> R + Send>>,
    /// Given what the callers returned, in order: `Err` says what went wrong.
    pub check: Box<dyn FnOnce(Vec<R>) -> Result<(), String>>,
}

/// Runs `setup` and its callers once for every schedule with at most `preemptions`
/// preemptions, and fails the test, with the schedule that went wrong, at the first problem.
/// Returns how many schedules it tried.
pub fn explore<R: Send + 'static>(preemptions: usize, mut setup: impl FnMut() -> Run<R>) -> usize {
    set_hook(hook);
    let mut prefix: Vec<usize> = Vec::new();
    let mut schedules = 0;
    // Whether some step was made outside the given `shared.rs`: by the probe's own code.
    let mut gate_seen = false;
    loop {
        schedules += 1;
        let run = setup();
        let names: Vec<char> = ('A'..='Z').take(run.callers.len()).collect();
        let (decisions, trace, outcome) = run_once(run, &prefix);
        gate_seen |= trace
            .iter()
            .any(|(_, step)| step.is_some_and(|s| !s.at.file().ends_with("shared.rs")));
        let report = |what: &str| {
            format!(
                "{what}\nThe interleaving (each line one turn of a caller; each step an \
                 operation of `crate::sync`, where your code calls it):\n{}(schedule \
                 {schedules}: every interleaving with up to {preemptions} preemption(s) is \
                 tried, in the same order on every run)",
                show_trace(&trace, &names)
            )
        };
        match outcome {
            Outcome::Checked(Ok(())) => {}
            Outcome::Checked(Err(problem)) => panic!("{}", report(&problem)),
            Outcome::Panicked(payload) => {
                eprintln!("{}", report("a caller panicked (its message is above)"));
                resume_unwind(payload);
            }
            Outcome::Stuck(why) => panic!("{}", report(&why)),
        }
        match next_prefix(&decisions, preemptions) {
            Some(next) => prefix = next,
            None => {
                assert!(
                    gate_seen,
                    "in {schedules} schedules, every operation the scheduler saw was the given \
                     code's (src/shared.rs): none was the probe's. The scheduler can only \
                     interleave what it sees: take the types your ProbeGate and Probe share \
                     between threads from `crate::sync` (src/sync.rs), not from `std::sync` \
                     or `tokio::sync` directly"
                );
                return schedules;
            }
        }
        assert!(
            schedules < MAX_SCHEDULES,
            "more than {MAX_SCHEDULES} schedules to try: the callers take far more steps than a \
             probe needs"
        );
    }
}

/// One choice of the scheduler: which thread makes the next step.
struct Decision {
    /// The threads that could, the one that ran last first (choosing it is no preemption).
    options: Vec<usize>,
    chosen: usize,
    /// The thread that made the last step, if it could go on.
    current: Option<usize>,
    preemptions_before: usize,
}

/// The schedule to try next: the last decision that has an untried option within the
/// preemption bound, with that option; the default (no preemption) after it.
fn next_prefix(decisions: &[Decision], bound: usize) -> Option<Vec<usize>> {
    for (i, d) in decisions.iter().enumerate().rev() {
        for j in d.chosen + 1..d.options.len() {
            let cost = usize::from(d.current.is_some_and(|c| c != d.options[j]));
            if d.preemptions_before + cost <= bound {
                let mut next: Vec<usize> = decisions[..i].iter().map(|d| d.chosen).collect();
                next.push(j);
                return Some(next);
            }
        }
    }
    None
}

#[derive(Debug, Clone, Copy)]
enum Status {
    /// Spawned, not yet at its first stop.
    Starting,
    /// Its turn: running until its next step.
    Running,
    /// Stopped before `step` (`None`: before its first line).
    Ready(Option<Step>),
    /// Stopped: its `Mutex::lock` found the lock held. Ready again once another thread moved.
    Blocked(Step),
    Finished,
}

struct State {
    threads: Vec<Status>,
    /// The thread that may run; `None` while the scheduler decides.
    turn: Option<usize>,
    /// The run is over (stuck): every stopped thread unwinds.
    abandon: bool,
}

struct Scheduler {
    state: Mutex<State>,
    changed: Condvar,
}

impl Scheduler {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// On thread `me`: stop with `status`, and wait for its turn.
    fn stop(&self, me: usize, status: Status) {
        let mut state = self.lock();
        state.threads[me] = status;
        state.turn = None;
        self.changed.notify_all();
        while state.turn != Some(me) {
            if state.abandon {
                drop(state);
                // Not a panic of the code under test: unwind quietly.
                resume_unwind(Box::new(Abandoned));
            }
            state = self.wait(state);
        }
        state.threads[me] = Status::Running;
    }

    fn finish(&self, me: usize) {
        let mut state = self.lock();
        state.threads[me] = Status::Finished;
        state.turn = None;
        self.changed.notify_all();
    }
}

struct Abandoned;

thread_local! {
    /// The scheduler that drives this thread, and the thread's number.
    static DRIVEN: RefCell<Option<(Arc<Scheduler>, usize)>> = const { RefCell::new(None) };
}

/// The hook of the crate's `sync` types: stops a driven thread before its step.
fn hook(step: Step) -> bool {
    // A thread that unwinds (abandoned, or a panic of the code under test) runs its destructors
    // on its own: a probe dropped there must not stop again, or the panic would abort.
    if std::thread::panicking() {
        return false;
    }
    let Some((scheduler, me)) = DRIVEN.with(|d| d.borrow().clone()) else {
        return false;
    };
    let status = if step.blocked {
        Status::Blocked(step)
    } else {
        Status::Ready(Some(step))
    };
    scheduler.stop(me, status);
    true
}

/// The steps of one run: which thread, and the operation it made (`None`: it started).
type Trace = Vec<(usize, Option<Step>)>;

enum Outcome {
    Checked(Result<(), String>),
    Panicked(Box<dyn Any + Send>),
    Stuck(String),
}

/// Runs the callers once, following `prefix`, then the default (no preemption).
fn run_once<R: Send + 'static>(run: Run<R>, prefix: &[usize]) -> (Vec<Decision>, Trace, Outcome) {
    let n = run.callers.len();
    let scheduler = Arc::new(Scheduler {
        state: Mutex::new(State {
            threads: vec![Status::Starting; n],
            turn: None,
            abandon: false,
        }),
        changed: Condvar::new(),
    });
    let mut decisions = Vec::new();
    let mut trace = Vec::new();
    let mut stuck = None;
    let results: Vec<std::thread::Result<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> = run
            .callers
            .into_iter()
            .enumerate()
            .map(|(me, caller)| {
                let scheduler = Arc::clone(&scheduler);
                scope.spawn(move || {
                    DRIVEN.with(|d| *d.borrow_mut() = Some((Arc::clone(&scheduler), me)));
                    let result = catch_unwind(AssertUnwindSafe(|| {
                        scheduler.stop(me, Status::Ready(None));
                        caller()
                    }));
                    DRIVEN.with(|d| *d.borrow_mut() = None);
                    scheduler.finish(me);
                    result
                })
            })
            .collect();
        let mut current: Option<usize> = None;
        let mut preemptions = 0;
        loop {
            let mut state = scheduler.lock();
            while state.turn.is_some()
                || state
                    .threads
                    .iter()
                    .any(|s| matches!(s, Status::Starting | Status::Running))
            {
                state = scheduler.wait(state);
            }
            // A step that went through may have released what blocked the others: they try
            // again. A step that was itself blocked changed nothing, so when every caller left
            // is blocked, none can ever move: a deadlock.
            let progressed =
                current.is_none_or(|c| !matches!(state.threads[c], Status::Blocked(_)));
            if progressed {
                for (t, status) in state.threads.iter_mut().enumerate() {
                    if let Status::Blocked(step) = *status {
                        if Some(t) != current {
                            *status = Status::Ready(Some(step));
                        }
                    }
                }
            }
            let ready: Vec<usize> = (0..n)
                .filter(|&t| matches!(state.threads[t], Status::Ready(_)))
                .collect();
            if ready.is_empty() {
                if state.threads.iter().all(|s| matches!(s, Status::Finished)) {
                    break;
                }
                stuck = Some(
                    "every caller that has not finished waits for a lock another one holds: a \
                     deadlock (does a probe take a lock that its caller already holds, or two \
                     locks in two orders?)"
                        .to_owned(),
                );
            } else if trace.len() >= MAX_STEPS {
                stuck = Some(format!(
                    "the callers took more than {MAX_STEPS} steps: one of them waits, spinning, \
                     for another to move (nothing in a breaker may wait for another request)"
                ));
            }
            if stuck.is_some() {
                state.abandon = true;
                scheduler.changed.notify_all();
                break;
            }
            let current_ready = current.filter(|c| ready.contains(c));
            let mut options = Vec::with_capacity(ready.len());
            options.extend(current_ready);
            options.extend(ready.iter().copied().filter(|&t| Some(t) != current_ready));
            let i = decisions.len();
            let chosen = prefix.get(i).map_or(0, |&c| c.min(options.len() - 1));
            let next = options[chosen];
            decisions.push(Decision {
                options,
                chosen,
                current: current_ready,
                preemptions_before: preemptions,
            });
            if current_ready.is_some_and(|c| c != next) {
                preemptions += 1;
            }
            let Status::Ready(step) = state.threads[next] else {
                unreachable!("only ready threads are chosen")
            };
            trace.push((next, step));
            current = Some(next);
            state.turn = Some(next);
            scheduler.changed.notify_all();
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("joined"))
            .collect()
    });
    if let Some(why) = stuck {
        return (decisions, trace, Outcome::Stuck(why));
    }
    let mut values = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(payload) if payload.is::<Abandoned>() => {}
            Err(payload) => return (decisions, trace, Outcome::Panicked(payload)),
        }
    }
    let outcome = Outcome::Checked((run.check)(values));
    (decisions, trace, outcome)
}

/// One line per turn: a caller's consecutive steps.
fn show_trace(trace: &Trace, names: &[char]) -> String {
    let mut out = String::new();
    let mut last = None;
    for &(thread, step) in trace {
        let Some(step) = step else { continue };
        if last == Some(thread) {
            out.push_str(", ");
        } else {
            if last.is_some() {
                out.push('\n');
            }
            let _ = write!(out, "  {}: ", names[thread]);
            last = Some(thread);
        }
        let file = step.at.file();
        let file = file.rfind("src/").map_or(file, |i| &file[i..]);
        let _ = write!(
            out,
            "{}{} {file}:{}",
            step.op,
            if step.blocked { " (again)" } else { "" },
            step.at.line()
        );
    }
    out.push('\n');
    out
}
