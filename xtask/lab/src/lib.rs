//! The breaker lab: simulated outages on Tokio's paused clock, against the workshop's breakers.
//!
//! `cargo xtask lab` runs the binary of this crate. Each scenario scripts the health of one or
//! more backends, sends a steady rate of requests through a few variants (no breaker, the
//! breaker, two stack orders...), and records what reached the backends and what the callers
//! got, second by second. Then it prints a table and writes an HTML page with SVG charts.
//!
//! The breakers come in through [`Breakers`]: the solutions by default, or a learner's crate
//! (the binary's `exercise-NN` features). The lab uses their public API only.

pub mod chart;
pub mod gap;
pub mod scenarios;
pub mod sim;
pub mod table;

#[doc(hidden)]
pub use tower as __tower;

use std::time::Duration;

pub use crate::sim::{Backend, Protected};

/// The breaker settings every scenario uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub open_duration: Duration,
}

/// The lab's breaker: five consecutive failures open it for ten seconds.
pub const BREAKER: BreakerConfig = BreakerConfig {
    failure_threshold: 5,
    open_duration: Duration::from_secs(10),
};

/// One breaker implementation: where it comes from, and how to put it around a backend.
#[derive(Clone, Copy)]
pub struct Breaker {
    /// Its crate, for the tables: `solutions/03-single-probe`.
    pub source: &'static str,
    /// A new breaker (a `Layer::layer` of its own) around `backend`.
    pub wrap: fn(BreakerConfig, Backend) -> Protected,
}

/// Exercise 04's stacks: the backend alone with a retry, and the two orders of retry and
/// breaker, each with and without a retry budget.
#[derive(Clone, Copy)]
pub struct Stacks {
    pub source: &'static str,
    pub build: fn(Stack, BreakerConfig, Backend) -> Protected,
}

/// Which stack [`Stacks::build`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// The retry alone, no breaker.
    RetryOnly { budget: bool },
    /// `breaker_outside_retry`.
    BreakerOutside { budget: bool },
    /// `retry_outside_breaker`.
    RetryOutside { budget: bool },
}

/// The implementations a lab run uses.
#[derive(Clone, Copy)]
pub struct Breakers {
    /// Half-open lets everyone through: exercise 02.
    pub everyone_through: Breaker,
    /// Half-open lets one probe through: exercise 03.
    pub single_probe: Breaker,
    /// The one under test in `outage` and `pool`.
    pub under_test: Breaker,
    pub stacks: Stacks,
}

/// A [`Breaker`] for one of the workshop's breaker crates (02, 03, or 04's `breaker` module):
/// `breaker!(solution_03_single_probe, "solutions/03-single-probe")`.
///
/// The crate needs `CircuitBreakerLayer::new(Config)`, the `Layer`, `CircuitBreaker::state`
/// and `Error::Open`: the public API the exercises share. With `metrics` (03 and 04), the lab
/// also reads `CircuitBreaker::metrics`.
#[macro_export]
macro_rules! breaker {
    ($krate:ident, $source:expr) => {
        $crate::breaker!(@make $krate, $source, none)
    };
    ($krate:ident, $source:expr, metrics) => {
        $crate::breaker!(@make $krate, $source, metrics)
    };
    (@counters $b:ident, none) => {
        None
    };
    (@counters $b:ident, metrics) => {{
        let m = $b.metrics();
        Some($crate::sim::Counters {
            opened: m.opened,
            half_opened: m.half_opened,
            closed: m.closed,
            rejected: m.rejected,
        })
    }};
    (@make $krate:ident, $source:expr, $counters:ident) => {
        $crate::Breaker {
            source: $source,
            wrap: {
                fn wrap(config: $crate::BreakerConfig, backend: $crate::Backend) -> $crate::Protected {
                    let layer = $krate::CircuitBreakerLayer::new($krate::Config {
                        failure_threshold: config.failure_threshold,
                        open_duration: config.open_duration,
                    });
                    let service = $crate::__tower::Layer::layer(&layer, backend);
                    $crate::Protected::new(
                        service,
                        |result| match result {
                            Ok(()) => $crate::sim::Outcome::Ok,
                            Err($krate::Error::Open) => $crate::sim::Outcome::FastFailed,
                            Err(_) => $crate::sim::Outcome::Failed,
                        },
                        |b| $crate::sim::Sample {
                            phase: match b.state() {
                                $krate::State::Closed { .. } => $crate::sim::Phase::Closed,
                                $krate::State::Open { .. } => $crate::sim::Phase::Open,
                                $krate::State::HalfOpen => $crate::sim::Phase::HalfOpen,
                            },
                            counters: $crate::breaker!(@counters b, $counters),
                        },
                    )
                }
                wrap
            },
        }
    };
}

