//! Payouts, their totals, the payout summary, pagination and errors.

use bookkeeping_core::Currency;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{MerchantId, MerchantSettlementType, PaymentReference};

/// A payout: the money Klarna sent to the merchant's bank, with its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payout {
    /// What the payout is made of, in minor units.
    pub totals: Totals,
    /// The reference on the bank statement, and the payout's id.
    pub payment_reference: PaymentReference,
    /// When Klarna paid it out.
    #[serde(with = "time::serde::rfc3339")]
    pub payout_date: OffsetDateTime,
    /// The settlement currency.
    pub currency_code: Currency,
    /// The currency of the merchant's registration country (newer payouts).
    pub currency_code_of_registration_country: Option<Currency>,
    /// Whether amounts are net or gross of fees.
    pub merchant_settlement_type: MerchantSettlementType,
    /// The merchant.
    pub merchant_id: MerchantId,
    /// A link to the payout's transactions.
    pub transactions: Option<String>,
}

/// A payout's totals, in minor units of the payout currency, as positive
/// magnitudes (the sign comes from what the total is). Totals that Klarna
/// added after 2020 are `Option`: older payouts do not carry them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Totals {
    /// Sales.
    pub sale_amount: i64,
    /// Returns (refunds).
    pub return_amount: i64,
    /// Reversals (disputes lost), less what Klarna's merchant protection
    /// credited back (`REVERSAL_MERCHANT_PROTECTION` reduces this total).
    pub reversal_amount: i64,
    /// Klarna's fees, VAT excluded.
    pub fee_amount: i64,
    /// Corrections of fees, in the merchant's favour.
    pub fee_correction_amount: Option<i64>,
    /// Money withheld.
    pub holdback_amount: i64,
    /// Money released from holdback.
    pub release_amount: i64,
    /// Debt to Klarna repaid from this payout.
    pub repay_amount: i64,
    /// VAT on Klarna's fees.
    pub tax_amount: Option<i64>,
    /// Commission paid to the merchant.
    pub commission_amount: i64,
    /// Commission taken back (`total_commission_reversal_amount` in Klarna's
    /// CSV report, subtracted in its settlement formula). Not in the JSON
    /// API's 2020 schema, so `None` when not reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission_reversal_amount: Option<i64>,
    /// Charges (the detailed type says which).
    pub charge_amount: Option<i64>,
    /// Credits (the detailed type says which).
    pub credit_amount: Option<i64>,
    /// Fees refunded.
    pub fee_refund_amount: Option<i64>,
    /// VAT on fees refunded.
    pub tax_refund_amount: Option<i64>,
    /// The money paid out.
    pub settlement_amount: i64,
    /// Increase of the debt to Klarna, when returns, fees and charges exceed sales.
    pub deposit_amount: Option<i64>,
    /// The debt to Klarna before this payout.
    pub opening_debt_balance_amount: Option<i64>,
    /// The debt to Klarna after this payout.
    pub closing_debt_balance_amount: Option<i64>,
}

