//! A small Rust syntax highlighter: enough for slides, no grammar files.
//!
//! It recognises comments, strings (plain, raw and byte), character literals, lifetimes,
//! numbers, keywords, macros, attributes and types (capitalised names and the primitive types),
//! and wraps each in a `<span class="…">`. Everything else is copied, HTML-escaped.

/// HTML-escapes `text` (`&`, `<`, `>`, `"`, `'`) for use in element content or attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "yield",
];

const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64",
];

/// The class of a highlighted token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `fn`, `let`, `match`, …
    Keyword,
    /// String and character literals.
    String,
    /// Line and block comments.
    Comment,
    /// Numeric literals.
    Number,
    /// Macro invocations: `matches!`, `pin_project!`.
    Macro,
    /// Lifetimes: `'a`, `'_`, `'static`.
    Lifetime,
    /// Capitalised names and primitive types.
    Type,
    /// `#[…]` and `#![…]`.
    Attribute,
}

impl Class {
    /// The CSS class the renderer styles.
    pub fn css(self) -> &'static str {
        match self {
            Class::Keyword => "kw",
            Class::String => "st",
            Class::Comment => "cm",
            Class::Number => "nu",
            Class::Macro => "ma",
            Class::Lifetime => "lt",
            Class::Type => "ty",
            Class::Attribute => "at",
        }
    }
}

/// Splits `code` into `(class, text)` tokens; unclassified text has `None`. Concatenating the
/// texts gives back `code` exactly.
pub fn tokens(code: &str) -> Vec<(Option<Class>, &str)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (class, end) = match scan(code, i) {
            Some((Some(class), end)) => (class, end),
            // A plain word: skip it whole, so that `u32` inside `foo_u32` stays plain.
            Some((None, end)) => {
                i = end;
                continue;
            }
            None => {
                i += code[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
        };
        if plain_start < i {
            out.push((None, &code[plain_start..i]));
        }
        out.push((Some(class), &code[i..end]));
        i = end;
        plain_start = end;
    }
    if plain_start < code.len() {
        out.push((None, &code[plain_start..]));
    }
    out
}

/// Highlights Rust `code` as HTML: escaped text with `<span class="…">` around tokens.
pub fn rust(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    for (class, text) in tokens(code) {
        match class {
            Some(class) => {
                out.push_str("<span class=\"");
                out.push_str(class.css());
                out.push_str("\">");
                escape_into(&mut out, text);
                out.push_str("</span>");
            }
            None => escape_into(&mut out, text),
        }
    }
    out
}

/// The token that starts at byte `i` and its end: a class, or `None` for a plain word. `None`
/// overall for a character of plain text.
fn scan(code: &str, i: usize) -> Option<(Option<Class>, usize)> {
    scan_class(code, i)
        .map(|(class, end)| (Some(class), end))
        .or_else(|| {
            let c = code.as_bytes()[i];
            (c.is_ascii_alphabetic() || c == b'_').then(|| (None, ident_end(code, i)))
        })
}

