//! Text from files and the command line made safe to print: control characters (a terminal
//! escape in an object's name) and the characters that reorder or break the text around them
//! written as escapes; bytes that are not UTF-8 shown as `\xNN`.

use std::borrow::Cow;

/// Whether printing `c` as it is could drive a terminal, hide text or make text read other
/// than it is stored: control characters (C0, DEL, C1: a terminal escape), the bidirectional
/// formatting characters (U+202E turns `gpj.exe` into `exe.jpg` on screen), and the Unicode
/// line and paragraph separators, which break a line where no newline is seen.
pub fn is_unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'              // Arabic letter mark
            | '\u{200E}' | '\u{200F}' // left-to-right and right-to-left marks
            | '\u{202A}'..='\u{202E}' // embeddings, pop, overrides
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
        )
}

/// `text` with the characters [`is_unsafe_to_show`] written as escapes (`\u{1b}`,
/// `\u{202e}`, `\n`), so that printing it can neither drive a terminal nor hide in a log.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_to_show) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_to_show(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Bytes that should be UTF-8 text as text: as they are where they are UTF-8, each byte that
/// is not as `\xNN` (Python's "backslashreplace"). Unlike U+FFFD, which makes `caf\xe9` and
/// `caf\xe8` one name, the escape keeps the byte, so the user can still find what it names.
pub fn from_bytes(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.into();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidirectional_formatting_are_escaped() {
        assert_eq!(escape_controls("plain ünï"), "plain ünï");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape_controls("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(escape_controls("\u{9b}2J"), "\\u{9b}2J", "C1 CSI");
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}',
        ] {
            let escaped = escape_controls(&c.to_string()).into_owned();
            assert_eq!(escaped, format!("\\u{{{:x}}}", c as u32));
        }
        assert_eq!(
            escape_controls("\u{200D}"),
            "\u{200D}",
            "a joiner stays: emoji need it"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_escapes() {
        assert_eq!(from_bytes(b"caf\xc3\xa9"), "café");
        assert!(matches!(from_bytes(b"plain"), Cow::Borrowed(_)));
        assert_eq!(from_bytes(b"caf\xe9 \x1b[31m"), "caf\\xe9 \x1b[31m");
        assert_eq!(from_bytes(b"\xff\xfe"), "\\xff\\xfe");
        assert_eq!(
            from_bytes(b"cut \xe2\x80"),
            "cut \\xe2\\x80",
            "a truncated sequence"
        );
        assert_ne!(from_bytes(b"a\xe9"), from_bytes(b"a\xe8"));
    }
}
