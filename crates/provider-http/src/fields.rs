//! Helpers for models decoded by hand on a hot path: map keys matched as bytes,
//! and struct fields read with the rules serde's derive applies.
//!
//! serde's derive reads every key of a struct as a `str`, and `serde_json`
//! validates each as UTF-8 before the derive compares it with the field names:
//! on pages of many small objects (Stripe balance transactions, Shopify money
//! bags) that validation is a tenth of the decoding. A model decoded by hand
//! reads its keys as [`FieldKey`]s instead, and its fields with
//! [`next_field`] and [`required_field`], so that it behaves as the derive
//! would: unknown keys skipped, a repeated key refused, a missing one named.
//!
//! ```
//! use provider_http::fields::{FieldKey, next_field, required_field};
//! use serde::de::{IgnoredAny, MapAccess, Visitor};
//! use serde::{Deserialize, Deserializer};
//!
//! #[derive(Debug, PartialEq)]
//! struct Fee {
//!     amount: i64,
//!     description: Option<String>,
//! }
//!
//! impl<'de> Deserialize<'de> for Fee {
//!     fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
//!         struct V;
//!         impl<'de> Visitor<'de> for V {
//!             type Value = Fee;
//!             fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!                 f.write_str("struct Fee")
//!             }
//!             fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fee, A::Error> {
//!                 let (mut amount, mut description) = (None, None);
//!                 while let Some(FieldKey(key)) = map.next_key()? {
//!                     match key.as_ref() {
//!                         b"amount" => next_field(&mut map, &mut amount, "amount")?,
//!                         b"description" => next_field(&mut map, &mut description, "description")?,
//!                         _ => {
//!                             map.next_value::<IgnoredAny>()?;
//!                         }
//!                     }
//!                 }
//!                 Ok(Fee {
//!                     amount: required_field(amount, "amount")?,
//!                     description: description.flatten(),
//!                 })
//!             }
//!         }
//!         d.deserialize_struct("Fee", &["amount", "description"], V)
//!     }
//! }
//!
//! let fee: Fee = serde_json::from_str(r#"{"amount": 5, "type": "stripe_fee"}"#).unwrap();
//! assert_eq!(fee, Fee { amount: 5, description: None });
//! let err = serde_json::from_str::<Fee>(r#"{"description": null}"#).unwrap_err();
//! assert!(err.to_string().starts_with("missing field `amount`"));
//! let err = serde_json::from_str::<Fee>(r#"{"amount": 1, "amount": 2}"#).unwrap_err();
//! assert!(err.to_string().starts_with("duplicate field `amount`"));
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A map key as its bytes, borrowed from the input when it can be.
///
/// Read as bytes, `serde_json` hands the key over without validating it as
/// UTF-8: it is only compared with a model's field names, which are ASCII,
/// so a key that is not UTF-8 matches none of them and is skipped, as any
/// unknown key is. Deserializers without bytes (a `serde_json::Value`) give
/// the key as a string, which is taken as its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldKey<'de>(pub Cow<'de, [u8]>);

impl<'de> Deserialize<'de> for FieldKey<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = FieldKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey(Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey(Cow::Owned(v.to_owned())))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_str<E>(self, v: &str) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey(Cow::Owned(v.as_bytes().to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey(Cow::Owned(v.into_bytes())))
            }
        }
        d.deserialize_bytes(KeyVisitor)
    }
}

/// Reads the value of field `name` into `slot`, refusing a repeated key as
/// serde's derive does (`duplicate field `name``).
///
/// # Errors
/// The value's own decoding error, or the duplicate.
pub fn next_field<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The value of a field the struct requires (`missing field `name`` when it
/// was not in the map).
///
/// # Errors
/// When the field was not read.
pub fn required_field<T, E: Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}
