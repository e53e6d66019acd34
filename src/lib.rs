//! # kassabok
//!
//! Turns what a shop sells and gets paid through Shopify, Klarna, Stripe and
//! PayPal into correct Swedish bookkeeping: balanced vouchers (verifikationer)
//! on the BAS chart of accounts, a reconciliation of every payout against the
//! bank, the items an accountant must review, a coverage report of what still
//! needs a separate report, and an SIE 4I file any Swedish accounting program
//! imports.
//!
//! This crate is the facade: it re-exports the workspace's crates behind
//! features (all on by default), so a host adds one dependency.
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`core`] | `bookkeeping-core` | normalized `Sale`, `Refund`, `Payout`, `Fee`, `StatementLine`, `Money`, `Period` and the source traits |
//! | [`http`] | `provider-http` | the one HTTP layer: retries, rate limits, pagination, redacted secrets |
//! | [`mapping`] | `journal-mapping` | `Chart`, `Policy`, `ExchangeRates` → `Journal` (vouchers, reconciliation, review, coverage) |
//! | [`rates`] | `exchange-rates` | the Riksbank's daily rates (the default for booking) and the ECB's reference rates (the OSS return) |
//! | [`reports`] | `vat-reports` | the OSS return and the EC sales list (periodisk sammanställning, SKV 574008 file) |
//! | [`shopify`] | `shopify-bookkeeping` | orders (the sales report) and Shopify Payments payouts (feature `shopify`) |
//! | [`klarna`] | `klarna-settlements` | Klarna payouts, transactions and reports (feature `klarna`) |
//! | [`stripe`] | `stripe-invoicing` | Stripe payouts, balance transactions and invoices (feature `stripe`) |
//! | [`paypal`] | `paypal-transactions` | every PayPal transaction, like a bank account (feature `paypal`) |
//! | [`sie`] | `sie-file` | SIE 4 writer and reader (feature `sie`) |
//! | [`ledger`] | `voucher-ledger` | exactly-once export, corrections as new vouchers, resumable runs; SQLite or PostgreSQL (feature `ledger`) |
//!
//! A host closes a month with [`Close`]: each provider client goes in once,
//! its records stream into the [`Journal`](mapping::Journal), and the journal
//! is written as SIE 4I (the README's example, compiled as a test):
//!
//! ```no_run
//! use kassabok::stripe::StripeClient;
//! use kassabok::{Close, Month, Period};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let stripe = StripeClient::builder("sk_live_…").build()?;
//! let closed = Close::new(Period::month(2026, Month::March)?).source(stripe).run().await?;
//! println!("{} vouchers, {:?} records", closed.journal.vouchers.len(), closed.records);
//! # Ok(()) }
//! ```
//!
//! The main example, `cargo run --example month_close`, runs a whole month
//! close against a built-in sandbox when no provider credentials are set.
//!
//! ```
//! use kassabok::core::{Currency, Money, Period};
//! use time::Month;
//!
//! let march = Period::month(2026, Month::March)?;
//! let fee = Money::from_minor_units(-1_234, Currency::SEK)?;
//! assert_eq!(fee.to_string(), "-12.34 SEK");
//! assert_eq!(march.days(), 31);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// The table links each provider module; with its feature off, to the crate on docs.rs.
#![cfg_attr(feature = "shopify", doc = "[`shopify`]: crate::shopify")]
#![cfg_attr(
    not(feature = "shopify"),
    doc = "[`shopify`]: https://docs.rs/shopify-bookkeeping"
)]
#![cfg_attr(feature = "klarna", doc = "[`klarna`]: crate::klarna")]
#![cfg_attr(
    not(feature = "klarna"),
    doc = "[`klarna`]: https://docs.rs/klarna-settlements"
)]
#![cfg_attr(feature = "stripe", doc = "[`stripe`]: crate::stripe")]
#![cfg_attr(
    not(feature = "stripe"),
    doc = "[`stripe`]: https://docs.rs/stripe-invoicing"
)]
#![cfg_attr(feature = "paypal", doc = "[`paypal`]: crate::paypal")]
#![cfg_attr(
    not(feature = "paypal"),
    doc = "[`paypal`]: https://docs.rs/paypal-transactions"
)]
#![cfg_attr(feature = "sie", doc = "[`sie`]: crate::sie")]
#![cfg_attr(not(feature = "sie"), doc = "[`sie`]: https://docs.rs/sie-file")]
#![cfg_attr(feature = "ledger", doc = "[`ledger`]: crate::ledger")]
#![cfg_attr(
    not(feature = "ledger"),
    doc = "[`ledger`]: https://docs.rs/voucher-ledger"
)]
#![deny(missing_docs)]
// On docs.rs, each feature-gated item carries a badge naming the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod close;

// The README's Rust blocks (the host example) compile as doctests, so the
// README cannot drift from the API.
#[cfg(all(doctest, feature = "stripe", feature = "sie"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub mod deadline;
pub mod output;

pub use bookkeeping_core as core;
pub use bookkeeping_core::{Money, Period, Provider};
pub use close::{Close, Closed};
pub use exchange_rates as rates;
pub use journal_mapping as mapping;
pub use provider_http as http;
/// The `time` crate kassabok's dates come from ([`Period`] is made of its
/// `Date`s), so a host uses the same version.
pub use time;
pub use time::{Date, Month};
pub use vat_reports as reports;

#[cfg(feature = "klarna")]
pub use klarna_settlements as klarna;
#[cfg(feature = "paypal")]
pub use paypal_transactions as paypal;
#[cfg(feature = "shopify")]
pub use shopify_bookkeeping as shopify;
#[cfg(feature = "sie")]
pub use sie_file as sie;
#[cfg(feature = "stripe")]
pub use stripe_invoicing as stripe;
#[cfg(feature = "ledger")]
pub use voucher_ledger as ledger;
