//! Every hidden test runs in its own process (`<binary> --exact NAME`), so that a hang, a crash
//! or a flood of output in one test never hides the results of the others.
//!
//! The verdict comes from libtest's record in a log file of the grader's, the process group is
//! ended with the test, output is read with a deadline, and a hang shortens the budget of the
//! exercise's other tests: the parent module's docs explain each and why.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{Options, TestResult, TestStatus, process};

/// How much of a stream is kept: its first and its last `CAP` bytes.
const CAP: usize = 2048;

/// One test to run.
pub struct Job {
    pub binary: PathBuf,
    /// The hidden-test crate, the working directory of its tests.
    pub dir: PathBuf,
    pub name: String,
    /// Which exercise it belongs to (an index shared by the tests of one exercise): once one
    /// of them times out, the others get a short budget.
    pub suite: usize,
}

/// The warning libtest prints since `--logfile` was deprecated (rust-lang/rust#134283), with
/// no newline after it.
const LOGFILE_WARNING: &str = "warning: `--logfile` is deprecated";

/// The tests a binary holds, in its order. It is asked with `--logfile` (into `logs`), so that
/// a harness that no longer accepts the option fails here, loudly, rather than every test.
pub fn list(binary: &Path, dir: &Path, logs: &Path) -> Result<Vec<String>> {
    let output = Command::new(binary)
        .current_dir(dir)
        .args(["--list", "--format", "terse", "--logfile"])
        .arg(logs.join("list.log"))
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("Unrecognized option: 'logfile'") {
            bail!(
                "the test harness of this Rust toolchain no longer accepts `--logfile`, which \
                 the grader reads each verdict from ({}): grade with an older toolchain, or \
                 update the grader",
                stderr.trim()
            );
        }
        bail!(
            "{} --list failed ({}): {}",
            binary.display(),
            output.status,
            stderr.trim()
        );
    }
    let names = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect();
    Ok(names)
}

/// The time a test gets once another test of its exercise has timed out: a tenth of the
/// timeout, at least 300 ms (a hidden test runs in milliseconds; starting a process on a busy
/// machine takes tens of them), at most the timeout.
pub fn short_budget(timeout: Duration) -> Duration {
    (timeout / 10).max(Duration::from_millis(300)).min(timeout)
}

/// Everything `run_one` needs besides the job.
struct Shared<'a> {
    options: &'a Options,
    root: &'a Path,
    /// Where the test harness writes its record of each test.
    logs: &'a Path,
    /// For each exercise, when its first test timed out.
    hung: &'a [Mutex<Option<Instant>>],
}

