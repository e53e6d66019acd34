//! Stripe Invoicing: `invoice`, its `line_item`s, `tax_rate`, `invoice_payment`
//! and `credit_note`, in the current shape (`total_taxes` and line `taxes`,
//! since API version `2025-03-31.basil`).

use std::collections::BTreeMap;

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Expandable, List, ObjectRef};
use crate::ids::{
    CreditNoteId, CreditNoteLineItemId, InvoiceId, InvoiceLineItemId, InvoicePaymentId, TaxRateId,
};

provider_http::open_enum! {
    provider: "Stripe",
    /// An invoice's status.
    pub enum InvoiceStatus {
        /// Not finalized: not an invoice yet for bookkeeping.
        Draft => "draft",
        /// Finalized, awaiting payment.
        Open => "open",
        /// Paid.
        Paid => "paid",
        /// Finalized and then voided.
        Void => "void",
        /// Marked uncollectible (a bad debt).
        Uncollectible => "uncollectible",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// The customer's tax status on the invoice.
    pub enum TaxExempt {
        /// Taxed normally.
        None => "none",
        /// Exempt from tax.
        Exempt => "exempt",
        /// Reverse charge: the buyer accounts for VAT ("Reverse charge" on the PDF).
        Reverse => "reverse",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// Whether a tax amount is added to (`exclusive`) or included in (`inclusive`) the line amount.
    pub enum TaxBehavior {
        /// Added on top of the line amount.
        Exclusive => "exclusive",
        /// Included in the line amount.
        Inclusive => "inclusive",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// An invoice payment's status.
    pub enum InvoicePaymentStatus {
        /// Requested, not yet paid.
        Open => "open",
        /// Paid.
        Paid => "paid",
        /// Cancelled.
        Canceled => "canceled",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// A credit note's status.
    pub enum CreditNoteStatus {
        /// Issued.
        Issued => "issued",
        /// Voided.
        Void => "void",
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// Street.
    pub line1: Option<String>,
    /// More street.
    pub line2: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
}

/// The customer's shipping details on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerShipping {
    /// Where goods were shipped.
    pub address: Option<Address>,
    /// Recipient.
    pub name: Option<String>,
}

/// A customer tax id as printed on the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTaxId {
    /// `eu_vat`, `gb_vat`, `no_vat`, …
    #[serde(rename = "type")]
    pub tax_id_type: String,
    /// The number, e.g. `DE123456789`.
    pub value: Option<String>,
}

/// The tax rate a tax amount was calculated with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRateDetails {
    /// The tax rate (`txr_…`).
    pub tax_rate: ObjectRef,
}

/// One tax amount of an invoice, invoice line or credit note line
/// (`total_taxes[]`, `taxes[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceTax {
    /// The tax, in minor units.
    pub amount: i64,
    /// Added to or included in the amount.
    pub tax_behavior: Option<TaxBehavior>,
    /// Why it was taxed so (`standard_rated`, `reverse_charge`, …), when Stripe says.
    pub taxability_reason: Option<String>,
    /// The amount the tax was calculated on.
    pub taxable_amount: Option<i64>,
    /// `tax_rate_details`.
    #[serde(rename = "type")]
    pub tax_type: Option<String>,
    /// The tax rate, for `type = tax_rate_details`.
    pub tax_rate_details: Option<TaxRateDetails>,
}

impl InvoiceTax {
    /// The tax rate id, if the tax names one.
    pub fn tax_rate_id(&self) -> Option<&str> {
        self.tax_rate_details.as_ref().map(|d| d.tax_rate.as_str())
    }
}

/// A discount's amount on a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountAmount {
    /// The discount, in minor units (positive).
    pub amount: i64,
}

/// A line of an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineItem {
    /// `il_…`.
    pub id: InvoiceLineItemId,
    /// The amount before discounts; it includes `inclusive` taxes and
    /// excludes `exclusive` ones.
    pub amount: i64,
    /// The invoice currency.
    pub currency: Currency,
    /// Text.
    pub description: Option<String>,
    /// Quantity.
    pub quantity: Option<i64>,
    /// Discounts on this line (invoice-level discounts are spread over lines).
    pub discount_amounts: Option<Vec<DiscountAmount>>,
    /// Taxes on this line (since `2025-03-31.basil`; `null` when untaxed).
    pub taxes: Option<Vec<InvoiceTax>>,
    /// The account's own key–value data.
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The shipping cost of an invoice or a credit note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingCost {
    /// Before tax.
    pub amount_subtotal: i64,
    /// Tax.
    pub amount_tax: i64,
    /// After tax.
    pub amount_total: i64,
    /// Taxes on shipping.
    pub taxes: Option<Vec<ShippingTax>>,
}

