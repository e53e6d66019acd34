//! Lone surrogate escapes in a JSON body: `"\ud800"` is valid JSON text
//! (RFC 8259 allows any `\uXXXX`) but half of a UTF-16 pair is no Unicode
//! character, and serde_json refuses the whole body for it ("lone leading
//! surrogate in hex escape"). A customer text with one (or a provider's
//! encoder that cut a pair in two) would fail a whole page of records.
//! [`mend_lone_surrogates`] rewrites each lone half in place into `\ufffd`,
//! the replacement character, the same six bytes, before anything decodes
//! the body.
//!
//! ```
//! use provider_http::mend_lone_surrogates;
//!
//! let mut body = br#"{"note": "a\ud800b", "emoji": "\ud83d\ude00", "typed": "\\ud800"}"#.to_vec();
//! assert_eq!(mend_lone_surrogates(&mut body), 1);
//! assert_eq!(body, br#"{"note": "a\ufffdb", "emoji": "\ud83d\ude00", "typed": "\\ud800"}"#);
//! let value: serde_json::Value = serde_json::from_slice(&body)?;
//! assert_eq!(value["note"], "a\u{fffd}b");
//! # Ok::<(), serde_json::Error>(())
//! ```

/// Rewrites every `\uXXXX` escape of a lone UTF-16 surrogate in `body` (a
/// high half not followed by a low one, or a low half on its own) into
/// `\ufffd`, in place; returns how many it rewrote. A valid pair, and a
/// `\\u` that is an escaped backslash followed by a `u`, are left alone.
///
/// Linear in the body's length; a body without a `\u` is only searched.
pub fn mend_lone_surrogates(body: &mut [u8]) -> usize {
    let finder = memchr::memmem::Finder::new(b"\\u");
    let mut mended = 0;
    let mut from = 0;
    while let Some(found) = finder.find(&body[from..]) {
        let at = from + found;
        from = at + 2;
        // The backslash starts an escape only if the backslashes that end
        // at it are an odd run (`\\u` is an escaped backslash and a `u`).
        let run = body[..=at]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if run % 2 == 0 {
            continue;
        }
        match hex4(body, at + 2) {
            Some(0xD800..=0xDBFF) => {
                let paired = body.get(at + 6..at + 8) == Some(b"\\u")
                    && matches!(hex4(body, at + 8), Some(0xDC00..=0xDFFF));
                if paired {
                    from = at + 12;
                } else {
                    body[at + 2..at + 6].copy_from_slice(b"fffd");
                    mended += 1;
                    from = at + 6;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                body[at + 2..at + 6].copy_from_slice(b"fffd");
                mended += 1;
                from = at + 6;
            }
            _ => {}
        }
    }
    mended
}

/// Whether `body` is a JSON object or array (after a byte-order mark and
/// white space): the bodies [`mend_lone_surrogates`] is for. A CSV report
/// is left as sent.
pub(crate) fn looks_like_json(body: &[u8]) -> bool {
    let body = crate::strip_bom(body);
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// The four hex digits at `at`, as a number.
fn hex4(body: &[u8], at: usize) -> Option<u16> {
    let digits = body.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u16::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mended(text: &str) -> (String, usize) {
        let mut body = text.as_bytes().to_vec();
        let n = mend_lone_surrogates(&mut body);
        (String::from_utf8(body).unwrap(), n)
    }

    #[test]
    fn lone_halves_are_replaced_pairs_and_escaped_backslashes_kept() {
        let cases = [
            (r#""\ud800""#, r#""\ufffd""#, 1),
            (r#""\uDC00x""#, r#""\ufffdx""#, 1),
            (r#""\ud800\u0041""#, r#""\ufffd\u0041""#, 1),
            (r#""\ud800\ud800\udc00""#, r#""\ufffd\ud800\udc00""#, 1),
            (r#""\ud83d\ude00""#, r#""\ud83d\ude00""#, 0),
            (r#""\\ud800""#, r#""\\ud800""#, 0),
            (r#""\\\ud800""#, r#""\\\ufffd""#, 1),
            (r#""\u00e5\ud8""#, r#""\u00e5\ud8""#, 0),
            (r#""\udbff"#, r#""\ufffd"#, 1),
        ];
        for (input, expected, n) in cases {
            assert_eq!(mended(input), (expected.to_owned(), n), "{input}");
        }
    }

    #[test]
    fn only_json_bodies_are_mended() {
        assert!(looks_like_json(b"\xEF\xBB\xBF \n{\"a\":1}"));
        assert!(looks_like_json(b"[1]"));
        assert!(!looks_like_json(b"id,description\r\n"));
        assert!(!looks_like_json(b""));
    }
}
