//! An unfinished exercise panics at its first `todo!()`: catch that panic, and say which gap
//! the lab reached instead of printing a panic dump.

use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A panic of the code under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic's message: for a gap, `not yet implemented: <the todo's text>`.
    pub message: String,
    /// `file:line:column`, relative to the workspace for a workspace crate.
    pub location: String,
}

impl Panic {
    /// Whether it is a `todo!()` (or `unimplemented!()`) that was reached.
    pub fn is_todo(&self) -> bool {
        self.message.starts_with("not yet implemented")
            || self.message.starts_with("not implemented")
    }

    /// The text the `todo!()` was given, if any.
    pub fn todo_text(&self) -> Option<&str> {
        self.message
            .strip_prefix("not yet implemented: ")
            .or_else(|| self.message.strip_prefix("not implemented: "))
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_todo() {
            write!(f, "the lab reached a `todo!()` at {}", self.location)?;
            if let Some(text) = self.todo_text() {
                write!(f, ":\n    {text}")?;
            }
            Ok(())
        } else {
            write!(
                f,
                "the breaker panicked at {}:\n    {}",
                self.location, self.message
            )
        }
    }
}

thread_local! {
    /// Set while [`catch`] runs on this thread: the first panic it saw.
    static CAUGHT: RefCell<Option<Option<Panic>>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into a [`Panic`] with its message and location. Panics on other
/// threads, or outside `catch`, still go to the previous hook (a failing test prints as usual).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let caught = CAUGHT.with(|c| {
                let mut c = c.borrow_mut();
                match c.as_mut() {
                    Some(first) => {
                        if first.is_none() {
                            let message = info
                                .payload()
                                .downcast_ref::<&str>()
                                .map(|s| (*s).to_owned())
                                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "a panic with no message".to_owned());
                            let location = info.location().map_or_else(
                                || "an unknown place".to_owned(),
                                |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
                            );
                            *first = Some(Panic { message, location });
                        }
                        true
                    }
                    None => false,
                }
            });
            if !caught {
                previous(info);
            }
        }));
    });
    CAUGHT.with(|c| *c.borrow_mut() = Some(None));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let caught = CAUGHT.with(|c| c.borrow_mut().take()).flatten();
    result.map_err(|_| {
        caught.unwrap_or_else(|| Panic {
            message: "a panic with no message".to_owned(),
            location: "an unknown place".to_owned(),
        })
    })
}
