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
//! [`fields!`](crate::fields!) writes such a `Deserialize` from the list of
//! fields, each with its key and what an absent key means:
//!
//! ```
//! #[derive(Debug, PartialEq)]
//! struct Fee {
//!     amount: i64,
//!     description: Option<String>,
//!     tags: Vec<String>,
//! }
//!
//! provider_http::fields! {
//!     Fee {
//!         amount: b"amount" => required,
//!         description: b"description" => optional,
//!         tags: b"tags" => default,
//!     }
//! }
//!
//! let fee: Fee = serde_json::from_str(r#"{"amount": 5, "type": "stripe_fee"}"#).unwrap();
//! assert_eq!(fee, Fee { amount: 5, description: None, tags: vec![] });
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

/// A field key's name, for error messages and serde's field list: the key's
/// bytes as text (field keys are ASCII; a key that is not UTF-8 fails the
/// build where [`fields!`](crate::fields!) evaluates it in a `const`).
#[doc(hidden)]
pub const fn key_name(key: &'static [u8]) -> &'static str {
    match std::str::from_utf8(key) {
        Ok(name) => name,
        Err(_) => panic!("a field key is UTF-8"),
    }
}

/// The keys of a model [`fields!`](crate::fields!) writes, in the order it
/// lists them.
///
/// List them in the order the provider writes them (for a GraphQL answer,
/// the order of the query's selection, in which GraphQL writes an object's
/// fields): the scanner then finds each key at once, where it lies
/// ([`Scanner::object_of`](crate::scan::Scanner::object_of)). Any order
/// reads the same, only slower.
///
/// ```
/// use provider_http::fields::Keys;
///
/// struct Fee {
///     amount: i64,
///     currency: String,
/// }
///
/// provider_http::fields! {
///     Fee {
///         amount: b"amount" => required,
///         currency: b"currency" => required,
///     }
/// }
///
/// assert_eq!(Fee::KEYS, [&b"amount"[..], b"currency"]);
/// ```
pub trait Keys {
    /// The keys, as the model lists them.
    const KEYS: &'static [&'static [u8]];
}

/// Writes a struct's `Deserialize` that reads its keys as [`FieldKey`]s (see
/// [the module](mod@crate::fields)), with the rules of serde's derive: unknown
/// keys skipped, a repeated key refused, a missing required one named, a
/// sequence refused.
///
/// Each field is `name: b"key" => how`, or `name: b"key" as Wrapper => how`
/// when the value is read through a newtype `Wrapper(T)` (for a
/// `deserialize_with` of its own), the field taking its `.0`. `how` says
/// what an absent key gives:
/// - `required`: the error `missing field`;
/// - `optional`: `None` (the field is an `Option`, and so is the value:
///   `null` is `None` too);
/// - `default`: the field type's `Default`.
///
/// The generated code is what one would write by hand: a `match` on the
/// keys' bytes, one `Option` slot per field. See the module for an example.
///
/// It also writes the struct's [`Scannable`](crate::scan::Scannable), the
/// reading of the JSON scanner by the same rules (a repeated key, a missing
/// required one or a value of the wrong type declined), so every field's
/// type (a `Wrapper`'s, where one is named) must be `Scannable` too, and
/// [`Keys`], the keys in the order listed: list them in the order the
/// provider writes them.
#[macro_export]
macro_rules! fields {
    ($ty:ident { $($field:ident : $key:literal $(as $wrap:ty)? => $how:ident),* $(,)? }) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct V;
                impl<'de> $crate::__serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(
                        &self,
                        f: &mut ::core::fmt::Formatter<'_>,
                    ) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("struct ", ::core::stringify!($ty)))
                    }
                    fn visit_map<A: $crate::__serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::core::result::Result<$ty, A::Error> {
                        $( let mut $field $(: ::core::option::Option<$wrap>)? = None; )*
                        while let Some($crate::fields::FieldKey(key)) =
                            map.next_key::<$crate::fields::FieldKey<'de>>()?
                        {
                            match key.as_ref() {
                                $(
                                    $key => $crate::fields::next_field(
                                        &mut map,
                                        &mut $field,
                                        const { $crate::fields::key_name($key) },
                                    )?,
                                )*
                                _ => {
                                    map.next_value::<$crate::__serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok($ty {
                            $( $field: $crate::__field_value!($how, $field, $key $(, $wrap)?), )*
                        })
                    }
                    fn visit_seq<A: $crate::__serde::de::SeqAccess<'de>>(
                        self,
                        _: A,
                    ) -> ::core::result::Result<$ty, A::Error> {
                        Err($crate::__serde::de::Error::invalid_type(
                            $crate::__serde::de::Unexpected::Seq,
                            &self,
                        ))
                    }
                }
                const FIELDS: &[&str] = &[$( $crate::fields::key_name($key) ),*];
                d.deserialize_struct(::core::stringify!($ty), FIELDS, V)
            }
        }

        impl $crate::fields::Keys for $ty {
            const KEYS: &'static [&'static [u8]] = &[$($key),*];
        }

        impl $crate::scan::Scannable for $ty {
            fn scan(
                s: &mut $crate::scan::Scanner<'_>,
            ) -> $crate::scan::Scan<Self> {
                $( let mut $field $(: ::core::option::Option<$wrap>)? = None; )*
                // Each key found by its index in the list (see `Keys`).
                const KEYS: &[$crate::scan::Key] = &[$($crate::scan::Key::new($key)),*];
                s.object_of(KEYS, |s, index, _| {
                    let mut at = 0usize;
                    $(
                        if index == at {
                            return $crate::scan::once(
                                &mut $field,
                                $crate::scan::Scannable::scan(s),
                            );
                        }
                        at += 1;
                    )*
                    let _ = at;
                    s.skip()
                })?;
                Ok($ty {
                    $( $field: $crate::__scanned_value!($how, $field $(, $wrap)?), )*
                })
            }
        }
    };
}

