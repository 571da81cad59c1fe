//! The synchronisation types of the breaker: std's and tokio's own, re-exported.
//!
//! Exercise 03's `src/sync.rs` also has an `interleave` build, in which each type calls a test
//! scheduler's hook so that its hidden tests can try the interleavings of two or three callers.
//! Exercise 04 has no such tests: it keeps the normal build only.

// The breaker uses a few of these types only.
#![allow(dead_code, unused_imports)]

pub(crate) use std::sync::{Mutex, MutexGuard};
pub(crate) use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};

/// Atomic integers and flags.
pub(crate) mod atomic {
    pub(crate) use std::sync::atomic::Ordering;
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize};
}
