//! A JSON scanner for the fast path of a page's decode: it reads the keys and
//! values a model needs straight from the page's bytes and skips the rest,
//! without serde's visitors.
//!
//! A decode through serde visits every key of an object and hands it to the
//! model, which compares it with its field names; on pages of objects with
//! dozens of keys bookkeeping never reads (an expanded Stripe charge) that
//! costs as much again as parsing the bytes (docs/performance.md, "What a
//! serde decode can reach"). The scanner compares a key's bytes where they
//! lie and skips an unread value in one pass over its bytes, eight at a time
//! inside strings.
//!
//! **It is a fast path, never the only path.** It reads only the common
//! shape: a key with an escape (compared as bytes, it could be a field's name
//! written otherwise), a string it reads with an escape of a lone surrogate,
//! an integer that is not plainly an `i64` (`-0`, 19 digits or more, a
//! fraction), nesting deeper than [`MAX_DEPTH`], and anything that is not
//! JSON stop it with [`Declined`].
//! The caller then decodes the same bytes with serde, which gives the value
//! or says what is wrong. So the scanner accepts nothing `serde_json` refuses:
//! whitespace, strings (control characters, escapes), numbers (`01`, `1.`,
//! `1e`), literals, commas and the end of the input are checked as strictly
//! as `serde_json` checks them, strings it skips included; like
//! `serde_json`, it does not validate the UTF-8 of a string it skips (it
//! validates every string it reads: once for the whole input where all of it
//! is UTF-8, as a JSON text is, else each string as it reads it).
//!
//! ```
//! use provider_http::scan::{Declined, Scanner};
//!
//! let page = br#"{"data": [{"id": "txn_1", "amount": 1000, "source": {"deep": [1, 2.5e3]}}],
//!                 "has_more": false}"#;
//! let mut s = Scanner::new(page);
//! let mut ids = Vec::new();
//! let mut has_more = None;
//! s.object(|s, key| match key {
//!     b"data" => s.array(|s| {
//!         s.object(|s, key| match key {
//!             b"id" => Ok(ids.push(s.str()?.into_owned())),
//!             _ => s.skip(),
//!         })
//!     }),
//!     b"has_more" => Ok(has_more = Some(s.bool()?)),
//!     _ => s.skip(),
//! })?;
//! s.end()?;
//! assert_eq!((ids, has_more), (vec!["txn_1".to_owned()], Some(false)));
//!
//! // Not JSON (a trailing comma): declined, for serde to say so.
//! assert_eq!(Scanner::new(br#"{"a": 1,}"#).skip(), Err(Declined));
//! # Ok::<(), Declined>(())
//! ```

use std::borrow::Cow;

use serde::de::value::{Error as ValueError, StrDeserializer};

/// The scanner stopped: the input is not JSON, or not of the shape the
/// scanner reads. Decode the same bytes with serde instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("declined by the JSON scanner: decode with serde")
    }
}

impl std::error::Error for Declined {}

/// What a step of the scanner gives.
pub type Scan<T> = Result<T, Declined>;

/// Fills a field's slot with the value read for its key, declining a
/// repeated key (serde's derive refuses one: `duplicate field`).
///
/// ```
/// use provider_http::scan::{Declined, Scanner, once};
///
/// let read = |text: &[u8]| {
///     let mut amount = None;
///     Scanner::new(text).object(|s, key| match key {
///         b"amount" => once(&mut amount, s.i64()),
///         _ => s.skip(),
///     })?;
///     amount.ok_or(Declined)
/// };
/// assert_eq!(read(br#"{"amount": 5, "note": "x"}"#), Ok(5));
/// assert_eq!(read(br#"{"amount": 5, "amount": 6}"#), Err(Declined));
/// ```
///
/// # Errors
/// When the slot is filled already, or the value was declined.
#[inline]
pub fn once<T>(slot: &mut Option<T>, value: Scan<T>) -> Scan<()> {
    if slot.is_some() {
        return Err(Declined);
    }
    *slot = Some(value?);
    Ok(())
}

/// A type the scanner reads as its `Deserialize` reads it from `serde_json`:
/// the same value where that reads one, [`Declined`] where it would refuse
/// (and wherever the scanner cannot be sure).
///
/// [`fields!`](crate::fields!), [`open_enum!`](crate::open_enum!) and
/// [`provider_id!`](crate::provider_id!) implement it for what they declare.
/// A field wrapper with a reader of its own implements it through that
/// reader, so the two cannot differ:
///
/// ```
/// use provider_http::scan::{self, Scan, Scannable, Scanner};
///
/// #[derive(serde::Deserialize)]
/// struct Cents(#[serde(deserialize_with = "provider_http::decimal::number")] rust_decimal::Decimal);
///
/// impl Scannable for Cents {
///     fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
///         scan::with_serde(s)
///     }
/// }
///
/// let cents: Cents = scan::from_slice(b"12.5")?;
/// assert_eq!(cents.0, rust_decimal::Decimal::new(125, 1));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait Scannable: Sized {
    /// Reads the next value.
    ///
    /// # Errors
    /// [`Declined`]: decode with serde instead.
    fn scan(s: &mut Scanner<'_>) -> Scan<Self>;
}

impl Scannable for i64 {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        s.i64()
    }
}

impl Scannable for bool {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        s.bool()
    }
}

impl Scannable for String {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        s.str().map(Cow::into_owned)
    }
}

/// `null` is `None`, as serde reads an `Option` from `serde_json`.
impl<T: Scannable> Scannable for Option<T> {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        if s.null()? {
            Ok(None)
        } else {
            T::scan(s).map(Some)
        }
    }
}

impl<T: Scannable> Scannable for Vec<T> {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        let mut items = Vec::new();
        s.array(|s| {
            let item = T::scan(s)?;
            // Most of a provider's lists hold one item (an order's tax
            // lines, gateways, transactions, refunds): room for exactly one
            // first, not four.
            if items.capacity() == 0 {
                items.reserve_exact(1);
            }
            items.push(item);
            Ok(())
        })?;
        Ok(items)
    }
}

