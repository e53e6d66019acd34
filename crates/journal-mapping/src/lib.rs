//! `journal-mapping`: from kassabok's normalized records (sales, refunds,
//! payouts, fees, PayPal statements) to balanced Swedish vouchers on the BAS
//! chart, with a reconciliation of every payout, the items an accountant must
//! review, and a coverage report of what is still missing.
//!
//! - [`Chart`]: the account of every [`Role`], BAS defaults, overridable per
//!   role, provider, currency and country; [`Chart::bas2026`] makes the card
//!   receivable (1580 / 1686) a setting.
//! - [`Policy`]: granularity, fee VAT class per provider and fee kind,
//!   disputes, faktureringsmetod / kontantmetod, series, text limit.
//! - [`VatTable`]: date-effective VAT rates (food 12 % → 6 % from 2026-04-01).
//! - [`ExchangeRates`]: SEK rates supplied by the host ([`FixedRates`] for tests).
//! - [`Mapper`] (streaming: `add_sale`, `add_refund`, `add_payout`,
//!   `add_statement`, `add_fee`, `add_dispute_lost`, `add_review`, or the
//!   records of the source traits with `add_sales_record`,
//!   `add_payout_record`, `add_statement_batch`) and [`map`] (all at once)
//!   produce a [`Journal`]:
//!   [`Voucher`]s with deterministic ids, [`PayoutReconciliation`]s, review
//!   items and the [`Coverage`] report; [`Journal::to_csv`],
//!   `Journal::to_sie` (feature `sie`), [`Journal::summary`],
//!   [`Journal::review_markdown`].
//!
//! Every event and its postings: [`accounting`].
//!
//! ```
//! use bookkeeping_core::*;
//! use journal_mapping::{Chart, FixedRates, Mapper, Policy};
//! use rust_decimal::Decimal;
//! use time::{Month, macros::{date, datetime}};
//!
//! let sek = |s: &str| Money::parse(s, Currency::SEK);
//! let order = SourceRef::new(Provider::Shopify, "order", "1001");
//! let sale = Sale {
//!     source: order.clone(),
//!     document_number: "#1001".into(),
//!     occurred_at: datetime!(2026-03-02 10:15 UTC),
//!     currency: Currency::SEK,
//!     lines: vec![SaleLine {
//!         kind: LineKind::Goods,
//!         description: "Kaffe".into(),
//!         net: sek("80.00")?,
//!         vat: sek("20.00")?,
//!         vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
//!         treatment: TaxTreatment::Domestic,
//!     }],
//!     customer: Customer::default(),
//!     payments: vec![Payment {
//!         gateway: "shopify_payments".into(),
//!         channel: PaymentChannel::Provider(Provider::Shopify),
//!         amount: sek("100.00")?,
//!         reference: None,
//!         processed_at: None,
//!     }],
//!     test: false,
//! };
//! let fee = Fee {
//!     source: SourceRef::new(Provider::Shopify, "balance_transaction", "bt1"),
//!     provider: Provider::Shopify,
//!     kind: FeeKind::Processing,
//!     amount: sek("2.50")?,
//!     vat: None,
//!     occurred_at: datetime!(2026-03-02 10:15 UTC),
//!     description: "Processing fee".into(),
//! };
//! let payout = Payout {
//!     source: SourceRef::new(Provider::Shopify, "payout", "p1"),
//!     provider: Provider::Shopify,
//!     status: PayoutStatus::Paid,
//!     created_at: datetime!(2026-03-04 08:00 UTC),
//!     arrival_date: date!(2026-03-05),
//!     amount: sek("97.50")?,
//!     bank_reference: None,
//!     failed_at: None,
//!     lines: vec![SettlementLine {
//!         source: SourceRef::new(Provider::Shopify, "balance_transaction", "bt1"),
//!         kind: SettlementKind::Charge,
//!         occurred_at: datetime!(2026-03-02 10:15 UTC),
//!         gross: sek("100.00")?,
//!         fees: vec![fee],
//!         net: sek("97.50")?,
//!         related: Some(order),
//!         reference: Some("#1001".into()),
//!         original: None,
//!         exchange_rate: None,
//!         description: "Charge".into(),
//!     }],
//! };
//!
//! let period = Period::month(2026, Month::March)?;
//! let mut m = Mapper::new(Chart::default(), Policy::default(), FixedRates::new(), period);
//! m.add_sale(&sale);
//! m.add_payout(&payout);
//! let journal = m.finish();
//!
//! assert!(journal.is_balanced());
//! assert_eq!(journal.balance("1580"), Decimal::ZERO); // the clearing account nets to zero
//! assert_eq!(journal.balance("1930"), Decimal::new(9750, 2));
//! assert!(journal.reconciliations[0].is_reconciled());
//! let mut csv = Vec::new();
//! journal.to_csv(&mut csv)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `bookkeeping-core` (the records), `rust_decimal` (money,
//! never floats), `time`, `serde` (the journal is stored and forwarded by
//! hosts), `thiserror`, `csv` (quoting done right for the CSV export; already
//! a workspace dependency for the providers' reports) and, behind feature
//! `sie`, `sie-file`. Voucher ids use a 64-bit FNV-1a implemented here (a few
//! lines, stable by definition), not `DefaultHasher`, whose output may change
//! between Rust versions.
#![deny(missing_docs)]
// On docs.rs, each feature-gated item carries a badge naming the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chart;
mod coverage;
pub mod export;
mod fx;
mod journal;
mod listing;
mod mapper;
pub mod markdown;
mod policy;
mod reconcile;
mod rounding;
mod vat;
mod voucher;

/// Every event kassabok maps, with its postings (docs/accounting.md).
#[doc = include_str!("../ACCOUNTING.md")]
pub mod accounting {}

pub use chart::{AccountOrigin, BasVersion, Chart, FeeCategory, Role};
pub use coverage::{Coverage, NeededItem, NeededReport, NeededReportKind, ProviderCoverage};
pub use export::CsvError;
#[cfg(feature = "sie")]
pub use export::SieExport;
pub use fx::{EuroRates, ExchangeRates, FixedRates};
pub use journal::{Journal, ProviderSummary, ProviderTotals, RoundingResidue, Summary};
pub use listing::{NeededItems, NeededIter, Review, ReviewIter, SourceIter, SourceList};
pub use mapper::{DisputeLost, Mapper, MappingInput, map};
pub use policy::{
    AccountingMethod, DisputePolicy, FeeVatClass, FeeVatRule, Granularity, LostDispute, Policy,
};
pub use reconcile::{Discrepancy, Outstanding, OutstandingKind, PayoutReconciliation};
pub use vat::{RateValidity, VatTable};
pub use voucher::{Posting, Voucher, VoucherId, VoucherKind};
