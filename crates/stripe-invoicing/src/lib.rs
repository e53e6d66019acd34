//! `stripe-invoicing`: Stripe payouts, the balance transactions behind them,
//! and Stripe Invoicing sales, normalized into kassabok's
//! [`bookkeeping_core`] records.
//!
//! - [`StripeClient::builder`] — bearer authentication with a secret or
//!   restricted key, `Stripe-Version` pinned to [`API_VERSION`], optional
//!   `Stripe-Account` (Connect), retries honouring `Retry-After` and
//!   `Stripe-Should-Retry`, a rate limit below Stripe's read limits, and
//!   [`base_url`](StripeClientBuilder::base_url) as the test hook. All HTTP
//!   goes through `provider-http`.
//! - [`models`] — payouts, balance transactions, charges, refunds, disputes,
//!   invoices, invoice payments, credit notes and tax rates as Stripe sends
//!   them; unknown enum values decode into `Unknown(String)`.
//! - list endpoints as streams on [`StripeClient`] ([`ListStream`], [`TimeRange`]) (`limit=100`,
//!   `starting_after`), each object decoded on its own so one malformed
//!   object becomes a review item and the rest still come through.
//! - [`normalize`] — into [`Payout`](bookkeeping_core::Payout)s with
//!   settlement lines and fees, and [`Sale`](bookkeeping_core::Sale)s and
//!   [`Refund`](bookkeeping_core::Refund)s with VAT per line.
//! - [`disputes`] — lost disputes, dated by their `charge.dispute.closed`
//!   event from the Events API and from the host's stored webhook events
//!   ([`DisputeDecisions`]).
//! - [`amount`] — minor units by Stripe's exponent per currency.
//! - [`StripeSource`] — the client as a
//!   [`PayoutSource`](bookkeeping_core::PayoutSource) and
//!   [`SalesSource`](bookkeeping_core::SalesSource) with the host's
//!   bookkeeping choices ([`SourceOptions`]: which invoices, how far back,
//!   goods or services); the client carries transport only and is itself a
//!   source with the default options.
//!
//! ```no_run
//! use bookkeeping_core::{PayoutRecord, PayoutSource, Period};
//! use futures::TryStreamExt;
//! use stripe_invoicing::StripeClient;
//! use time::Month;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = StripeClient::builder(std::env::var("STRIPE_SECRET_KEY")?)
//!     // .base_url(mock_server.uri())  // in tests
//!     .build()?;
//! let period = Period::month(2026, Month::March)?;
//! let records: Vec<PayoutRecord> = client.payouts(&period).try_collect().await?;
//! for record in &records {
//!     if let PayoutRecord::Payout(payout) = record {
//!         println!("{} {} ({} lines)", payout.source.id, payout.amount, payout.lines.len());
//!         assert!(payout.unexplained()?.is_zero());
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Dependencies
//!
//! `provider-http` (the one HTTP layer), `bookkeeping-core` (the records),
//! `serde`/`serde_json` (the API's JSON), `serde_path_to_error` (the field
//! path of an object that fails to decode), `rust_decimal` (money, exchange
//! rates and tax percentages, never floats), `time` (Stripe's unix
//! timestamps), `secrecy` (the key), `futures` and `async-trait` (streams,
//! source traits), `thiserror` (errors), `tracing`.
#![deny(missing_docs)]

pub mod amount;
mod client;
pub mod disputes;
mod error;
pub mod ids;
pub mod models;
pub mod normalize;
mod numbering;
mod resources;
mod retry;
mod source;

pub use client::{
    API_VERSION, DEFAULT_BASE_URL, LIVE_RATE_LIMIT, StripeClient, StripeClientBuilder,
    TEST_RATE_LIMIT,
};
pub use disputes::DisputeDecisions;
pub use error::Error;
pub use ids::{
    BalanceTransactionId, ChargeId, CreditNoteId, CreditNoteLineItemId, CustomerId, DisputeId,
    EventId, InvoiceId, InvoiceLineItemId, InvoicePaymentId, PaymentIntentId, PayoutId, RefundId,
    TaxRateId,
};
pub use resources::{ListPage, ListStream, PAGE_SIZE, StripeObject, TimeRange};
pub use retry::StripeClassifier;
pub use source::{SourceOptions, StripeSource};
/// The old name of [`Error`]: every client's error type is called `Error`.
#[deprecated(
    since = "0.1.0",
    note = "renamed to `Error`, as in the other provider clients"
)]
pub type StripeError = Error;
pub use provider_http::{Listed, Malformed};
pub use provider_http::{RateLimit, RetryPolicy, SecretString};
