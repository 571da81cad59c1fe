//! Every hidden test runs in its own process (`<binary> --exact NAME`), so that a hang, a crash
//! or a flood of output in one test never hides the results of the others.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{Options, TestResult, TestStatus};

/// How much of a stream is kept: its first and its last `CAP` bytes.
const CAP: usize = 2048;

/// One test to run.
pub struct Job {
    pub binary: PathBuf,
    /// The hidden-test crate, the working directory of its tests.
    pub dir: PathBuf,
    pub name: String,
}

/// The tests a binary holds, in its order.
pub fn list(binary: &Path, dir: &Path) -> Result<Vec<String>> {
    let output = Command::new(binary)
        .current_dir(dir)
        .args(["--list", "--format", "terse"])
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !output.status.success() {
        bail!("{} --list failed ({})", binary.display(), output.status);
    }
    let names = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect();
    Ok(names)
}

/// Runs `jobs` on `options.jobs` threads; the results come back in the order of `jobs`.
pub fn run_all(jobs: &[Job], options: &Options, root: &Path) -> Vec<TestResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TestResult>>> = Mutex::new(vec![None; jobs.len()]);
    thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = run_one(job, options.timeout, root);
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

fn run_one(job: &Job, timeout: Duration, root: &Path) -> TestResult {
    let spawned = Command::new(&job.binary)
        .current_dir(&job.dir)
        .args(["--exact", &job.name, "--nocapture", "--test-threads=1"])
        .env("RUST_BACKTRACE", "0")
        .env("INSTA_UPDATE", "no")
        .env("INSTA_WORKSPACE_ROOT", root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return TestResult {
                name: job.name.clone(),
                status: TestStatus::Crashed,
                message: format!("could not start the test binary: {e}"),
                output: String::new(),
            };
        }
    };
    let stdout = capture(child.stdout.take().expect("piped"));
    let stderr = capture(child.stderr.take().expect("piped"));
    let exit = wait(&mut child, timeout);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let (status, message) = classify(exit, &stdout, &stderr, timeout);
    let mut output = stdout.text();
    let err = stderr.text();
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
        output,
    }
}

/// Waits for the test, killing it at the deadline; `None` means it timed out.
fn wait(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
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

fn capture(mut stream: impl Read + Send + 'static) -> thread::JoinHandle<Captured> {
    thread::spawn(move || {
        let mut captured = Captured::default();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => captured.push(&buf[..n]),
            }
        }
        captured.finish();
        captured
    })
}

/// Turns how the process ended into a status and a message for the learner.
fn classify(
    exit: Option<ExitStatus>,
    stdout: &Captured,
    stderr: &Captured,
    timeout: Duration,
) -> (TestStatus, String) {
    let Some(exit) = exit else {
        return (
            TestStatus::TimedOut,
            format!(
                "did not finish within {} s: look for a loop that never ends, a lock that is \
                 never released or a future that is never woken",
                timeout.as_secs_f64()
            ),
        );
    };
    let err = stderr.text();
    let out = stdout.text();
    if exit.success() {
        if out.contains("running 1 test") {
            return (TestStatus::Passed, String::new());
        }
        return (
            TestStatus::Crashed,
            "the test binary exited without running the test".to_owned(),
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
    match (exit.code(), panic_message(&err)) {
        (Some(101), Some(message)) if message.starts_with("not yet implemented") => {
            (TestStatus::Todo, message)
        }
        (Some(101), Some(message)) => (TestStatus::Failed, message),
        (Some(101), None) => (TestStatus::Failed, last_lines(&format!("{out}{err}"), 10)),
        (code, _) => (
            TestStatus::Crashed,
            match code {
                Some(code) => format!("the process exited with code {code}"),
                None => "the process ended without an exit code".to_owned(),
            },
        ),
    }
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
}
