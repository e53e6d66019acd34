//! Orders, refunds and payouts into bookkeeping-core records.
//!
//! - An order becomes a [`Sale`] with one line per kind, VAT rate and
//!   treatment (goods, shipping, gift cards, tips), amounts from `shopMoney`.
//!   A line's net is its price less every discount allocated to it
//!   (`discountAllocations`, order-level codes included) and its VAT is its
//!   tax lines (computed by Shopify after all discounts), so net + VAT per
//!   rate is exact. A total the lines do not reach is a review item.
//! - Each refund becomes a [`Refund`] with its refunded items, shipping and
//!   adjustments, and the refund transactions.
//! - Payments keep the gateway name and say who settles them
//!   ([`payment_channel`]).
//! - What happened to an order after it was placed and is not booked (an
//!   edit, an authorization that lapsed uncaptured, the rest of one voided in
//!   a later month without a cancellation) is an [`AfterPlacement`] review
//!   item, dated when Shopify dates it, so the close of the month it happened
//!   in reports it.
//! - A payout becomes a [`Payout`](bookkeeping_core::Payout) with one
//!   [`SettlementLine`] per balance transaction and its [`Fee`]s.
//!
//! Nothing is guessed: what cannot be decided becomes a [`ReviewItem`].

use bookkeeping_core::{
    CountryCode, Currency, Customer, Fee, FeeKind, LineKind, Money, MoneyError, Payment,
    PaymentChannel, PayoutStatus as CorePayoutStatus, Provider, Refund as CoreRefund, ReviewItem,
    ReviewReason, Sale, SaleLine, SettlementKind, SettlementLine, SourceRef, TaxTreatment, VatRate,
    stockholm_date,
};
use std::collections::HashMap;

use bookkeeping_core::text::Text;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::RefundId;

use crate::models::{
    BalanceTransaction, BalanceTransactionType, FinancialStatus, MoneyBag, Order, OrderTransaction,
    OrderTransactionKind, OrderTransactionStatus, Payout, PayoutStatus, PayoutTransactionType,
    Refund, TaxLine, zero,
};

/// How the VAT on sales to consumers in other EU countries is reported
/// (now in `bookkeeping-core`, shared with the other providers' sales).
pub use bookkeeping_core::EuConsumerVat;

/// Options of normalization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeOptions {
    /// The VAT scheme for EU consumers.
    pub eu_consumer_vat: EuConsumerVat,
    /// The country of an order with neither shipping nor billing address
    /// (point of sale, digital goods bought in the shop): the shop's own
    /// country, Sweden by default.
    pub country_when_missing: CountryCode,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            eu_consumer_vat: EuConsumerVat::Oss,
            country_when_missing: CountryCode::SE,
        }
    }
}

/// An order normalized: its sale (none when the order cannot be booked as
/// one), its refunds, and what needs review.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedOrder {
    /// The sale.
    pub sale: Option<Sale>,
    /// Every refund of the order (whatever its date).
    pub refunds: Vec<CoreRefund>,
    /// Items for review.
    pub review: Vec<ReviewItem>,
    /// Items for review about what happened to the order after it was
    /// placed (a void, an edit, a lapsed authorization). A close of the
    /// order's month may have run before it happened, so a close of a later
    /// month that reads the order reports it too ([`AfterPlacement::belongs_to`]).
    pub after_placement: Vec<AfterPlacement>,
}

/// A review item about something that happened to an order after it was
/// placed, with when it happened if Shopify dates it.
///
/// ```
/// use bookkeeping_core::{Period, Provider, ReviewItem, ReviewReason};
/// use shopify_bookkeeping::normalize::AfterPlacement;
/// use time::Month::{April, March};
/// use time::macros::datetime;
///
/// let (march, april) = (Period::month(2026, March)?, Period::month(2026, April)?);
/// let item = ReviewItem::new(Provider::Shopify, ReviewReason::Other, "voided");
/// let void = AfterPlacement { at: Some(datetime!(2026-04-02 09:05 UTC)), item: item.clone() };
/// assert!(void.belongs_to(&april) && !void.belongs_to(&march));
/// let edit = AfterPlacement { at: None, item };
/// assert!(edit.belongs_to(&march) && edit.belongs_to(&april));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AfterPlacement {
    /// When it happened: a void's `processedAt`. `None` when only the order
    /// as it stands says so (`edited`, `displayFinancialStatus: EXPIRED`),
    /// with no date.
    pub at: Option<time::OffsetDateTime>,
    /// The item.
    pub item: ReviewItem,
}

impl AfterPlacement {
    /// Whether a close of `period` that reads the order reports it: a dated
    /// item in the period it falls in, once whatever day the close runs; an
    /// undated one in every close that reads the order (its month's, and a
    /// later month's that reads it for a change since).
    pub fn belongs_to(&self, period: &bookkeeping_core::Period) -> bool {
        self.at.is_none_or(|at| period.contains(at))
    }
}

/// Who settles a payment through `gateway`: `shopify_payments` → Shopify
/// Payments, `Klarna…` → Klarna, `PayPal…` → PayPal, `gift_card` → the
/// gift-card liability, anything else (manual, Swish, invoice, bank
/// transfer, cash) → [`PaymentChannel::External`].
pub fn payment_channel(gateway: &str) -> PaymentChannel {
    // Compared ignoring ASCII case in place (a lower-cased copy was a
    // `String` for every payment).
    let g = gateway.trim();
    let is = |name: &str| g.eq_ignore_ascii_case(name);
    let starts = |prefix: &str| {
        g.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if is("shopify_payments") || is("shopify payments") {
        PaymentChannel::Provider(Provider::Shopify)
    } else if starts("klarna") {
        PaymentChannel::Provider(Provider::Klarna)
    } else if starts("paypal") {
        PaymentChannel::Provider(Provider::PayPal)
    } else if is("gift_card") || is("gift card") {
        PaymentChannel::GiftCard
    } else {
        PaymentChannel::External
    }
}

fn order_ref(order: &Order) -> SourceRef {
    SourceRef::new(Provider::Shopify, "order", order.id.as_str())
}

fn review(reason: ReviewReason, source: &SourceRef, message: impl Into<String>) -> ReviewItem {
    ReviewItem::new(Provider::Shopify, reason, message).with_source(source.clone())
}

fn shop(bag: &MoneyBag) -> Result<Money, MoneyError> {
    bag.shop_money.to_money()
}

mod order;
mod payout;

pub use order::{customer_of, normalize_order};
pub use payout::{normalize_balance_transaction, normalize_payout, normalize_payout_joined};
