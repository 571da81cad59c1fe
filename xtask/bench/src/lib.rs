//! The workshop's circuit breakers measured against the real crates: the pieces of
//! `benches/breakers.rs` (run it with `cargo bench -p breaker-bench`).
//!
//! * [`drive::call`]: one call the way a Tower caller makes it (`poll_ready`, `call`, poll the
//!   response future to completion) with a no-op waker, so that no executor is measured;
//!   [`drive::call_async`]: the same call as an application awaits it (`ready().await`, then
//!   `call(..).await`) in a current-thread tokio runtime;
//! * [`minimal`]: the yardstick, the least a Tower breaker can do per call;
//! * [`peers`]: `failsafe`, `recloser` and `tower-resilience-circuitbreaker`, configured alike
//!   and wrapped as Tower services;
//! * [`table`]: the summary printed at the end of the run (median ns/call per driver, ratio
//!   to bare).
//!
//! `examples/per_call.rs` makes `n` calls of one service by one driver outside criterion, for
//! instruction counts (`valgrind --tool=callgrind`), which stay repeatable on a busy machine.
//!
//! This crate is a workspace member but not a default member: neither `cargo test` at the root
//! nor `cargo xtask check` builds it (or criterion).

pub mod drive;
pub mod minimal;
pub mod peers;
pub mod table;

