//! ID newtypes, one per Stripe object, so a payout id is never passed where an
//! invoice id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! stripe_id {
    ($(#[$doc:meta] $name:ident, $prefix:literal;)*) => {
        $(
            #[$doc]
            #[doc = concat!("\n\nStripe ids of this kind start with `", $prefix, "`.")]
            #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
            #[serde(transparent)]
            pub struct $name(String);

            impl $name {
                /// Wraps an id as Stripe wrote it (not checked: Stripe adds prefixes).
                pub fn new(id: impl Into<String>) -> Self {
                    Self(id.into())
                }

                /// The id as text.
                pub fn as_str(&self) -> &str {
                    &self.0
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "{}({:?})", stringify!($name), self.0)
                }
            }

            impl From<&str> for $name {
                fn from(id: &str) -> Self {
                    Self(id.to_owned())
                }
            }

            impl From<String> for $name {
                fn from(id: String) -> Self {
                    Self(id)
                }
            }
        )*
    };
}

stripe_id! {
    /// The id of a payout.
    PayoutId, "po_";
    /// The id of a balance transaction.
    BalanceTransactionId, "txn_";
    /// The id of a charge.
    ChargeId, "ch_` or `py_";
    /// The id of a refund.
    RefundId, "re_` or `pyr_";
    /// The id of a dispute.
    DisputeId, "dp_` or `du_";
    /// The id of a PaymentIntent.
    PaymentIntentId, "pi_";
    /// The id of an invoice.
    InvoiceId, "in_";
    /// The id of an invoice line item.
    InvoiceLineItemId, "il_";
    /// The id of an invoice payment.
    InvoicePaymentId, "inpay_";
    /// The id of a credit note.
    CreditNoteId, "cn_";
    /// The id of a credit note line item.
    CreditNoteLineItemId, "cnli_";
    /// The id of a tax rate.
    TaxRateId, "txr_";
    /// The id of a customer.
    CustomerId, "cus_";
}