/// Runs `jobs` on `options.jobs` threads; the results come back in the order of `jobs`.
/// `logs` is a folder of the grader's own, where the harness writes its records.
pub fn run_all(jobs: &[Job], options: &Options, root: &Path, logs: &Path) -> Vec<TestResult> {
    process::end_groups_on_interrupt();
    let suites = jobs.iter().map(|j| j.suite + 1).max().unwrap_or(0);
    let hung: Vec<Mutex<Option<Instant>>> = (0..suites).map(|_| Mutex::new(None)).collect();
    let context = Shared {
        options,
        root,
        logs,
        hung: &hung,
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TestResult>>> = Mutex::new(vec![None; jobs.len()]);
    thread::scope(|scope| {
        for worker in 0..options.jobs.clamp(1, jobs.len().max(1)) {
            let (next, results, context) = (&next, &results, &context);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = run_one(job, i, worker, context);
                    results.lock().unwrap()[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// How long the grader still reads a test's output once its process group is gone. The pipes
/// close when the last process holding them ends; only a process that left the group on
/// purpose keeps them open, and the grader does not wait for it.
const DRAIN: Duration = Duration::from_secs(1);

fn run_one(job: &Job, index: usize, worker: usize, context: &Shared<'_>) -> TestResult {
    let options = context.options;
    let log = context.logs.join(format!("{index}.log"));
    let _ = std::fs::remove_file(&log);
    let mut command = Command::new(&job.binary);
    command
        .current_dir(&job.dir)
        .args(["--exact", &job.name, "--nocapture", "--test-threads=1"])
        .arg("--logfile")
        .arg(&log)
        .env("RUST_BACKTRACE", "0")
        .env("INSTA_UPDATE", "no")
        .env("INSTA_WORKSPACE_ROOT", context.root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let memory = options.memory_mib.saturating_mul(1024 * 1024);
    process::configure(&mut command, memory);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return TestResult {
                name: job.name.clone(),
                status: TestStatus::Crashed,
                message: format!("could not start the test binary: {e}"),
                location: None,
                output: String::new(),
            };
        }
    };
    let group = process::Group::adopt(worker, &child, memory);
    let stdout = Capture::start(child.stdout.take().expect("piped"));
    let stderr = Capture::start(child.stderr.take().expect("piped"));
    let hung = &context.hung[job.suite];
    let end = wait(&mut child, group, options.timeout, hung);
    let drained = Instant::now() + DRAIN;
    let stdout = stdout.finish(drained);
    let stderr = stderr.finish(drained);
    let record = std::fs::read_to_string(&log)
        .ok()
        .and_then(|log| record(&log, &job.name));
    let _ = std::fs::remove_file(&log);
    let (status, message) = classify(record, end, &stdout, &stderr, options);
    let location = match status {
        TestStatus::Failed | TestStatus::Todo => panic_location(&stderr.text()),
        _ => None,
    };
    let mut output = stdout.text();
    let err = stderr.text();
    let err = err
        .replacen(&format!("{LOGFILE_WARNING}\n"), "", 1)
        .replacen(LOGFILE_WARNING, "", 1);
    if !err.is_empty() {
        if !output.is_empty() && !output.ends_with('\n') {
            output.push('\n');
        }
        output.push_str(&err);
    }
    TestResult {
        name: job.name.clone(),
        status,
        message,
        location,
        output,
    }
}

/// How a test process ended.
#[derive(Debug, Clone, Copy)]
enum End {
    Exited(ExitStatus),
    /// Killed at its deadline, after this long; `shortened` when it had the short budget
    /// because another test of its exercise had timed out.
    TimedOut {
        after: Duration,
        shortened: bool,
    },
}

/// Waits for the test until its deadline, then ends its whole process group either way.
///
/// The deadline is the timeout; once a test of the same exercise has timed out (`hung`), it
/// is at most [`short_budget`] after the later of this test's start and that timeout.
fn wait(
    child: &mut Child,
    group: process::Group,
    timeout: Duration,
    hung: &Mutex<Option<Instant>>,
) -> End {
    let start = Instant::now();
    let short = short_budget(timeout);
    loop {
        let since = *hung.lock().unwrap();
        let deadline = match since {
            Some(at) => (start + timeout).min(start.max(at) + short),
            None => start + timeout,
        };
        match child.try_wait() {
            Ok(Some(status)) => {
                group.kill(child);
                return End::Exited(status);
            }
            Ok(None) if Instant::now() >= deadline => {
                group.kill(child);
                let _ = child.wait();
                let shortened = deadline < start + timeout;
                if !shortened {
                    hung.lock().unwrap().get_or_insert_with(Instant::now);
                }
                return End::TimedOut {
                    after: deadline - start,
                    shortened,
                };
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                group.kill(child);
                return match child.wait() {
                    Ok(status) => End::Exited(status),
                    Err(_) => End::TimedOut {
                        after: start.elapsed(),
                        shortened: false,
                    },
                };
            }
        }
    }
}

/// What libtest recorded about `name` in its log file. One test runs per process, so the log
/// holds one record: `VERDICT NAME`, where the verdict is `ok`, `failed`, `ignored`, or one of
/// the last two with a message (`failed: panic did not contain expected string ...`,
/// `ignored: why`), which may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Ok,
    Failed,
    Ignored,
}

fn record(log: &str, name: &str) -> Option<Record> {
    let verdict = log
        .strip_suffix('\n')
        .unwrap_or(log)
        .strip_suffix(name)?
        .strip_suffix(' ')?;
    match verdict.split([' ', ':', '\n']).next()? {
        "ok" if verdict == "ok" => Some(Record::Ok),
        "failed" => Some(Record::Failed),
        "ignored" => Some(Record::Ignored),
        _ => None,
    }
}

/// The start and the end of a stream: enough to show what happened without keeping megabytes.
#[derive(Debug, Default)]
struct Captured {
    head: Vec<u8>,
    tail: Vec<u8>,
    /// Bytes dropped between head and tail.
    skipped: u64,
}

impl Captured {
    fn push(&mut self, mut bytes: &[u8]) {
        let room = CAP - self.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * CAP {
            let drop = self.tail.len() - CAP;
            self.skipped += drop as u64;
            self.tail.drain(..drop);
        }
    }

    fn finish(&mut self) {
        if self.tail.len() > CAP {
            let drop = self.tail.len() - CAP;
            self.skipped += drop as u64;
            self.tail.drain(..drop);
        }
    }

    fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.skipped > 0 {
            text.push_str(&format!(
                "\n[... {} bytes of output left out ...]\n",
                self.skipped
            ));
        }
        text.push_str(&String::from_utf8_lossy(&self.tail));
        text
    }
}

/// A pipe read on a thread of its own, so that the grader never blocks on it: a process that
/// escaped the test's group may hold it open long after the test ended.
struct Capture {
    captured: Arc<Mutex<Captured>>,
    done: mpsc::Receiver<()>,
}

impl Capture {
    fn start(mut stream: impl Read + Send + 'static) -> Self {
        let captured = Arc::new(Mutex::new(Captured::default()));
        let (tx, done) = mpsc::channel();
        let shared = Arc::clone(&captured);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => shared.lock().unwrap().push(&buf[..n]),
                }
            }
            let _ = tx.send(());
        });
        Capture { captured, done }
    }

    /// What was read by the end of the stream, or by `deadline` if it has not ended by then.
    fn finish(self, deadline: Instant) -> Captured {
        let _ = self
            .done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let mut captured = std::mem::take(&mut *self.captured.lock().unwrap());
        captured.finish();
        captured
    }
}

