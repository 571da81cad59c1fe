//! Checks of the day-13 deck itself: its shape, its timings, that every Rust block on it is a
//! doctest that runs, and that its HTML rendering is self-contained.

use std::path::{Path, PathBuf};

use slides::render::{self, Deck, language, split};

/// Slides in `day13.md`. Change it with the deck (and the number in the README).
const SLIDES: usize = 34;
/// The sum of the `(N min)` of the speaker notes; the agenda slide says the same.
const TOTAL_MINUTES: u32 = 175;
/// The `rust` blocks of the deck: every one is a doctest of this crate (`cargo test --doc`).
const RUST_BLOCKS: usize = 14;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn source() -> String {
    std::fs::read_to_string(dir().join("day13.md")).expect("slides/day13.md")
}

fn deck() -> Deck {
    render::render(&source(), &dir()).expect("the deck renders")
}

/// Every fenced code block of the source: its info string, its body and the line it starts on.
fn fences(markdown: &str) -> Vec<(String, String, usize)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, String, usize)> = None;
    for (number, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            Some((marker, info, body, start)) => {
                if trimmed.starts_with(marker.as_str())
                    && trimmed.trim_start_matches(['`', '~']).trim().is_empty()
                {
                    blocks.push((std::mem::take(info), std::mem::take(body), *start));
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            None => {
                for marker in ["```", "~~~"] {
                    if trimmed.starts_with(marker) {
                        let len = trimmed
                            .bytes()
                            .take_while(|&b| b == marker.as_bytes()[0])
                            .count();
                        let fence = trimmed[..len].to_owned();
                        let info = trimmed[len..].trim().to_owned();
                        open = Some((fence, info, String::new(), number + 1));
                    }
                }
            }
        }
    }
    assert!(open.is_none(), "a code fence is never closed");
    blocks
}

#[test]
fn the_deck_has_its_slides_and_every_slide_has_notes_with_minutes() {
    let deck = deck();
    assert_eq!(deck.slides.len(), SLIDES);
    for (i, slide) in deck.slides.iter().enumerate() {
        assert!(slide.title().is_some(), "slide {} has no title", i + 1);
        assert!(
            !slide.notes.is_empty(),
            "slide {} has no speaker notes",
            i + 1
        );
        assert!(
            slide.minutes().is_some(),
            "slide {} gives no `(N min)` in its notes",
            i + 1
        );
    }
}

#[test]
fn the_minutes_add_up_to_the_agenda() {
    let deck = deck();
    let total = deck.total_minutes();
    assert!(
        (120..=180).contains(&total),
        "{total} min is outside the 2-3 hour agenda"
    );
    assert_eq!(total, TOTAL_MINUTES);
    let agenda = deck
        .slides
        .iter()
        .find(|s| s.title().as_deref() == Some("Agenda"))
        .expect("an agenda slide");
    assert!(
        agenda.notes.contains(&format!("{total} minutes")),
        "the agenda's notes give the total"
    );
    // The blocks on the agenda add up to the same total.
    let blocks: u32 = agenda
        .markdown
        .lines()
        .filter_map(|l| l.split('|').nth(2))
        .filter_map(|cell| cell.trim().strip_suffix(" min"))
        .filter_map(|n| n.parse::<u32>().ok())
        .sum();
    assert_eq!(blocks, total, "the agenda's blocks");
}

#[test]
fn every_exercise_has_a_slide_with_its_check_command() {
    let deck = deck();
    for (number, name) in [
        ("01", "01-state-machine"),
        ("02", "02-breaker-layer"),
        ("03", "03-single-probe"),
        ("04", "04-retry-stack"),
    ] {
        let slide = deck
            .slides
            .iter()
            .find(|s| {
                s.title()
                    .is_some_and(|t| t.starts_with(&format!("Exercise {number}")))
            })
            .unwrap_or_else(|| panic!("no slide for exercise {number}"));
        assert!(
            slide
                .markdown
                .contains(&format!("cargo xtask check {number}\n")),
            "exercise {number}"
        );
        assert!(
            slide.markdown.contains(&format!("exercises/{name}")),
            "exercise {number} names its folder"
        );
    }
}

/// presenterm shows a block as Rust only when its info string is `rust` plus presenterm's own
/// attributes; rustdoc skips a block marked `ignore` and runs nothing marked `no_run`. So: only
/// `rust`, no rustdoc attributes, no block without a language (rustdoc would take it for Rust
/// and presenterm would not), and a known language for the others.
#[test]
fn every_rust_block_is_a_doctest_that_runs_and_nothing_hides_from_the_tests() {
    let blocks = fences(&source());
    let mut rust = 0;
    for (info, body, line) in &blocks {
        let lang = language(info);
        assert!(
            ["rust", "sh", "text", "toml"].contains(&lang),
            "line {line}: code block with language {info:?}: use `rust` (tested), or sh/text/toml"
        );
        if lang != "rust" {
            assert!(!info.contains(','), "line {line}: {info:?}");
            continue;
        }
        rust += 1;
        for attribute in info.split_whitespace().skip(1) {
            assert!(
                attribute == "+line_numbers" || attribute.starts_with('{'),
                "line {line}: `{attribute}`: a rust block takes only presenterm's attributes, so that it runs as a doctest"
            );
        }
        assert_eq!(
            lang.len(),
            info.split_whitespace().next().unwrap_or("").len(),
            "line {line}: {info:?}"
        );
        // presenterm hides only lines that start with "# " at column 0; rustdoc hides more.
        for (offset, code) in body.lines().enumerate() {
            let trimmed = code.trim_start();
            if trimmed == "#" || trimmed.starts_with("# ") {
                assert!(
                    code.starts_with("# "),
                    "line {}: a hidden line must start with `# `",
                    line + 1 + offset
                );
            }
        }
        assert!(
            !render::strip_hidden_lines(body).trim().is_empty(),
            "line {line}: nothing visible"
        );
    }
    assert_eq!(
        rust, RUST_BLOCKS,
        "the number of doctests changed: update RUST_BLOCKS and the README"
    );
}

