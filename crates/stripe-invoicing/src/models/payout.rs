//! `payout`: money sent from the Stripe balance to the bank.

use std::collections::BTreeMap;
use std::fmt;

use bookkeeping_core::Currency;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use provider_http::fields::FieldKey;

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
    /// The balance transaction that returned the money when the payout
    /// failed or was cancelled, with the time it did when listed with
    /// `expand[]=data.failure_balance_transaction`.
    pub failure_balance_transaction: Option<FailureTransaction>,
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

/// A payout's `failure_balance_transaction`: "If the payout fails or cancels,
/// this is the ID of the balance transaction that reverses the initial
/// balance transaction and returns the funds from the failed payout back in
/// your balance" (docs.stripe.com/api/payouts/object), expandable to the
/// balance transaction. Its `created` is when the payout failed: a payout
/// can show `paid` and turn `failed` days later, and a month closed before
/// then must book it as it stood then, whatever day the close runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureTransaction {
    /// `txn_…`.
    pub id: String,
    /// When it was created; `None` when Stripe sent the id alone.
    pub created: Option<OffsetDateTime>,
}

impl Serialize for FailureTransaction {
    /// As Stripe sends it: the id alone, or the id and `created` of the
    /// expanded balance transaction.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.created {
            None => s.serialize_str(&self.id),
            Some(created) => {
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("id", &self.id)?;
                map.serialize_entry("object", "balance_transaction")?;
                map.serialize_entry("created", &created.unix_timestamp())?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for FailureTransaction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FailureVisitor)
    }
}

struct FailureVisitor;

impl<'de> Visitor<'de> for FailureVisitor {
    type Value = FailureTransaction;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a balance transaction id or an expanded balance transaction")
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<Self::Value, E> {
        Ok(FailureTransaction {
            id: id.to_owned(),
            created: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id: Option<String> = None;
        let mut created: Option<i64> = None;
        while let Some(FieldKey(key)) = map.next_key::<FieldKey<'de>>()? {
            match key.as_ref() {
                b"id" => id = Some(map.next_value()?),
                b"created" => created = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let created = created
            .map(OffsetDateTime::from_unix_timestamp)
            .transpose()
            .map_err(|e| de::Error::custom(format!("created: {e}")))?;
        Ok(FailureTransaction { id, created })
    }
}
