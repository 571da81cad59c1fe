//! What the grader asks of the operating system for each test process: a process group of its
//! own, a memory cap, and a way to end the group with everything in it.
//!
//! # Unix
//!
//! - **A process group per test** (`CommandExt::process_group(0)`): whatever the test starts (a
//!   `sleep` it forgot, a server it spawned) is in the test's group, and the grader ends the whole
//!   group with `kill(-pgid, SIGKILL)` as soon as the test process has exited, and at the
//!   deadline. A process that leaves the group on purpose (`setsid`) escapes this; the grader
//!   still never waits for it (see [`super::run`]: pipes are read with a deadline).
//!   The group is killed right after the test process is reaped. While anything the test
//!   started is alive, the group's id stays taken, so the kill reaches only what the test
//!   started; when nothing is left, the id is free between the reaping and the kill, and only a
//!   wrap-around of process ids within those microseconds could give it to a new group (a
//!   window the grader accepts rather than poll with `waitid(WNOWAIT)`, which differs by system).
//! - **A memory cap** (`--memory MiB`, 1 GiB by default), set in the child between `fork` and
//!   `exec` with `setrlimit`. On Linux it is `RLIMIT_DATA`, which counts the memory a process
//!   can write (heap, anonymous mappings, thread stacks) since Linux 4.7. `RLIMIT_AS` would count
//!   address space that is only reserved: glibc reserves 64 MiB per malloc arena, up to 8 per
//!   core, and a multi-threaded tokio runtime on a many-core machine reserves gigabytes it never
//!   touches; such a cap would fail correct code on big machines and pass runaway code that
//!   stays just below it. A runaway `Vec` hits the cap when it grows past it: the allocation
//!   fails, Rust prints `memory allocation of N bytes failed` and aborts, and the grader reports
//!   `crashed` with a message about memory. Other Unix systems get the same `RLIMIT_DATA`;
//!   macOS does not enforce it for `mmap`ed memory, so there the timeout is what bounds a
//!   runaway allocation. The cap applies to 64-bit targets only (`rlim_t` differs on 32-bit).
//! - **Ctrl-C**: the test processes are not in the terminal's foreground group, so a Ctrl-C
//!   (SIGINT), SIGTERM or SIGHUP would reach the grader but not them, and a hung test would spin
//!   on after the grader died. The grader installs a handler for these signals that kills every
//!   live test group (`kill` is async-signal-safe; the groups are kept in a fixed table of
//!   atomics), then dies of the same signal.
//!
//! # Windows
//!
//! A job object per test (`windows` below) plays both parts: the memory cap
//! (`JOB_OBJECT_LIMIT_PROCESS_MEMORY`) and the group that ends together (`TerminateJobObject`).
//! Ctrl-C reaches the tests there by itself: they share the grader's console. Should Windows
//! refuse the job, the test runs without it: at the deadline the test process itself is killed,
//! and the grader does not wait for what it started (pipes are read with a deadline).

use std::process::{Child, Command};

/// The number of test groups the Ctrl-C handler can reach; a worker whose index is beyond it
/// still runs its tests, and only escapes the handler.
#[cfg(unix)]
const SLOTS: usize = 256;

#[cfg(unix)]
static GROUPS: [std::sync::atomic::AtomicI32; SLOTS] =
    [const { std::sync::atomic::AtomicI32::new(0) }; SLOTS];

#[cfg(unix)]
mod sys {
    use std::ffi::c_int;

    pub const SIGHUP: c_int = 1;
    pub const SIGINT: c_int = 2;
    pub const SIGKILL: c_int = 9;
    pub const SIGTERM: c_int = 15;
    /// `SIG_DFL`.
    pub const DEFAULT: usize = 0;
    /// The same number on Linux, the BSDs and macOS.
    pub const RLIMIT_DATA: c_int = 2;

    #[repr(C)]
    pub struct Rlimit {
        pub cur: u64,
        pub max: u64,
    }