/// A list held in place up to `A`'s size, read as [`Vec`] reads one.
impl<A: smallvec::Array> Scannable for smallvec::SmallVec<A>
where
    A::Item: Scannable,
{
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        let mut items = smallvec::SmallVec::new();
        s.array(|s| {
            items.push(A::Item::scan(s)?);
            Ok(())
        })?;
        Ok(items)
    }
}

impl Scannable for bookkeeping_core::Currency {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        match s.letters(3) {
            Some(code) => Self::from_ascii(code).ok_or(Declined),
            None => Self::new(&s.str()?).map_err(|_| Declined),
        }
    }
}

/// Read in place when short: no allocation for a [`Text`](bookkeeping_core::text::Text)
/// of at most [`INLINE`](bookkeeping_core::text::INLINE) bytes or an
/// [`IdText`](bookkeeping_core::text::IdText) of at most
/// [`ID_INLINE`](bookkeeping_core::text::ID_INLINE), escapes or not.
impl<const N: usize> Scannable for bookkeeping_core::text::ShortText<N> {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        s.str_with(Self::new)
    }
}

impl Scannable for bookkeeping_core::CountryCode {
    #[inline]
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        match s.letters(2) {
            Some(code) => Self::from_ascii(code).ok_or(Declined),
            None => Self::new(&s.str()?).map_err(|_| Declined),
        }
    }
}

/// A value read from a JSON string by a serde reader that asks for a string
/// (`deserialize_str`, as `time::serde::rfc3339::deserialize` and
/// `rust_decimal::serde::str::deserialize` do), given the string the scanner
/// read: what that reader gives in place, without the JSON parser.
///
/// ```
/// use provider_http::scan::{Scanner, from_text};
///
/// let mut s = Scanner::new(br#""2026-03-01T10:00:00Z""#);
/// let at = from_text(&mut s, |text| time::serde::rfc3339::deserialize(text));
/// assert_eq!(at.unwrap().unix_timestamp(), 1772359200);
/// ```
///
/// # Errors
/// When the next value is not a string, or `read` refuses it.
#[inline]
pub fn from_text<T>(
    s: &mut Scanner<'_>,
    read: impl for<'t> FnOnce(StrDeserializer<'t, ValueError>) -> Result<T, ValueError>,
) -> Scan<T> {
    read_str(&s.str()?, read)
}

/// [`from_text`] for a string already read (by a reader that first tries a
/// fast reading of its own, and hands the text to the serde reader when
/// that declines).
///
/// ```
/// use provider_http::scan::read_str;
///
/// let at = read_str("2026-03-01T10:00:00+01:00", |text| time::serde::rfc3339::deserialize(text));
/// assert_eq!(at.unwrap().unix_timestamp(), 1772355600);
/// ```
///
/// # Errors
/// When `read` refuses the text.
#[inline]
pub fn read_str<T>(
    text: &str,
    read: impl for<'t> FnOnce(StrDeserializer<'t, ValueError>) -> Result<T, ValueError>,
) -> Scan<T> {
    // `serde_json` hands a string over borrowed, or decoded when it has
    // escapes; to a reader of owned values both are `visit_str`.
    read(StrDeserializer::new(text)).map_err(|_| Declined)
}

/// A value read by its `Deserialize` from its own bytes with `serde_json`:
/// exact by construction, for a value the scanner has no reading of (a
/// number kept as the text of a float, say).
///
/// # Errors
/// When the next value is not JSON, or `T` refuses it.
pub fn with_serde<T: serde::de::DeserializeOwned>(s: &mut Scanner<'_>) -> Scan<T> {
    serde_json::from_slice(s.raw()?).map_err(|_| Declined)
}

/// One JSON text read into `T`: by the scanner, or by `serde_json` where
/// the scanner declines (then also with `serde_json`'s error, if the text is
/// not a `T`). The value is the same either way.
///
/// ```
/// use provider_http::scan::from_slice;
///
/// let ids: Vec<Option<String>> = from_slice(br#"["a", null, "\u00e5"]"#)?;
/// assert_eq!(ids, [Some("a".to_owned()), None, Some("å".to_owned())]);
/// let err = from_slice::<Vec<i64>>(b"[1, 2.5]").unwrap_err();
/// assert!(err.to_string().starts_with("invalid type: floating point"));
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// `serde_json`'s, when the text is not JSON or not a `T`.
pub fn from_slice<T: Scannable + serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> serde_json::Result<T> {
    let mut s = Scanner::new(bytes);
    match T::scan(&mut s) {
        Ok(value) if s.end().is_ok() => Ok(value),
        _ => serde_json::from_slice(bytes),
    }
}

/// How deeply objects and arrays may nest before the scanner declines:
/// below `serde_json`'s own limit (128), so that it never reads what
/// `serde_json` would refuse as too deep.
pub const MAX_DEPTH: usize = 100;

/// An object's key as [`Scanner::object_of`] looks for it where it lies:
/// `"name":`, held as the words it is compared with (a key of up to 29
/// bytes: four eight-byte words, each compared under a mask, instead of a
/// call to compare bytes of a length known only when running), or compared
/// as bytes when longer or near the end of the input.
///
/// ```
/// use provider_http::scan::Key;
///
/// const ID: Key = Key::new(b"id");
/// assert_eq!(ID.name(), b"id");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    name: &'static [u8],
    /// `"name":` in little-endian words, and the masks of its bytes.
    words: [u64; 4],
    masks: [u64; 4],
}

impl Key {
    /// The key `name` (as it is written when it has no escape).
    pub const fn new(name: &'static [u8]) -> Key {
        let len = name.len() + 3;
        let mut words = [0u64; 4];
        let mut masks = [0u64; 4];
        if len <= 32 {
            let mut i = 0;
            while i < len {
                let byte = if i == 0 || i == len - 2 {
                    b'"'
                } else if i == len - 1 {
                    b':'
                } else {
                    name[i - 1]
                };
                words[i / 8] |= (byte as u64) << (8 * (i % 8));
                masks[i / 8] |= 0xff << (8 * (i % 8));
                i += 1;
            }
        }
        Key { name, words, masks }
    }