/// A tax on shipping, with its rate object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingTax {
    /// The tax, in minor units.
    pub amount: i64,
    /// The rate.
    pub rate: TaxRate,
}

/// When an invoice changed status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvoiceStatusTransitions {
    /// Finalized (issued).
    #[serde(default, with = "time::serde::timestamp::option")]
    pub finalized_at: Option<OffsetDateTime>,
    /// Paid.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub paid_at: Option<OffsetDateTime>,
    /// Voided.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub voided_at: Option<OffsetDateTime>,
    /// Marked uncollectible.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub marked_uncollectible_at: Option<OffsetDateTime>,
}

/// An invoice (`GET /v1/invoices`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    /// `in_…`.
    pub id: InvoiceId,
    /// The invoice number, set when finalized.
    pub number: Option<String>,
    /// Status (`null` only for deleted drafts).
    pub status: Option<InvoiceStatus>,
    /// Invoice currency.
    pub currency: Currency,
    /// Created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// When the invoice took effect (finalization, or a backdated date).
    #[serde(default, with = "time::serde::timestamp::option")]
    pub effective_at: Option<OffsetDateTime>,
    /// Status changes.
    #[serde(default)]
    pub status_transitions: InvoiceStatusTransitions,
    /// The customer (`cus_…`).
    pub customer: Option<ObjectRef>,
    /// Customer name as printed.
    pub customer_name: Option<String>,
    /// Customer address as printed.
    pub customer_address: Option<Address>,
    /// Customer shipping details.
    pub customer_shipping: Option<CustomerShipping>,
    /// The customer's tax status.
    pub customer_tax_exempt: Option<TaxExempt>,
    /// The customer's tax ids as printed.
    pub customer_tax_ids: Option<Vec<CustomerTaxId>>,
    /// The seller's country.
    pub account_country: Option<String>,
    /// Sum of line amounts before discounts and exclusive tax.
    pub subtotal: i64,
    /// Total after discounts, excluding tax.
    pub total_excluding_tax: Option<i64>,
    /// Total, tax included.
    pub total: i64,
    /// Due.
    #[serde(default)]
    pub amount_due: i64,
    /// Paid.
    #[serde(default)]
    pub amount_paid: i64,
    /// Remaining.
    #[serde(default)]
    pub amount_remaining: i64,
    /// All taxes of the invoice.
    pub total_taxes: Option<Vec<InvoiceTax>>,
    /// The lines (first page; see `has_more`).
    pub lines: List<InvoiceLineItem>,
    /// The payments, when listed with `expand[]=data.payments` (first page).
    pub payments: Option<List<InvoicePayment>>,
    /// Shipping.
    pub shipping_cost: Option<ShippingCost>,
    /// Credit notes issued before payment.
    pub pre_payment_credit_notes_amount: Option<i64>,
    /// Credit notes issued after payment.
    pub post_payment_credit_notes_amount: Option<i64>,
    /// Live (`true`) or test mode.
    #[serde(default)]
    pub livemode: bool,
}

/// A tax rate (`GET /v1/tax_rates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxRate {
    /// `txr_…`.
    pub id: TaxRateId,
    /// Percent out of 100 (`25`). A JSON number kept as a `Decimal` of its digits.
    #[serde(deserialize_with = "provider_http::decimal::number")]
    pub percentage: Decimal,
    /// The rate actually applied, when it differs.
    #[serde(default, deserialize_with = "provider_http::decimal::option")]
    pub effective_percentage: Option<Decimal>,
    /// Whether amounts include it.
    #[serde(default)]
    pub inclusive: bool,
    /// Country of the tax.
    pub country: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Name on invoices (`Moms`).
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// `vat`, `sales_tax`, …
    pub tax_type: Option<String>,
    /// Whether it can still be used.
    #[serde(default)]
    pub active: bool,
}

