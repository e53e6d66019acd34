//! [`Text`] and [`IdText`]: a provider's text, kept without an allocation
//! when short.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use arrayvec::ArrayString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest text a [`Text`] holds in place.
pub const INLINE: usize = 22;

/// The longest id an [`IdText`] holds in place: every id the four providers
/// write is shorter (a Shopify GID such as
/// `gid://shopify/OrderTransaction/6543219876543` is 44 bytes, a Stripe id
/// about 28, a Klarna UUID 36).
pub const ID_INLINE: usize = 48;

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
pub type Text = ShortText<INLINE>;

/// A provider's id (a GID, a Stripe or PayPal id, a Klarna UUID), held in
/// place when it is at most [`ID_INLINE`] bytes long, as every id the
/// providers write today is: the id newtypes of the provider crates hold
/// one, so decoding an order's ids allocates nothing (a `String` each was a
/// third of a Shopify order's allocations). It is a [`Text`] with more room
/// (56 bytes against a `String`'s 24).
///
/// ```
/// use bookkeeping_core::text::IdText;
///
/// let id = IdText::from("gid://shopify/OrderTransaction/6543219876543");
/// assert!(id.is_inline());
/// assert_eq!(id, "gid://shopify/OrderTransaction/6543219876543");
/// assert!(!IdText::from("x".repeat(49)).is_inline());
/// ```
pub type IdText = ShortText<ID_INLINE>;

/// A text held in place when it is at most `N` bytes long and on the heap
/// otherwise: [`Text`] and [`IdText`] are its two sizes. It reads like a
/// `&str` (it derefs to one) and compares, orders and hashes as its text,
/// whichever way it is held.
#[derive(Clone)]
pub struct ShortText<const N: usize>(Repr<N>);

#[derive(Clone)]
enum Repr<const N: usize> {
    Inline(ArrayString<N>),
    Heap(Box<str>),
}

impl<const N: usize> ShortText<N> {
    /// `text`, in place if it fits.
    pub fn new(text: &str) -> Self {
        match ArrayString::from(text) {
            Ok(inline) => ShortText(Repr::Inline(inline)),
            Err(_) => ShortText(Repr::Heap(text.into())),
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
        let mut inline = ArrayString::<N>::new();
        for part in parts {
            if inline.try_push_str(part).is_err() {
                return ShortText(Repr::Heap(parts.concat().into_boxed_str()));
            }
        }
        ShortText(Repr::Inline(inline))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Heap(s) => s,
        }
    }

    /// Whether the text is held in place (at most `N` bytes).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline(_))
    }
}

impl<const N: usize> Default for ShortText<N> {
    fn default() -> Self {
        ShortText(Repr::Inline(ArrayString::new()))
    }
}

impl<const N: usize> Deref for ShortText<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> AsRef<str> for ShortText<N> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> Borrow<str> for ShortText<N> {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> From<&str> for ShortText<N> {
    fn from(text: &str) -> Self {
        ShortText::new(text)
    }
}

impl<const N: usize> From<String> for ShortText<N> {
    fn from(text: String) -> Self {
        if text.len() <= N {
            ShortText::new(&text)
        } else {
            ShortText(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl<const N: usize> From<ShortText<N>> for String {
    fn from(text: ShortText<N>) -> Self {
        match text.0 {
            Repr::Inline(s) => s.as_str().to_owned(),
            Repr::Heap(s) => s.into_string(),
        }
    }
}

impl<const N: usize> PartialEq for ShortText<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for ShortText<N> {}

impl<const N: usize> PartialEq<str> for ShortText<N> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for ShortText<N> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<const N: usize> PartialEq<String> for ShortText<N> {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> PartialOrd for ShortText<N> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<const N: usize> Ord for ShortText<N> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<const N: usize> Hash for ShortText<N> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl<const N: usize> fmt::Debug for ShortText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for ShortText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> Serialize for ShortText<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, const N: usize> Deserialize<'de> for ShortText<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, |text| {
            Ok::<_, std::convert::Infallible>(ShortText::new(text))
        })
    }
}

impl<const N: usize> PartialEq<ShortText<N>> for str {
    fn eq(&self, other: &ShortText<N>) -> bool {
        self == other.as_str()
    }
}

impl<const N: usize> PartialEq<ShortText<N>> for &str {
    fn eq(&self, other: &ShortText<N>) -> bool {
        *self == other.as_str()
    }
}

impl<const N: usize> PartialEq<ShortText<N>> for String {
    fn eq(&self, other: &ShortText<N>) -> bool {
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
    fn ids_up_to_their_limit_are_in_place_and_compare_as_their_text() {
        let at_limit = "9".repeat(ID_INLINE);
        let over = "9".repeat(ID_INLINE + 1);
        assert!(IdText::new(&at_limit).is_inline());
        assert!(IdText::from(at_limit.clone()).is_inline());
        assert!(!IdText::new(&over).is_inline());
        assert!(!IdText::from(over.clone()).is_inline());
        assert_eq!(String::from(IdText::new(&over)), over);
        for gid in [
            "gid://shopify/Order/5512345678901",
            "gid://shopify/OrderTransaction/6543219876543",
            "gid://shopify/LineItem/13632125403467",
            "txn_1MiN3gLkdIwHu7ixxapQrznl",
            "0b1d9815-165e-42e2-8867-35bc03789e00",
        ] {
            let id = IdText::new(gid);
            assert!(id.is_inline(), "{gid}");
            assert_eq!(id, gid);
            assert_eq!(hash(&id), hash(&gid));
            assert_eq!(format!("{id:?}"), format!("{gid:?}"));
            let back: IdText = serde_json::from_str(&serde_json::to_string(&id).unwrap()).unwrap();
            assert_eq!(back, id);
        }
        // The room an id takes in a model, against a `String`'s 24 bytes.
        assert_eq!(std::mem::size_of::<IdText>(), 56);
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
