//! `GET /v1/reporting/transactions`: `search_response` and `transaction_detail`.

use bookkeeping_core::Money;
use serde::Deserialize;
use time::OffsetDateTime;

use super::EventCode;
use super::serde_helpers::{date, money};
use crate::{AccountId, TransactionId};

provider_http::open_enum! {
    provider: "PayPal",
    /// `transaction_status`: D, P, S or V (some accounts also send F, partially refunded).
    pub enum TransactionStatus {
        /// `D`: denied; no money moved.
        Denied => "D",
        /// `P`: pending; not yet on the balance.
        Pending => "P",
        /// `S`: successful.
        Success => "S",
        /// `V`: fully reversed or refunded to the sender (the reversal is its own record).
        Reversed => "V",
    }
}

provider_http::open_enum! {
    provider: "PayPal",
    /// `paypal_reference_id_type`: what `paypal_reference_id` points at.
    pub enum ReferenceIdType {
        /// `ODR`: an order.
        Order => "ODR",
        /// `TXN`: a transaction.
        Transaction => "TXN",
        /// `SUB`: a subscription.
        Subscription => "SUB",
        /// `PAP`: a pre-approved payment.
        PreApprovedPayment => "PAP",
    }
}

/// One page of `GET /v1/reporting/transactions`. The details stay raw JSON here so that
/// each is decoded on its own: one malformed record becomes a review item, not a lost page.
#[derive(Debug, Deserialize)]
pub(crate) struct SearchPage {
    #[serde(default)]
    pub(crate) transaction_details: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "date::option")]
    pub(crate) last_refreshed_datetime: Option<OffsetDateTime>,
    pub(crate) page: Option<u32>,
    pub(crate) total_items: Option<u64>,
    pub(crate) total_pages: Option<u32>,
}

/// One transaction (`transaction_detail`), as requested with `fields=all`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TransactionDetail {
    /// The transaction itself: ids, event code, dates, amounts, balances.
    pub transaction_info: TransactionInfo,
    /// The payer.
    pub payer_info: Option<PayerInfo>,
    /// Shipping details.
    pub shipping_info: Option<ShippingInfo>,
    /// The cart.
    pub cart_info: Option<CartInfo>,
}

/// `transaction_info`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TransactionInfo {
    /// The transaction id.
    pub transaction_id: TransactionId,
    /// The counterparty's PayPal account.
    pub paypal_account_id: Option<AccountId>,
    /// The original transaction of a refund, fee or conversion.
    pub paypal_reference_id: Option<TransactionId>,
    /// What `paypal_reference_id` points at.
    pub paypal_reference_id_type: Option<ReferenceIdType>,
    /// The event code, in full (`T0006`).
    pub transaction_event_code: EventCode,
    /// When the transaction started (the booking date).
    #[serde(deserialize_with = "date::required")]
    pub transaction_initiation_date: OffsetDateTime,
    /// When the transaction was last updated.
    #[serde(default, deserialize_with = "date::option")]
    pub transaction_updated_date: Option<OffsetDateTime>,
    /// The gross amount, signed: positive into the balance.
    #[serde(deserialize_with = "money::required")]
    pub transaction_amount: Money,
    /// The fee, signed as it hits the balance (negative on a received payment); absent
    /// when no fee applied.
    #[serde(default, deserialize_with = "money::option")]
    pub fee_amount: Option<Money>,
    /// Discount.
    #[serde(default, deserialize_with = "money::option")]
    pub discount_amount: Option<Money>,
    /// Insurance.
    #[serde(default, deserialize_with = "money::option")]
    pub insurance_amount: Option<Money>,
    /// Sales tax.
    #[serde(default, deserialize_with = "money::option")]
    pub sales_tax_amount: Option<Money>,
    /// Shipping.
    #[serde(default, deserialize_with = "money::option")]
    pub shipping_amount: Option<Money>,
    /// Shipping discount.
    #[serde(default, deserialize_with = "money::option")]
    pub shipping_discount_amount: Option<Money>,
    /// Tax on shipping.
    #[serde(default, deserialize_with = "money::option")]
    pub shipping_tax_amount: Option<Money>,
    /// Other amounts.
    #[serde(default, deserialize_with = "money::option")]
    pub other_amount: Option<Money>,
    /// Tip.
    #[serde(default, deserialize_with = "money::option")]
    pub tip_amount: Option<Money>,
    /// The status.
    pub transaction_status: Option<TransactionStatus>,
    /// The subject the payer saw.
    pub transaction_subject: Option<String>,
    /// The payer's note.
    pub transaction_note: Option<String>,
    /// The merchant's invoice id (often the shop's order number).
    pub invoice_id: Option<String>,
    /// The merchant's custom field.
    pub custom_field: Option<String>,
    /// Payment tracking id.
    pub payment_tracking_id: Option<String>,
    /// The bank's reference of a withdrawal or deposit.
    pub bank_reference_id: Option<String>,
    /// The balance after this transaction, in its currency.
    #[serde(default, deserialize_with = "money::option")]
    pub ending_balance: Option<Money>,
    /// The available balance after this transaction.
    #[serde(default, deserialize_with = "money::option")]
    pub available_balance: Option<Money>,
    /// Seller protection eligibility (`01`, `02`, `03`).
    pub protection_eligibility: Option<String>,
    /// The instrument type.
    pub instrument_type: Option<String>,
    /// The instrument subtype.
    pub instrument_sub_type: Option<String>,
    /// `PUI`, `installment` or `mEFT`.
    pub payment_method_type: Option<String>,
}