/// Exercise 04's stacks, from the solution or (feature `exercise-04`) the learner's crate.
macro_rules! stacks {
    ($module:ident, $krate:ident, $source:expr) => {
        mod $module {
            use std::sync::Arc;
            use std::time::Duration;

            use super::{Backend, BreakerConfig, Protected, Stack, Stacks, budget_of_the_lab};
            use $crate::sim::{BackendError, Outcome, Phase, Sample};
            use $krate::{
                CircuitBreakerLayer, Config, Error, RetryConfig, RetryPolicy, State, Transient,
                breaker_outside_retry, retry_outside_breaker,
            };

            impl Transient for BackendError {
                fn is_transient(&self) -> bool {
                    true
                }
            }

            fn phase(state: State) -> Phase {
                match state {
                    State::Closed { .. } => Phase::Closed,
                    State::Open { .. } => Phase::Open,
                    State::HalfOpen => Phase::HalfOpen,
                }
            }

            fn counters(m: $krate::Metrics) -> $crate::sim::Counters {
                $crate::sim::Counters {
                    opened: m.opened,
                    half_opened: m.half_opened,
                    closed: m.closed,
                    rejected: m.rejected,
                }
            }

            fn outcome(result: Result<(), Error<BackendError>>) -> Outcome {
                match result {
                    Ok(()) => Outcome::Ok,
                    Err(Error::Open) => Outcome::FastFailed,
                    Err(Error::Inner(_)) => Outcome::Failed,
                }
            }

            fn build(stack: Stack, config: BreakerConfig, backend: Backend) -> Protected {
                let layer = CircuitBreakerLayer::new(Config {
                    failure_threshold: config.failure_threshold,
                    open_duration: config.open_duration,
                });
                let policy = |budget: bool| {
                    let policy = RetryPolicy::new(RETRY);
                    if budget {
                        policy.with_budget(Arc::new(budget_of_the_lab()))
                    } else {
                        policy
                    }
                };
                match stack {
                    Stack::RetryOnly { budget } => Protected::new(
                        tower::retry::Retry::new(policy(budget), backend),
                        |result| match result {
                            Ok(()) => Outcome::Ok,
                            Err(_) => Outcome::Failed,
                        },
                        |_| Sample::NO_BREAKER,
                    ),
                    Stack::BreakerOutside { budget } => Protected::new(
                        breaker_outside_retry(backend, layer, policy(budget)),
                        outcome,
                        |b| Sample {
                            phase: phase(b.state()),
                            counters: Some(counters(b.metrics())),
                        },
                    ),
                    Stack::RetryOutside { budget } => Protected::new(
                        retry_outside_breaker(backend, layer, policy(budget)),
                        outcome,
                        |r| Sample {
                            phase: phase(r.get_ref().state()),
                            counters: Some(counters(r.get_ref().metrics())),
                        },
                    ),
                }
            }

            /// At most three attempts, 100 ms then 200 ms apart.
            const RETRY: RetryConfig = RetryConfig {
                max_attempts: 3,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(2),
            };

            pub(crate) fn stacks() -> Stacks {
                Stacks {
                    source: $source,
                    build,
                }
            }
        }
    };
}

stacks!(
    solution_04,
    solution_04_retry_stack,
    "solutions/04-retry-stack"
);
#[cfg(feature = "exercise-04")]
stacks!(
    exercise_04,
    exercise_04_retry_stack,
    "exercises/04-retry-stack"
);

/// The retry budget of the lab: 10 retries a second at least, plus 20% of the successes of
/// the last 10 seconds (tower's `TpsBudget`).
pub fn budget_of_the_lab() -> tower::retry::budget::TpsBudget {
    tower::retry::budget::TpsBudget::new(Duration::from_secs(10), 10, 0.2)
}

/// The retry settings of `retry-storm`, for the tables.
pub const RETRY_ATTEMPTS: u32 = 3;

impl Breakers {
    /// The reference solutions; `under_test` is exercise 03's breaker unless `breaker` says
    /// `02` or `04`.
    pub fn solutions() -> Breakers {
        Breakers {
            everyone_through: breaker!(solution_02_breaker_layer, "solutions/02-breaker-layer"),
            single_probe: breaker!(
                solution_03_single_probe,
                "solutions/03-single-probe",
                metrics
            ),
            under_test: breaker!(
                solution_03_single_probe,
                "solutions/03-single-probe",
                metrics
            ),
            stacks: solution_04::stacks(),
        }
    }
}

/// The breakers of a run of the binary: the solutions, with the learner's crates of the
/// `exercise-NN` features in their place; `number` picks the breaker under test.
pub fn selected(number: u8) -> Breakers {
    #[allow(unused_mut)]
    let mut breakers = Breakers::solutions();
    #[cfg(feature = "exercise-02")]
    {
        breakers.everyone_through =
            breaker!(exercise_02_breaker_layer, "exercises/02-breaker-layer");
    }
    #[cfg(feature = "exercise-03")]
    {
        breakers.single_probe = breaker!(
            exercise_03_single_probe,
            "exercises/03-single-probe",
            metrics
        );
    }
    #[cfg(feature = "exercise-04")]
    {
        breakers.stacks = exercise_04::stacks();
    }
    breakers.under_test = match number {
        2 => breakers.everyone_through,
        4 => {
            #[cfg(feature = "exercise-04")]
            {
                breaker!(exercise_04_retry_stack, "exercises/04-retry-stack", metrics)
            }
            #[cfg(not(feature = "exercise-04"))]
            {
                breaker!(solution_04_retry_stack, "solutions/04-retry-stack", metrics)
            }
        }
        _ => breakers.single_probe,
    };
    breakers
}
