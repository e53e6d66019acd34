//! `shopify-bookkeeping`: Shopify's GraphQL Admin API for Swedish bookkeeping.
//!
//! Shopify holds the report of every sale of a shop, whatever gateway the
//! customer paid through, and, for shops on Shopify Payments, every payout
//! and the balance transactions behind it. This crate reads both and turns
//! them into [`bookkeeping_core`] records:
//!
//! - [`ShopifyClient::orders`]: orders by `processedAt` (or `updatedAt`),
//!   250 per page with cursors (981 requested points, under Shopify's
//!   1000-point limit), sliced by date past Shopify's per-query cap, each
//!   order completed with follow-up queries when a nested connection has
//!   more than one page; [`ShopifyClient::bulk_orders`] fetches them through
//!   a bulk operation instead ([`bulk`]; by default above 10,000 orders);
//!   [`normalize::normalize_order`] makes a [`Sale`](bookkeeping_core::Sale)
//!   with lines per kind, VAT rate and treatment, and a
//!   [`Refund`](bookkeeping_core::Refund) per refund.
//! - [`ShopifyClient::shopify_payouts`] and
//!   [`ShopifyClient::balance_transactions`]: payouts and their lines;
//!   [`normalize::normalize_payout`] makes a
//!   [`Payout`](bookkeeping_core::Payout) with settlement lines and fees.
//! - [`report::outside_payments`]: payments through Klarna, PayPal and
//!   gateways kassabok does not integrate, for the coverage report.
//! - [`SalesSource`](bookkeeping_core::SalesSource) and
//!   [`PayoutSource`](bookkeeping_core::PayoutSource) are implemented on
//!   [`ShopifySource`] (the client with the host's bookkeeping options) and on
//!   [`ShopifyClient`] (the default options), so a host drives Shopify like
//!   every other provider.
//!
//! Every request is a GraphQL POST to `/admin/api/2026-01/graphql.json`
//! ([`API_VERSION`]) with `X-Shopify-Access-Token`, through `provider-http`
//! (retries, `THROTTLED` answers retried after the wait the query cost
//! implies, pacing from `extensions.cost.throttleStatus`). The queries in
//! [`queries`] are validated against Shopify's complete 2026-01 schema in the
//! tests.
//!
//! ```no_run
//! use bookkeeping_core::{Period, SalesRecord, SalesSource};
//! use futures::TryStreamExt;
//! use shopify_bookkeeping::ShopifyClient;
//! use time::Month;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ShopifyClient::builder("kassabok-demo.myshopify.com", "shpat_…")
//!     // .base_url(mock_server.uri())  // in tests
//!     .build()?;
//! let march = Period::month(2026, Month::March)?;
//! let records: Vec<SalesRecord> = client.sales(&march).try_collect().await?;
//! for record in &records {
//!     if let SalesRecord::Sale(sale) = record {
//!         println!("{} {}", sale.document_number, sale.total()?);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Decisions
//!
//! - Amounts are `shopMoney` (the shop's currency); presentment amounts are
//!   not selected (never booked; they were a quarter of a page). A line's discount is every discount Shopify
//!   allocated to it (`discountAllocations`, order-level codes included;
//!   `totalDiscountSet` leaves those out), and VAT is Shopify's tax lines
//!   (after all discounts), so net + VAT per rate is exactly what the
//!   customer paid.
//! - Gift cards sold are [`LineKind::GiftCard`](bookkeeping_core::LineKind)
//!   lines without VAT (a liability, not revenue); gift cards redeemed are
//!   payments through [`PaymentChannel::GiftCard`](bookkeeping_core::PaymentChannel).
//! - EU consumers: One-Stop-Shop by default ([`normalize::EuConsumerVat`]).
//!   An order without any address is taken to be sold in the shop's country
//!   ([`normalize::NormalizeOptions::country_when_missing`]). Both are the
//!   host's bookkeeping choices: they go on a [`ShopifySource`] (the client
//!   with its [`NormalizeOptions`](normalize::NormalizeOptions)), not on the
//!   client, which carries transport only and is itself a source with the
//!   default options.
//! - Refunds belong to the period they were created in; the refunds of
//!   older orders are found through the orders updated since the period
//!   began. Without the `read_all_orders` scope Shopify shows only the last
//!   60 days of orders and leaves older ones out without a word: the sales
//!   source asks the app's scopes first and says what they hide in a review
//!   item (field `read_all_orders`).
//! - Payout lines: `balanceTransactions(query: "payments_transfer_id:<id>",
//!   hideTransfers: true)`, kept only when `associatedPayout.id` is the payout.
//!   A refund line is joined to its refund through `sourceOrderTransactionId`
//!   and `Refund.transactions` ([`normalize::normalize_payout_joined`]).
//! - Lost disputes: `disputes(query: "status:lost")` and
//!   `disputes(query: "status:accepted")` (accepted by the shop), those whose
//!   `finalizedOn` is in the period ([`ShopifyClient::lost_disputes`]). Each
//!   disputed order is read with `order(id:)` ([`queries::ORDER`]) and, when
//!   it was sold before the period, carried as
//!   [`DisputeLost::earlier_sale`](bookkeeping_core::DisputeLost::earlier_sale),
//!   so the month that loses the dispute can reverse a sale it did not list.
//!
//! # Dependencies
//!
//! `provider-http` (the HTTP layer), `bookkeeping-core` (the records),
//! `serde`/`serde_json` and `serde_path_to_error` (decoding node by node with
//! the failing field's path), `rust_decimal` (amounts, never floats), `time`,
//! `secrecy` (the token), `futures` (streams), `thiserror`, `tracing`,
//! `async-trait` (the source traits). Tests use `apollo-compiler` to validate
//! the queries against Shopify's schema, `wiremock` and `insta`.
#![deny(missing_docs)]

pub mod bulk;
mod client;
pub mod disputes;
mod error;
pub mod ids;
pub mod models;
pub mod normalize;
pub mod queries;
pub mod report;
mod resources;
mod source;
mod throttle;

pub use client::{
    API_VERSION, GraphQlResponse, MAX_PAGE_SIZE, PER_QUERY_CAP, QueryCost, ShopifyClient,
    ShopifyClientBuilder, ThrottleStatus, check_user_errors, graphql_path, validate_shop,
};
pub use error::{Error, GraphQlError, UserError};
pub use ids::{
    BalanceTransactionId, LineItemId, OrderAdjustmentId, OrderId, OrderTransactionId, PayoutId,
    RefundId, RefundLineItemId, RefundShippingLineId, ShippingLineId,
};
pub use resources::{Listed, Malformed, NAMES_PER_SEARCH, OrderQuery, OrderSliceField, OrdersPage};
pub use source::ShopifySource;
pub use throttle::{ShopifyClassifier, shopify_throttle_wait};