/// A field's value from its slot in the scanner's reading, as [`fields!`]
/// says: a missing required field is declined (serde refuses it).
#[doc(hidden)]
#[macro_export]
macro_rules! __scanned_value {
    (required, $slot:ident) => {
        $slot.ok_or($crate::scan::Declined)?
    };
    (required, $slot:ident, $wrap:ty) => {
        $slot.ok_or($crate::scan::Declined)?.0
    };
    (optional, $slot:ident) => {
        $slot.flatten()
    };
    (optional, $slot:ident, $wrap:ty) => {
        $slot.and_then(|wrapped: $wrap| wrapped.0)
    };
    (default, $slot:ident) => {
        $slot.unwrap_or_default()
    };
    (default, $slot:ident, $wrap:ty) => {
        $slot.map(|wrapped: $wrap| wrapped.0).unwrap_or_default()
    };
}

/// A field's value from its slot, as [`fields!`] says.
#[doc(hidden)]
#[macro_export]
macro_rules! __field_value {
    (required, $slot:ident, $key:literal) => {
        $crate::fields::required_field($slot, const { $crate::fields::key_name($key) })?
    };
    (required, $slot:ident, $key:literal, $wrap:ty) => {
        $crate::fields::required_field::<$wrap, _>($slot, const { $crate::fields::key_name($key) })?
            .0
    };
    (optional, $slot:ident, $key:literal) => {
        $slot.flatten()
    };
    (optional, $slot:ident, $key:literal, $wrap:ty) => {
        $slot.and_then(|wrapped: $wrap| wrapped.0)
    };
    (default, $slot:ident, $key:literal) => {
        $slot.unwrap_or_default()
    };
    (default, $slot:ident, $key:literal, $wrap:ty) => {
        $slot.map(|wrapped: $wrap| wrapped.0).unwrap_or_default()
    };
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Cents(#[serde(deserialize_with = "crate::decimal::number")] rust_decimal::Decimal);

    #[derive(Deserialize)]
    struct MaybeCents(
        #[serde(deserialize_with = "crate::decimal::option")] Option<rust_decimal::Decimal>,
    );

    impl crate::scan::Scannable for Cents {
        fn scan(s: &mut crate::scan::Scanner<'_>) -> crate::scan::Scan<Self> {
            crate::scan::with_serde(s)
        }
    }

    impl crate::scan::Scannable for MaybeCents {
        fn scan(s: &mut crate::scan::Scanner<'_>) -> crate::scan::Scan<Self> {
            crate::scan::with_serde(s)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Line {
        amount: rust_decimal::Decimal,
        rate: Option<rust_decimal::Decimal>,
        kind: String,
        note: Option<String>,
        tags: Vec<String>,
    }

    crate::fields! {
        Line {
            amount: b"amount" as Cents => required,
            rate: b"rate" as MaybeCents => optional,
            kind: b"type" => required,
            note: b"note" => optional,
            tags: b"tags" => default,
        }
    }

    /// The line as serde reads it; the scanner's reading is checked to be
    /// the same (or declined where serde refuses).
    fn line(json: &str) -> Result<Line, String> {
        let serde = serde_json::from_str(json).map_err(|e: serde_json::Error| e.to_string());
        let mut s = crate::scan::Scanner::new(json.as_bytes());
        let scanned =
            <Line as crate::scan::Scannable>::scan(&mut s).and_then(|line| s.end().map(|()| line));
        match (&scanned, &serde) {
            (Ok(scanned), Ok(read)) => assert_eq!(scanned, read, "{json}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{json}: scanned {scanned:?}, serde {serde:?}"),
        }
        serde
    }

    /// The scanner finds each key with one comparison when the keys come in
    /// the order listed; every other order, an unknown key anywhere, a
    /// repeated key, whitespace or an escaped key reads as serde reads it
    /// (or is declined where serde refuses).
    #[test]
    fn keys_read_alike_in_every_order() {
        use crate::fields::Keys;
        assert_eq!(
            Line::KEYS,
            [&b"amount"[..], b"rate", b"type", b"note", b"tags"]
        );
        let members = [
            r#""amount":1.5"#,
            r#""rate":0.25"#,
            r#""type":"fee""#,
            r#""note":"x""#,
            r#""tags":["a"]"#,
            r#""other":{"amount":2}"#,
        ];
        // Every order of every subset of three or more members.
        let mut read = 0;
        for mask in 0u32..64 {
            let chosen: Vec<&str> = (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| members[i])
                .collect();
            if chosen.len() < 3 {
                continue;
            }
            let mut order: Vec<usize> = (0..chosen.len()).collect();
            loop {
                let body: Vec<&str> = order.iter().map(|&i| chosen[i]).collect();
                let compact = line(&format!("{{{}}}", body.join(",")));
                // With whitespace: the same reading, key by key.
                let spaced = line(&format!("{{ {} }}", body.join(" , ")));
                assert_eq!(compact.as_ref().ok(), spaced.as_ref().ok());
                read += usize::from(compact.is_ok());
                // The next permutation (lexicographic).
                let Some(i) = (1..order.len()).rev().find(|&i| order[i - 1] < order[i]) else {
                    break;
                };
                let j = (i..order.len())
                    .rev()
                    .find(|&j| order[j] > order[i - 1])
                    .unwrap();
                order.swap(i - 1, j);
                order[i..].reverse();
            }
        }
        assert!(read > 100, "{read}");
        // Repeated, escaped and prefixed keys.
        line(r#"{"amount":1,"type":"a","amount":2}"#).unwrap_err();
        line(r#"{"amount":1,"type":"a","type":"b"}"#).unwrap_err();
        // An escaped key is declined by the scanner (it compares bytes),
        // for serde to read.
        let escaped = r#"{"amount":1,"t\u0079pe":"a"}"#;
        let scanned = <Line as crate::scan::Scannable>::scan(&mut crate::scan::Scanner::new(
            escaped.as_bytes(),
        ));
        assert_eq!(scanned, Err(crate::scan::Declined));
        assert_eq!(serde_json::from_str::<Line>(escaped).unwrap().kind, "a");
        let read = line(r#"{"amount":1,"typ":"b","type":"a","types":"c"}"#).unwrap();
        assert_eq!(read.kind, "a");
        let read = line(r#"{"amount":1,"type":"a","rat":9,"rate":0.5}"#).unwrap();
        assert_eq!(read.rate, Some(rust_decimal::Decimal::new(5, 1)));
    }

    #[test]
    fn fields_follow_the_rules_of_serdes_derive() {
        let read = line(r#"{"amount": 12.5, "type": "fee", "rate": null, "other": [1]}"#);
        assert_eq!(
            read,
            Ok(Line {
                amount: rust_decimal::Decimal::new(125, 1),
                rate: None,
                kind: "fee".into(),
                note: None,
                tags: vec![],
            })
        );
        let read =
            line(r#"{"amount": 1, "type": "fee", "rate": 0.25, "tags": ["a"], "note": "x"}"#)
                .unwrap();
        assert_eq!(read.rate, Some(rust_decimal::Decimal::new(25, 2)));
        assert_eq!(
            (read.tags, read.note),
            (vec!["a".to_owned()], Some("x".to_owned()))
        );

        let missing = line(r#"{"amount": 1}"#).unwrap_err();
        assert!(missing.starts_with("missing field `type`"), "{missing}");
        let repeated = line(r#"{"amount": 1, "type": "a", "type": "b"}"#).unwrap_err();
        assert!(repeated.starts_with("duplicate field `type`"), "{repeated}");
        let wrong = line(r#"{"amount": "x", "type": "a"}"#).unwrap_err();
        assert!(wrong.contains("line 1"), "{wrong}");
        let seq = line(r#"[1, "fee"]"#).unwrap_err();
        assert!(
            seq.starts_with("invalid type: sequence, expected struct Line"),
            "{seq}"
        );
    }
}
