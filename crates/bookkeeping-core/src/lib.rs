//! The normalized records of kassabok: what a shop sold, how it was paid, and
//! how the money reached the bank, independent of the provider it came from.
//!
//! Provider crates (`shopify-bookkeeping`, `klarna-settlements`, `stripe-invoicing`,
//! `paypal-transactions`) turn their APIs into these types; `journal-mapping`
//! turns them into Swedish vouchers. This crate does no I/O.
//!
//! - [`Money`] and [`Currency`]: `Decimal` amounts with an ISO 4217 currency,
//!   checked arithmetic, minor units by exponent, exact allocation.
//! - [`Sale`] and [`Refund`] with [`SaleLine`]s by VAT rate and [`TaxTreatment`].
//! - [`Payout`] with [`SettlementLine`]s and [`Fee`]s.
//! - [`Statement`] and [`StatementLine`] for bank-like accounts (PayPal).
//! - [`ReviewItem`]: what must not be guessed.
//! - [`Period`]: Stockholm dates ↔ UTC instants.
//! - [`SalesSource`], [`PayoutSource`], [`StatementSource`]: the traits every
//!   provider client implements.
//!
//! ```
//! use bookkeeping_core::{Currency, Money, Period};
//! use rust_decimal::Decimal;
//! use time::Month;
//!
//! let period = Period::month(2026, Month::March)?;
//! let fee = Money::from_minor_units(-3_125, Currency::SEK)?;
//! let parts = fee.allocate(&[Decimal::from(2), Decimal::from(1)])?;
//! assert_eq!(parts[0].checked_add(&parts[1])?, fee);
//! assert_eq!(period.days(), 31);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `rust_decimal` (money, never floats), `time` and `time-tz`
//! (the Europe/Stockholm zone from the tz database, so DST is never hand-coded),
//! `serde` (hosts store and forward the records), `thiserror`, and `futures` /
//! `async-trait` for the source traits.
#![deny(missing_docs)]

pub mod bounds;
mod currency;
mod de;
mod error;
mod money;
mod payout;
mod period;
mod review;
mod sale;
mod source;
mod sources;
mod statement;
pub mod text;

pub use currency::Currency;
pub use error::MoneyError;
pub use money::{Money, Rounding};
pub use payout::{
    BalanceLine, DisputeLost, Fee, FeeKind, Payout, PayoutStatus, SettlementKind, SettlementLine,
};
pub use period::{Period, PeriodError, stockholm, stockholm_date, stockholm_midnight};
pub use review::{ReviewItem, ReviewReason};
pub use sale::{
    Customer, EuConsumerVat, LineKind, Payment, PaymentChannel, Refund, Sale, SaleLine,
    TaxTreatment, VatRate,
};
pub use source::{CountryCode, InvalidCountryCode, Provider, SourceId, SourceRef};
pub use sources::{
    PayoutRecord, PayoutSource, RecordStream, SalesRecord, SalesSource, Source, SourceError,
    SourceErrorKind, StatementBatch, StatementSource,
};
pub use statement::{Statement, StatementClass, StatementLine};
