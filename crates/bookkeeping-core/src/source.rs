//! Where a record came from: the provider and the provider's own object id.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A payment or sales provider that kassabok integrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Provider {
    /// Shopify: orders (the sales report) and Shopify Payments payouts.
    Shopify,
    /// Klarna: settlements (payouts) and Klarna's sales documents.
    Klarna,
    /// Stripe: payouts, balance transactions and Stripe Invoicing.
    Stripe,
    /// PayPal: the account's transactions, like a bank account.
    #[serde(rename = "paypal")]
    PayPal,
}

impl Provider {
    /// All integrated providers, in a stable order.
    pub const ALL: [Provider; 4] = [
        Provider::Shopify,
        Provider::Klarna,
        Provider::Stripe,
        Provider::PayPal,
    ];

    /// A lower-case name, e.g. `"paypal"`; stable, used in ids and texts.
    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Shopify => "shopify",
            Provider::Klarna => "klarna",
            Provider::Stripe => "stripe",
            Provider::PayPal => "paypal",
        }
    }

    /// The name as people write it, e.g. `"PayPal"`.
    pub fn display_name(&self) -> &'static str {
        match self {
            Provider::Shopify => "Shopify",
            Provider::Klarna => "Klarna",
            Provider::Stripe => "Stripe",
            Provider::PayPal => "PayPal",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pointer back to the provider object a record came from: the
/// verifikation's underlag. Stable across runs, so vouchers derived from the
/// same objects get the same ids.
///
/// Cheap to copy: the kind is usually a `&'static str` and the id is shared
/// ([`SourceId`]), so the reference a settlement line hands to each of its
/// fees, review items and the journal costs no allocation.
///
/// ```
/// use bookkeeping_core::{Provider, SourceRef};
///
/// let r = SourceRef::new(Provider::Stripe, "payout", "po_1OaB2c");
/// assert_eq!(r.to_string(), "stripe:payout:po_1OaB2c");
/// assert_eq!(r.kind, "payout");
/// assert_eq!(r.id, "po_1OaB2c");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceRef {
    /// The provider.
    pub provider: Provider,
    /// The kind of object, in the provider's own words (`"order"`, `"payout"`,
    /// `"balance_transaction"`, `"invoice"`, `"transaction"`…).
    pub kind: Cow<'static, str>,
    /// The provider's id of the object.
    pub id: SourceId,
}

impl SourceRef {
    /// A reference to `provider`'s object of `kind` with `id`.
    pub fn new(
        provider: Provider,
        kind: impl Into<Cow<'static, str>>,
        id: impl Into<SourceId>,
    ) -> Self {
        SourceRef {
            provider,
            kind: kind.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.provider, self.kind, self.id)
    }
}

/// A provider's id of an object, as a [`SourceRef`] holds it: immutable
/// text shared by every copy (cloning counts a reference, it does not copy
/// the text). Reads as a `&str` (it dereferences to one), compares with
/// strings, and is written and read in JSON as a plain string.
///
/// ```
/// use bookkeeping_core::SourceId;
///
/// let id = SourceId::from("txn_1");
/// let copy = id.clone();
/// assert_eq!(copy, "txn_1");
/// assert_eq!(copy.as_str(), "txn_1");
/// assert!(copy.starts_with("txn_"));
/// assert_eq!(serde_json::to_string(&id)?, r#""txn_1""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(Arc<str>);

impl SourceId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SourceId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SourceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SourceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SourceId {
    fn from(id: &str) -> Self {
        SourceId(Arc::from(id))
    }
}

impl From<&String> for SourceId {
    fn from(id: &String) -> Self {
        SourceId(Arc::from(id.as_str()))
    }
}

impl From<String> for SourceId {
    fn from(id: String) -> Self {
        SourceId(Arc::from(id))
    }
}

impl From<Arc<str>> for SourceId {
    fn from(id: Arc<str>) -> Self {
        SourceId(id)
    }
}

impl From<SourceId> for String {
    fn from(id: SourceId) -> Self {
        id.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for SourceId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SourceId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SourceId {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SourceId> for str {
    fn eq(&self, other: &SourceId) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SourceId> for &str {
    fn eq(&self, other: &SourceId) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SourceId> for String {
    fn eq(&self, other: &SourceId) -> bool {
        **self == *other.0
    }
}

impl Serialize for SourceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, |id| {
            Ok::<_, std::convert::Infallible>(SourceId(Arc::from(id)))
        })
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case (`SE`, `DE`).
///
/// ```
/// use bookkeeping_core::CountryCode;
///
/// let de: CountryCode = "de".parse()?;
/// assert!(de.is_eu());
/// assert!(!CountryCode::new("NO")?.is_eu());
/// assert!(CountryCode::SE.is_sweden());
/// # Ok::<(), bookkeeping_core::InvalidCountryCode>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

/// The text is not a two-letter country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid country code {0:?}")]
pub struct InvalidCountryCode(pub String);

/// EU member states (2026), by ISO code. Greece is `GR` in ISO and `EL` in VAT
/// numbers; both are accepted.
const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

impl CountryCode {
    /// Sweden.
    pub const SE: CountryCode = CountryCode(*b"SE");

    /// Parses a two-letter code, case-insensitively.
    ///
    /// # Errors
    /// [`InvalidCountryCode`] when the text is not two ASCII letters.
    pub fn new(code: &str) -> Result<Self, InvalidCountryCode> {
        Self::from_ascii(code.trim().as_bytes()).ok_or_else(|| InvalidCountryCode(code.to_owned()))
    }

    /// [`CountryCode::new`] of a code's bytes (not trimmed), for a reader
    /// that has the bytes (a JSON scanner): `None` when they are not two
    /// ASCII letters.
    ///
    /// ```
    /// use bookkeeping_core::CountryCode;
    ///
    /// assert_eq!(CountryCode::from_ascii(b"se"), Some(CountryCode::SE));
    /// assert_eq!(CountryCode::from_ascii(b" SE"), None);
    /// ```
    pub fn from_ascii(code: &[u8]) -> Option<Self> {
        match code {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(CountryCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    /// The upper-case code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Whether the country is an EU member state (Sweden included).
    pub fn is_eu(&self) -> bool {
        // As bytes: the code is its two letters (asked of every order).
        EU.iter().any(|code| code.as_bytes() == self.0)
    }

    /// Whether the country is Sweden.
    pub fn is_sweden(&self) -> bool {
        *self == CountryCode::SE
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CountryCode {
    type Err = InvalidCountryCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::new(s)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, CountryCode::new)
    }
}
