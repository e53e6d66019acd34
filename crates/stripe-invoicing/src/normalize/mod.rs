//! Stripe objects into bookkeeping-core records.
//!
//! - A payout and the balance transactions behind it become a [`Payout`] with
//!   one [`SettlementLine`] per transaction (charge, refund, dispute, dispute
//!   reversal, fee, adjustment, reserve, transfer…). Fees withheld from a
//!   transaction become [`Fee`]s on its line, with any VAT Stripe charged on
//!   them; a fee charged on its own (Billing, Radar) is a line with gross 0.
//!   The payout's own `payout` transaction is the payout itself, not a line.
//! - An invoice becomes a [`Sale`] with lines by VAT rate and
//!   [`TaxTreatment`], the customer's country and VAT number, and the
//!   payments that settled it; a credit note becomes a [`Refund`](CoreRefund); a voided
//!   invoice is credited in full on the day it was voided.
//! - A charge is never a sale. A charge whose PaymentIntent paid a Stripe
//!   invoice points to that invoice (`related`); one that did not (a payment
//!   for an invoice issued in another program, a payment link) is the
//!   settlement of a receivable whose sale is booked elsewhere, and has no
//!   `related`.
//!
//! Matching keys: a charge line's `reference` is its PaymentIntent id (the
//! charge id when it has none), which is also the `reference` of the
//! [`Payment`] on the invoice's sale; a refund line's `reference` is the
//! refund id, also on the credit note's refund payment.
//!
//! Nothing is guessed: whatever cannot be decided (an unknown type, a missing
//! VAT rate, amounts that do not add up, a manual payout) comes out as a
//! [`ReviewItem`] next to the record.

use std::collections::{BTreeSet, HashMap};

use bookkeeping_core::text::Text;

use bookkeeping_core::{
    CountryCode, Currency, Customer, Fee, FeeKind, LineKind, Money, MoneyError, Payment,
    PaymentChannel, Payout as CorePayout, PayoutRecord, PayoutStatus as CorePayoutStatus, Period,
    Provider, Refund as CoreRefund, ReviewItem, ReviewReason, Sale, SaleLine, SalesRecord,
    SettlementKind, SettlementLine, SourceId, SourceRef, TaxTreatment, VatRate, stockholm_date,
};
use time::OffsetDateTime;

use crate::amount::{money, sub_minor, sum_minor};
use crate::ids::InvoiceId;
use crate::models::{
    BalanceTransaction, BalanceTransactionType, CreditNote, CreditNoteLineItem, CreditNoteStatus,
    FeeDetailType, Invoice, InvoiceLineItem, InvoicePayment, InvoicePaymentStatus, InvoiceStatus,
    InvoiceTax, Payout, PayoutStatus, ReconciliationStatus, ReportingCategory, ShippingCost,
    TaxBehavior, TaxExempt, TaxRate, TransactionSource,
};

const STRIPE: Provider = Provider::Stripe;

fn sref(kind: &'static str, id: impl Into<SourceId>) -> SourceRef {
    SourceRef::new(STRIPE, kind, id)
}

fn review(reason: ReviewReason, source: &SourceRef, message: impl Into<String>) -> ReviewItem {
    ReviewItem::new(STRIPE, reason, message).with_source(source.clone())
}

fn currency_review(source: &SourceRef, err: &MoneyError) -> ReviewItem {
    // Amounts whose sums or negations leave an `i64` are malformed data, not
    // a currency question.
    let reason = match err {
        MoneyError::Overflow => ReviewReason::Malformed,
        _ => ReviewReason::Currency,
    };
    review(
        reason,
        source,
        format!("amounts cannot be converted: {err}"),
    )
}

mod invoice;
mod payout;

pub use invoice::{InvoiceContext, TaxRates, normalize_credit_note, normalize_invoice};
pub(crate) use payout::settlement_line_of;
pub use payout::{InvoiceLinks, PayoutAssembly, normalize_payout, settlement_line};