    unsafe extern "C" {
        pub fn kill(pid: i32, sig: c_int) -> c_int;
        pub fn getpid() -> i32;
        pub fn signal(signum: c_int, handler: usize) -> usize;
        pub fn getrlimit(resource: c_int, rlim: *mut Rlimit) -> c_int;
        pub fn setrlimit(resource: c_int, rlim: *const Rlimit) -> c_int;
    }
}

/// Makes `command` start its process in a group of its own, under a memory cap of `memory`
/// bytes (unix; on Windows the job object of [`Group::adopt`] does both).
pub fn configure(command: &mut Command, memory: u64) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        #[cfg(target_pointer_width = "64")]
        // SAFETY: the closure runs between fork and exec and only makes two system calls, which
        // are async-signal-safe; it touches no lock and allocates nothing.
        unsafe {
            command.pre_exec(move || {
                let mut limit = sys::Rlimit { cur: 0, max: 0 };
                if sys::getrlimit(sys::RLIMIT_DATA, &mut limit) == 0 {
                    limit.cur = memory.min(limit.max);
                    // A cap that cannot be set leaves the test uncapped, bounded by the timeout.
                    sys::setrlimit(sys::RLIMIT_DATA, &limit);
                }
                Ok(())
            });
        }
        #[cfg(not(target_pointer_width = "64"))]
        let _ = memory;
    }
    #[cfg(not(unix))]
    let _ = (command, memory);
}

/// The test process's group (unix) or job object (Windows), to end with everything in it.
pub struct Group {
    #[cfg(unix)]
    slot: usize,
    #[cfg(windows)]
    job: Option<windows::Job>,
}

impl Group {
    /// Takes charge of `child`'s group: on unix, remembers it in `slot` so that the Ctrl-C
    /// handler can end it; on Windows, puts the child in a job object capped at `memory` bytes.
    pub fn adopt(slot: usize, child: &Child, memory: u64) -> Self {
        #[cfg(unix)]
        {
            let _ = memory;
            if let Some(group) = GROUPS.get(slot) {
                group.store(
                    i32::try_from(child.id()).unwrap_or(0),
                    std::sync::atomic::Ordering::SeqCst,
                );
            }
            Group { slot }
        }
        #[cfg(windows)]
        {
            let _ = slot;
            Group {
                job: windows::Job::adopt(child, memory),
            }
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (slot, child, memory);
            Group {}
        }
    }

    /// Ends everything in the group, the child included. Call it once the child has exited (to
    /// end what it left behind) or at the deadline.
    pub fn kill(self, child: &mut Child) {
        #[cfg(unix)]
        {
            if let Some(group) = GROUPS.get(self.slot) {
                group.store(0, std::sync::atomic::Ordering::SeqCst);
            }
            if let Ok(pid) = i32::try_from(child.id()) {
                // SAFETY: a plain system call; `-pid` names the group the child leads.
                unsafe { sys::kill(-pid, sys::SIGKILL) };
            }
        }
        #[cfg(windows)]
        if let Some(job) = self.job {
            job.terminate();
        }
        let _ = child.kill();
    }
}

/// A job object per test: its processes, the ones they start included, share a memory cap and
/// end together (`TerminateJobObject`, or when the grader's handle closes, even if the grader
/// dies). The child runs for a moment before it is assigned to the job: a process it starts in
/// that moment escapes. Declared by hand, as `windows-sys` declares them, to keep the grader
/// free of dependencies.
#[cfg(windows)]
mod windows {
    use std::ffi::c_void;
    use std::os::windows::io::AsRawHandle;
    use std::process::Child;

    type Handle = *mut c_void;

    const JOB_OBJECT_EXTENDED_LIMIT_INFORMATION: i32 = 9;
    const JOB_OBJECT_LIMIT_PROCESS_MEMORY: u32 = 0x0000_0100;
    const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: u32 = 0x0000_2000;