    /// The key's name.
    pub const fn name(&self) -> &'static [u8] {
        self.name
    }

    /// Whether `bytes` hold `"name":` at `pos`.
    #[inline(always)]
    fn is_at(&self, bytes: &[u8], pos: usize) -> bool {
        let window: Option<&[u8; 32]> = bytes
            .get(pos..pos.wrapping_add(32))
            .and_then(|w| w.try_into().ok());
        match window {
            Some(window) if self.masks[0] != 0 => {
                let mut differ = 0;
                for (i, chunk) in window.chunks_exact(8).enumerate() {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(chunk);
                    differ |= (u64::from_le_bytes(word) ^ self.words[i]) & self.masks[i];
                }
                differ == 0
            }
            _ => {
                let end = pos.saturating_add(self.name.len() + 1);
                bytes.get(pos) == Some(&b'"')
                    && bytes.get(pos + 1..end) == Some(self.name)
                    && bytes.get(end..end.saturating_add(2)) == Some(b"\":")
            }
        }
    }
}

/// A reader over one JSON text, from the front. See [the module](self).
#[derive(Debug, Clone)]
pub struct Scanner<'a> {
    bytes: &'a [u8],
    /// The input as text, when all of it is UTF-8 (a JSON text is): checked
    /// once, in one pass, so that each string read is a slice of it instead
    /// of a check of its own (a page's eighty-odd strings an order were
    /// checked one by one). `None`: each string is checked as it is read.
    text: Option<&'a str>,
    pos: usize,
    /// Objects and arrays open around the position.
    depth: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is `"`, `\` or a control character
/// (below 0x20): the bytes a string's scan stops at. The usual "has a zero
/// byte" test, three times; it may also mark a byte just above a marked one
/// (a borrow), never one below it, so the lowest mark is exact.
#[inline(always)]
fn string_stops(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero(w ^ (ONES * u64::from(b'"')))
        | zero(w ^ (ONES * u64::from(b'\\')))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `bytes` (without a byte-order mark: strip one first).
    pub fn new(bytes: &'a [u8]) -> Self {
        Scanner {
            bytes,
            // The CPU's vector instructions where it has them: a page is
            // mostly ASCII, checked sixteen or thirty-two bytes at a time
            // (std's check was 3 % of an order page's decoding).
            text: simdutf8::basic::from_utf8(bytes).ok(),
            pos: 0,
            depth: 0,
        }
    }

    #[inline(always)]
    fn whitespace(&mut self) {
        // Most calls find a byte above the space (compact JSON): one
        // comparison tells it is no whitespace.
        while let Some(&byte) = self.bytes.get(self.pos)
            && byte <= b' '
            && matches!(byte, b' ' | b'\n' | b'\r' | b'\t')
        {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    ///
    /// # Errors
    /// At the end of the input.
    #[inline]
    pub fn peek(&mut self) -> Scan<u8> {
        self.whitespace();
        self.bytes.get(self.pos).copied().ok_or(Declined)
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// Checks that only whitespace is left.
    ///
    /// # Errors
    /// When anything else is.
    pub fn end(mut self) -> Scan<()> {
        self.whitespace();
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// Reads `null` if it is next: `true` if it was (and is consumed).
    ///
    /// # Errors
    /// At the end of the input, or on a `n` that does not start `null`.
    #[inline]
    pub fn null(&mut self) -> Scan<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Moves past `text` if the input continues with it (after
    /// whitespace), and says whether it did: for a reader that expects a
    /// provider's exact shape (a GraphQL answer writes a selection's fields
    /// in the query's order, without whitespace) and reads any other shape
    /// the general way. Nothing but whitespace is consumed when it does not.
    ///
    /// ```
    /// use provider_http::scan::Scanner;
    ///
    /// let mut s = Scanner::new(br#"{"amount":"1.5"}"#);
    /// assert!(!s.eat(br#"{"currencyCode":"#));
    /// assert!(s.eat(br#"{"amount":"#));
    /// assert_eq!(s.str().as_deref(), Ok("1.5"));
    /// ```
    #[inline]
    pub fn eat(&mut self, text: &[u8]) -> bool {
        self.whitespace();
        let found = self.bytes[self.pos..].starts_with(text);
        if found {
            self.pos += text.len();
        }
        found
    }

    fn literal(&mut self, text: &[u8]) -> Scan<()> {
        match self.bytes.get(self.pos..self.pos + text.len()) {
            Some(found) if found == text => {
                self.pos += text.len();
                Ok(())
            }
            _ => Err(Declined),
        }
    }

    /// Reads `true` or `false`.
    ///
    /// # Errors
    /// On anything else.
    pub fn bool(&mut self) -> Scan<bool> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| true),
            b'f' => self.literal(b"false").map(|()| false),
            _ => Err(Declined),
        }
    }

    /// Reads an integer as `serde_json` reads it into an `i64`, for the
    /// integers that are plainly one: `0` or up to 18 digits, with a minus.
    ///
    /// # Errors
    /// On anything else: a fraction or exponent, `-0` (a float to
    /// `serde_json`), 19 digits or more (which may not fit), not a number.
    #[inline]
    pub fn i64(&mut self) -> Scan<i64> {
        let negative = self.peek()? == b'-';
        let start = self.pos + usize::from(negative);
        let mut end = start;
        let mut value: i64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.bytes.get(end) {
            if end - start == 18 {
                return Err(Declined);
            }
            value = value * 10 + i64::from(d - b'0');
            end += 1;
        }
        let digits = end - start;
        let plain = match self.bytes[start..end] {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => true,
        };
        if !plain || digits == 0 || matches!(self.bytes.get(end), Some(b'.' | b'e' | b'E')) {
            return Err(Declined);
        }
        self.pos = end;
        Ok(if negative { -value } else { value })
    }

    /// Reads a string: borrowed from the input when it has no escape,
    /// decoded as `serde_json` decodes it when it has.
    ///
    /// # Errors
    /// When the next value is not a string, the string is not UTF-8, has a
    /// control character or an invalid escape, or an escape of a lone
    /// surrogate.
    #[inline]
    pub fn str(&mut self) -> Scan<Cow<'a, str>> {
        match self.string()? {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(escaped) => unescape(escaped).map(Cow::Owned),
        }
    }

    /// The next string, as its text when it has no escape, or its bytes
    /// between the quotes when it has (for the caller to decode).
    #[inline(always)]
    fn string(&mut self) -> Scan<Result<&'a str, &'a [u8]>> {
        self.expect(b'"')?;
        let start = self.pos;
        if self.string_end()? {
            let end = self.pos - 1;
            // Both ends are at quotes (ASCII): the slice of text never
            // fails where the text is whole.
            let read = match self.text {
                Some(text) => text.get(start..end),
                None => std::str::from_utf8(&self.bytes[start..end]).ok(),
            };
            return read.map(Ok).ok_or(Declined);
        }
        Ok(Err(&self.bytes[start..self.pos - 1]))
    }

    /// A string given to `read` as text: the text in place when the string
    /// has no escape (as [`str`](Self::str)), decoded into a buffer on the
    /// stack when it has escapes and is short (a bulk result's
    /// `gid:\/\/shopify\/Order\/1`), so that reading it into a value that
    /// keeps short texts in place allocates nothing.
    ///
    /// # Errors
    /// As [`Scanner::str`].
    ///
    /// ```
    /// use provider_http::scan::Scanner;
    ///
    /// let mut s = Scanner::new(br#""gid:\/\/shopify\/Order\/1""#);
    /// assert_eq!(s.str_with(str::len), Ok(21));
    /// ```
    #[inline]
    pub fn str_with<T>(&mut self, read: impl FnOnce(&str) -> T) -> Scan<T> {
        match self.string()? {
            Ok(text) => Ok(read(text)),
            Err(escaped) => {
                let mut buf = Unescaped::new();
                unescape_into(escaped, &mut buf)?;
                std::str::from_utf8(&buf).map(read).map_err(|_| Declined)
            }
        }
    }

    /// A string of exactly `len` ASCII letters (a currency or country
    /// code), read and moved past if it is next; otherwise only whitespace
    /// is consumed (read it with [`str`](Self::str)). Letters need no escape
    /// or UTF-8 check: the string is its bytes.
    #[inline]
    fn letters(&mut self, len: usize) -> Option<&'a [u8]> {
        self.whitespace();
        let start = self.pos + 1;
        match self.bytes.get(self.pos..start + len + 1)? {
            [b'"', code @ .., b'"'] if code.iter().all(u8::is_ascii_alphabetic) => {
                self.pos = start + len + 1;
                Some(code)
            }
            _ => None,
        }
    }

    /// Reads a string, or a `null` as `None`.
    ///
    /// # Errors
    /// As [`Scanner::str`].
    #[inline]
    pub fn str_or_null(&mut self) -> Scan<Option<Cow<'a, str>>> {
        if self.null()? {
            Ok(None)
        } else {
            self.str().map(Some)
        }
    }

    /// Moves past a string's closing quote, from just after its opening one;
    /// `true` if the string had no escape.
    #[inline(always)]
    fn string_end(&mut self) -> Scan<bool> {
        let bytes = self.bytes;
        let mut plain = true;
        loop {
            while let Some(chunk) = bytes.get(self.pos..self.pos + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let stops = string_stops(u64::from_le_bytes(word));
                if stops != 0 {
                    self.pos += (stops.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
            match bytes.get(self.pos).copied().ok_or(Declined)? {
                b'"' => {
                    self.pos += 1;
                    return Ok(plain);
                }
                b'\\' => {
                    plain = false;
                    self.pos += escape_len(&bytes[self.pos..])?;
                }
                0..=0x1f => return Err(Declined),
                _ => self.pos += 1,
            }
        }
    }

    /// Reads an object: `member` is called with each key's bytes (as in
    /// the input: a key with an escape is declined) and must read or skip
    /// the key's value. Repeated keys are passed on as they come.
    ///
    /// # Errors
    /// When the next value is not an object, or `member` declines.
    #[inline]
    pub fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Scan<()>) -> Scan<()> {
        // No key expected: each is read and handed on.
        self.object_of(&[], |s, _, key| member(s, key))
    }

    /// Reads an object as [`object`](Self::object) does, for a model whose
    /// fields are `keys`: `member` is called with the index in `keys` of each
    /// key ([`usize::MAX`] for a key not among them) and the key's bytes.
    ///
    /// The keys are expected in the order of `keys`: each key of the input
    /// is first compared, where it lies, with the key after the last one
    /// found (its quotes and colon, in a few word-sized comparisons: see
    /// [`Key`]), and only looked for among all of them when it is not that
    /// one. A GraphQL answer writes an object's fields in the order its
    /// query selects them (the GraphQL specification, "Serialized Map
    /// Ordering"), so a model listing its keys in that order finds each key
    /// at once. Any other order, or whitespace, reads the same, key by key.
    ///
    /// ```
    /// use provider_http::scan::{Key, Scan, Scanner};
    ///
    /// const KEYS: &[Key] = &[Key::new(b"id"), Key::new(b"name")];
    /// let read = |text: &[u8]| -> Scan<Vec<usize>> {
    ///     let mut found = Vec::new();
    ///     Scanner::new(text).object_of(KEYS, |s, index, _key| {
    ///         found.push(index);
    ///         s.skip()
    ///     })?;
    ///     Ok(found)
    /// };
    /// assert_eq!(read(br#"{"id":1,"name":"a"}"#), Ok(vec![0, 1]));
    /// assert_eq!(read(br#"{"name":"a","x":2, "id" : 1}"#), Ok(vec![1, usize::MAX, 0]));
    /// assert!(read(br#"{"n\u0061me":"a"}"#).is_err());
    /// ```
    ///
    /// # Errors
    /// As [`object`](Self::object).
    #[inline]
    pub fn object_of(
        &mut self,
        keys: &[Key],
        mut member: impl FnMut(&mut Self, usize, &'a [u8]) -> Scan<()>,
    ) -> Scan<()> {
        self.expect(b'{')?;
        self.enter()?;
        if self.peek()? == b'}' {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        let bytes = self.bytes;
        let mut next = 0;
        loop {
            let (index, key) = match keys.get(next) {
                Some(expected) if expected.is_at(bytes, self.pos) => {
                    let start = self.pos + 1;
                    self.pos += expected.name.len() + 3;
                    (next, &bytes[start..start + expected.name.len()])
                }
                _ => {
                    self.expect(b'"')?;
                    let start = self.pos;
                    if !self.string_end()? {
                        return Err(Declined);
                    }
                    let key = &bytes[start..self.pos - 1];
                    self.expect(b':')?;
                    let index = keys.iter().position(|k| k.name == key);
                    (index.unwrap_or(usize::MAX), key)
                }
            };
            if index < keys.len() {
                next = index + 1;
            }
            member(self, index, key)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Declined),
            }
        }
    }

    /// Reads an array: `element` is called for each element and must read
    /// or skip it.
    ///
    /// # Errors
    /// When the next value is not an array, or `element` declines.
    #[inline]
    pub fn array(&mut self, mut element: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.expect(b'[')?;
        self.enter()?;
        if self.peek()? == b']' {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Declined),
            }
        }
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Declined)
        } else {
            Ok(())
        }
    }

    /// Skips the value of a key a model read by serde's derive does not
    /// know: the derive reads each key as a `str`, so a key that is not
    /// UTF-8 is declined ([`fields!`](crate::fields!)'s models, which read
    /// keys as bytes, [`skip`](Self::skip) it).
    ///
    /// # Errors
    /// As [`Scanner::skip`], or when `key` is not UTF-8.
    pub fn skip_field(&mut self, key: &[u8]) -> Scan<()> {
        std::str::from_utf8(key).map_err(|_| Declined)?;
        self.skip()
    }

    /// The text of the number that is next, checked as JSON writes a number
    /// and moved past: for a reader of a number's own digits (a decimal read
    /// exactly from its text), without the general skip.
    ///
    /// ```
    /// use provider_http::scan::Scanner;
    ///
    /// let mut s = Scanner::new(b" -12.50,");
    /// assert_eq!(s.number_text(), Ok("-12.50"));
    /// assert!(Scanner::new(b"\"12\"").number_text().is_err());
    /// ```
    ///
    /// # Errors
    /// When the next value is not a number.
    #[inline]
    pub fn number_text(&mut self) -> Scan<&'a str> {
        self.whitespace();
        let start = self.pos;
        self.number()?;
        // A number's bytes are ASCII: a slice of the text checked once, or
        // checked here.
        match self.text {
            Some(text) => text.get(start..self.pos),
            None => std::str::from_utf8(&self.bytes[start..self.pos]).ok(),
        }
        .ok_or(Declined)
    }

    /// Reads the next value with `read` (which must read exactly one
    /// value), and gives what it read with the value's text as it is in the
    /// input: for a reader that keeps a value's text while it reads part of
    /// it, in one pass instead of a skip and a reading of what was skipped.
    ///
    /// ```
    /// use provider_http::scan::Scanner;
    ///
    /// let mut s = Scanner::new(br#"[ {"id":"a","n":[1]} ]"#);
    /// let mut nodes = Vec::new();
    /// s.array(|s| {
    ///     let (id, text) = s.with_text(|s| {
    ///         let mut id = None;
    ///         s.object(|s, key| match key {
    ///             b"id" => Ok(id = Some(s.str()?.into_owned())),
    ///             _ => s.skip(),
    ///         })?;
    ///         Ok(id)
    ///     })?;
    ///     nodes.push((id, text));
    ///     Ok(())
    /// })?;
    /// assert_eq!(nodes, [(Some("a".to_owned()), r#"{"id":"a","n":[1]}"#)]);
    /// # Ok::<(), provider_http::scan::Declined>(())
    /// ```
    ///
    /// # Errors
    /// What `read` declines, or a text that is not UTF-8.
    pub fn with_text<T>(&mut self, read: impl FnOnce(&mut Self) -> Scan<T>) -> Scan<(T, &'a str)> {
        self.whitespace();
        let start = self.pos;
        let value = read(self)?;
        let text = match self.text {
            Some(text) => text.get(start..self.pos),
            None => std::str::from_utf8(&self.bytes[start..self.pos]).ok(),
        };
        Ok((value, text.ok_or(Declined)?))
    }

    /// The next value's bytes, skipped: for a value read by serde
    /// (`serde_json::from_slice` of them decodes it as it would in place).
    ///
    /// # Errors
    /// As [`Scanner::skip`].
    pub fn raw(&mut self) -> Scan<&'a [u8]> {
        self.whitespace();
        let start = self.pos;
        self.skip()?;
        Ok(&self.bytes[start..self.pos])
    }

    /// Skips the next value, checking that it is JSON.
    ///
    /// # Errors
    /// When it is not, or nests deeper than [`MAX_DEPTH`] with what is open around it.
    pub fn skip(&mut self) -> Scan<()> {
        // Iterative: the closing byte of each open container, so that a
        // hostile page of nested brackets cannot overflow the stack.
        let mut open = [0u8; MAX_DEPTH];
        let room = MAX_DEPTH - self.depth.min(MAX_DEPTH);
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    self.string_end()?;
                }
                close @ (b'{' | b'[') => {
                    if depth == room {
                        return Err(Declined);
                    }
                    self.pos += 1;
                    let close = if close == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.pos += 1;
                    } else {
                        open[depth] = close;
                        depth += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => self.number()?,
            }
            // After a value: a comma, or the ends of the containers it closes.
            loop {
                let Some(&close) = depth.checked_sub(1).and_then(|top| open.get(top)) else {
                    return Ok(());
                };
                let next = self.peek()?;
                self.pos += 1;
                if next == b',' {
                    if close == b'}' {
                        self.key()?;
                    }
                    break;
                } else if next == close {
                    depth -= 1;
                } else {
                    return Err(Declined);
                }
            }
        }
    }

    /// A key and its colon, skipped.
    fn key(&mut self) -> Scan<()> {
        self.expect(b'"')?;
        self.string_end()?;
        self.expect(b':')
    }

    /// Skips a number, checking its grammar as `serde_json` does.
    fn number(&mut self) -> Scan<()> {
        let bytes = self.bytes;
        let digits = |pos: &mut usize| {
            let start = *pos;
            while let Some(b'0'..=b'9') = bytes.get(*pos) {
                *pos += 1;
            }
            *pos > start
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => return Err(Declined),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return Err(Declined);
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !digits(&mut pos) {
                return Err(Declined);
            }
        }
        self.pos = pos;
        Ok(())
    }
}

