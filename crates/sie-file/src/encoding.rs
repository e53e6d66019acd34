//! Text encodings: CP437 (`#FORMAT PC8`) for writing, and detection for reading files that
//! other programs wrote in UTF-8 or Latin-1 by mistake.

use codepage_437::CP437_CONTROL;

/// The encoding a file was decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// IBM PC 8-bit, code page 437: what `#FORMAT PC8` means and what the spec requires.
    Cp437,
    /// UTF-8 (a leading byte-order mark is skipped).
    Utf8,
    /// ISO 8859-1 (Latin-1).
    Latin1,
}

/// Guesses the encoding of an SIE file.
///
/// Pure ASCII and anything that is not clearly something else is CP437. Bytes that form valid
/// UTF-8 with at least one multi-byte character are UTF-8 (CP437 text with Swedish letters is
/// never valid UTF-8: `ä` is the lone byte 0x84). Otherwise the high bytes are scored: CP437
/// keeps its accented letters in 0x80–0xA5, Latin-1 in 0xC0–0xFF, where CP437 has box
/// drawing that no accounting program writes; the larger count wins, CP437 on a tie.
pub fn detect(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8;
    }
    if !bytes.iter().any(|b| *b >= 0x80) {
        return Encoding::Cp437;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Encoding::Utf8;
    }
    let cp437 = bytes.iter().filter(|b| (0x80..=0xA5).contains(*b)).count();
    let latin1 = bytes.iter().filter(|b| **b >= 0xC0).count();
    if latin1 > cp437 {
        Encoding::Latin1
    } else {
        Encoding::Cp437
    }
}

/// Decodes `bytes` with the encoding [`detect`] picks, and says which it was.
///
/// Never fails: invalid UTF-8 cannot reach the UTF-8 branch, and every byte is a character in
/// CP437 and Latin-1.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    let encoding = detect(bytes);
    (decode_with(bytes, encoding), encoding)
}

/// Decodes `bytes` as `encoding`; invalid UTF-8 becomes U+FFFD.
pub fn decode_with(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Cp437 => bytes.iter().map(|b| CP437_CONTROL.decode(*b)).collect(),
        Encoding::Latin1 => bytes.iter().map(|b| char::from(*b)).collect(),
        Encoding::Utf8 => {
            let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// The CP437 byte for `c`, or `None` when CP437 cannot hold it or it is a control character
/// (which has no place inside an SIE field).
///
/// Only exact characters count: the `codepage-437` crate also maps look-alikes (`€` to the
/// byte of `ε`, `β` to the byte of `ß`), which would be mojibake, so a byte is accepted only
/// when it decodes back to `c`.
pub fn cp437_byte(c: char) -> Option<u8> {
    if c.is_control() {
        return None;
    }
    CP437_CONTROL
        .encode(c)
        .filter(|b| CP437_CONTROL.decode(*b) == c)
}

/// Encodes `text` as CP437, or returns the first character CP437 cannot hold.
///
/// # Errors
///
/// The first character that is not in CP437, or is a control character.
///
/// ```
/// assert_eq!(sie_file::encoding::encode_cp437("Åäö"), Ok(vec![0x8F, 0x84, 0x94]));
/// // `€` is not in CP437 (the look-alike `ε` is never taken for it).
/// assert_eq!(sie_file::encoding::encode_cp437("5 €"), Err('€'));
/// assert_eq!(sie_file::encoding::replacement('€'), "EUR");
/// ```
pub fn encode_cp437(text: &str) -> Result<Vec<u8>, char> {
    text.chars().map(|c| cp437_byte(c).ok_or(c)).collect()
}

/// The documented replacement for a character CP437 cannot hold, used when
/// [`WriteOptions::unencodable`](crate::WriteOptions) is
/// [`CharPolicy::Replace`](crate::CharPolicy::Replace):
///
/// | characters | replacement |
/// |---|---|
/// | control characters (tab, line breaks, ...) | a space |
/// | `–` `—` `‐` `‑` `−` | `-` |
/// | `‘` `’` `‚` `′` | `'` |
/// | `“` `”` `„` `″` | `"` |
/// | `…` | `...` |
/// | `€` | `EUR` |
/// | `ø` `Ø` (Danish, Norwegian) | `ö` `Ö` |
/// | `æ` `Æ` are in CP437 and kept | |
/// | `š` `ž` `č` `ć` `ł` `ń` `ś` `ż` `ź` `ő` `ű` and capitals | the letter without its mark |
/// | anything else | `?` |
pub fn replacement(c: char) -> &'static str {
    match c {
        c if c.is_control() => " ",
        '–' | '—' | '‐' | '‑' | '−' => "-",
        '‘' | '’' | '‚' | '′' => "'",
        '“' | '”' | '„' | '″' => "\"",
        '…' => "...",
        '€' => "EUR",
        'ø' => "ö",
        'Ø' => "Ö",
        'š' => "s",
        'Š' => "S",
        'ž' | 'ż' | 'ź' => "z",
        'Ž' | 'Ż' | 'Ź' => "Z",
        'č' | 'ć' => "c",
        'Č' | 'Ć' => "C",
        'ł' => "l",
        'Ł' => "L",
        'ń' => "n",
        'Ń' => "N",
        'ś' => "s",
        'Ś' => "S",
        'ő' => "ö",
        'Ő' => "Ö",
        'ű' => "ü",
        'Ű' => "Ü",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_round_trip_through_cp437() {
        let text = "åäöÅÄÖé";
        let bytes = encode_cp437(text).unwrap();
        assert_eq!(bytes, [0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82]);
        assert_eq!(detect(&bytes), Encoding::Cp437);
        assert_eq!(decode(&bytes), (text.to_owned(), Encoding::Cp437));
    }

    #[test]
    fn utf8_and_latin1_are_detected() {
        assert_eq!(
            decode("Företag".as_bytes()),
            ("Företag".to_owned(), Encoding::Utf8)
        );
        let latin1 = b"F\xf6retag \xe5\xe4";
        assert_eq!(decode(latin1), ("Företag åä".to_owned(), Encoding::Latin1));
        assert_eq!(decode(b"\xEF\xBB\xBF#FLAGGA 0").0, "#FLAGGA 0");
        assert_eq!(detect(b"#FLAGGA 0"), Encoding::Cp437);
    }

    #[test]
    fn unencodable_characters_are_reported() {
        assert_eq!(encode_cp437("a€b"), Err('€'));
        assert_eq!(encode_cp437("β"), Err('β'));
        assert_eq!(encode_cp437("ß"), Ok(vec![0xE1]));
        assert_eq!(encode_cp437("a\nb"), Err('\n'));
        assert_eq!(replacement('€'), "EUR");
        assert_eq!(replacement('\t'), " ");
        assert_eq!(replacement('ø'), "ö");
        assert_eq!(replacement('漢'), "?");
        for c in ['ö', '"', '\\', 'é', 'Ü', 'æ'] {
            assert!(cp437_byte(c).is_some(), "{c}");
        }
    }
}
