//! ID newtypes, one per Stripe object, so a payout id is never passed where an
//! invoice id is expected.

provider_http::provider_id! {
    provider: "Stripe",
    /// The id of a payout.
    ///
    /// Stripe ids of this kind start with `po_`.
    pub struct PayoutId;
    /// The id of a balance transaction.
    ///
    /// Stripe ids of this kind start with `txn_`.
    pub struct BalanceTransactionId;
    /// The id of a charge.
    ///
    /// Stripe ids of this kind start with `ch_` or `py_`.
    pub struct ChargeId;
    /// The id of a refund.
    ///
    /// Stripe ids of this kind start with `re_` or `pyr_`.
    pub struct RefundId;
    /// The id of a dispute.
    ///
    /// Stripe ids of this kind start with `dp_` or `du_`.
    pub struct DisputeId;
    /// The id of a PaymentIntent.
    ///
    /// Stripe ids of this kind start with `pi_`.
    pub struct PaymentIntentId;
    /// The id of an invoice.
    ///
    /// Stripe ids of this kind start with `in_`.
    pub struct InvoiceId;
    /// The id of an invoice line item.
    ///
    /// Stripe ids of this kind start with `il_`.
    pub struct InvoiceLineItemId;
    /// The id of an invoice payment.
    ///
    /// Stripe ids of this kind start with `inpay_`.
    pub struct InvoicePaymentId;
    /// The id of a credit note.
    ///
    /// Stripe ids of this kind start with `cn_`.
    pub struct CreditNoteId;
    /// The id of a credit note line item.
    ///
    /// Stripe ids of this kind start with `cnli_`.
    pub struct CreditNoteLineItemId;
    /// The id of a tax rate.
    ///
    /// Stripe ids of this kind start with `txr_`.
    pub struct TaxRateId;
    /// The id of a customer.
    ///
    /// Stripe ids of this kind start with `cus_`.
    pub struct CustomerId;
    /// The id of an event (what a webhook delivers and `GET /v1/events` lists).
    ///
    /// Stripe ids of this kind start with `evt_`.
    pub struct EventId;
}