/// Turns how the process ended, and what the harness recorded, into a status and a message for
/// the learner.
fn classify(
    record: Option<Record>,
    end: End,
    stdout: &Captured,
    stderr: &Captured,
    options: &Options,
) -> (TestStatus, String) {
    let exit = match end {
        End::TimedOut { after, shortened } => {
            let budget = if shortened {
                format!(
                    "{:.1} s, the time a test gets once another test of this exercise has timed out",
                    after.as_secs_f64()
                )
            } else {
                format!("{} s", after.as_secs_f64().round())
            };
            return (
                TestStatus::TimedOut,
                format!(
                    "did not finish within {budget}: look for a loop that never ends, a lock \
                     that is never released or a future that is never woken"
                ),
            );
        }
        End::Exited(exit) => exit,
    };
    let err = stderr.text();
    let out = stdout.text();
    match record {
        Some(Record::Ok) if exit.success() => return (TestStatus::Passed, String::new()),
        Some(Record::Ok) => {
            return (
                TestStatus::Crashed,
                format!(
                    "the test passed, then the process ended with {}: something the code left \
                     running crashed it",
                    describe(exit)
                ),
            );
        }
        Some(Record::Ignored) => {
            return (
                TestStatus::Failed,
                "the test is marked #[ignore], so it did not run".to_owned(),
            );
        }
        Some(Record::Failed) => {
            return match panic_message(&err) {
                Some(message) if message.starts_with("not yet implemented") => {
                    (TestStatus::Todo, message)
                }
                Some(message) => (TestStatus::Failed, message),
                None => (TestStatus::Failed, last_lines(&format!("{out}{err}"), 10)),
            };
        }
        None => {}
    }
    // The harness recorded nothing: the process ended while the test was running.
    if err.contains("Unrecognized option") {
        return (
            TestStatus::Crashed,
            format!(
                "the test binary refused the grader's options: {}",
                last_lines(&err, 3)
            ),
        );
    }
    if err.contains("memory allocation of ") {
        return (
            TestStatus::Crashed,
            format!(
                "used more than {} of memory (`--memory` sets the cap): look for a collection \
                 that grows without end",
                mib(options.memory_mib)
            ),
        );
    }
    if let Some(signal) = signal(exit) {
        let why = if err.contains("has overflowed its stack") {
            "overflowed its stack (unbounded recursion?)".to_owned()
        } else {
            match panic_message(&err) {
                Some(message) => format!("aborted after a panic: {message}"),
                None => format!("killed by signal {signal} ({})", signal_name(signal)),
            }
        };
        return (TestStatus::Crashed, why);
    }
    (
        TestStatus::Crashed,
        format!(
            "the test process exited with {} before the test finished: is there a \
             `process::exit` in your code?",
            describe(exit)
        ),
    )
}

/// `status 0`, or `signal 9 (SIGKILL)`.
fn describe(exit: ExitStatus) -> String {
    match (exit.code(), signal(exit)) {
        (Some(code), _) => format!("status {code}"),
        (None, Some(signal)) => format!("signal {signal} ({})", signal_name(signal)),
        (None, None) => "no exit status".to_owned(),
    }
}

/// `1 GiB`, `1.5 GiB`, `256 MiB`.
pub fn mib(mib: u64) -> String {
    if mib >= 1024 && mib % 512 == 0 {
        format!("{} GiB", mib as f64 / 1024.0)
    } else {
        format!("{mib} MiB")
    }
}

