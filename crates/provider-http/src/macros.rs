//! Model macros shared by the provider crates: [`provider_id!`](crate::provider_id) for id
//! newtypes and [`open_enum!`](crate::open_enum) for string enums that keep unknown values.
//!
//! The generated code names serde through [`__serde`](crate::__serde) and the standard
//! library through absolute paths, so it works from any crate.

/// Declares newtypes for a provider's object ids, so an order id can never be
/// passed where a payout id is expected.
///
/// Each holds its id as a [`bookkeeping_core::text::IdText`]: in place, without an
/// allocation, up to [`ID_INLINE`](bookkeeping_core::text::ID_INLINE) bytes (every id
/// the providers write), on the heap beyond.
///
/// Each type gets `new(impl AsRef<str>)`, `as_str()`, `into_string()`, `Display` (the id as it is), a
/// `Debug` such as `PayoutId("po_123")`, `From<&str>`, `From<String>`, `Clone`, `PartialEq`,
/// `Eq`, `Hash`, `PartialOrd`, `Ord`, and serde `Serialize`/`Deserialize` as a plain string
/// (transparent). The id is never checked: providers change their formats.
///
/// The first argument is the provider's name as the generated docs should say it ("as
/// Stripe wrote it"). Anything provider-specific (parsing a GID, say) goes into a separate
/// `impl` block next to the invocation.
///
/// # Example
///
/// ```
/// provider_http::provider_id! {
///     provider: "Stripe",
///     /// The id of a payout.
///     pub struct PayoutId;
///     /// The id of a charge.
///     pub struct ChargeId;
/// }
///
/// let id = PayoutId::new("po_123");
/// assert_eq!(id.as_str(), "po_123");
/// assert_eq!(id.to_string(), "po_123");
/// assert_eq!(format!("{id:?}"), r#"PayoutId("po_123")"#);
/// assert_eq!(serde_json::to_string(&id).unwrap(), r#""po_123""#);
/// let back: PayoutId = serde_json::from_str(r#""po_123""#).unwrap();
/// assert_eq!(back, id);
/// assert_eq!(ChargeId::from("ch_1"), ChargeId::from(String::from("ch_1")));
/// ```
#[macro_export]
macro_rules! provider_id {
    (
        provider: $provider:literal,
        $( $(#[$meta:meta])* $vis:vis struct $name:ident; )+
    ) => {
        $(
            $(#[$meta])*
            #[derive(
                ::core::clone::Clone,
                ::core::cmp::PartialEq,
                ::core::cmp::Eq,
                ::core::hash::Hash,
                ::core::cmp::PartialOrd,
                ::core::cmp::Ord,
            )]
            $vis struct $name($crate::__text::IdText);

            impl $name {
                #[doc = ::core::concat!("Wraps an id as ", $provider, " wrote it (not checked).")]
                pub fn new(id: impl ::core::convert::AsRef<str>) -> Self {
                    Self($crate::__text::IdText::new(id.as_ref()))
                }

                #[doc = ::core::concat!("The id as ", $provider, " wrote it.")]
                pub fn as_str(&self) -> &str {
                    self.0.as_str()
                }

                /// The id's text as a `String`.
                pub fn into_string(self) -> ::std::string::String {
                    ::std::string::String::from(self.0)
                }
            }

            impl ::core::fmt::Display for $name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::core::fmt::Debug for $name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::write!(f, "{}({:?})", ::core::stringify!($name), self.as_str())
                }
            }

            impl ::core::convert::From<&str> for $name {
                fn from(id: &str) -> Self {
                    Self($crate::__text::IdText::new(id))
                }
            }

            impl ::core::convert::From<::std::string::String> for $name {
                fn from(id: ::std::string::String) -> Self {
                    Self($crate::__text::IdText::from(id))
                }
            }

            impl $crate::__serde::Serialize for $name {
                fn serialize<S: $crate::__serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::core::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> $crate::__serde::Deserialize<'de> for $name {
                fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::core::result::Result<Self, D::Error> {
                    <$crate::__text::IdText as $crate::__serde::Deserialize<'de>>::deserialize(
                        deserializer,
                    )
                    .map(Self)
                }
            }

            impl $crate::scan::Scannable for $name {
                #[inline]
                fn scan(s: &mut $crate::scan::Scanner<'_>) -> $crate::scan::Scan<Self> {
                    <$crate::__text::IdText as $crate::scan::Scannable>::scan(s).map(Self)
                }
            }
        )+
    };
}