/// The payment behind an invoice payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePaymentDetails {
    /// `payment_intent`, `charge` or `payment_record`.
    #[serde(rename = "type")]
    pub payment_type: String,
    /// The PaymentIntent.
    pub payment_intent: Option<ObjectRef>,
    /// The charge (older payments).
    pub charge: Option<ObjectRef>,
    /// A payment recorded outside Stripe.
    pub payment_record: Option<ObjectRef>,
}

impl InvoicePaymentDetails {
    /// The id of the paying object (PaymentIntent, charge or payment record).
    pub fn reference(&self) -> Option<&str> {
        self.payment_intent
            .as_ref()
            .or(self.charge.as_ref())
            .or(self.payment_record.as_ref())
            .map(ObjectRef::as_str)
    }
}

/// When an invoice payment changed status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvoicePaymentTransitions {
    /// Paid.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub paid_at: Option<OffsetDateTime>,
    /// Cancelled.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub canceled_at: Option<OffsetDateTime>,
}

/// A payment of an invoice (`GET /v1/invoice_payments`): the link between an
/// invoice and the PaymentIntent whose charge settles in a payout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicePayment {
    /// `inpay_…`.
    pub id: InvoicePaymentId,
    /// Paid, once paid.
    pub amount_paid: Option<i64>,
    /// Requested.
    pub amount_requested: i64,
    /// Currency.
    pub currency: Currency,
    /// Created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// The invoice.
    pub invoice: ObjectRef,
    /// Whether this is the invoice's default payment.
    #[serde(default)]
    pub is_default: bool,
    /// The paying object.
    pub payment: InvoicePaymentDetails,
    /// Status.
    pub status: InvoicePaymentStatus,
    /// Status changes.
    #[serde(default)]
    pub status_transitions: InvoicePaymentTransitions,
}

/// A refund made by a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteRefund {
    /// Refunded.
    pub amount_refunded: i64,
    /// The refund (`re_…`).
    pub refund: Option<ObjectRef>,
}

/// A line of a credit note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditNoteLineItem {
    /// `cnli_…`.
    pub id: CreditNoteLineItemId,
    /// Credited, excluding exclusive tax and before discounts.
    pub amount: i64,
    /// Text.
    pub description: Option<String>,
    /// Discount on this line.
    pub discount_amount: Option<i64>,
    /// Quantity.
    pub quantity: Option<i64>,
    /// Taxes on this line (current shape).
    pub taxes: Option<Vec<InvoiceTax>>,
    /// The tax rate objects of this line.
    pub tax_rates: Option<Vec<TaxRate>>,
    /// `invoice_line_item` or `custom_line_item`.
    #[serde(rename = "type")]
    pub line_type: Option<String>,
    /// The credited invoice line.
    pub invoice_line_item: Option<String>,
}

/// A credit note (`GET /v1/credit_notes`), listed with `expand[]=data.invoice`
/// so the customer's tax facts come with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditNote {
    /// `cn_…`.
    pub id: CreditNoteId,
    /// Number, e.g. `ACME-0042-CN-01`.
    pub number: Option<String>,
    /// The credited invoice.
    pub invoice: Expandable<Invoice>,
    /// Currency.
    pub currency: Currency,
    /// Created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// When it took effect.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub effective_at: Option<OffsetDateTime>,
    /// Status.
    pub status: CreditNoteStatus,
    /// `pre_payment`, `post_payment` or `mixed`.
    #[serde(rename = "type")]
    pub credit_note_type: Option<String>,
    /// Total credited, tax included.
    pub total: i64,
    /// Total excluding tax.
    pub total_excluding_tax: Option<i64>,
    /// All taxes.
    pub total_taxes: Option<Vec<InvoiceTax>>,
    /// The lines (first page).
    pub lines: List<CreditNoteLineItem>,
    /// Refunds made.
    pub refunds: Option<Vec<CreditNoteRefund>>,
    /// Credited outside Stripe.
    pub out_of_band_amount: Option<i64>,
    /// The shipping credited (the same object as an invoice's), when any.
    #[serde(default)]
    pub shipping_cost: Option<ShippingCost>,
    /// Why.
    pub reason: Option<String>,
    /// Voided.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub voided_at: Option<OffsetDateTime>,
    /// Live (`true`) or test mode.
    #[serde(default)]
    pub livemode: bool,
}
