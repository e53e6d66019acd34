//! The one serde reading of a text-valued type.

use std::fmt;

use serde::Deserializer;

/// A value read from a string by `read`, which is handed the string where
/// the input lies (`visit_str`, also for a borrowed one) instead of a
/// `Cow<str>`, which serde always fills with a `String`: no allocation per
/// currency, country code or short text read.
pub(crate) fn from_str_with<'de, D, T, E>(
    d: D,
    read: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    struct Visit<F>(F);
    impl<T, E: fmt::Display, F: FnOnce(&str) -> Result<T, E>> serde::de::Visitor<'_> for Visit<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<T, Er> {
            (self.0)(v).map_err(Er::custom)
        }
    }
    d.deserialize_str(Visit(read))
}