/// Declares open string enums: the values kassabok knows as variants, anything else as
/// `Unknown(String)`, so a value the provider adds tomorrow still decodes and is surfaced
/// for review instead of failing the whole response.
///
/// Each enum is `#[non_exhaustive]` and gets `as_str()` (the provider's spelling),
/// `is_unknown()`, `From<&str>`, `Display` (the provider's spelling), `Debug`, `Clone`,
/// `PartialEq`, `Eq`, `Hash`, serde `Serialize` as the provider's spelling and `Deserialize`
/// from any string (values are matched exactly, case included). `Unknown` keeps the text
/// as the provider wrote it and serializes back to it.
///
/// The first argument is the provider's name as the generated docs should say it ("kept
/// as Klarna wrote it").
///
/// # Example
///
/// ```
/// provider_http::open_enum! {
///     provider: "Stripe",
///     /// Where a payout is.
///     pub enum PayoutStatus {
///         /// Created, not yet submitted to the bank.
///         Pending => "pending",
///         /// Arrived.
///         Paid => "paid",
///     }
/// }
///
/// assert_eq!(PayoutStatus::from("paid"), PayoutStatus::Paid);
/// assert_eq!(PayoutStatus::Paid.as_str(), "paid");
/// assert_eq!(PayoutStatus::Paid.to_string(), "paid");
///
/// let new: PayoutStatus = serde_json::from_str(r#""held""#).unwrap();
/// assert_eq!(new, PayoutStatus::Unknown("held".to_owned()));
/// assert!(new.is_unknown());
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#""held""#);
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        provider: $provider:literal,
        $(
            $(#[$meta:meta])*
            $vis:vis enum $name:ident {
                $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),* $(,)?
            }
        )+
    ) => {
        $(
            $(#[$meta])*
            #[derive(
                ::core::fmt::Debug,
                ::core::clone::Clone,
                ::core::cmp::PartialEq,
                ::core::cmp::Eq,
                ::core::hash::Hash,
            )]
            #[non_exhaustive]
            $vis enum $name {
                $( $(#[$vmeta])* $variant, )*
                #[doc = ::core::concat!(
                    "A value kassabok does not know, kept as ", $provider,
                    " wrote it; surfaced for review, never dropped."
                )]
                Unknown(::std::string::String),
            }

            impl $name {
                #[doc = ::core::concat!("The value as ", $provider, " writes it.")]
                pub fn as_str(&self) -> &str {
                    match self {
                        $( Self::$variant => $text, )*
                        Self::Unknown(other) => other,
                    }
                }

                /// Whether the value is one kassabok does not know.
                pub fn is_unknown(&self) -> bool {
                    ::core::matches!(self, Self::Unknown(_))
                }
            }

            impl ::core::convert::From<&str> for $name {
                fn from(text: &str) -> Self {
                    match text {
                        $( $text => Self::$variant, )*
                        other => Self::Unknown(::std::string::String::from(other)),
                    }
                }
            }

            impl ::core::fmt::Display for $name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl $crate::__serde::Serialize for $name {
                fn serialize<S: $crate::__serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::core::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> $crate::__serde::Deserialize<'de> for $name {
                fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::core::result::Result<Self, D::Error> {
                    // A visitor, not `Cow<str>` (which serde always reads into a
                    // `String`): a known value costs no allocation.
                    struct Text;
                    impl $crate::__serde::de::Visitor<'_> for Text {
                        type Value = $name;
                        fn expecting(
                            &self,
                            f: &mut ::core::fmt::Formatter<'_>,
                        ) -> ::core::fmt::Result {
                            f.write_str("a string")
                        }
                        fn visit_str<E: $crate::__serde::de::Error>(
                            self,
                            v: &str,
                        ) -> ::core::result::Result<$name, E> {
                            ::core::result::Result::Ok(<$name as ::core::convert::From<&str>>::from(v))
                        }
                    }
                    deserializer.deserialize_str(Text)
                }
            }

            impl $crate::scan::Scannable for $name {
                #[inline]
                fn scan(s: &mut $crate::scan::Scanner<'_>) -> $crate::scan::Scan<Self> {
                    s.str().map(|text| <$name as ::core::convert::From<&str>>::from(&text))
                }
            }
        )+
    };
}