#[test]
fn the_deliberately_wrong_blocks_are_labelled() {
    let deck = deck();
    let labelled = deck.html.matches("<div class=\"code dont\"").count();
    assert_eq!(
        labelled, 2,
        "the card's state machine and the card's Service"
    );
    for title in ["The card's state machine", "The card's Service: don't"] {
        let slide = deck
            .slides
            .iter()
            .find(|s| s.title().as_deref() == Some(title))
            .expect(title);
        assert!(slide.markdown.contains("// DON'T"), "{title}");
    }
}

#[test]
fn the_notes_stay_out_of_the_slides() {
    let deck = deck();
    let (slides_part, notes_part) = deck
        .html
        .split_once("<div id=\"notes\" hidden>")
        .expect("a notes section");
    for (i, slide) in deck.slides.iter().enumerate() {
        let first_line = slide.notes.lines().next().unwrap_or("");
        // The first words after the `(N min)`, as they appear once escaped.
        // The first run of plain words after the `(N min)`, between Markdown markup.
        let after = first_line.split_once(')').map_or("", |(_, rest)| rest);
        let words: String = after
            .split(|c| "`*_[<&\"".contains(c))
            .find(|run| run.trim().len() >= 12)
            .unwrap_or("")
            .chars()
            .take(30)
            .collect();
        let words = words.trim();
        assert!(!slide.markdown.contains("speaker_note"), "slide {}", i + 1);
        assert!(!words.is_empty(), "slide {}", i + 1);
        assert!(
            !slides_part.contains(words),
            "slide {}: notes leak into the slides: {words}",
            i + 1
        );
        assert!(
            notes_part.contains(words),
            "slide {}: notes missing: {words}",
            i + 1
        );
    }
}

#[test]
fn the_html_requests_nothing_from_anywhere() {
    let html = deck().html;
    for needle in [
        "http://",
        "https://",
        "<link",
        "@import",
        "<iframe",
        "src=\"//",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!html.contains(needle), "the page contains {needle:?}");
    }
    // `url(…)` only for references inside the page (the diagrams' arrow markers).
    for (at, _) in html.match_indices("url(") {
        assert!(html[at + 4..].starts_with('#'), "{}", &html[at..at + 40]);
    }
    // Every `src` is inline data; the diagrams are inline SVG.
    for (at, _) in html.match_indices(" src=\"") {
        assert!(
            html[at + 6..].starts_with("data:"),
            "{}",
            &html[at..at + 60]
        );
    }
    assert!(
        html.matches("<svg").count() >= 2,
        "the diagrams are inlined"
    );
    assert!(html.contains("success resets the count"));
}

#[test]
fn hidden_lines_are_stripped_and_rust_is_highlighted() {
    let html = deck().html;
    // Hidden context of the doctests never reaches the page...
    for hidden in [
        "fn counting_backend",
        "impl Retryable",
        "start_paused = true)]\n# async",
        "# use ",
    ] {
        assert!(!html.contains(hidden), "{hidden:?} is shown");
    }
    let text = strip_tags(&html);
    assert!(!text.contains("fn counting_backend"));
    assert!(!text.contains("struct Backend"));
    // ...while the visible lines around it do, highlighted.
    assert!(text.contains("let (calls, backend) = counting_backend();"));
    assert!(html.contains("<span class=\"kw\">fn</span> poll_ready"));
    assert!(html.contains("<span class=\"ma\">pin_project!</span>"));
}

#[test]
fn the_diagrams_exist_as_svg_with_a_png_for_terminals() {
    let md = source();
    let images: Vec<&str> = md
        .match_indices("](")
        .filter(|(at, _)| {
            md[..*at]
                .rfind("![")
                .is_some_and(|open| !md[open..*at].contains('\n'))
        })
        .filter_map(|(at, _)| md[at + 2..].split(')').next())
        .collect();
    assert!(images.contains(&"states.png"), "{images:?}");
    for image in images {
        let png = dir().join(image);
        let svg = png.with_extension("svg");
        assert!(svg.is_file(), "{} (the source)", svg.display());
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert_eq!(&bytes[1..4], b"PNG", "{}", png.display());
        // The raster copy has the SVG's size (regenerate it when the SVG changes, see README).
        let (w, h) = (
            u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
            u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
        );
        let svg_text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            svg_text.contains(&format!("width=\"{w}\" height=\"{h}\"")),
            "{}: {w}x{h}",
            png.display()
        );
    }
    let states = std::fs::read_to_string(dir().join("states.svg")).unwrap();
    for label in [
        "Closed",
        "Open",
        "HalfOpen",
        "success resets the count",
        "failure in half-open",
        "re-opens",
        "N-th consecutive failure",
        "probe succeeds",
        "the probe",
    ] {
        assert!(states.contains(label), "states.svg lacks {label:?}");
    }
}

#[test]
fn presenterm_commands_are_well_formed() {
    let md = source();
    let slides = split(&md).expect("splits");
    assert_eq!(md.matches("<!-- end_slide -->").count(), slides.len() - 1);
    // presenterm rejects SVG images: the Markdown refers to the PNG copies only.
    assert!(
        !md.contains(".svg)"),
        "reference the .png; the renderer inlines the .svg next to it"
    );
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
