//! The synchronisation types of this crate: take whatever the probe shares between threads from
//! here (`crate::sync::Mutex`, `crate::sync::atomic::AtomicU64`, `crate::sync::Semaphore`, ...),
//! not from `std::sync` or `tokio::sync` directly.
//!
//! In a normal build they *are* std's and tokio's types, re-exported: they cost nothing. With
//! the `interleave` feature, which the hidden tests turn on, each one is a thin wrapper with the
//! same methods that calls a hook before every operation. A test scheduler then runs two or
//! three callers one operation at a time and tries their interleavings one after the other, so
//! a race shows on every run, not once in a while. A type or a method you need is missing? Add
//! it to both builds the same way.

// A design uses a few of these types only.
#![allow(dead_code, unused_imports)]

#[cfg(not(feature = "interleave"))]
pub(crate) use std::sync::{Mutex, MutexGuard};
#[cfg(not(feature = "interleave"))]
pub(crate) use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};

#[cfg(feature = "interleave")]
pub(crate) use hooked::{Mutex, MutexGuard, OwnedSemaphorePermit, Semaphore, SemaphorePermit};
#[cfg(feature = "interleave")]
pub use hooked::{Step, set_hook};
#[cfg(feature = "interleave")]
pub(crate) use tokio::sync::TryAcquireError;

/// Atomic integers and flags.
pub(crate) mod atomic {
    pub(crate) use std::sync::atomic::Ordering;
    #[cfg(not(feature = "interleave"))]
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize};

    #[cfg(feature = "interleave")]
    pub(crate) use super::hooked::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize};
}