/// `exercises/01-state-machine/src/lib.rs:108` from the first panic's
/// `thread '...' panicked at exercises/01-state-machine/src/lib.rs:108:9:` line.
fn panic_location(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|l| is_panic_line(l))?;
    let at = line.split(" panicked at ").nth(1)?.trim_end_matches(':');
    let mut parts = at.rsplitn(3, ':');
    let _column = parts.next()?;
    let line_number = parts.next()?;
    let file = parts.next()?;
    Some(format!("{file}:{line_number}"))
}

/// `thread 'name' panicked at src/lib.rs:3:5:`, or `thread 'name' (1234) panicked at ...` with the
/// thread id that newer toolchains print.
fn is_panic_line(line: &str) -> bool {
    line.starts_with("thread '") && line.contains(" panicked at ")
}

/// The message of the first panic in `stderr`: the lines after `thread '...' panicked at ...:`.
fn panic_message(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines();
    lines.find(|l| is_panic_line(l))?;
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE")
                && !l.starts_with("stack backtrace:")
                && !(is_panic_line(l))
        })
        .collect();
    let message = message.join("\n").trim_end().to_owned();
    Some(if message.is_empty() {
        "the test panicked".to_owned()
    } else {
        message
    })
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(unix)]
fn signal(exit: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    exit.signal()
}

#[cfg(not(unix))]
fn signal(_: ExitStatus) -> Option<i32> {
    None
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => "see `kill -l`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail_of_a_flood() {
        let mut c = Captured::default();
        for _ in 0..1000 {
            c.push(&[b'x'; 1000]);
        }
        c.push(b"THE END");
        c.finish();
        let text = c.text();
        assert!(text.len() < 2 * CAP + 100, "kept {} bytes", text.len());
        assert!(text.ends_with("THE END"));
        assert!(text.contains(&format!("[... {} bytes", 1_000_007 - 2 * CAP)));
    }

    #[test]
    fn panic_message_is_the_text_after_panicked_at() {
        let stderr = "thread 'a::b' (42) panicked at src/a.rs:3:5:\nafter 3 failures\nit was Closed\n\
                      note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("after 3 failures\nit was Closed")
        );
        assert_eq!(panic_message("no panic here"), None);
    }

    #[test]
    fn the_record_is_the_harness_line_for_exactly_this_test() {
        assert_eq!(record("ok a::b\n", "a::b"), Some(Record::Ok));
        assert_eq!(record("failed a::bc\n", "a::bc"), Some(Record::Failed));
        assert_eq!(record("ignored c\n", "c"), Some(Record::Ignored));
        // What libtest 1.95 writes for `#[should_panic(expected = ..)]` and `#[ignore = ..]`.
        let mismatch = "failed: panic did not contain expected string\n      panic message: \
                        \"left\"\n expected substring: \"right\" t::p\n";
        assert_eq!(record(mismatch, "t::p"), Some(Record::Failed));
        assert_eq!(
            record("ignored: because slow t::i\n", "t::i"),
            Some(Record::Ignored)
        );
        // Another test's record, or none, is no verdict; `ok` takes no message.
        assert_eq!(record("ok a::b\n", "b"), None);
        assert_eq!(record("ok a::b\n", "a"), None);
        assert_eq!(record("", "a::b"), None);
        assert_eq!(record("ok: forged a\n", "a"), None);
    }

    #[test]
    fn memory_is_named_in_the_unit_a_person_reads() {
        assert_eq!(mib(1024), "1 GiB");
        assert_eq!(mib(1536), "1.5 GiB");
        assert_eq!(mib(256), "256 MiB");
        assert_eq!(mib(1000), "1000 MiB");
    }

    #[test]
    fn panic_location_is_file_and_line() {
        let stderr =
            "thread 'a' (7) panicked at exercises/01-x/src/lib.rs:108:9:\nnot yet implemented\n";
        assert_eq!(
            panic_location(stderr).as_deref(),
            Some("exercises/01-x/src/lib.rs:108")
        );
        assert_eq!(panic_location("nothing"), None);
    }

    #[test]
    fn the_short_budget_is_a_tenth_of_the_timeout_within_bounds() {
        assert_eq!(
            short_budget(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        assert_eq!(
            short_budget(Duration::from_secs(1)),
            Duration::from_millis(300)
        );
        assert_eq!(
            short_budget(Duration::from_millis(200)),
            Duration::from_millis(200)
        );
    }
}
