//! PayPal as a bank account: every transaction on the PayPal account, as
//! [`StatementLine`](bookkeeping_core::StatementLine)s per currency balance, with PayPal's
//! own balances at both ends of the period and a check that they reconcile.
//!
//! This crate does not book sales. Like a bank integration it brings home what moved on
//! the account — payments, fees, currency conversions, refunds, chargebacks, holds and
//! withdrawals to the bank — so the PayPal account can be booked and reconciled like a
//! bank account (the sale itself comes from the shop's own integration).
//!
//! - [`PayPalClient::builder`]: OAuth2 client credentials (`POST /v1/oauth2/token`), the
//!   token cached and refreshed before `expires_in`, a 401 triggers one refresh; live or
//!   sandbox; [`PayPalClientBuilder::base_url`] is the test hook.
//! - [`PayPalClient::transactions`] / [`PayPalClient::search`]: Transaction Search
//!   (`GET /v1/reporting/transactions`) in windows of at most 31 days, every page,
//!   `RESULTSET_TOO_LARGE` windows split in half, the end capped at
//!   `last_refreshed_datetime`.
//! - [`PayPalClient::balances`]: `GET /v1/reporting/balances` at a moment.
//! - [`PayPalClient::statement`] and the [`StatementSource`](bookkeeping_core::StatementSource)
//!   impl: a period as one [`Statement`](bookkeeping_core::Statement) per currency. The
//!   source (what a close reads) refuses a period PayPal has not published to its end
//!   ([`Error::NotYetPublished`]); `statement` gives the part there is, marked incomplete.
//! - [`normalize`]: transactions → lines (gross and fee separate), de-duplication,
//!   conversion pairs, the balance check.
//! - [`report`]: PayPal's activity CSV download into the same lines.
//!
//! # Example
//!
//! ```no_run
//! use bookkeeping_core::Period;
//! use paypal_transactions::PayPalClient;
//! use time::Month;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = PayPalClient::builder(
//!     std::env::var("PAYPAL_CLIENT_ID")?,
//!     std::env::var("PAYPAL_CLIENT_SECRET")?,
//! )
//! // .base_url(mock_server.uri())  // in tests
//! .build()?;
//! let batch = client.statement(&Period::month(2026, Month::January)?).await?;
//! for statement in &batch.statements {
//!     println!(
//!         "{}: {} lines, opening {:?}, closing {:?}",
//!         statement.currency,
//!         statement.lines.len(),
//!         statement.opening,
//!         statement.closing
//!     );
//! }
//! for item in &batch.review {
//!     println!("review: {item}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Choices, and what is not yet verified on a real account
//!
//! - Balances are reconciled against the **available** balance, the one the lines move:
//!   `total_balance` includes withheld money, and hold and release records (T15xx, T21xx,
//!   T1105, T1110/T1111) only move money between available and withheld, so a month with an
//!   open hold reconciles only on the available balance (see
//!   [`normalize::balances_by_currency`]). Hold lines are of class `Hold` and go to a
//!   reserve account. If a real account counts them differently, the balance check says
//!   so with a review item rather than hiding it.
//! - Nothing depends on a transaction's `ending_balance`: PayPal leaves it empty whenever
//!   optional query parameters are sent, and this crate always sends them.
//! - `end_date` is sent inclusive, one second before the window's end (PayPal's own
//!   examples end at `23:59:59`); repeats across windows or re-read pages are dropped by
//!   [`dedupe_transactions`] anyway.
//! - Pending (`P`) records are not booked (a review item says so); denied (`D`) records
//!   and authorizations (T13xx) move no money and give no lines.
//! - The sign of a refunded fee and the layout of conversion records (both sides pointing
//!   at the original payment, or at each other) come from community reports; both layouts
//!   are paired.
//! - The activity CSV reader needs the English headers (PayPal's Swedish headers are not
//!   documented anywhere public); numbers and dates may follow any locale.
//! - A currency missing from a balances answer counts as zero there: PayPal lists only the
//!   currencies the account holds.
//!
//! # Dependencies
//!
//! - `provider-http`: every request (retries, rate limit, OAuth2 token cache, errors).
//! - `bookkeeping-core`: the records this crate produces.
//! - `serde`, `serde_json`, `serde_path_to_error`: the API's JSON, decoded record by record
//!   so a bad record names its field and does not take the page with it.
//! - `rust_decimal` (through `Money`): amounts, never floats. `time`: dates and offsets.
//! - `csv`: the activity download. `secrecy`: the client secret. `thiserror`: errors.
//! - `futures`, `async-trait`: the transaction stream and the source trait.
//! - `tracing`: debug events when a window is split.
#![deny(missing_docs)]

mod client;
mod error;
pub mod ids;
pub mod models;
pub mod normalize;
pub mod report;
mod resources;
mod source;

pub use client::{Environment, PayPalClient, PayPalClientBuilder};
pub use error::{Error, TokenErrorCode};
pub use ids::{AccountId, TransactionId};
pub use normalize::{
    NormalizedTransaction, build_statements, dedupe_transactions, pair_conversions,
    statements_from_transactions, transaction_lines,
};
pub use report::{ActivityCsvOptions, ActivityReport, read_activity_csv};
pub use resources::{SearchItem, TransactionSearch};

/// The PayPal REST API version every path is under (`/v1/...`): the one constant that pins it.
pub const API_VERSION: &str = "v1";
/// The OAuth2 token endpoint.
pub const TOKEN_PATH: &str = "/v1/oauth2/token";
/// Transaction Search.
pub const TRANSACTIONS_PATH: &str = "/v1/reporting/transactions";
/// Balances.
pub const BALANCES_PATH: &str = "/v1/reporting/balances";
/// The longest window Transaction Search accepts, in days.
pub const MAX_WINDOW_DAYS: i64 = 31;
/// Items per page asked for (PayPal's maximum).
pub const PAGE_SIZE: u32 = 500;
