//! Renders a deck written in presenterm's Markdown conventions into one self-contained HTML file.
//!
//! * Slides are separated by `<!-- end_slide -->` lines (outside code fences).
//! * `<!-- speaker_note: text -->`, or the multi-line YAML form
//!   `<!--` / `speaker_note: |` / indented lines / `-->`, holds the speaker notes; they are taken
//!   out of the slide body. The first `(N min)` in a slide's notes is its time.
//! * `<!-- jump_to_middle -->` centres the slide vertically; other comment commands are dropped.
//! * `rust` code blocks lose rustdoc's hidden `# ` lines and are highlighted; a block whose first
//!   visible line starts with `// DON'T` gets a "don't" label.
//! * Images are inlined: an SVG as markup; a PNG or JPEG with an SVG of the same name next to it
//!   (the raster copy is for terminals) as that SVG; other images as `data:` URIs.
//!
//! The output loads nothing from anywhere: no fonts, no scripts, no `http(s)` URL at all.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::highlight;

/// One slide of the source, before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slide {
    /// The slide's Markdown, without its comments (notes and commands).
    pub markdown: String,
    /// The speaker notes, as written (several notes are joined by blank lines).
    pub notes: String,
    /// presenterm's `jump_to_middle`: centre the content vertically.
    pub centered: bool,
}

impl Slide {
    /// The time given in the notes as `(N min)`, if any.
    pub fn minutes(&self) -> Option<u32> {
        minutes(&self.notes)
    }

    /// The slide's title: the text of its first heading, if any.
    pub fn title(&self) -> Option<String> {
        let mut in_heading = false;
        let mut title = String::new();
        for event in Parser::new_ext(&self.markdown, options()) {
            match event {
                Event::Start(Tag::Heading { .. }) => in_heading = true,
                Event::End(TagEnd::Heading(_)) => return Some(title),
                Event::Text(text) | Event::Code(text) if in_heading => title.push_str(&text),
                _ => {}
            }
        }
        None
    }
}

