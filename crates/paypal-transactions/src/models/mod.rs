//! The Transaction Search and Balances API as PayPal sends it (`Transaction Search` v1.9).
//!
//! Amounts decode straight into [`Money`](bookkeeping_core::Money) from PayPal's
//! `{currency_code, value}` with `value` a decimal string (never a float); dates accept
//! PayPal's offsets without a colon (`2026-01-12T10:15:02+0100`) as well as RFC 3339.
//! Fields that vary between accounts and API versions are `Option`s; values PayPal may
//! extend (status, reference id type, event code) keep what they do not know.

mod balance;
mod event;
pub(crate) mod serde_helpers;
mod transaction;

pub use balance::{BalanceDetail, BalancesResponse};
pub use event::{EventClass, EventCode};
pub use serde_helpers::{format_request_time, parse_datetime};
pub(crate) use transaction::SearchPage;
pub use transaction::{
    CartInfo, ItemDetail, PayerInfo, PayerName, Phone, ReferenceIdType, ShippingInfo, TaxAmount,
    TransactionDetail, TransactionInfo, TransactionStatus,
};
