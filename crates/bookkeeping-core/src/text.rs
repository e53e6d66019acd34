//! Provider text on its way out: what a customer typed (a line item name, an
//! order note, a PayPal subject) reaches terminals, error messages and
//! reports, and must not steer them.
//!
//! [`printable`] is the one filter for text shown to a person: it removes
//! terminal escape sequences (ANSI CSI, OSC), every other control character
//! and the invisible characters that reorder or hide text (bidi overrides,
//! zero-width characters). Line breaks and tabs become spaces, so one value
//! stays one line. Report writers build on it (journal-mapping's Markdown
//! escaping does).
//!
//! ```
//! use bookkeeping_core::text::printable;
//!
//! // An error body that would set the window title and fake a success line.
//! let hostile = "\u{1b}]0;pwned\u{7}bad request\r\u{1b}[32mOK\u{1b}[0m";
//! assert_eq!(printable(hostile), "bad request OK");
//! // Bidi overrides that would show "exe.txt" as "txt.exe".
//! assert_eq!(printable("invoice\u{202e}txt.exe"), "invoicetxt.exe");
//! assert_eq!(printable("Kaffe 500 g ☕"), "Kaffe 500 g ☕");
//! ```

use std::borrow::Cow;

mod short;
pub use short::{ID_INLINE, INLINE, IdText, ShortText, Text};

/// Whether `c` is invisible but changes how the text around it is shown:
/// bidirectional embeddings, overrides, isolates and marks, zero-width
/// characters, line and paragraph separators, interlinear annotations and the
/// byte-order mark.
pub fn is_hidden_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'              // Arabic letter mark
        | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202E}' // line/paragraph separators, LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // LRI, RLI, FSI, PDI
        | '\u{206A}'..='\u{206F}' // deprecated format characters
        | '\u{FEFF}'              // byte-order mark, zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
    )
}

/// `text` without terminal escape sequences, control characters and hidden
/// format characters ([`is_hidden_format`]); tab, line feed and carriage
/// return become a space. Borrowed when there was nothing to remove.
///
/// An escape sequence is removed whole: `ESC [` up to its final byte (CSI),
/// `ESC ]`, `ESC P`, `ESC _`, `ESC ^` and `ESC X` up to BEL or `ESC \` (OSC,
/// DCS and the other string sequences), and `ESC` with the one character
/// after it otherwise; the 8-bit forms (U+009B, U+009D, ...) the same way.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || is_hidden_format(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '_' | '^' | 'X') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() || is_hidden_format(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An error and its causes for a terminal or a log: one [`printable`] line
/// each, a cause on its own line (`  caused by: ...`) only when its message is
/// not already part of what was printed, so a provider error wrapped in a
/// client error wrapped in a [`SourceError`](crate::SourceError) says its
/// message once.
///
/// ```
/// use bookkeeping_core::text::error_report;
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("stripe: GET /v1/payouts: 500: \u{1b}[2Jboom")]
/// struct Http;
/// #[derive(Debug, thiserror::Error)]
/// #[error("{0}")]
/// struct Client(#[source] Http);
/// #[derive(Debug, thiserror::Error)]
/// #[error("stripe: api error: {0}")]
/// struct Source(#[source] Client);
///
/// assert_eq!(error_report(&Source(Client(Http))), "stripe: api error: stripe: GET /v1/payouts: 500: boom");
/// ```
pub fn error_report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = printable(&err.to_string()).into_owned();
    let mut cause = err.source();
    while let Some(e) = cause {
        let message = printable(&e.to_string()).into_owned();
        if !message.trim().is_empty() && !out.contains(message.as_str()) {
            out.push_str("\n  caused by: ");
            out.push_str(&message);
        }
        cause = e.source();
    }
    out
}

/// Skips a CSI sequence's parameters and its final byte (`@` to `~`).
fn skip_csi(chars: &mut impl Iterator<Item = char>) {
    for c in chars {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skips a string sequence up to its terminator: BEL, ST (`ESC \`) or U+009C.
fn skip_string(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed_whole() {
        // Clear screen, move the cursor, colour, set the title (BEL and ST
        // terminated), a hyperlink (OSC 8), 8-bit CSI.
        let cases = [
            ("a\u{1b}[2J\u{1b}[H b", "a b"),
            ("\u{1b}[1;31mred\u{1b}[0m", "red"),
            ("\u{1b}]0;title\u{7}x", "x"),
            ("\u{1b}]2;title\u{1b}\\x", "x"),
            (
                "\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
                "click",
            ),
            ("\u{9b}31mx", "x"),
            ("\u{1b}Pq#0;2;0;0;0\u{1b}\\x", "x"),
            ("unterminated \u{1b}]0;title", "unterminated "),
            ("\u{1b}c reset", " reset"),
        ];
        for (input, expected) in cases {
            assert_eq!(printable(input), expected, "{input:?}");
        }
    }

    #[test]
    fn controls_and_hidden_format_characters_go_line_breaks_become_spaces() {
        assert_eq!(printable("a\r\nb\tc\0d\u{7f}e\u{85}f"), "a  b cdef");
        assert_eq!(
            printable("\u{202e}\u{2066}x\u{2069}\u{200b}\u{feff}\u{2028}y"),
            "xy"
        );
        assert!(matches!(printable("Kaffe åäö ☕ 🎉"), Cow::Borrowed(_)));
    }
}
