//! Settlement transactions: the movements behind a payout.

use bookkeeping_core::{CountryCode, Currency};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CaptureId, DetailedType, OrderId, PaymentReference, RefundId, TransactionType};

/// One transaction of a payout: a sale, return, fee, holdback…
///
/// `amount` is in minor units of `currency_code`. This crate reads it as a
/// magnitude whose direction comes from `type` (Klarna's totals are positive
/// magnitudes), except for `CORRECTION` and unknown types, whose sign is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transaction {
    /// The amount in minor units.
    pub amount: i64,
    /// What the movement is.
    #[serde(rename = "type")]
    pub transaction_type: TransactionType,
    /// The purpose within the type (newer transactions).
    pub detailed_type: Option<DetailedType>,
    /// The capture, for sales and fees (`""` on returns is read as absent).
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub capture_id: Option<CaptureId>,
    /// The refund, for returns.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub refund_id: Option<RefundId>,
    /// When the order was placed.
    #[serde(with = "time::serde::rfc3339")]
    pub sale_date: OffsetDateTime,
    /// When it was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub capture_date: OffsetDateTime,
    /// The payout it belongs to, if available.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub payment_reference: Option<PaymentReference>,
    /// Klarna's order id; absent (`""`) on rows that belong to no order
    /// (holdback, release, charges, `CASH_ADVANCE_*`, `LIABILITY_TRANSFER`).
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub order_id: Option<OrderId>,
    /// Klarna's short order id.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub short_order_id: Option<String>,
    /// The shop's own order number, when the integration sets it.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub merchant_reference1: Option<String>,
    /// A second merchant reference.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub merchant_reference2: Option<String>,
    /// The merchant's capture reference.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub merchant_capture_reference: Option<String>,
    /// The merchant's refund reference.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub merchant_refund_reference: Option<String>,
    /// The currency of `amount`.
    pub currency_code: Currency,
    /// The purchase country; absent (`""`) on rows that belong to no order.
    #[serde(default, deserialize_with = "super::empty_as_none::country")]
    pub purchase_country: Option<CountryCode>,
    /// The shipping country.
    #[serde(default, deserialize_with = "super::empty_as_none::country")]
    pub shipping_country: Option<CountryCode>,
    /// The VAT rate on Klarna's fee, in hundredths of a percent (`2500` = 25 %).
    pub vat_rate: Option<i64>,
    /// The VAT on Klarna's fee, in minor units.
    pub vat_amount: Option<i64>,
    /// The fee VAT converted into the currency of the registration country.
    pub tax_in_currency_of_registration_country: Option<i64>,
    /// The currency of the registration country.
    pub currency_code_of_registration_country: Option<Currency>,
    /// The payment method the customer first chose (`invoice`, `direct_debit`…).
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub initial_payment_method_type: Option<String>,
    /// The number of instalments first chosen.
    pub initial_number_of_installments: Option<i64>,
    /// The monthly down payments first chosen.
    pub initial_payment_method_monthly_downpayments: Option<i64>,
    /// Klarna's comment (`Loan Amortisation 2022-12-01`).
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub klarna_comment: Option<String>,
    /// The dispute behind a reversal (`krn:klarna:eu1:dispute:…`).
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub reversal_reference: Option<String>,
    /// A link to the payout.
    #[serde(default, deserialize_with = "super::empty_as_none::deserialize")]
    pub payout: Option<String>,
}

impl Transaction {
    /// A stable id for the transaction: Klarna has none, so it is built from
    /// the type, detailed type, capture or refund id and order id
    /// (`SALE:4b1f…`, `FEE/PURCHASE_FEE_FIXED:4b1f…`). A row without any of
    /// them (a holdback, a charge) is keyed by its capture date
    /// (`HOLDBACK/ROLLING_RESERVE:2026-03-02T06:00:00Z`); repeats within a
    /// payout are numbered by the normalizer.
    pub fn key(&self) -> String {
        let date;
        let object = match self
            .capture_id
            .as_ref()
            .map(|c| c.as_str())
            .or(self.refund_id.as_ref().map(|r| r.as_str()))
            .or(self.order_id.as_ref().map(|o| o.as_str()))
        {
            Some(o) => o,
            None => {
                date = self
                    .capture_date
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                date.as_str()
            }
        };
        match &self.detailed_type {
            Some(d) => format!("{}/{}:{}", self.transaction_type, d, object),
            None => format!("{}:{}", self.transaction_type, object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Payout, Totals};

    /// Klarna's older objects leave out the fields added later: an absent
    /// optional field decodes as `None` (serde's own rule for `Option`), and
    /// `""` does too where Klarna sends it for "none".
    #[test]
    fn absent_optional_fields_decode_as_none() {
        let txn: Transaction = serde_json::from_value(serde_json::json!({
            "amount": 12500,
            "type": "SALE",
            "sale_date": "2026-03-02T10:00:00Z",
            "capture_date": "2026-03-02T11:00:00Z",
            "currency_code": "SEK",
            "capture_id": "",
        }))
        .unwrap();
        assert_eq!(
            (txn.detailed_type, txn.capture_id, txn.purchase_country),
            (None, None, None)
        );
        assert_eq!((txn.vat_rate, txn.vat_amount), (None, None));
        assert_eq!(txn.currency_code_of_registration_country, None);
        assert_eq!(txn.initial_number_of_installments, None);

        let payout: Payout = serde_json::from_value(serde_json::json!({
            "totals": {
                "sale_amount": 100, "return_amount": 0, "reversal_amount": 0,
                "fee_amount": 3, "holdback_amount": 0, "release_amount": 0,
                "repay_amount": 0, "commission_amount": 0, "settlement_amount": 97,
            },
            "payment_reference": "XISA1234",
            "payout_date": "2026-03-05T06:00:00Z",
            "currency_code": "SEK",
            "merchant_settlement_type": "NET",
            "merchant_id": "K123456",
        }))
        .unwrap();
        assert_eq!(payout.transactions, None);
        assert_eq!(payout.currency_code_of_registration_country, None);
        let Totals {
            fee_correction_amount,
            tax_amount,
            charge_amount,
            deposit_amount,
            closing_debt_balance_amount,
            ..
        } = payout.totals;
        assert_eq!(
            [
                fee_correction_amount,
                tax_amount,
                charge_amount,
                deposit_amount
            ],
            [None; 4]
        );
        assert_eq!(closing_debt_balance_amount, None);
        assert_eq!(payout.totals.expected_settlement(), Some(97));
    }
}