/// `payer_info`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PayerInfo {
    /// The payer's PayPal account id.
    pub account_id: Option<AccountId>,
    /// The payer's e-mail.
    pub email_address: Option<String>,
    /// The payer's phone.
    pub phone_number: Option<Phone>,
    /// `Y` when the address is confirmed.
    pub address_status: Option<String>,
    /// `Y` when the payer is verified.
    pub payer_status: Option<String>,
    /// The payer's name.
    pub payer_name: Option<PayerName>,
    /// ISO 3166-1 alpha-2 country of the payer.
    pub country_code: Option<String>,
}

impl PayerInfo {
    /// The best display name: the full name, the given name and surname, else the e-mail.
    pub fn display_name(&self) -> Option<String> {
        let name = self.payer_name.as_ref().and_then(PayerName::full);
        name.or_else(|| self.email_address.clone())
            .or_else(|| self.account_id.as_ref().map(ToString::to_string))
    }
}

/// A phone number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Phone {
    /// Country calling code.
    pub country_code: Option<String>,
    /// The national number.
    pub national_number: Option<String>,
}

/// A payer's name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PayerName {
    /// Given name.
    pub given_name: Option<String>,
    /// Surname.
    pub surname: Option<String>,
    /// The full name as PayPal composed it.
    pub alternate_full_name: Option<String>,
    /// The full name.
    pub full_name: Option<String>,
}

impl PayerName {
    /// The full name, from whichever fields are present.
    pub fn full(&self) -> Option<String> {
        let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        non_empty(&self.alternate_full_name)
            .or_else(|| non_empty(&self.full_name))
            .or_else(|| {
                let parts: Vec<String> = [non_empty(&self.given_name), non_empty(&self.surname)]
                    .into_iter()
                    .flatten()
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
    }
}

/// `shipping_info`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ShippingInfo {
    /// The recipient's name.
    pub name: Option<String>,
    /// The shipping method.
    pub method: Option<String>,
}

/// `cart_info`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CartInfo {
    /// The items.
    #[serde(default)]
    pub item_details: Vec<ItemDetail>,
    /// Whether item prices include tax.
    pub tax_inclusive: Option<bool>,
    /// PayPal's invoice id.
    pub paypal_invoice_id: Option<String>,
}

/// One item of a cart.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ItemDetail {
    /// The merchant's item code.
    pub item_code: Option<String>,
    /// The item name.
    pub item_name: Option<String>,
    /// The description.
    pub item_description: Option<String>,
    /// The quantity, a string in PayPal's API.
    pub item_quantity: Option<String>,
    /// Unit price.
    #[serde(default, deserialize_with = "money::option")]
    pub item_unit_price: Option<Money>,
    /// Item amount.
    #[serde(default, deserialize_with = "money::option")]
    pub item_amount: Option<Money>,
    /// Tax percentage, a decimal string (`"25.00"`).
    pub tax_percentage: Option<String>,
    /// Taxes on the item.
    #[serde(default)]
    pub tax_amounts: Vec<TaxAmount>,
    /// The item's total.
    #[serde(default, deserialize_with = "money::option")]
    pub total_item_amount: Option<Money>,
    /// The invoice number.
    pub invoice_number: Option<String>,
}

/// `{tax_amount: money}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TaxAmount {
    /// The tax.
    #[serde(default, deserialize_with = "money::option")]
    pub tax_amount: Option<Money>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::BalancesResponse;

    /// PayPal leaves out what does not apply: an absent optional field
    /// decodes as `None` (serde's own rule for `Option`), also where a
    /// money or date reader is named.
    #[test]
    fn absent_optional_fields_decode_as_none() {
        let detail: TransactionDetail = serde_json::from_value(serde_json::json!({
            "transaction_info": {
                "transaction_id": "5TY05013RG002845M",
                "transaction_event_code": "T0006",
                "transaction_initiation_date": "2026-03-02T10:00:00+0000",
                "transaction_amount": { "currency_code": "SEK", "value": "465.00" },
            },
            "payer_info": {},
        }))
        .unwrap();
        let info = &detail.transaction_info;
        assert_eq!(
            (&info.paypal_account_id, &info.transaction_status),
            (&None, &None)
        );
        assert_eq!(
            (&info.fee_amount, &info.transaction_updated_date),
            (&None, &None)
        );
        assert_eq!((&info.invoice_id, &info.bank_reference_id), (&None, &None));
        let payer = detail.payer_info.as_ref().unwrap();
        assert_eq!((&payer.account_id, &payer.payer_name), (&None, &None));
        assert_eq!((&detail.shipping_info, &detail.cart_info), (&None, &None));

        let balances: BalancesResponse = serde_json::from_value(serde_json::json!({
            "balances": [{
                "currency": "SEK",
                "total_balance": { "currency_code": "SEK", "value": "100.00" },
            }],
        }))
        .unwrap();
        assert_eq!((&balances.account_id, &balances.as_of_time), (&None, &None));
        assert_eq!(balances.balances[0].primary, None);
        assert_eq!(balances.balances[0].available_balance, None);
    }
}