/// Why a deck could not be rendered.
#[derive(Debug)]
pub enum Error {
    /// An image the deck refers to could not be read.
    Image {
        /// The path as resolved against the deck's folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// An image the deck refers to is remote or of an unknown kind.
    UnsupportedImage(String),
    /// A comment was opened and never closed.
    UnclosedComment {
        /// The 1-based line of the `<!--`.
        line: usize,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Image { path, source } => {
                write!(f, "cannot read image {}: {source}", path.display())
            }
            Error::UnsupportedImage(url) => {
                write!(
                    f,
                    "image {url:?}: only local SVG, PNG and JPEG files can be inlined"
                )
            }
            Error::UnclosedComment { line } => {
                write!(f, "the comment opened on line {line} never closes")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Image { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The first `(N min)` in `notes`.
pub fn minutes(notes: &str) -> Option<u32> {
    let mut rest = notes;
    while let Some(open) = rest.find('(') {
        rest = &rest[open + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(" min)") {
            return rest[..digits].parse().ok();
        }
    }
    None
}

/// Whether a line opens or closes a code fence, and with which marker.
fn fence_marker(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    for marker in ["```", "~~~"] {
        if trimmed.starts_with(marker) {
            let len = trimmed
                .bytes()
                .take_while(|&b| b == marker.as_bytes()[0])
                .count();
            return Some(&trimmed[..len]);
        }
    }
    None
}

/// Splits presenterm Markdown into slides, taking the speaker notes and commands out.
pub fn split(markdown: &str) -> Result<Vec<Slide>, Error> {
    let mut slides = Vec::new();
    let mut current = Slide {
        markdown: String::new(),
        notes: String::new(),
        centered: false,
    };
    let mut fence: Option<String> = None;
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if let Some(open) = &fence {
            if fence_marker(line).is_some_and(|m| m.starts_with(open.as_str()))
                && line
                    .trim()
                    .trim_start_matches(open.as_str())
                    .trim()
                    .is_empty()
            {
                fence = None;
            }
            current.markdown.push_str(line);
            current.markdown.push('\n');
            continue;
        }
        if let Some(marker) = fence_marker(line) {
            fence = Some(marker.to_owned());
            current.markdown.push_str(line);
            current.markdown.push('\n');
            continue;
        }
        let trimmed = line.trim();
        if !trimmed.starts_with("<!--") {
            current.markdown.push_str(line);
            current.markdown.push('\n');
            continue;
        }
        // A comment: gather it whole.
        let mut comment = trimmed.trim_start_matches("<!--").to_owned();
        while !comment.contains("-->") {
            match lines.next() {
                Some((_, next)) => {
                    comment.push('\n');
                    comment.push_str(next);
                }
                None => return Err(Error::UnclosedComment { line: number + 1 }),
            }
        }
        let body = comment[..comment.find("-->").unwrap_or(comment.len())].trim();
        match command(body) {
            Command::EndSlide => {
                slides.push(std::mem::replace(
                    &mut current,
                    Slide {
                        markdown: String::new(),
                        notes: String::new(),
                        centered: false,
                    },
                ));
            }
            Command::Note(note) => {
                if !current.notes.is_empty() {
                    current.notes.push_str("\n\n");
                }
                current.notes.push_str(&note);
            }
            Command::JumpToMiddle => current.centered = true,
            Command::Other => {}
        }
    }
    if !current.markdown.trim().is_empty() || !current.notes.is_empty() {
        slides.push(current);
    }
    Ok(slides)
}

enum Command {
    EndSlide,
    Note(String),
    JumpToMiddle,
    Other,
}

fn command(body: &str) -> Command {
    if body == "end_slide" {
        return Command::EndSlide;
    }
    if body == "jump_to_middle" {
        return Command::JumpToMiddle;
    }
    let Some(value) = body.strip_prefix("speaker_note:") else {
        return Command::Other;
    };
    let value = value.trim_start_matches([' ', '\t']);
    let Some(block) = value.strip_prefix('|') else {
        return Command::Note(value.trim().to_owned());
    };
    // A YAML literal block: the lines after `|`, less their common indentation.
    let lines: Vec<&str> = block.lines().skip(1).collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    Command::Note(text.join("\n").trim().to_owned())
}

/// Removes rustdoc's hidden lines from a Rust code block: `# ` followed by anything, or a lone
/// `#`, after optional indentation. `##` at the start of a line stands for a literal `#`.
pub fn strip_hidden_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.lines() {
        let trimmed = line.trim_start();
        if trimmed == "#" || trimmed.starts_with("# ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("##") {
            out.push_str(&line[..line.len() - trimmed.len()]);
            out.push('#');
            out.push_str(rest);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The language of a fenced code block: the info string's first word (rustdoc also splits on
/// commas).
pub fn language(info: &str) -> &str {
    info.split([' ', ',', '\t']).next().unwrap_or("")
}

/// Renders one code block as HTML.
fn code_block(info: &str, code: &str) -> String {
    let lang = language(info);
    let (visible, body) = if lang == "rust" {
        let visible = strip_hidden_lines(code);
        let body = highlight::rust(visible.trim_end_matches('\n'));
        (visible, body)
    } else {
        (
            code.to_owned(),
            highlight::escape(code.trim_end_matches('\n')),
        )
    };
    let lines = visible.trim_end_matches('\n').lines().count();
    let width = visible
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let size = code_font_size(lines, width);
    let dont = lang == "rust"
        && visible
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_start().starts_with("// DON'T"));
    let mut html = String::new();
    let _ = write!(
        html,
        "<div class=\"code{}\" data-lang=\"{}\">",
        if dont { " dont" } else { "" },
        highlight::escape(lang)
    );
    if dont {
        html.push_str("<span class=\"label\">don&#39;t</span>");
    }
    let _ = writeln!(
        html,
        "<pre style=\"font-size:{size}px\"><code>{body}</code></pre></div>"
    );
    html
}

/// A font size (px) that fits `lines` lines of `width` characters on a 1280 × 720 slide.
fn code_font_size(lines: usize, width: usize) -> u32 {
    let by_height = 560 / lines.max(1) as u32 * 10 / 14; // line-height 1.4
    let by_width = 1120 * 100 / (width.max(1) as u32 * 61); // a DejaVu Sans Mono glyph is 0.6 em
    by_height.min(by_width).clamp(11, 21)
}

/// Inlines the image at `url` (relative to `base`) as HTML.
fn image(url: &str, alt: &str, base: &Path) -> Result<String, Error> {
    if url.contains("://") || url.starts_with("//") || url.starts_with("data:") {
        return Err(Error::UnsupportedImage(url.to_owned()));
    }
    let path = base.join(url);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let svg_path = if extension == "svg" {
        Some(path.clone())
    } else {
        Some(path.with_extension("svg"))
    };
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| Error::Image {
            path: path.to_owned(),
            source,
        })
    };
    let alt = highlight::escape(alt);
    if let Some(svg_path) = svg_path.filter(|p| extension == "svg" || p.is_file()) {
        let svg = String::from_utf8_lossy(&read(&svg_path)?).into_owned();
        return Ok(format!(
            "<figure class=\"diagram\" role=\"img\" aria-label=\"{alt}\">{}</figure>",
            inline_svg(&svg)
        ));
    }
    let mime = match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => return Err(Error::UnsupportedImage(url.to_owned())),
    };
    Ok(format!(
        "<figure class=\"diagram\"><img alt=\"{alt}\" src=\"data:{mime};base64,{}\"></figure>",
        base64(&read(&path)?)
    ))
}

/// An SVG document as markup to place inside HTML: no XML prolog, no doctype, no namespace
/// declarations (HTML does not need them, and they are the only URLs an SVG file carries).
pub fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut svg = svg[start..].to_owned();
    for attribute in [
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
    ] {
        svg = svg.replace(attribute, "");
    }
    svg.trim_end().to_owned()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The HTML of one slide's body.
pub fn slide_html(markdown: &str, base: &Path) -> Result<String, Error> {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut code: Option<(String, String)> = None;
    let mut img: Option<(String, String)> = None;
    let mut link_depth = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        if let Some((info, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    events.push(Event::Html(CowStr::from(code_block(info, text))));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        if let Some((url, alt)) = &mut img {
            match event {
                Event::End(TagEnd::Image) => {
                    events.push(Event::Html(CowStr::from(image(url, alt, base)?)));
                    img = None;
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                img = Some((dest_url.to_string(), String::new()))
            }
            // Links become plain text: the deck works offline and requests nothing.
            Event::Start(Tag::Link { .. }) => link_depth += 1,
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            // Raw HTML is shown as text, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Ok(html)
}

/// The rendered deck.
#[derive(Debug, Clone)]
pub struct Deck {
    /// The slides, in order.
    pub slides: Vec<Slide>,
    /// The whole HTML document.
    pub html: String,
}

impl Deck {
    /// The sum of the slides' `(N min)`.
    pub fn total_minutes(&self) -> u32 {
        self.slides.iter().filter_map(Slide::minutes).sum()
    }
}

/// Renders the deck `markdown`, whose images are relative to `base`, into one HTML document.
pub fn render(markdown: &str, base: &Path) -> Result<Deck, Error> {
    let slides = split(markdown)?;
    let title = slides
        .first()
        .and_then(Slide::title)
        .unwrap_or_else(|| "Slides".to_owned());
    let total = slides.len();
    let mut html = String::with_capacity(markdown.len() * 4);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(html, "<title>{}</title>", highlight::escape(&title));
    let _ = writeln!(html, "<style>\n{}</style>\n</head>\n<body>", CSS);
    html.push_str("<main id=\"deck\">\n");
    for (index, slide) in slides.iter().enumerate() {
        let number = index + 1;
        let _ = writeln!(
            html,
            "<section class=\"slide{}\" id=\"slide-{number}\" data-title=\"{}\">",
            if slide.centered { " centered" } else { "" },
            highlight::escape(&slide.title().unwrap_or_default()),
        );
        let _ = writeln!(
            html,
            "<div class=\"body\">\n{}</div>",
            slide_html(&slide.markdown, base)?
        );
        let _ = writeln!(
            html,
            "<footer><span>{}</span><span class=\"number\">{number} / {total}</span></footer>\n</section>",
            highlight::escape(&title)
        );
    }
    html.push_str("</main>\n<div id=\"notes\" hidden>\n");
    for (index, slide) in slides.iter().enumerate() {
        let notes = slide_html(&slide.notes, base)?;
        let _ = writeln!(
            html,
            "<aside class=\"note\" data-slide=\"{}\">\n{notes}</aside>",
            index + 1
        );
    }
    html.push_str("</div>\n");
    html.push_str(OVERLAY);
    let _ = write!(html, "<script>\n{}</script>\n</body>\n</html>\n", SCRIPT);
    Ok(Deck { slides, html })
}

const OVERLAY: &str = r#"<div id="overlay" hidden>
<div class="bar"><strong>Speaker notes</strong> <span id="overlay-slide"></span> <span id="overlay-clock"></span>
<span class="keys">s: hide · n: notes window · ←/→: move</span></div>
<div id="overlay-notes"></div>
<div id="overlay-next"></div>
</div>
"#;

const CSS: &str = include_str!("deck.css");

const SCRIPT: &str = include_str!("deck.js");

#[cfg(test)]
mod tests {
    use super::*;

    const DECK: &str = "Title\n===\n\nHello *world*\n\n<!-- speaker_note: (2 min) say hello -->\n\
<!-- end_slide -->\n\nSecond\n===\n\n```rust\n# use std::fmt;\nlet x = 1;\n    # hidden too\n## not hidden\n```\n\n\
```sh\n<!-- end_slide -->\n```\n\n<!--\nspeaker_note: |\n  (3 min) first line\n    indented\n  last\n-->\n\
<!-- end_slide -->\n\n<!-- jump_to_middle -->\n\nThird <script>alert(1)</script> & [a link](https://example.com)\n===\n";

    fn here() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn splits_on_end_slide_outside_code_fences_only() {
        let slides = split(DECK).unwrap();
        assert_eq!(slides.len(), 3);
        assert!(
            slides[1]
                .markdown
                .contains("```sh\n<!-- end_slide -->\n```")
        );
        assert!(slides[2].centered);
        assert!(!slides[0].centered);
    }

    #[test]
    fn speaker_notes_single_line_and_yaml_block() {
        let slides = split(DECK).unwrap();
        assert_eq!(slides[0].notes, "(2 min) say hello");
        assert_eq!(slides[1].notes, "(3 min) first line\n  indented\nlast");
        assert_eq!(slides[2].notes, "");
        assert!(!slides[0].markdown.contains("say hello"));
        assert!(!slides[1].markdown.contains("first line"));
        assert_eq!(slides[0].minutes(), Some(2));
        assert_eq!(slides[1].minutes(), Some(3));
        assert_eq!(slides[2].minutes(), None);
    }

    #[test]
    fn minutes_are_the_first_n_min_in_parentheses() {
        assert_eq!(
            minutes("(25 min) reading time (5 min of it talk)"),
            Some(25)
        );
        assert_eq!(minutes("see (a) and (10 min)"), Some(10));
        assert_eq!(minutes("(min) (5 mins)"), None);
    }

    #[test]
    fn an_unclosed_comment_is_an_error() {
        assert!(matches!(
            split("a\n<!-- speaker_note: |\n  b\n"),
            Err(Error::UnclosedComment { line: 2 })
        ));
    }

    #[test]
    fn hidden_lines_follow_rustdoc() {
        let code = "# use std::fmt;\nlet x = 1;\n    # indented hidden\n#\n## literal\n#[derive(Debug)]\n#![allow(unused)]\n";
        assert_eq!(
            strip_hidden_lines(code),
            "let x = 1;\n# literal\n#[derive(Debug)]\n#![allow(unused)]\n"
        );
    }

    #[test]
    fn rust_blocks_lose_hidden_lines_and_are_highlighted() {
        let html = slide_html(&split(DECK).unwrap()[1].markdown, here()).unwrap();
        assert!(!html.contains("fmt"));
        assert!(!html.contains("hidden too"));
        assert!(html.contains("<span class=\"kw\">let</span> x = <span class=\"nu\">1</span>;"));
        assert!(html.contains("# not hidden"));
        assert!(html.contains("data-lang=\"rust\""));
        assert!(html.contains("data-lang=\"sh\""));
    }

    #[test]
    fn a_dont_block_is_labelled() {
        let html = slide_html(
            "```rust\n# let hidden = 1;\n// DON'T: do this\nlet x = 1;\n```\n",
            here(),
        )
        .unwrap();
        assert!(html.contains("class=\"code dont\""));
        assert!(html.contains("<span class=\"label\">don&#39;t</span>"));
        let html = slide_html("```rust\nlet x = 1; // DON'T later\n```\n", here()).unwrap();
        assert!(!html.contains("dont"));
    }

    #[test]
    fn html_in_the_markdown_is_escaped_and_links_are_text() {
        let html = slide_html(&split(DECK).unwrap()[2].markdown, here()).unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("&amp;"));
        assert!(html.contains("a link"));
        assert!(!html.contains("example.com"), "{html}");
    }

    #[test]
    fn remote_images_are_refused() {
        for url in [
            "https://example.com/x.png",
            "//cdn/x.svg",
            "data:image/png;base64,AA",
        ] {
            assert!(
                matches!(image(url, "", here()), Err(Error::UnsupportedImage(_))),
                "{url}"
            );
        }
        assert!(matches!(
            image("missing.svg", "", here()),
            Err(Error::Image { .. })
        ));
    }

    #[test]
    fn a_png_with_an_svg_beside_it_is_inlined_as_the_svg() {
        let html = image("states.png", "the <states>", here()).unwrap();
        assert!(html.starts_with(
            "<figure class=\"diagram\" role=\"img\" aria-label=\"the &lt;states&gt;\"><svg"
        ));
        assert!(!html.contains("xmlns"));
        assert!(!html.contains("base64"));
    }

    #[test]
    fn svg_namespaces_and_prologs_are_dropped() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"1\"/>\n";
        assert_eq!(inline_svg(svg), "<svg width=\"1\"/>");
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn a_whole_deck_renders_with_notes_outside_the_slides() {
        let deck = render(DECK, here()).unwrap();
        assert_eq!(deck.slides.len(), 3);
        assert_eq!(deck.total_minutes(), 5);
        assert_eq!(deck.html.matches("<section class=\"slide").count(), 3);
        assert!(deck.html.contains("<title>Title</title>"));
        assert!(deck.html.contains("1 / 3"));
        let (slides, notes) = deck.html.split_once("<div id=\"notes\" hidden>").unwrap();
        assert!(!slides.contains("say hello"));
        assert!(notes.contains("say hello"));
        assert!(deck.html.contains("class=\"slide centered\""));
    }
}