fn scan_class(code: &str, i: usize) -> Option<(Class, usize)> {
    let bytes = code.as_bytes();
    let rest = &code[i..];
    let c = bytes[i];
    if rest.starts_with("//") {
        return Some((Class::Comment, i + rest.find('\n').unwrap_or(rest.len())));
    }
    if rest.starts_with("/*") {
        return Some((Class::Comment, block_comment_end(code, i)));
    }
    if c == b'"' {
        return Some((Class::String, string_end(code, i + 1)));
    }
    if c == b'\'' {
        return quote(code, i);
    }
    if c == b'#' && (rest.starts_with("#[") || rest.starts_with("#![")) {
        return Some((Class::Attribute, attribute_end(code, i)));
    }
    if c.is_ascii_digit() && !preceded_by_ident(code, i) {
        return Some((Class::Number, number_end(code, i)));
    }
    if (c.is_ascii_alphabetic() || c == b'_') && !preceded_by_ident(code, i) {
        let end = ident_end(code, i);
        let word = &code[i..end];
        // Raw and byte strings: r"…", r#"…"#, b"…", br"…", b'…'.
        if matches!(word, "r" | "br") && matches!(bytes.get(end), Some(b'"' | b'#')) {
            if let Some(end) = raw_string_end(code, end) {
                return Some((Class::String, end));
            }
        }
        if word == "b" && bytes.get(end) == Some(&b'"') {
            return Some((Class::String, string_end(code, end + 1)));
        }
        if word == "b" && bytes.get(end) == Some(&b'\'') {
            if let Some((Class::String, end)) = quote(code, end) {
                return Some((Class::String, end));
            }
        }
        if bytes.get(end) == Some(&b'!') && bytes.get(end + 1) != Some(&b'=') {
            return Some((Class::Macro, end + 1));
        }
        if KEYWORDS.contains(&word) {
            return Some((Class::Keyword, end));
        }
        if word.as_bytes()[0].is_ascii_uppercase() || PRIMITIVES.contains(&word) {
            return Some((Class::Type, end));
        }
    }
    None
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn preceded_by_ident(code: &str, i: usize) -> bool {
    i > 0 && is_ident_byte(code.as_bytes()[i - 1])
}

fn ident_end(code: &str, i: usize) -> usize {
    let bytes = code.as_bytes();
    let mut end = i;
    while end < bytes.len() && is_ident_byte(bytes[end]) {
        end += 1;
    }
    end
}

fn number_end(code: &str, i: usize) -> usize {
    let bytes = code.as_bytes();
    let mut end = i;
    while end < bytes.len() {
        let b = bytes[end];
        let decimal_point = b == b'.'
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            && !code[i..end].contains('.');
        if is_ident_byte(b) || decimal_point {
            end += 1;
        } else {
            break;
        }
    }
    end
}

/// The end of a `"…"` string whose body starts at `i`, honouring backslash escapes.
fn string_end(code: &str, mut i: usize) -> usize {
    let bytes = code.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The end of a raw string whose `#`s or opening quote start at `i`.
fn raw_string_end(code: &str, i: usize) -> Option<usize> {
    let bytes = code.as_bytes();
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    if bytes.get(i + hashes) != Some(&b'"') {
        return None;
    }
    let closing = format!("\"{}", "#".repeat(hashes));
    let body = i + hashes + 1;
    Some(
        code[body..]
            .find(&closing)
            .map_or(code.len(), |at| body + at + closing.len()),
    )
}

fn block_comment_end(code: &str, i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < code.len() {
        let rest = &code[j..];
        if rest.starts_with("/*") {
            depth += 1;
            j += 2;
        } else if rest.starts_with("*/") {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    code.len()
}

fn attribute_end(code: &str, i: usize) -> usize {
    let mut depth = 0usize;
    for (offset, c) in code[i..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i + offset + 1;
                }
            }
            '\n' => return i + offset,
            _ => {}
        }
    }
    code.len()
}

/// A `'` starts a character literal (`'a'`, `'\n'`, `'\''`) or a lifetime (`'a`, `'static`).
fn quote(code: &str, i: usize) -> Option<(Class, usize)> {
    let rest = &code[i + 1..];
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        // An escape: up to the closing quote on this line.
        let close = rest[1..].find('\'')? + 1;
        return Some((Class::String, i + 1 + close + 1));
    }
    if let Some((at, '\'')) = chars.next() {
        return Some((Class::String, i + 1 + at + 1));
    }
    if first.is_alphabetic() || first == '_' {
        return Some((Class::Lifetime, ident_end(code, i + 1)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(code: &str) -> Vec<(Class, &str)> {
        tokens(code)
            .into_iter()
            .filter_map(|(class, text)| class.map(|c| (c, text)))
            .collect()
    }

    #[test]
    fn tokens_cover_the_input_exactly() {
        let code = "fn main() { let x: u32 = 1_000; println!(\"{x}\"); } // done\n/* a /* nested */ one */";
        let joined: String = tokens(code).into_iter().map(|(_, t)| t).collect();
        assert_eq!(joined, code);
    }

    #[test]
    fn keywords_types_macros_numbers_and_comments() {
        let found = classes("pub fn f(x: u32) -> Option<Ticket> { matches!(x, 0x1F | 2.5) } // c");
        assert!(found.contains(&(Class::Keyword, "pub")));
        assert!(found.contains(&(Class::Keyword, "fn")));
        assert!(found.contains(&(Class::Type, "u32")));
        assert!(found.contains(&(Class::Type, "Option")));
        assert!(found.contains(&(Class::Type, "Ticket")));
        assert!(found.contains(&(Class::Macro, "matches!")));
        assert!(found.contains(&(Class::Number, "0x1F")));
        assert!(found.contains(&(Class::Number, "2.5")));
        assert!(found.contains(&(Class::Comment, "// c")));
    }

    #[test]
    fn a_word_is_classified_whole() {
        // `u32` inside an identifier, `fn` inside `fnord`, a digit inside a name: all plain.
        assert!(
            classes("let foo_u32 = fnord + x1;")
                .iter()
                .all(|(c, _)| *c == Class::Keyword)
        );
        assert_eq!(classes("x != y"), vec![]);
    }

    #[test]
    fn lifetimes_and_character_literals() {
        let found = classes("fn f<'a>(c: &'a Context<'_>) -> char { '\\n'; 'x' }");
        assert!(found.contains(&(Class::Lifetime, "'a")));
        assert!(found.contains(&(Class::Lifetime, "'_")));
        assert!(found.contains(&(Class::String, "'\\n'")));
        assert!(found.contains(&(Class::String, "'x'")));
    }

    #[test]
    fn strings_raw_strings_and_escapes() {
        let found =
            classes(r####"let a = "say \"hi\""; let b = r#"raw "x""#; let c = b"bytes";"####);
        assert!(found.contains(&(Class::String, r#""say \"hi\"""#)));
        assert!(found.contains(&(Class::String, r####"r#"raw "x""#"####)));
        assert!(found.contains(&(Class::String, r#"b"bytes""#)));
    }

    #[test]
    fn attributes() {
        let found = classes("#[derive(Debug, Clone)]\n#![deny(missing_docs)]\nstruct S;");
        assert!(found.contains(&(Class::Attribute, "#[derive(Debug, Clone)]")));
        assert!(found.contains(&(Class::Attribute, "#![deny(missing_docs)]")));
    }

    #[test]
    fn output_is_escaped() {
        let html = rust("let s = \"<script>\"; // a < b && c > d");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a &lt; b &amp;&amp; c &gt; d"));
    }
}