/// The wrappers of the `interleave` build: the same methods, a hook call before each.
#[cfg(feature = "interleave")]
mod hooked {
    use std::panic::Location;
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, LockResult, OnceLock, TryLockError, TryLockResult};

    pub(crate) use std::sync::MutexGuard;

    use tokio::sync::TryAcquireError;

    /// One operation on a synchronisation type, about to run.
    #[derive(Debug, Clone, Copy)]
    pub struct Step {
        /// The type and the method: `"AtomicU64::compare_exchange"`.
        pub op: &'static str,
        /// Where the crate calls it.
        pub at: &'static Location<'static>,
        /// The operation cannot go on yet (a `Mutex` another thread holds): the thread waits
        /// until another one has made progress, then tries again.
        pub blocked: bool,
    }

    static HOOK: OnceLock<fn(Step) -> bool> = OnceLock::new();

    /// Installs the hook that runs before every operation (once per process). It returns
    /// whether it drives the calling thread: a thread it does not drive runs freely, and blocks
    /// on a `Mutex` as usual.
    pub fn set_hook(hook: fn(Step) -> bool) {
        let _ = HOOK.set(hook);
    }

    fn step(op: &'static str, at: &'static Location<'static>, blocked: bool) -> bool {
        HOOK.get()
            .is_some_and(|hook| hook(Step { op, at, blocked }))
    }

    macro_rules! atomic {
        ($name:ident, $int:ty $(, $arith:ident)*) => {
            #[derive(Debug, Default)]
            pub(crate) struct $name(std::sync::atomic::$name);

            impl $name {
                pub(crate) const fn new(value: $int) -> Self {
                    $name(std::sync::atomic::$name::new(value))
                }

                pub(crate) fn into_inner(self) -> $int {
                    self.0.into_inner()
                }

                pub(crate) fn get_mut(&mut self) -> &mut $int {
                    self.0.get_mut()
                }

                #[track_caller]
                pub(crate) fn load(&self, order: Ordering) -> $int {
                    step(concat!(stringify!($name), "::load"), Location::caller(), false);
                    self.0.load(order)
                }

                #[track_caller]
                pub(crate) fn store(&self, value: $int, order: Ordering) {
                    step(concat!(stringify!($name), "::store"), Location::caller(), false);
                    self.0.store(value, order)
                }

                #[track_caller]
                pub(crate) fn swap(&self, value: $int, order: Ordering) -> $int {
                    step(concat!(stringify!($name), "::swap"), Location::caller(), false);
                    self.0.swap(value, order)
                }

                #[track_caller]
                pub(crate) fn compare_exchange(
                    &self,
                    current: $int,
                    new: $int,
                    success: Ordering,
                    failure: Ordering,
                ) -> Result<$int, $int> {
                    step(
                        concat!(stringify!($name), "::compare_exchange"),
                        Location::caller(),
                        false,
                    );
                    self.0.compare_exchange(current, new, success, failure)
                }

                /// Never fails spuriously here: the scheduler explores interleavings, not
                /// hardware quirks.
                #[track_caller]
                pub(crate) fn compare_exchange_weak(
                    &self,
                    current: $int,
                    new: $int,
                    success: Ordering,
                    failure: Ordering,
                ) -> Result<$int, $int> {
                    step(
                        concat!(stringify!($name), "::compare_exchange_weak"),
                        Location::caller(),
                        false,
                    );
                    self.0.compare_exchange(current, new, success, failure)
                }

                /// One step: the closure only computes, and the update is one atomic change.
                #[track_caller]
                pub(crate) fn fetch_update<F>(
                    &self,
                    set_order: Ordering,
                    fetch_order: Ordering,
                    f: F,
                ) -> Result<$int, $int>
                where
                    F: FnMut($int) -> Option<$int>,
                {
                    step(concat!(stringify!($name), "::fetch_update"), Location::caller(), false);
                    self.0.fetch_update(set_order, fetch_order, f)
                }

                atomic!(@rmw $name, $int, fetch_and, fetch_or, fetch_xor $(, $arith)*);
            }
        };
        (@rmw $name:ident, $int:ty $(, $method:ident)*) => {
            $(
                #[track_caller]
                pub(crate) fn $method(&self, value: $int, order: Ordering) -> $int {
                    step(
                        concat!(stringify!($name), "::", stringify!($method)),
                        Location::caller(),
                        false,
                    );
                    self.0.$method(value, order)
                }
            )*
        };
    }

    atomic!(AtomicBool, bool);
    atomic!(AtomicU32, u32, fetch_add, fetch_sub, fetch_max, fetch_min);
    atomic!(AtomicU64, u64, fetch_add, fetch_sub, fetch_max, fetch_min);
    atomic!(
        AtomicUsize,
        usize,
        fetch_add,
        fetch_sub,
        fetch_max,
        fetch_min
    );

    /// `std::sync::Mutex`; a driven thread never blocks in `lock`: it waits for the scheduler
    /// to let the holder go on, and tries again.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            Mutex(std::sync::Mutex::new(value))
        }

        pub(crate) fn into_inner(self) -> LockResult<T> {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> Mutex<T> {
        #[track_caller]
        pub(crate) fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
            let at = Location::caller();
            if !step("Mutex::lock", at, false) {
                return self.0.lock();
            }
            loop {
                match self.0.try_lock() {
                    Ok(guard) => return Ok(guard),
                    Err(TryLockError::Poisoned(poisoned)) => return Err(poisoned),
                    Err(TryLockError::WouldBlock) => step("Mutex::lock", at, true),
                };
            }
        }

        #[track_caller]
        pub(crate) fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
            step("Mutex::try_lock", Location::caller(), false);
            self.0.try_lock()
        }

        pub(crate) fn get_mut(&mut self) -> LockResult<&mut T> {
            self.0.get_mut()
        }
    }

    /// `tokio::sync::Semaphore`, without the methods that wait (nothing in a breaker may).
    #[derive(Debug)]
    pub(crate) struct Semaphore(Arc<tokio::sync::Semaphore>);

    impl Semaphore {
        pub(crate) const MAX_PERMITS: usize = tokio::sync::Semaphore::MAX_PERMITS;

        pub(crate) fn new(permits: usize) -> Self {
            Semaphore(Arc::new(tokio::sync::Semaphore::new(permits)))
        }

        #[track_caller]
        pub(crate) fn available_permits(&self) -> usize {
            step("Semaphore::available_permits", Location::caller(), false);
            self.0.available_permits()
        }

        #[track_caller]
        pub(crate) fn add_permits(&self, n: usize) {
            step("Semaphore::add_permits", Location::caller(), false);
            self.0.add_permits(n)
        }

        #[track_caller]
        pub(crate) fn forget_permits(&self, n: usize) -> usize {
            step("Semaphore::forget_permits", Location::caller(), false);
            self.0.forget_permits(n)
        }

        #[track_caller]
        pub(crate) fn close(&self) {
            step("Semaphore::close", Location::caller(), false);
            self.0.close()
        }

        #[track_caller]
        pub(crate) fn is_closed(&self) -> bool {
            step("Semaphore::is_closed", Location::caller(), false);
            self.0.is_closed()
        }

        #[track_caller]
        pub(crate) fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
            self.try_acquire_many(1)
        }

        #[track_caller]
        pub(crate) fn try_acquire_many(
            &self,
            n: u32,
        ) -> Result<SemaphorePermit<'_>, TryAcquireError> {
            let at = Location::caller();
            step("Semaphore::try_acquire", at, false);
            self.0
                .try_acquire_many(n)
                .map(|p| SemaphorePermit(Some(p), at))
        }

        #[track_caller]
        pub(crate) fn try_acquire_owned(
            self: Arc<Self>,
        ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
            self.try_acquire_many_owned(1)
        }

        #[track_caller]
        pub(crate) fn try_acquire_many_owned(
            self: Arc<Self>,
            n: u32,
        ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
            let at = Location::caller();
            step("Semaphore::try_acquire_owned", at, false);
            Arc::clone(&self.0)
                .try_acquire_many_owned(n)
                .map(|p| OwnedSemaphorePermit(Some(p), at))
        }
    }

    /// Giving a permit back is a step too: it runs when the permit is dropped.
    #[derive(Debug)]
    pub(crate) struct OwnedSemaphorePermit(
        Option<tokio::sync::OwnedSemaphorePermit>,
        /// Where it was acquired: a drop has no caller of its own to show.
        &'static Location<'static>,
    );

    impl OwnedSemaphorePermit {
        pub(crate) fn num_permits(&self) -> usize {
            self.0.as_ref().map_or(0, |p| p.num_permits())
        }

        #[track_caller]
        pub(crate) fn forget(mut self) {
            step("OwnedSemaphorePermit::forget", Location::caller(), false);
            if let Some(permit) = self.0.take() {
                permit.forget();
            }
        }
    }

    impl Drop for OwnedSemaphorePermit {
        fn drop(&mut self) {
            if self.0.is_some() {
                step("OwnedSemaphorePermit::drop (acquired at)", self.1, false);
            }
        }
    }

    #[derive(Debug)]
    pub(crate) struct SemaphorePermit<'a>(
        Option<tokio::sync::SemaphorePermit<'a>>,
        /// Where it was acquired: a drop has no caller of its own to show.
        &'static Location<'static>,
    );

    impl SemaphorePermit<'_> {
        pub(crate) fn num_permits(&self) -> usize {
            self.0.as_ref().map_or(0, |p| p.num_permits())
        }

        #[track_caller]
        pub(crate) fn forget(mut self) {
            step("SemaphorePermit::forget", Location::caller(), false);
            if let Some(permit) = self.0.take() {
                permit.forget();
            }
        }
    }

    impl Drop for SemaphorePermit<'_> {
        fn drop(&mut self) {
            if self.0.is_some() {
                step("SemaphorePermit::drop (acquired at)", self.1, false);
            }
        }
    }
}