#[cfg(test)]
#[allow(unreachable_pub, dead_code)] // generated items are `pub` inside a private module
mod tests {
    use std::collections::HashSet;

    crate::provider_id! {
        provider: "Example",
        /// A test id.
        pub struct ThingId;
        /// Another test id.
        pub struct OtherId;
    }

    crate::open_enum! {
        provider: "Example",
        /// A test enum.
        pub enum Status {
            /// Open.
            Open => "open",
            /// Closed.
            Closed => "CLOSED",
        }
        /// A second enum in the same invocation, without variant docs or trailing comma.
        pub enum Kind {
            /// A sale.
            Sale => "sale"
        }
    }

    #[test]
    fn id_basics() {
        let id = ThingId::new("th_1");
        assert_eq!(id.as_str(), "th_1");
        assert_eq!(id.to_string(), "th_1");
        assert_eq!(format!("{id:?}"), r#"ThingId("th_1")"#);
        assert_eq!(format!("{id:#?}"), r#"ThingId("th_1")"#);
        assert_eq!(ThingId::from("th_1"), id);
        assert_eq!(ThingId::from(String::from("th_1")), id);
        assert!(ThingId::new("a") < ThingId::new("b"));
        let set: HashSet<_> = [id.clone(), id.clone()].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_eq!(format!("{:?}", OtherId::new("x\"y")), r#"OtherId("x\"y")"#);
    }

    #[test]
    fn id_serde_both_ways() {
        let id = ThingId::new("th_1");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""th_1""#);
        let back: ThingId = serde_json::from_str(r#""th_1""#).unwrap();
        assert_eq!(back, id);
        let escaped: ThingId = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(escaped.as_str(), "a\"b");
        assert!(serde_json::from_str::<ThingId>("12").is_err());
        assert!(serde_json::from_str::<ThingId>("null").is_err());
    }

    #[test]
    fn enum_known_values() {
        assert_eq!(Status::from("open"), Status::Open);
        assert_eq!(Status::from("CLOSED"), Status::Closed);
        assert_eq!(Status::Closed.as_str(), "CLOSED");
        assert_eq!(Status::Closed.to_string(), "CLOSED");
        assert_eq!(format!("{:?}", Status::Open), "Open");
        assert!(!Status::Open.is_unknown());
        assert_eq!(Kind::from("sale"), Kind::Sale);
    }

    #[test]
    fn enum_matching_is_exact() {
        assert_eq!(Status::from("OPEN"), Status::Unknown("OPEN".to_owned()));
        assert_eq!(Status::from("closed"), Status::Unknown("closed".to_owned()));
        assert_eq!(Status::from(""), Status::Unknown(String::new()));
    }

    #[test]
    fn enum_unknown_round_trip() {
        let unknown = Status::from("half_open");
        assert!(unknown.is_unknown());
        assert_eq!(unknown.as_str(), "half_open");
        assert_eq!(unknown.to_string(), "half_open");
        assert_eq!(format!("{unknown:?}"), r#"Unknown("half_open")"#);
        let json = serde_json::to_string(&unknown).unwrap();
        assert_eq!(json, r#""half_open""#);
        let back: Status = serde_json::from_str(&json).unwrap();
        assert_eq!(back, unknown);
    }

    #[test]
    fn enum_serde_both_ways() {
        assert_eq!(
            serde_json::to_string(&Status::Closed).unwrap(),
            r#""CLOSED""#
        );
        let open: Status = serde_json::from_str(r#""open""#).unwrap();
        assert_eq!(open, Status::Open);
        let escaped: Status = serde_json::from_str(r#""op\u0065n""#).unwrap();
        assert_eq!(escaped, Status::Open);
        let list: Vec<Status> = serde_json::from_str(r#"["open", "new"]"#).unwrap();
        assert_eq!(list, [Status::Open, Status::Unknown("new".to_owned())]);
        assert!(serde_json::from_str::<Status>("1").is_err());
        assert!(serde_json::from_str::<Status>("null").is_err());
    }
}