/// Counts the allocations made by the current thread (tests only: the benchmark runs with the
/// system allocator untouched).
#[cfg(test)]
mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    struct Counting;

    thread_local! {
        static COUNT: Cell<u64> = const { Cell::new(0) };
    }

    // SAFETY: every call is forwarded to `System` unchanged; only a thread-local counter is
    // added, which needs no allocation (const-initialised).
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            COUNT.with(|c| c.set(c.get() + 1));
            // SAFETY: the caller's contract is `System`'s.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's contract is `System`'s.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// How many allocations `f` made on this thread.
    pub(crate) fn during(f: impl FnOnce()) -> u64 {
        let before = COUNT.with(Cell::get);
        f();
        COUNT.with(Cell::get) - before
    }

    /// How many allocations `f` made on this thread, awaited inside a current-thread runtime
    /// (only the awaiting is counted, not the runtime's own set-up in `block_on`).
    pub(crate) fn awaiting(f: impl std::future::Future<Output = ()>) -> u64 {
        crate::drive::runtime().block_on(async {
            let before = COUNT.with(Cell::get);
            f.await;
            COUNT.with(Cell::get) - before
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tower::{Layer, Service};

    use crate::drive::{Counters, call, call_async, failing_backend, ok_backend, trip};
    use crate::minimal::{MinimalError, MinimalLayer};
    use crate::peers;

    const THRESHOLD: u32 = 5;
    const OPEN: Duration = Duration::from_secs(3600);

    fn assert_trips_and_fails_fast<S, E>(
        make: impl FnOnce(&'static Counters) -> S,
        is_open: impl Fn(&E) -> bool,
        expected_failures: u32,
        spares_call: bool,
        allocates: bool,
    ) where
        S: Service<u64, Error = E>,
    {
        let counters = Counters::leaked();
        let mut svc = make(counters);
        assert_eq!(trip(&mut svc, &is_open), expected_failures);
        let before = counters.get();
        let allocations = crate::allocations::during(|| {
            for _ in 0..10 {
                assert!(matches!(call(&mut svc, 0), Err(e) if is_open(&e)));
            }
        });
        assert_eq!(allocations > 0, allocates, "{allocations} allocations");
        let allocations = crate::allocations::awaiting(async {
            for _ in 0..10 {
                assert!(matches!(call_async(&mut svc, 0).await, Err(e) if is_open(&e)));
            }
        });
        assert_eq!(
            allocations > 0,
            allocates,
            "{allocations} allocations (awaited)"
        );
        let after = counters.get();
        assert_eq!(
            after.1, before.1,
            "an open breaker let a request reach the backend"
        );
        if spares_call {
            assert_eq!(
                after.0, before.0,
                "an open breaker called the inner service"
            );
        }
    }

    #[test]
    fn every_breaker_passes_requests_while_closed() {
        let layer = MinimalLayer::new(THRESHOLD, OPEN);
        assert_eq!(call(&mut layer.layer(ok_backend()), 7).unwrap(), 7);
        assert_eq!(
            call(&mut peers::failsafe(ok_backend(), THRESHOLD, OPEN), 7).unwrap(),
            7
        );
        assert_eq!(
            call(&mut peers::recloser(ok_backend(), THRESHOLD, OPEN), 7).unwrap(),
            7
        );
        assert_eq!(
            call(
                &mut peers::tower_resilience(ok_backend(), THRESHOLD, OPEN),
                7
            )
            .unwrap(),
            7
        );
    }

    #[test]
    fn the_closed_path_of_the_minimal_and_reference_breakers_does_not_allocate() {
        /// Allocations in 10 calls polled by hand, plus in 10 calls awaited.
        fn allocations<S: Service<u64>>(mut svc: S) -> u64 {
            assert!(call(&mut svc, 1).is_ok(), "closed");
            let polled = crate::allocations::during(|| {
                for _ in 0..10 {
                    assert!(call(&mut svc, 1).is_ok());
                }
            });
            let awaited = crate::allocations::awaiting(async {
                for _ in 0..10 {
                    assert!(call_async(&mut svc, 1).await.is_ok());
                }
            });
            polled + awaited
        }
        assert_eq!(
            allocations(MinimalLayer::new(THRESHOLD, OPEN).layer(ok_backend())),
            0
        );
        let layer = solution_02_breaker_layer::CircuitBreakerLayer::new(
            solution_02_breaker_layer::Config {
                failure_threshold: THRESHOLD,
                open_duration: OPEN,
            },
        );
        assert_eq!(allocations(layer.layer(ok_backend())), 0);
        let layer =
            solution_03_single_probe::CircuitBreakerLayer::new(solution_03_single_probe::Config {
                failure_threshold: THRESHOLD,
                open_duration: OPEN,
            });
        assert_eq!(allocations(layer.layer(ok_backend())), 0);
    }

    #[test]
    fn minimal_opens_on_the_threshold_and_fails_fast() {
        assert_trips_and_fails_fast(
            |c| MinimalLayer::new(THRESHOLD, OPEN).layer(failing_backend(c)),
            |e| matches!(e, MinimalError::Open),
            THRESHOLD,
            true,
            false,
        );
    }

    #[test]
    fn minimal_success_resets_the_count_and_half_open_closes() {
        let mut svc =
            MinimalLayer::new(2, Duration::ZERO).layer(tower::service_fn(|fail: bool| {
                std::future::ready(if fail { Err(()) } else { Ok(()) })
            }));
        assert!(matches!(call(&mut svc, true), Err(MinimalError::Inner(()))));
        assert!(call(&mut svc, false).is_ok());
        assert!(matches!(call(&mut svc, true), Err(MinimalError::Inner(()))));
        // Open for zero time: the next request is admitted (half-open) and closes it.
        assert!(matches!(call(&mut svc, true), Err(MinimalError::Inner(()))));
        assert!(call(&mut svc, false).is_ok());
        assert!(matches!(call(&mut svc, true), Err(MinimalError::Inner(()))));
    }

    #[test]
    fn peers_open_on_the_threshold_and_fail_fast() {
        assert_trips_and_fails_fast(
            |c| peers::failsafe(failing_backend(c), THRESHOLD, OPEN),
            |e| matches!(e, failsafe::Error::Rejected),
            THRESHOLD,
            false,
            false,
        );
        // A fresh ring is full only after `THRESHOLD` calls: it decides on the next one.
        assert_trips_and_fails_fast(
            |c| peers::recloser(failing_backend(c), THRESHOLD, OPEN),
            |e| matches!(e, recloser::Error::Rejected),
            THRESHOLD + 1,
            false,
            false,
        );
        assert_trips_and_fails_fast(
            |c| peers::tower_resilience(failing_backend(c), THRESHOLD, OPEN),
            |e| e.is_circuit_open(),
            THRESHOLD,
            true,
            // It boxes every response future, the rejected ones too.
            true,
        );
    }

    #[test]
    fn reference_02_opens_on_the_threshold_and_fails_fast() {
        use solution_02_breaker_layer::{CircuitBreakerLayer, Config, Error};
        assert_trips_and_fails_fast(
            |c| {
                CircuitBreakerLayer::new(Config {
                    failure_threshold: THRESHOLD,
                    open_duration: OPEN,
                })
                .layer(failing_backend(c))
            },
            |e| matches!(e, Error::Open),
            THRESHOLD,
            true,
            false,
        );
    }

    #[test]
    fn reference_03_opens_on_the_threshold_and_fails_fast() {
        use solution_03_single_probe::{CircuitBreakerLayer, Config, Error};
        assert_trips_and_fails_fast(
            |c| {
                CircuitBreakerLayer::new(Config {
                    failure_threshold: THRESHOLD,
                    open_duration: OPEN,
                })
                .layer(failing_backend(c))
            },
            |e| matches!(e, Error::Open),
            THRESHOLD,
            true,
            false,
        );
    }
}
