//! `payout`: money sent from the Stripe balance to the bank.

use std::collections::BTreeMap;

use bookkeeping_core::Currency;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ObjectRef;
use crate::ids::PayoutId;

provider_http::open_enum! {
    provider: "Stripe",
    /// Where a payout is: `pending` → `in_transit` → `paid`, or `failed` / `canceled`.
    pub enum PayoutStatus {
        /// Created, not yet submitted to the bank.
        Pending => "pending",
        /// Submitted to the bank.
        InTransit => "in_transit",
        /// Arrived (it can still turn `failed` later).
        Paid => "paid",
        /// The bank rejected it; the money returned to the balance.
        Failed => "failed",
        /// Cancelled before it was sent.
        Canceled => "canceled",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// Whether Stripe can list the balance transactions of a payout.
    pub enum ReconciliationStatus {
        /// The balance transactions of the payout can be listed.
        Completed => "completed",
        /// Stripe is still working out which transactions the payout contains.
        InProgress => "in_progress",
        /// A manual payout: Stripe cannot say which transactions it contains.
        NotApplicable => "not_applicable",
    }
}

/// The bank's trace reference of a payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceId {
    /// `pending`, `supported`, `unsupported`.
    pub status: Option<String>,
    /// The reference, when the bank supports one.
    pub value: Option<String>,
}

/// A payout (`GET /v1/payouts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    /// `po_…`.
    pub id: PayoutId,
    /// The amount to the bank, in minor units of `currency`.
    pub amount: i64,
    /// The settlement currency.
    pub currency: Currency,
    /// The expected (or actual) bank arrival date, at midnight UTC.
    #[serde(with = "time::serde::timestamp")]
    pub arrival_date: OffsetDateTime,
    /// When Stripe created it.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// `true` when the payout schedule created it; only automatic payouts can
    /// be broken down into balance transactions.
    pub automatic: bool,
    /// The payout's own balance transaction (type `payout`).
    pub balance_transaction: Option<ObjectRef>,
    /// The balance transaction that returned the money when the payout failed.
    pub failure_balance_transaction: Option<ObjectRef>,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// Why it failed, in words.
    pub failure_message: Option<String>,
    /// Status.
    pub status: PayoutStatus,
    /// Whether the breakdown can be listed (added in 2023; absent before).
    pub reconciliation_status: Option<ReconciliationStatus>,
    /// `standard` or `instant`.
    pub method: Option<String>,
    /// `bank_account` or `card`.
    #[serde(rename = "type")]
    pub payout_type: Option<String>,
    /// The bank reference.
    pub trace_id: Option<TraceId>,
    /// Text, e.g. `STRIPE PAYOUT`.
    pub description: Option<String>,
    /// The text on the bank statement.
    pub statement_descriptor: Option<String>,
    /// The payout this one reverses.
    pub original_payout: Option<ObjectRef>,
    /// The payout that reversed this one.
    pub reversed_by: Option<ObjectRef>,
    /// Live (`true`) or test mode.
    #[serde(default)]
    pub livemode: bool,
    /// The account's own key–value data.
    pub metadata: Option<BTreeMap<String, String>>,
}
