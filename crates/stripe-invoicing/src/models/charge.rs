//! `charge`, `refund` and `dispute`: the objects behind balance transactions.

use bookkeeping_core::Currency;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ObjectRef;
use crate::ids::{ChargeId, DisputeId, RefundId};

provider_http::open_enum! {
    provider: "Stripe",
    /// A charge's `status`.
    pub enum ChargeStatus {
        /// The payment went through.
        Succeeded => "succeeded",
        /// Not yet decided (some payment methods take days).
        Pending => "pending",
        /// The payment failed.
        Failed => "failed",
    }
}

/// A charge: only what bookkeeping reads of it (its customer and texts are
/// not, and are skipped unread). Its amounts are in the **presentment** currency; the balance
/// transaction has the settlement amounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    /// `ch_…` or `py_…`.
    pub id: ChargeId,
    /// Amount charged, in minor units of `currency`.
    pub amount: i64,
    /// Amount refunded so far.
    pub amount_refunded: Option<i64>,
    /// The presentment currency.
    pub currency: Currency,
    /// The PaymentIntent it belongs to (links it to an invoice payment).
    pub payment_intent: Option<ObjectRef>,
    /// `succeeded`, `pending` or `failed`.
    pub status: Option<ChargeStatus>,
    /// Whether it was disputed.
    pub disputed: Option<bool>,
    /// When it was created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
}

/// A refund of a charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    /// `re_…`.
    pub id: RefundId,
    /// Amount refunded, in minor units of `currency`.
    pub amount: i64,
    /// The currency of the refunded charge.
    pub currency: Currency,
    /// The refunded charge.
    pub charge: Option<ObjectRef>,
    /// The PaymentIntent of the refunded charge.
    pub payment_intent: Option<ObjectRef>,
    /// `duplicate`, `fraudulent`, `requested_by_customer`, ….
    pub reason: Option<String>,
    /// `pending`, `succeeded`, `failed`, `canceled`.
    pub status: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
}

provider_http::open_enum! {
    provider: "Stripe",
    /// Where a dispute is.
    pub enum DisputeStatus {
        /// An inquiry that needs a response.
        WarningNeedsResponse => "warning_needs_response",
        /// An inquiry under review.
        WarningUnderReview => "warning_under_review",
        /// An inquiry closed.
        WarningClosed => "warning_closed",
        /// Needs evidence.
        NeedsResponse => "needs_response",
        /// Evidence submitted.
        UnderReview => "under_review",
        /// Won: the funds come back.
        Won => "won",
        /// Lost.
        Lost => "lost",
        /// Prevented by Stripe (for example, refunded in time).
        Prevented => "prevented",
    }
}

/// A dispute (chargeback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// `dp_…` or `du_…`.
    pub id: DisputeId,
    /// The disputed amount, in minor units of `currency`.
    pub amount: i64,
    /// The currency of the disputed charge.
    pub currency: Currency,
    /// The disputed charge.
    pub charge: ObjectRef,
    /// Its PaymentIntent.
    pub payment_intent: Option<ObjectRef>,
    /// The card network's reason (`fraudulent`, `product_not_received`, …).
    pub reason: Option<String>,
    /// Status.
    pub status: DisputeStatus,
    /// When it was opened.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
}
