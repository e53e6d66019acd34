//! `klarna-settlements`: Klarna's Settlements API v1 and settlement CSV
//! reports, normalized for Swedish bookkeeping.
//!
//! Klarna pays a merchant in payouts; each payout has totals (sales,
//! returns, fees, VAT on fees, holdback…) and the transactions behind them.
//! This crate
//!
//! - talks to the API with [`KlarnaClient`] (HTTP Basic with a username and
//!   password or an API key, EU/NA/OC regions, live or playground, Klarna's
//!   per-merchant rate limit, retries honouring `Retry-After`);
//! - lists payouts, their transactions and the payout summary
//!   ([`KlarnaClient::list_payouts`], [`KlarnaClient::list_transactions`],
//!   [`KlarnaClient::payout_summary`]), decoding every object on its own so a
//!   malformed one becomes a review item and the rest still come through;
//! - reads the payout-with-transactions CSV report by column name
//!   ([`report::parse_payout_report`], [`KlarnaClient::payout_report`]), the
//!   period report split per payout ([`report::parse_payouts_report`],
//!   [`KlarnaClient::payouts_report`]) and Klarna's sales documents
//!   ([`report::parse_sales_report`]);
//! - normalizes into bookkeeping-core ([`normalize::normalize_payout`]): a
//!   [`Payout`](bookkeeping_core::Payout) whose lines sum to
//!   `settlement_amount` to the öre, or a review item naming the totals that
//!   disagree; and implements [`PayoutSource`](bookkeeping_core::PayoutSource)
//!   on the client and [`SalesSource`](bookkeeping_core::SalesSource) on a
//!   sales report.
//!
//! Sales VAT is not in Klarna's settlement data: a sale appears as a `SALE`
//! transaction with the shop's order number in `merchant_reference1`. Sales
//! documents come from the shop's own report (Shopify) unless Klarna's sales
//! report with VAT is given; [`normalize::expected_sales`] lists what must be
//! matched.
//!
//! ```no_run
//! use bookkeeping_core::{PayoutRecord, PayoutSource, Period};
//! use futures::TryStreamExt;
//! use klarna_settlements::{Credentials, KlarnaClient, Region};
//! use time::Month;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = KlarnaClient::builder(Credentials::basic("a1b2c3d4-user", "klarna_live_api_…"))
//!     .region(Region::Eu)
//!     // .base_url(mock_server.uri())  // in tests
//!     .build()?;
//! let period = Period::month(2026, Month::March)?;
//! let records: Vec<PayoutRecord> = client.payouts(&period).try_collect().await?;
//! for record in &records {
//!     match record {
//!         PayoutRecord::Payout(p) => println!("{} {}", p.source.id, p.amount),
//!         PayoutRecord::Review(r) => println!("review: {r}"),
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Dependencies: `provider-http` (every request), `bookkeeping-core` (the
//! normalized records), `serde`/`serde_json`/`serde_path_to_error` (decoding
//! with field paths), `csv` (the reports; quoting and embedded delimiters are
//! not worth hand-writing), `rust_decimal` (CSV amounts, never floats),
//! `time`, `secrecy`, `thiserror`, `futures`, `async-trait`, `tracing`.
#![deny(missing_docs)]

mod client;
pub mod disputes;
mod error;
pub mod ids;
mod listed;
pub mod models;
pub mod normalize;
pub mod report;
mod resources;
mod source;

pub use client::{
    API_VERSION, Credentials, Environment, KlarnaClient, KlarnaClientBuilder, MAX_PAGE_SIZE, Region,
};
pub use error::Error;
pub use ids::{CaptureId, MerchantId, OrderId, PaymentReference, RefundId};
pub use provider_http::{Listed, Malformed};
pub use resources::{PayoutQuery, TransactionQuery};
