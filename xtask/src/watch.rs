//! `cargo xtask watch [NN]`: re-grade an exercise each time one of its files is saved.
//!
//! On Linux, changes come from inotify (declared here directly: it is part of the C library, so
//! no crate is needed); `--poll`, and other systems, compare file sizes and modification times
//! twice a second instead. Changes are debounced (editors write several times per save) and only
//! the exercise that changed is graded again.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use anyhow::Result;

use crate::generate::list_files;
use crate::grade::{self, Options, report};
use crate::progress;
use crate::workspace::{Exercise, Target, Workspace};

/// Quiet time after the last change before grading.
const DEBOUNCE: Duration = Duration::from_millis(300);
const POLL: Duration = Duration::from_millis(500);

pub fn run(ws: &Workspace, exercises: &[Exercise], options: &Options, poll: bool) -> Result<()> {
    let (tx, rx) = mpsc::channel::<String>();
    let mut polling = poll;
    if !poll {
        match events::watch(ws, exercises, tx.clone()) {
            Ok(()) => {}
            Err(e) => {
                eprintln!("no file change events ({e}); polling instead");
                polling = true;
            }
        }
    }
    if polling {
        let ws = ws.clone();
        let exercises = exercises.to_vec();
        std::thread::spawn(move || poll_changes(&ws, &exercises, &tx));
    }
    show(ws, exercises, options)?;
    loop {
        let Ok(first) = rx.recv() else {
            return Ok(());
        };
        let mut changed = vec![first];
        while let Ok(id) = rx.recv_timeout(DEBOUNCE) {
            changed.push(id);
        }
        let changed: Vec<Exercise> = exercises
            .iter()
            .filter(|e| changed.contains(&e.id))
            .cloned()
            .collect();
        show(ws, &changed, options)?;
    }
}

/// Clears the screen and grades; a failure to grade is shown and watching goes on.
fn show(ws: &Workspace, exercises: &[Exercise], options: &Options) -> Result<()> {
    let terminal = std::io::stdout().is_terminal();
    if terminal {
        print!("\x1b[2J\x1b[H");
    }
    match grade::grade(ws, exercises, options) {
        Ok(grade) => {
            let _ = progress::store(ws, &grade.exercises);
            let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            print!("{}", report::human(&grade, report::Style { color }));
        }
        Err(e) => println!("error: {e:#}"),
    }
    let names: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
    println!(
        "\nWatching {} for changes (Ctrl-C to stop)...",
        names.join(", ")
    );
    Ok(())
}

/// A snapshot of an exercise's files: path, size and modification time.
fn stamp(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<SystemTime>)> {
    list_files(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(dir.join(&p)).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (p, (len, modified))
        })
        .collect()
}

fn poll_changes(ws: &Workspace, exercises: &[Exercise], tx: &mpsc::Sender<String>) {
    let dirs: Vec<(String, PathBuf)> = exercises
        .iter()
        .map(|e| (e.id.clone(), ws.crate_dir(Target::Exercises, e)))
        .collect();
    let mut last: Vec<_> = dirs.iter().map(|(_, d)| stamp(d)).collect();
    loop {
        std::thread::sleep(POLL);
        for (i, (id, dir)) in dirs.iter().enumerate() {
            let now = stamp(dir);
            if now != last[i] {
                last[i] = now;
                if tx.send(id.clone()).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod events {
    use std::ffi::CString;
    use std::fs::File;
    use std::io::Read;
    use std::os::fd::FromRawFd;
    use std::os::raw::{c_char, c_int};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::sync::mpsc;

    use anyhow::{Result, bail};

    use crate::workspace::{Exercise, Target, Workspace};

    unsafe extern "C" {
        fn inotify_init1(flags: c_int) -> c_int;
        fn inotify_add_watch(fd: c_int, path: *const c_char, mask: u32) -> c_int;
    }

    const IN_CLOEXEC: c_int = 0o2_000_000;
    const IN_MODIFY: u32 = 0x002;
    const IN_CLOSE_WRITE: u32 = 0x008;
    const IN_MOVED_TO: u32 = 0x080;
    const IN_CREATE: u32 = 0x100;
    const IN_DELETE: u32 = 0x200;
    /// Size of `struct inotify_event` without its name.
    const HEADER: usize = 16;

    /// Watches every folder of each exercise; sends the id of the exercise that changed.
    pub fn watch(ws: &Workspace, exercises: &[Exercise], tx: mpsc::Sender<String>) -> Result<()> {
        // SAFETY: a plain system call with no pointers.
        let fd = unsafe { inotify_init1(IN_CLOEXEC) };
        if fd < 0 {
            bail!("inotify_init1: {}", std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let mut file = unsafe { File::from_raw_fd(fd) };
        let mut owners = Vec::new();
        for exercise in exercises {
            let dir = ws.crate_dir(Target::Exercises, exercise);
            let mut dirs = vec![dir.clone()];
            collect_dirs(&dir, &mut dirs);
            for dir in dirs {
                let path = CString::new(dir.as_os_str().as_bytes())?;
                let mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE;
                // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
                let wd = unsafe { inotify_add_watch(fd, path.as_ptr(), mask) };
                if wd < 0 {
                    bail!(
                        "inotify_add_watch {}: {}",
                        dir.display(),
                        std::io::Error::last_os_error()
                    );
                }
                owners.push((wd, exercise.id.clone()));
            }
        }
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = file.read(&mut buf) {
                let mut offset = 0;
                while offset + HEADER <= n {
                    let wd = i32::from_ne_bytes(buf[offset..offset + 4].try_into().unwrap());
                    let len = u32::from_ne_bytes(buf[offset + 12..offset + 16].try_into().unwrap());
                    offset += HEADER + len as usize;
                    if let Some((_, id)) = owners.iter().find(|(w, _)| *w == wd) {
                        if tx.send(id.clone()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(())
    }

    fn collect_dirs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != "target" {
                out.push(path.clone());
                collect_dirs(&path, out);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod events {
    use std::sync::mpsc;

    use anyhow::{Result, bail};

    use crate::workspace::{Exercise, Workspace};

    pub fn watch(_: &Workspace, _: &[Exercise], _: mpsc::Sender<String>) -> Result<()> {
        bail!("change events are only implemented on Linux")
    }
}
