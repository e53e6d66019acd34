//! [`Text`]: a provider's text, kept without an allocation when short.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use arrayvec::ArrayString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest text a [`Text`] holds in place.
pub const INLINE: usize = 22;

/// A provider's text (a tax's title, a product's name, a gateway's name),
/// held in place when it is at most [`INLINE`] bytes long and on the heap
/// otherwise.
///
/// Most of the texts an order carries are short (`"Moms 25%"`,
/// `"shopify_payments"`, `"#1042"`), and a month's decode used to allocate
/// and free one `String` for each. A `Text` reads like a `&str` (it derefs to
/// one) and compares, orders and hashes as its text, whichever way it is
/// held.
///
/// ```
/// use bookkeeping_core::text::Text;
///
/// let short = Text::from("Moms 25%");
/// let long = Text::from("Kaffebryggare Moccamaster KBG Select, polerad stål");
/// assert_eq!(short, "Moms 25%");
/// assert!(short.is_inline() && !long.is_inline());
/// assert!(long.starts_with("Kaffebryggare"));
/// assert_eq!(serde_json::to_string(&short)?, r#""Moms 25%""#);
/// let back: Text = serde_json::from_str(r#""Moms 25%""#)?;
/// assert_eq!(back, short);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline(ArrayString<INLINE>),
    Heap(Box<str>),
}

impl Text {
    /// `text`, in place if it fits.
    pub fn new(text: &str) -> Self {
        match ArrayString::from(text) {
            Ok(inline) => Text(Repr::Inline(inline)),
            Err(_) => Text(Repr::Heap(text.into())),
        }
    }

    /// The texts of `parts` joined, in place if they fit (without building
    /// a `String` first).
    ///
    /// ```
    /// use bookkeeping_core::text::Text;
    ///
    /// let joined = Text::concat(&["Varor", " ", "25%"]);
    /// assert_eq!(joined, "Varor 25%");
    /// assert!(joined.is_inline());
    /// assert_eq!(Text::concat(&["a"; 30]).len(), 30);
    /// ```
    pub fn concat(parts: &[&str]) -> Self {
        let mut inline = ArrayString::<INLINE>::new();
        for part in parts {
            if inline.try_push_str(part).is_err() {
                return Text(Repr::Heap(parts.concat().into_boxed_str()));
            }
        }
        Text(Repr::Inline(inline))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Heap(s) => s,
        }
    }

    /// Whether the text is held in place (at most [`INLINE`] bytes).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline(_))
    }
}

impl Default for Text {
    fn default() -> Self {
        Text(Repr::Inline(ArrayString::new()))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Text::new(&text)
        } else {
            Text(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        match text.0 {
            Repr::Inline(s) => s.as_str().to_owned(),
            Repr::Heap(s) => s.into_string(),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, |text| Ok::<_, std::convert::Infallible>(Text::new(text)))
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash(t: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn texts_up_to_the_limit_are_in_place_and_longer_ones_on_the_heap() {
        let at_limit = "x".repeat(INLINE);
        let over = "x".repeat(INLINE + 1);
        assert!(Text::new(&at_limit).is_inline());
        assert!(!Text::new(&over).is_inline());
        assert!(Text::from(at_limit.clone()).is_inline());
        assert!(!Text::from(over.clone()).is_inline());
        assert_eq!(Text::new(&over), over);
        assert_eq!(String::from(Text::new(&over)), over);
        assert_eq!(String::from(Text::new(&at_limit)), at_limit);
        assert!(Text::default().is_empty());
    }

    #[test]
    fn a_character_across_the_limit_goes_to_the_heap_whole() {
        // 21 ASCII bytes and a three-byte character: 24 bytes.
        let text = format!("{}€", "a".repeat(INLINE - 1));
        let t = Text::new(&text);
        assert!(!t.is_inline());
        assert_eq!(t.as_str(), text);
        let fits = format!("{}ö", "a".repeat(INLINE - 2));
        assert!(Text::new(&fits).is_inline());
        assert_eq!(Text::new(&fits), fits.as_str());
    }

    #[test]
    fn equal_texts_compare_order_and_hash_alike_however_held() {
        let texts = ["", "Moms", "Moms 25%", &"ä".repeat(20), &"z".repeat(40)];
        for a in texts {
            for b in texts {
                let (ta, tb) = (Text::new(a), Text::new(b));
                assert_eq!(ta == tb, a == b);
                assert_eq!(ta.cmp(&tb), a.cmp(b));
                assert_eq!(ta == b, a == b);
                assert_eq!(b == ta, a == b);
            }
            assert_eq!(hash(&Text::new(a)), hash(&a));
            assert_eq!(format!("{}", Text::new(a)), a);
            assert_eq!(format!("{:?}", Text::new(a)), format!("{a:?}"));
        }
    }

    #[test]
    fn serde_reads_and_writes_the_text() {
        for text in [
            "Moms 25%",
            "en \"citerad\" titel\nmed radbrytning som är lång",
        ] {
            let json = serde_json::to_string(&Text::new(text)).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            let back: Text = serde_json::from_str(&json).unwrap();
            assert_eq!(back, text);
        }
        assert!(serde_json::from_str::<Text>("42").is_err());
    }
}
