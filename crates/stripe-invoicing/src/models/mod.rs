//! The Stripe objects bookkeeping needs, as the API (version
//! [`API_VERSION`](crate::API_VERSION)) sends them.
//!
//! Fields that differ between API versions, or that Stripe may leave out, are
//! `Option`s. Amounts are integers in the currency's minor unit as Stripe
//! sends them; [`crate::amount`] converts them by the currency's exponent.
//! Every enum-like string is an open enum with an `Unknown(String)` variant,
//! so a value Stripe adds tomorrow decodes and surfaces for review.

mod balance;
mod charge;
mod invoice;
mod payout;

use std::borrow::Cow;
use std::fmt;

use provider_http::fields::FieldKey;
use serde::de::{self, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

pub use balance::{
    BalanceTransaction, BalanceTransactionStatus, BalanceTransactionType, BalanceType, FeeDetail,
    FeeDetailType, ReportingCategory, TransactionSource,
};
pub use charge::{Charge, ChargeStatus, Dispute, DisputeStatus, Refund};
pub use invoice::{
    Address, CreditNote, CreditNoteLineItem, CreditNoteRefund, CreditNoteStatus, CustomerShipping,
    CustomerTaxId, DiscountAmount, Invoice, InvoiceLineItem, InvoicePayment, InvoicePaymentDetails,
    InvoicePaymentStatus, InvoicePaymentTransitions, InvoiceStatus, InvoiceStatusTransitions,
    InvoiceTax, ShippingCost, ShippingTax, TaxBehavior, TaxExempt, TaxRate, TaxRateDetails,
};
pub use payout::{FailureTransaction, Payout, PayoutStatus, ReconciliationStatus, TraceId};

/// A Stripe list envelope: `{"object": "list", "data": [...], "has_more": bool, "url": ...}`.
///
/// Embedded lists (an invoice's `lines`, `payments`) hold only their first
/// page; the client fetches the rest when `has_more` is true.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct List<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Whether more items follow.
    #[serde(default)]
    pub has_more: bool,
    /// The list's own path, e.g. `/v1/invoices/in_1/lines`.
    pub url: Option<String>,
}

/// A reference to another Stripe object: its id, whether Stripe sent the id
/// alone or the expanded object (only the id is kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ObjectRef(pub String);

impl ObjectRef {
    /// The referenced id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ObjectRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Loose::deserialize(d)? {
            Loose::Str(id) => Ok(ObjectRef(id.into_owned())),
            Loose::Object(Some(id)) => Ok(ObjectRef(id)),
            _ => Err(D::Error::custom(
                "expected an id string or an object with an `id`",
            )),
        }
    }
}

/// A JSON value as far as an id reference or a balance transaction's source
/// needs it: scalars as they are (strings borrowed from the page when they can
/// be), an object only as its `id`. Read in one pass, without a `Value` tree.
pub(crate) enum Loose<'de> {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX`.
    Big(u64),
    /// A number with a fraction or exponent: never an id, so its value is not kept.
    Float,
    Str(Cow<'de, str>),
    /// An object, with its `id` when that is a string (an expanded reference).
    Object(Option<String>),
    Array,
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose<'de>, D::Error> {
        Loose::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose<'de>, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose<'de>, E> {
        Ok(Loose::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose<'de>, E> {
        Ok(i64::try_from(v).map_or(Loose::Big(v), Loose::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::Float)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
        let mut id = None;
        while let Some(FieldKey(key)) = map.next_key::<FieldKey<'de>>()? {
            if *key == *b"id" {
                id = match map.next_value::<Loose<'de>>()? {
                    Loose::Str(s) => Some(s.into_owned()),
                    _ => None,
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Loose::Object(id))
    }
}

impl Loose<'_> {
    /// What serde calls this value in an "invalid type" message.
    pub(crate) fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Loose::Null => de::Unexpected::Unit,
            Loose::Bool(b) => de::Unexpected::Bool(*b),
            Loose::Int(i) => de::Unexpected::Signed(*i),
            Loose::Big(u) => de::Unexpected::Unsigned(*u),
            Loose::Float => de::Unexpected::Other("a floating-point number"),
            Loose::Str(s) => de::Unexpected::Str(s),
            Loose::Object(_) => de::Unexpected::Map,
            Loose::Array => de::Unexpected::Seq,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Loose::Null)
    }
}

/// A field that is an id, or the object itself when it was expanded
/// (`expand[]=...`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Only the id.
    Id(String),
    /// The expanded object.
    Object(Box<T>),
}

impl<T> Expandable<T> {
    /// The expanded object, if it was expanded.
    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(o) => Some(o),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    #[derive(Deserialize)]
    struct Rate {
        #[serde(deserialize_with = "provider_http::decimal::number")]
        r: Decimal,
    }

    #[test]
    fn decimals_from_json_numbers_keep_their_digits() {
        for (json, want) in [
            (r#"{"r": 11.4919}"#, dec!(11.4919)),
            (r#"{"r": 25}"#, dec!(25)),
            (r#"{"r": 25.0}"#, dec!(25)),
            (r#"{"r": 0.091}"#, dec!(0.091)),
            (r#"{"r": "12.5"}"#, dec!(12.5)),
            (r#"{"r": 1e-5}"#, dec!(0.00001)),
        ] {
            let got: Rate = serde_json::from_str(json).unwrap();
            assert_eq!(got.r, want, "{json}");
        }
    }

    /// Stripe leaves out fields older objects lack (`reconciliation_status`
    /// before 2023) and what an object has not got: an absent optional field
    /// decodes as `None`, serde's own rule for `Option`, also where a decimal
    /// reader is named.
    #[test]
    fn absent_optional_fields_decode_as_none() {
        let payout: Payout = serde_json::from_value(serde_json::json!({
            "id": "po_1", "amount": 1000, "currency": "sek", "arrival_date": 1772409600,
            "created": 1772323200, "automatic": true, "status": "paid", "livemode": false,
        }))
        .unwrap();
        assert_eq!(
            (&payout.balance_transaction, &payout.reconciliation_status),
            (&None, &None)
        );
        assert_eq!(
            (&payout.payout_type, &payout.trace_id, &payout.metadata),
            (&None, &None, &None)
        );
        let rate: TaxRate =
            serde_json::from_value(serde_json::json!({ "id": "txr_1", "percentage": 25.0 }))
                .unwrap();
        assert_eq!(rate.percentage, dec!(25));
        assert_eq!(
            (rate.effective_percentage, &rate.country, &rate.tax_type),
            (None, &None, &None)
        );
    }

    #[test]
    fn object_ref_takes_id_or_object() {
        let a: ObjectRef = serde_json::from_str(r#""ch_1""#).unwrap();
        let b: ObjectRef = serde_json::from_str(r#"{"id": "ch_1", "object": "charge"}"#).unwrap();
        assert_eq!(a, b);
        assert!(serde_json::from_str::<ObjectRef>("12").is_err());
    }
}