/// The length of the escape at the start of `rest` (which starts with `\`).
fn escape_len(rest: &[u8]) -> Scan<usize> {
    match rest.get(1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(2),
        Some(b'u') => match rest.get(2..6) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(6),
            _ => Err(Declined),
        },
        _ => Err(Declined),
    }
}

/// Four hex digits (checked by [`escape_len`] already).
fn hex4(hex: &[u8]) -> Scan<u16> {
    let text = std::str::from_utf8(hex).map_err(|_| Declined)?;
    u16::from_str_radix(text, 16).map_err(|_| Declined)
}

/// The text of a string's content with escapes, decoded as `serde_json`
/// decodes a string it reads; a lone surrogate is declined.
fn unescape(content: &[u8]) -> Scan<String> {
    let mut out = Unescaped::new();
    out.reserve(content.len());
    unescape_into(content, &mut out)?;
    String::from_utf8(out.into_vec()).map_err(|_| Declined)
}

/// A string's decoded bytes: on the stack when short (an id, a title).
type Unescaped = smallvec::SmallVec<[u8; 64]>;

/// A JSON string's content, escapes decoded, appended to `out` (checked as
/// UTF-8 by the caller).
fn unescape_into(content: &[u8], out: &mut Unescaped) -> Scan<()> {
    let mut i = 0;
    // A byte at a time: the strings with escapes are short (ids written
    // `gid:\/\/shopify\/…` in a bulk result, six escapes in thirty bytes),
    // where a search and a copy per piece cost more than the bytes.
    while let Some(&byte) = content.get(i) {
        if byte != b'\\' {
            out.push(byte);
            i += 1;
            continue;
        }
        let decoded = match content.get(i + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let unit = hex4(content.get(i + 2..i + 6).ok_or(Declined)?)?;
                i += 6;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by the escape of a low one.
                        if content.get(i..i + 2) != Some(b"\\u") {
                            return Err(Declined);
                        }
                        let low = hex4(content.get(i + 2..i + 6).ok_or(Declined)?)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Declined);
                        }
                        i += 6;
                        let scalar = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(scalar).ok_or(Declined)?
                    }
                    0xDC00..=0xDFFF => return Err(Declined),
                    _ => char::from_u32(u32::from(unit)).ok_or(Declined)?,
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            _ => return Err(Declined),
        };
        out.push(decoded);
        i += 2;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;

    /// What `serde_json` says of `text` as one value: valid or not.
    fn serde_accepts(text: &[u8]) -> bool {
        serde_json::from_slice::<IgnoredAny>(text).is_ok()
    }

    fn scanner_accepts(text: &[u8]) -> bool {
        let mut s = Scanner::new(text);
        s.skip().is_ok() && s.end().is_ok()
    }

    /// JSON texts near every rule the skip checks: the scanner accepts
    /// exactly what `serde_json` accepts (it may decline more only where
    /// nesting is deep, tested below).
    #[test]
    fn skipping_accepts_what_serde_json_accepts() {
        let cases: &[&str] = &[
            "0",
            "-0",
            "01",
            "-",
            "1.",
            "1.5",
            ".5",
            "1e5",
            "1E+5",
            "1e-5",
            "1e",
            "1e+",
            "-1.0e3",
            "12345678901234567890123",
            "true",
            "tru",
            "false",
            "null",
            "nul",
            "nulll",
            "\"\"",
            "\"a\"",
            "\"a",
            "\"\\\"\"",
            "\"\\u00e5\"",
            "\"\\u00g5\"",
            "\"\\ud800\"",
            "\"\\x\"",
            "\"tab\there\"",
            "\"nl\nhere\"",
            "\"\u{7f}\"",
            "\"åäö\"",
            "[]",
            "[ ]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[1,2]",
            "{}",
            "{ }",
            "{\"a\":1}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":[{\"b\":{}}],\"c\":[[]]}",
            "[{]",
            "[}",
            "{]",
            "1 2",
            " 1 ",
            "\t\r\n1\n",
            "\u{0b}1",
            "[1]]",
            "{\"a\":1}}",
            "",
            "\"long string with no escapes, over eight bytes\"",
            "\"long string with an escape \\n after eight bytes\"",
            "\"quote at the eighth byte\\\"\"",
            "[\"x\"\"y\"]",
            "-01",
            "2.e3",
            "1.0E-0",
        ];
        for case in cases {
            assert_eq!(
                scanner_accepts(case.as_bytes()),
                serde_accepts(case.as_bytes()),
                "{case:?}"
            );
        }
        // A string with a byte that is not UTF-8: skipped as serde_json skips it.
        assert_eq!(scanner_accepts(b"\"\xff\""), serde_accepts(b"\"\xff\""));
    }

    /// Random JSON-ish texts from the bytes the grammar turns on: the
    /// scanner never accepts what `serde_json` refuses, and accepts what it
    /// accepts.
    #[test]
    fn skipping_agrees_with_serde_json_on_random_texts() {
        let alphabet: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b"\"",
            b"\"k\"",
            b"\"v\\\"w\"",
            b"1",
            b"-",
            b"0",
            b".",
            b"e",
            b"5",
            b"true",
            b"null",
            b" ",
            b"\\",
            b"\\u12",
            b"\n",
            b"a",
            b"\x01",
        ];
        let mut rng = fastrand::Rng::with_seed(20);
        let (mut valid, mut total) = (0, 0);
        for _ in 0..200_000 {
            let mut text = Vec::new();
            for _ in 0..rng.usize(1..12) {
                text.extend_from_slice(alphabet[rng.usize(..alphabet.len())]);
            }
            let serde = serde_accepts(&text);
            assert_eq!(
                scanner_accepts(&text),
                serde,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
            valid += usize::from(serde);
            total += 1;
        }
        // The generator must reach both sides of the rules, not only refusals.
        assert!(valid > total / 50, "{valid} valid of {total}");
    }

    #[test]
    fn nesting_is_declined_before_serde_json_would_refuse_it() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(scanner_accepts(deep(MAX_DEPTH).as_bytes()));
        assert!(!scanner_accepts(deep(MAX_DEPTH + 1).as_bytes()));
        // Inside a container the scanner has entered, the room left is smaller.
        let inner = deep(MAX_DEPTH);
        let text = format!("[{inner}]");
        let mut s = Scanner::new(text.as_bytes());
        assert_eq!(s.array(|s| s.skip()), Err(Declined));
        // And never so deep that the stack overflows.
        assert!(!scanner_accepts(deep(100_000).as_bytes()));
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        let cases: &[&str] = &[
            r#""plain""#,
            r#""åäö €""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e5\u20ac""#,
            r#""\ud83d\ude00 smile""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\ud83dx""#,
            r#""\u0000""#,
            "\"ctrl \u{1}\"",
        ];
        for case in cases {
            let serde = serde_json::from_str::<String>(case).ok();
            let scanned = Scanner::new(case.as_bytes())
                .str()
                .ok()
                .map(Cow::into_owned);
            // Declined where serde refuses; where serde reads, the same text
            // (or declined, for the lone surrogates serde_json may keep).
            match (&scanned, &serde) {
                (Some(s), Some(t)) => assert_eq!(s, t, "{case}"),
                (Some(s), None) => panic!("{case}: scanned {s:?}, serde refuses"),
                (None, Some(_)) => assert!(
                    case.contains(r"\ud83d") || case.contains(r"\ude00"),
                    "{case}"
                ),
                (None, None) => {}
            }
        }
        assert_eq!(Scanner::new(b"\"\xff\"").str(), Err(Declined));
        assert_eq!(Scanner::new(b"12").str(), Err(Declined));
        assert_eq!(Scanner::new(b" null").str_or_null(), Ok(None));
    }

    #[test]
    fn integers_read_as_serde_json_reads_an_i64() {
        for case in [
            "0",
            "-0",
            "7",
            "-7",
            "1000",
            "123456789012345678",
            "-123456789012345678",
            "1234567890123456789",
            "9223372036854775807",
            "9223372036854775808",
            "01",
            "1.0",
            "1e3",
            "-",
            "",
            "\"1\"",
            "1x",
        ] {
            let serde = serde_json::from_str::<i64>(case).ok();
            let mut s = Scanner::new(case.as_bytes());
            let scanned = s.i64().ok().filter(|_| s.end().is_ok());
            if let Some(v) = scanned {
                assert_eq!(Some(v), serde, "{case}");
            } else {
                // Declined: serde refuses, or the integer has 19 digits.
                assert!(
                    serde.is_none() || case.trim_start_matches('-').len() >= 19,
                    "{case}"
                );
            }
        }
    }

    /// A key is found where it lies exactly when the input holds its
    /// quotes, bytes and colon there: for every length (the word
    /// comparison up to 29 bytes, the byte comparison beyond), at every
    /// distance from the end of the input, and not for a longer or shorter
    /// key, another byte, whitespace or an escape.
    #[test]
    fn a_key_is_at_a_position_exactly_when_its_text_is() {
        let names: Vec<Vec<u8>> = (1..=40)
            .map(|n| (0..n).map(|i| b'a' + (i % 26) as u8).collect())
            .collect();
        for name in &names {
            let key = Key::new(Vec::leak(name.clone()));
            let exact = [b"\"".as_slice(), name, b"\":"].concat();
            let naive = |bytes: &[u8], pos: usize| bytes[pos..].starts_with(&exact);
            let mut others = vec![
                [b"\"".as_slice(), name, b"\" :"].concat(),
                [b"\"".as_slice(), name, b"x\":"].concat(),
                [b"\"".as_slice(), &name[..name.len() - 1], b"\":"].concat(),
                [b"\" ".as_slice(), name, b"\":"].concat(),
                [b"\"\\u0061".as_slice(), &name[1..], b"\":"].concat(),
            ];
            let mut changed = exact.clone();
            let last = changed.len() - 3;
            changed[last] ^= 1;
            others.push(changed);
            for text in std::iter::once(&exact).chain(&others) {
                for pad in 0..40 {
                    for tail in [0, 1, 7, 40] {
                        let mut bytes = vec![b','; pad];
                        bytes.extend_from_slice(text);
                        bytes.extend(std::iter::repeat_n(b'1', tail));
                        assert_eq!(
                            key.is_at(&bytes, pad),
                            naive(&bytes, pad),
                            "{:?} in {:?}",
                            String::from_utf8_lossy(name),
                            String::from_utf8_lossy(&bytes)
                        );
                    }
                }
            }
            assert!(!key.is_at(b"", 0) && !key.is_at(b"\"", 0) && !key.is_at(&exact, 1));
        }
    }

    /// A list held in place reads as serde reads it, in place or spilled.
    #[test]
    fn a_small_list_reads_as_serde_reads_it() {
        type Small = smallvec::SmallVec<[i64; 1]>;
        for text in [
            "[]",
            "[1]",
            "[1, 2]",
            "[1,2,3]",
            "[1,\"x\"]",
            "[1,]",
            "null",
            "{}",
        ] {
            let scanned = Small::scan(&mut Scanner::new(text.as_bytes())).ok();
            let by_serde = serde_json::from_str::<Small>(text).ok();
            assert_eq!(scanned, by_serde, "{text}");
            assert_eq!(
                scanned.as_ref().map(|s| s.spilled()),
                by_serde.as_ref().map(|s| s.len() > 1),
                "{text}"
            );
        }
    }

    #[test]
    fn objects_pass_keys_as_bytes_and_decline_escaped_keys() {
        let mut keys = Vec::new();
        let mut s = Scanner::new(br#" { "a" : 1 , "b":[true,false] ,"a":null } "#);
        s.object(|s, key| {
            keys.push(key.to_vec());
            s.skip()
        })
        .unwrap();
        s.end().unwrap();
        assert_eq!(keys, [b"a".to_vec(), b"b".to_vec(), b"a".to_vec()]);
        // `"\u0069d"` is `id` to serde: the scanner cannot compare it as bytes.
        let mut s = Scanner::new(br#"{"\u0069d": 1}"#);
        assert_eq!(s.object(|s, _| s.skip()), Err(Declined));
        let mut s = Scanner::new(br#"{"a": 1 "b": 2}"#);
        assert_eq!(s.object(|s, _| s.skip()), Err(Declined));
    }

    #[test]
    fn text_values_read_through_their_own_deserialize() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Stamp(#[serde(with = "time::serde::rfc3339")] time::OffsetDateTime);
        let read = |text: &[u8]| {
            from_text(&mut Scanner::new(text), |d| {
                time::serde::rfc3339::deserialize(d)
            })
        };
        let serde = |text: &[u8]| serde_json::from_slice::<Stamp>(text).map(|s| s.0).ok();
        for text in [
            &br#""2026-03-01T10:00:00Z""#[..],
            br#""2026-03-01T10:00:00+01:00""#,
            // Escaped, it is the same text.
            br#""2026-03-01T10:00:00\u005a""#,
        ] {
            assert_eq!(read(text).ok(), serde(text));
            assert!(serde(text).is_some());
        }
        assert_eq!(read(br#""yesterday""#), Err(Declined));
        assert_eq!(read(b"1772323200"), Err(Declined));
        let n: Option<Vec<i64>> = Scannable::scan(&mut Scanner::new(b"[1, -2]")).unwrap();
        assert_eq!(n, Some(vec![1, -2]));
        let n: Option<Vec<i64>> = Scannable::scan(&mut Scanner::new(b"null")).unwrap();
        assert_eq!(n, None);
    }

    /// A `Text` reads what a `String` reads, in place or not, escapes
    /// and all.
    #[test]
    fn a_text_reads_as_a_string_does() {
        use bookkeeping_core::text::{INLINE, Text};
        for json in [
            r#""Moms 25%""#,
            r#""Moms \"25\" \u00e4\n""#,
            r#""Kaffebryggare Moccamaster KBG Select""#,
            r#""\ud83d\ude00 en lång titel med escape \/""#,
            r#""""#,
        ] {
            let text: Text = from_slice(json.as_bytes()).unwrap();
            let string: String = serde_json::from_str(json).unwrap();
            assert_eq!(text, string, "{json}");
            assert_eq!(text.is_inline(), string.len() <= INLINE);
        }
        assert!(from_slice::<Text>(b"12").is_err());
    }

    /// An `IdText` (what the provider id newtypes hold) reads what a
    /// `String` reads, in place when the id fits, whether it is written
    /// with escapes (a bulk result's `gid:\/\/…`, decoded on the stack),
    /// longer than the stack's buffer, or not valid: a lone surrogate, a
    /// bad escape and a byte that is not UTF-8 are declined, as by `str`.
    #[test]
    fn an_id_reads_as_a_string_does_escapes_and_all() {
        use bookkeeping_core::text::{ID_INLINE, IdText};
        let long = format!(r#""gid:\/\/shopify\/{}\/1""#, r"\u00e4".repeat(40));
        for json in [
            r#""gid://shopify/Order/5512345678901""#,
            r#""gid:\/\/shopify\/OrderTransaction\/6543219876543""#,
            r#""gid:\/\/shopify\/LineItem\/1\u0031""#,
            r#""\ud83d\ude00\"\\\b\f\n\r\t""#,
            long.as_str(),
            r#""""#,
        ] {
            let id: IdText = from_slice(json.as_bytes()).unwrap();
            let string: String = serde_json::from_str(json).unwrap();
            assert_eq!(id, string, "{json}");
            assert_eq!(id.is_inline(), string.len() <= ID_INLINE, "{json}");
            let mut s = Scanner::new(json.as_bytes());
            assert_eq!(s.str_with(str::to_owned), Ok(string));
        }
        for bad in [&br#""\ud83d""#[..], br#""\x41""#, b"\"\xff\\/\"", b"12"] {
            assert!(from_slice::<IdText>(bad).is_err(), "{bad:?}");
            assert!(Scanner::new(bad).str().is_err(), "{bad:?}");
        }
    }

    /// A string reads the same whether all of the input is UTF-8 (a slice
    /// of the text checked once) or not (each string checked as it is
    /// read): a byte that is not UTF-8 in a skipped string leaves the
    /// strings read as they were, and one in a string read declines it.
    #[test]
    fn strings_read_the_same_whether_all_the_input_is_utf8_or_not() {
        let read = |text: &[u8]| -> Scan<Vec<String>> {
            let mut s = Scanner::new(text);
            let mut out = Vec::new();
            s.object(|s, key| match key {
                b"skip" => s.skip(),
                _ => {
                    out.push(s.str()?.into_owned());
                    Ok(())
                }
            })?;
            s.end()?;
            Ok(out)
        };
        let whole = "{\"a\":\"Åsa €\",\"skip\":\"x\",\"b\":\"gid://1\",\"c\":\"\"}".as_bytes();
        let broken: Vec<u8> = whole
            .iter()
            .map(|&b| if b == b'x' { 0xff } else { b })
            .collect();
        assert!(Scanner::new(whole).text.is_some());
        assert!(Scanner::new(&broken).text.is_none());
        let strings = Ok(vec![
            "Åsa €".to_owned(),
            "gid://1".to_owned(),
            String::new(),
        ]);
        assert_eq!(read(whole), strings);
        assert_eq!(read(&broken), strings);
        assert_eq!(read(b"{\"a\":\"\xff\"}"), Err(Declined));
        assert_eq!(read(b"{\"a\":\"\xc3\"}"), Err(Declined));
    }

    #[test]
    fn an_unknown_key_that_is_not_utf8_is_declined_where_serde_reads_keys_as_str() {
        #[derive(serde::Deserialize)]
        struct Derived {
            #[serde(rename = "a")]
            _a: i64,
        }
        let text = b"{\"a\": 1, \"\xff\": 2}";
        assert!(serde_json::from_slice::<Derived>(text).is_err());
        let mut s = Scanner::new(text);
        assert_eq!(s.object(|s, key| s.skip_field(key)), Err(Declined));
        let mut s = Scanner::new(text);
        assert_eq!(s.object(|s, _| s.skip()), Ok(()));
    }

    #[test]
    fn raw_is_the_value_as_serde_reads_it() {
        let mut s = Scanner::new(br#"{"r": 10.7169 , "s": {"x": [1, "]"]}}"#);
        let mut raws = Vec::new();
        s.object(|s, _| {
            raws.push(s.raw()?);
            Ok(())
        })
        .unwrap();
        assert_eq!(raws, [&b"10.7169"[..], br#"{"x": [1, "]"]}"#]);
    }
}
