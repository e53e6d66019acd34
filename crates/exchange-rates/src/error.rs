//! [`RatesError`]: what can go wrong when asking a rate source.

use bookkeeping_core::Currency;
use provider_http::HttpError;
use time::Date;

use crate::RateSource;

/// An error from a rate source. `Display` is one lowercase line naming the
/// source, e.g. `riksbank: no XYZ series (SEKXYZPMI)`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RatesError {
    /// The request failed (transport, a status the retries could not fix,
    /// an undecodable body); the [`HttpError`] names the method and path.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The source publishes no rate for the currency.
    #[error("{origin}: no {currency} series ({series})")]
    UnknownCurrency {
        /// Which source.
        origin: RateSource,
        /// The currency asked for.
        currency: Currency,
        /// The series or code the source was asked for.
        series: String,
    },
    /// No rate published for the date within the look-back (or look-ahead,
    /// for the OSS rule) the source allows: a gap longer than any holiday, or
    /// a date the source has not published yet.
    #[error("{origin}: no {currency} rate published for {date} ({rule})")]
    NotPublished {
        /// Which source.
        origin: RateSource,
        /// The currency asked for.
        currency: Currency,
        /// The date asked for.
        date: Date,
        /// Which rule was applied (`last published on or before, up to 7 days`).
        rule: &'static str,
    },
    /// The answer had the wrong shape: a field that is not a date or a
    /// decimal, a document that is not the published format.
    #[error("{origin}: {path}: {message}")]
    Malformed {
        /// Which source.
        origin: RateSource,
        /// The request path.
        path: String,
        /// What is wrong, with the offending text.
        message: String,
    },
}