    #[repr(C)]
    #[derive(Default)]
    struct BasicLimitInformation {
        per_process_user_time_limit: i64,
        per_job_user_time_limit: i64,
        limit_flags: u32,
        minimum_working_set_size: usize,
        maximum_working_set_size: usize,
        active_process_limit: u32,
        affinity: usize,
        priority_class: u32,
        scheduling_class: u32,
    }

    #[repr(C)]
    #[derive(Default)]
    struct IoCounters {
        counts: [u64; 6],
    }

    #[repr(C)]
    #[derive(Default)]
    struct ExtendedLimitInformation {
        basic: BasicLimitInformation,
        io: IoCounters,
        process_memory_limit: usize,
        job_memory_limit: usize,
        peak_process_memory_used: usize,
        peak_job_memory_used: usize,
    }

    // The size Windows expects (`sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION)` on x64).
    #[cfg(target_pointer_width = "64")]
    const _: () = assert!(std::mem::size_of::<ExtendedLimitInformation>() == 144);

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn CreateJobObjectW(attributes: *const c_void, name: *const u16) -> Handle;
        fn SetInformationJobObject(job: Handle, class: i32, info: *const c_void, len: u32) -> i32;
        fn AssignProcessToJobObject(job: Handle, process: Handle) -> i32;
        fn TerminateJobObject(job: Handle, exit_code: u32) -> i32;
        fn CloseHandle(handle: Handle) -> i32;
    }

    pub struct Job(Handle);

    // SAFETY: a job handle may be used and closed from any thread.
    unsafe impl Send for Job {}

    impl Job {
        /// A job holding `child`, capped at `memory` bytes per process; `None` if Windows
        /// refuses (the test then runs without the job, bounded by the timeout).
        pub fn adopt(child: &Child, memory: u64) -> Option<Job> {
            // SAFETY: plain Win32 calls on handles this function owns or borrows; `info`
            // outlives the call that reads it.
            unsafe {
                let handle = CreateJobObjectW(std::ptr::null(), std::ptr::null());
                if handle.is_null() {
                    return None;
                }
                let job = Job(handle);
                let mut info = ExtendedLimitInformation::default();
                info.basic.limit_flags =
                    JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
                info.process_memory_limit = usize::try_from(memory).unwrap_or(usize::MAX);
                let set = SetInformationJobObject(
                    job.0,
                    JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                    (&raw const info).cast(),
                    std::mem::size_of::<ExtendedLimitInformation>() as u32,
                );
                if set == 0 || AssignProcessToJobObject(job.0, child.as_raw_handle().cast()) == 0 {
                    return None;
                }
                Some(job)
            }
        }

        /// Ends every process of the job.
        pub fn terminate(self) {
            // SAFETY: the handle is open until `drop` closes it.
            unsafe { TerminateJobObject(self.0, 1) };
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: the handle is open and closed only here.
            unsafe { CloseHandle(self.0) };
        }
    }
}

/// Installs the handler that ends every live test group when the grader is interrupted.
pub fn end_groups_on_interrupt() {
    #[cfg(unix)]
    {
        extern "C" fn on_signal(signal: std::ffi::c_int) {
            for group in &GROUPS {
                let pid = group.load(std::sync::atomic::Ordering::SeqCst);
                if pid > 0 {
                    // SAFETY: `kill` is async-signal-safe.
                    unsafe { sys::kill(-pid, sys::SIGKILL) };
                }
            }
            // SAFETY: `signal` and `kill` are async-signal-safe; the default action ends us.
            unsafe {
                sys::signal(signal, sys::DEFAULT);
                sys::kill(sys::getpid(), signal);
            }
        }
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            for signal in [sys::SIGINT, sys::SIGTERM, sys::SIGHUP] {
                // SAFETY: the handler only makes async-signal-safe calls.
                unsafe {
                    sys::signal(signal, on_signal as extern "C" fn(std::ffi::c_int) as usize)
                };
            }
        });
    }
}
