//! `render-slides INPUT.md OUTPUT.html`: renders a presenterm deck into one self-contained HTML
//! file. `cargo xtask slides` runs it on `slides/day13.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: render-slides INPUT.md OUTPUT.html");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("render-slides: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &Path, output: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let markdown = std::fs::read_to_string(input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let base = input.parent().unwrap_or(Path::new("."));
    let deck = slides::render::render(&markdown, base)?;
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(output, &deck.html)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    println!(
        "{} slides, {} minutes of speaker-note time",
        deck.slides.len(),
        deck.total_minutes()
    );
    Ok(())
}