impl Totals {
    /// Every total with its field name, `None` where Klarna sent none.
    ///
    /// ```
    /// use klarna_settlements::models::Totals;
    ///
    /// let totals: Totals = serde_json::from_value(serde_json::json!({
    ///     "sale_amount": 50000, "return_amount": 0, "reversal_amount": 0,
    ///     "fee_amount": 1245, "holdback_amount": 0, "release_amount": 0,
    ///     "repay_amount": 0, "commission_amount": 0, "settlement_amount": 48755
    /// }))?;
    /// let amounts = totals.amounts();
    /// assert!(amounts.contains(&("fee_amount", Some(1245))));
    /// assert!(amounts.contains(&("tax_amount", None)));
    /// assert_eq!(totals.expected_settlement(), Some(48755));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn amounts(&self) -> [(&'static str, Option<i64>); 19] {
        [
            ("sale_amount", Some(self.sale_amount)),
            ("return_amount", Some(self.return_amount)),
            ("reversal_amount", Some(self.reversal_amount)),
            ("fee_amount", Some(self.fee_amount)),
            ("fee_correction_amount", self.fee_correction_amount),
            ("holdback_amount", Some(self.holdback_amount)),
            ("release_amount", Some(self.release_amount)),
            ("repay_amount", Some(self.repay_amount)),
            ("tax_amount", self.tax_amount),
            ("commission_amount", Some(self.commission_amount)),
            (
                "commission_reversal_amount",
                self.commission_reversal_amount,
            ),
            ("charge_amount", self.charge_amount),
            ("credit_amount", self.credit_amount),
            ("fee_refund_amount", self.fee_refund_amount),
            ("tax_refund_amount", self.tax_refund_amount),
            ("settlement_amount", Some(self.settlement_amount)),
            ("deposit_amount", self.deposit_amount),
            (
                "opening_debt_balance_amount",
                self.opening_debt_balance_amount,
            ),
            (
                "closing_debt_balance_amount",
                self.closing_debt_balance_amount,
            ),
        ]
    }

    /// What the totals say should be paid out, by Klarna's settlement formula:
    /// `sale − return − reversal − fee + fee_correction + commission −
    /// commission_reversal − tax − charge + credit − repay − holdback + release
    /// + fee_refund + tax_refund + deposit`
    /// (<https://docs.klarna.com/payments/after-payments/settlements/settlement-files/>).
    /// `None` on overflow.
    pub fn expected_settlement(&self) -> Option<i64> {
        let plus = [
            self.sale_amount,
            self.fee_correction_amount.unwrap_or(0),
            self.commission_amount,
            self.credit_amount.unwrap_or(0),
            self.release_amount,
            self.fee_refund_amount.unwrap_or(0),
            self.tax_refund_amount.unwrap_or(0),
            self.deposit_amount.unwrap_or(0),
        ];
        let minus = [
            self.return_amount,
            self.reversal_amount,
            self.fee_amount,
            self.commission_reversal_amount.unwrap_or(0),
            self.tax_amount.unwrap_or(0),
            self.charge_amount.unwrap_or(0),
            self.repay_amount,
            self.holdback_amount,
        ];
        let plus = plus.iter().try_fold(0i64, |a, b| a.checked_add(*b))?;
        let minus = minus.iter().try_fold(0i64, |a, b| a.checked_add(*b))?;
        plus.checked_sub(minus)
    }
}

/// The summary of the payouts of a period, one per settlement currency
/// (`GET /settlements/v1/payouts/summary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayoutSummary {
    /// The settlement currency.
    pub summary_settlement_currency: Currency,
    /// The first payout date covered.
    #[serde(with = "time::serde::rfc3339")]
    pub summary_payout_date_start: OffsetDateTime,
    /// The last payout date covered.
    #[serde(with = "time::serde::rfc3339")]
    pub summary_payout_date_end: OffsetDateTime,
    /// Sales.
    pub summary_total_sale_amount: i64,
    /// Returns.
    pub summary_total_return_amount: i64,
    /// Reversals.
    pub summary_total_reversal_amount: i64,
    /// Fees.
    pub summary_total_fee_amount: i64,
    /// Fee corrections.
    pub summary_total_fee_correction_amount: i64,
    /// Holdbacks.
    pub summary_total_holdback_amount: i64,
    /// Releases.
    pub summary_total_release_amount: i64,
    /// Repaid debt.
    pub summary_total_repay_amount: i64,
    /// VAT on fees.
    pub summary_total_tax_amount: i64,
    /// Commission.
    pub summary_total_commission_amount: i64,
    /// Paid out.
    pub summary_total_settlement_amount: i64,
}

/// Offset pagination of a list answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pagination {
    /// Items on this page.
    pub count: u64,
    /// Items in the whole list, when Klarna says.
    pub total: Option<u64>,
    /// The full URL of the next page; absent on the last page.
    pub next: Option<String>,
    /// The full URL of the previous page.
    pub prev: Option<String>,
    /// The offset of this page.
    pub offset: Option<u64>,
}

/// Klarna's error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// A code such as `NOT_FOUND`.
    pub error_code: String,
    /// Human-readable messages.
    #[serde(default)]
    pub error_messages: Vec<String>,
    /// The id to quote to Klarna's support.
    pub correlation_id: String,
}
