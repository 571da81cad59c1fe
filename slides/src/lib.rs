//! The deck of day 13 is `slides/day13.md`. This crate does two things with it:
//!
//! * its documentation *is* the deck (see [`Deck`]), so `cargo test -p slides --doc` compiles
//!   and runs every `rust` block of the slides as a doctest, with tokio, tower and
//!   pin-project-lite as dev-dependencies and rustdoc's `# ` lines as hidden context;
//! * [`render`] turns the deck into one self-contained HTML file (the `render-slides` binary,
//!   run by `cargo xtask slides`).
#![deny(rustdoc::all)]
#![deny(missing_docs)]

pub mod highlight;
pub mod render;

#[doc = include_str!("../day13.md")]
pub struct Deck;
