//! `Order` and what hangs off it: line items, shipping lines, refunds and
//! transactions.

use bookkeeping_core::text::Text;
use bookkeeping_core::{CountryCode, Currency};
use provider_http::scan::{self, Scan, Scannable, Scanner};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Connection, MoneyBag, TaxLines};
use crate::ids::{
    LineItemId, OrderAdjustmentId, OrderId, OrderTransactionId, RefundId, RefundLineItemId,
    RefundShippingLineId, ShippingLineId,
};

provider_http::open_enum! {
    provider: "Shopify",
    /// `OrderDisplayFinancialStatus`.
    pub enum FinancialStatus {
        /// Payment pending.
        Pending => "PENDING",
        /// Authorized, not captured.
        Authorized => "AUTHORIZED",
        /// Partly paid.
        PartiallyPaid => "PARTIALLY_PAID",
        /// Partly refunded.
        PartiallyRefunded => "PARTIALLY_REFUNDED",
        /// Voided.
        Voided => "VOIDED",
        /// Paid.
        Paid => "PAID",
        /// Refunded.
        Refunded => "REFUNDED",
        /// The authorization expired.
        Expired => "EXPIRED",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `OrderTransactionKind`.
    pub enum OrderTransactionKind {
        /// Authorization and capture in one.
        Sale => "SALE",
        /// Capture of an authorization.
        Capture => "CAPTURE",
        /// Authorization (moves no money).
        Authorization => "AUTHORIZATION",
        /// Void of an authorization (moves no money).
        Void => "VOID",
        /// Refund.
        Refund => "REFUND",
        /// Change given back (cash).
        Change => "CHANGE",
        /// Card-present authorization.
        EmvAuthorization => "EMV_AUTHORIZATION",
        /// A suggested refund (moves no money).
        SuggestedRefund => "SUGGESTED_REFUND",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `OrderTransactionStatus`.
    pub enum OrderTransactionStatus {
        /// Succeeded: only these move money.
        Success => "SUCCESS",
        /// Failed.
        Failure => "FAILURE",
        /// Pending.
        Pending => "PENDING",
        /// Error.
        Error => "ERROR",
        /// Awaiting a response.
        AwaitingResponse => "AWAITING_RESPONSE",
        /// Unknown at Shopify.
        UnknownStatus => "UNKNOWN",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `OrderAdjustmentDiscrepancyReason`.
    pub enum OrderAdjustmentReason {
        /// Restocking fee.
        Restock => "RESTOCK",
        /// Damage.
        Damage => "DAMAGE",
        /// Customer's choice.
        Customer => "CUSTOMER",
        /// Refund differs from the items' value.
        RefundDiscrepancy => "REFUND_DISCREPANCY",
        /// Balancing adjustment on a full return.
        FullReturnBalancingAdjustment => "FULL_RETURN_BALANCING_ADJUSTMENT",
        /// Pending refund discrepancy.
        PendingRefundDiscrepancy => "PENDING_REFUND_DISCREPANCY",
    }
}

/// A Shopify order, the sales report's unit.
///
/// It holds the fields bookkeeping reads and nothing else (`queries` selects
/// no more): every text kept is an allocation per order, and a field nobody
/// reads only slows a month's sync. The SKU, the payment gateway names, the
/// discount codes, the customer's currency, a refund's note, a
/// transaction's payment id and fees (the payout's balance transactions carry
/// the fees), and the order totals and line discounts that the books compute
/// from the lines (`subtotalPriceSet`, `totalDiscountsSet`,
/// `totalShippingPriceSet`, `totalRefundedSet`, `LineItem.totalDiscountSet`,
/// `ShippingLine.originalPriceSet`) were dropped for that reason: the books
/// take the gateway from each transaction and the money from `shopMoney`.
///
/// Its short texts (the order's name, line and shipping titles, tax titles,
/// gateways, custom attributes) are [`Text`]s, held in place when
/// at most [`bookkeeping_core::text::INLINE`] bytes long, as most are; its
/// ids are newtypes of [`bookkeeping_core::text::IdText`], in place up to
/// [`bookkeeping_core::text::ID_INLINE`] bytes, as every GID is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The GID.
    pub id: OrderId,
    /// The order name (`#1001`): not unique across shops.
    pub name: Text,
    /// When checkout completed.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the order was processed: the sale date.
    #[serde(with = "time::serde::rfc3339")]
    pub processed_at: OffsetDateTime,
    /// Last change (refunds, edits).
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it was cancelled.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// Whether the order has had edits applied since it was placed (line
    /// items added or removed, quantities or prices changed): Shopify's
    /// `edited`. Its line items then hold units an edit removed and items an
    /// edit added, whenever the edit was made.
    pub edited: bool,
    /// A test order.
    pub test: bool,
    /// The shop currency: the currency of every `shopMoney`, so of the
    /// books. Read as a [`Currency`] (three letters, no allocation), as a
    /// `MoneyV2`'s is: a code that is not three letters makes the order fail
    /// to decode, naming the field.
    pub currency_code: Currency,
    /// Whether prices include VAT.
    pub taxes_included: bool,
    /// Whether the order is tax exempt.
    pub tax_exempt: bool,
    /// Financial status.
    pub display_financial_status: Option<FinancialStatus>,
    /// Total before returns, VAT and discounts included.
    pub total_price_set: MoneyBag,
    /// Tax before returns.
    pub total_tax_set: Option<MoneyBag>,
    /// Tips received.
    pub total_tip_received_set: MoneyBag,
    /// Tax lines of the whole order.
    pub tax_lines: TaxLines,
    /// Billing address.
    pub billing_address: Option<MailingAddress>,
    /// Shipping address.
    pub shipping_address: Option<MailingAddress>,
    /// The customer or B2B company.
    pub purchasing_entity: Option<PurchasingEntity>,
    /// Checkout attributes (apps store a VAT number here).
    #[serde(default)]
    pub custom_attributes: Vec<Attribute>,
    /// Line items.
    pub line_items: Connection<LineItem>,
    /// Shipping lines.
    pub shipping_lines: Connection<ShippingLine>,
    /// Refunds.
    pub refunds: Vec<Refund>,
    /// Payment transactions.
    pub transactions: Vec<OrderTransaction>,
}

/// A mailing address; kassabok needs only the country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailingAddress {
    /// ISO country code.
    ///
    /// Read as a [`CountryCode`] (two letters, as every value of Shopify's
    /// `CountryCode` enum is): any other text makes the order fail to
    /// decode, naming the field, instead of its country being taken for
    /// missing.
    pub country_code_v2: Option<CountryCode>,
}

/// A key/value attribute from checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// Key.
    pub key: Text,
    /// Value.
    pub value: Option<Text>,
}

provider_http::open_enum! {
    provider: "Shopify",
    /// The members of the `PurchasingEntity` union (2026-01 schema).
    pub enum PurchasingEntityType {
        /// A consumer (or a business buying without a company profile).
        Customer => "Customer",
        /// A B2B company.
        PurchasingCompany => "PurchasingCompany",
    }
}

/// `PurchasingEntity = Customer | PurchasingCompany`; only a company carries a
/// VAT number (its location's tax registration id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchasingEntity {
    /// Which member of the union.
    #[serde(rename = "__typename")]
    pub typename: PurchasingEntityType,
    /// The company location, for a company.
    pub location: Option<CompanyLocation>,
}

/// A B2B company location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyLocation {
    /// Tax settings.
    pub tax_settings: CompanyTaxSettings,
}

/// A company location's tax settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyTaxSettings {
    /// The VAT number.
    pub tax_registration_id: Option<String>,
    /// Whether the location is exempt.
    pub tax_exempt: bool,
}

/// A line item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// The GID.
    pub id: LineItemId,
    /// Product and variant title.
    pub name: Text,
    /// Quantity ordered, "including refunded and removed units" (2026-01
    /// schema): an edit that removes units leaves them here.
    pub quantity: i64,
    /// The units still on the order, "excluding refunded and removed units"
    /// (`currentQuantity`); `None` when not sent.
    pub current_quantity: Option<i64>,
    /// Whether the item is taxable.
    pub taxable: bool,
    /// A gift card sold: not revenue.
    pub is_gift_card: bool,
    /// Unit price × quantity, before discounts.
    pub original_total_set: MoneyBag,
    /// Every discount allocated to the line, line-level and order-level
    /// (a code on the whole order is allocated across the lines here).
    pub discount_allocations: Vec<DiscountAllocation>,
    /// Taxes on the line after all discounts (`TaxLine.priceSet`: "after
    /// discounts and before returns").
    pub tax_lines: TaxLines,
}

/// A discount allocated to a line (`DiscountAllocation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountAllocation {
    /// The amount taken off the line.
    pub allocated_amount_set: MoneyBag,
}

/// A shipping line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingLine {
    /// The GID.
    pub id: Option<ShippingLineId>,
    /// The rate's title (`PostNord Ombud`).
    pub title: Text,
    /// Whether it was removed by an order edit.
    pub is_removed: bool,
    /// Price after discounts.
    pub discounted_price_set: MoneyBag,
    /// Taxes on shipping.
    pub tax_lines: TaxLines,
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// The GID.
    pub id: RefundId,
    /// When it was created.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was processed.
    #[serde(with = "time::serde::rfc3339")]
    pub processed_at: OffsetDateTime,
    /// The money given back.
    pub total_refunded_set: MoneyBag,
    /// Items refunded.
    pub refund_line_items: Connection<RefundLineItem>,
    /// Shipping refunded.
    pub refund_shipping_lines: Connection<RefundShippingLine>,
    /// Adjustments (discrepancies, restocking fees).
    pub order_adjustments: Connection<OrderAdjustment>,
    /// The refund transactions.
    pub transactions: Connection<OrderTransaction>,
}

/// A refunded line item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLineItem {
    /// The GID.
    pub id: Option<RefundLineItemId>,
    /// Quantity refunded.
    pub quantity: i64,
    /// The refunded amount (VAT included when the order's prices include it).
    pub subtotal_set: MoneyBag,
    /// VAT refunded.
    pub total_tax_set: MoneyBag,
    /// The line item refunded.
    pub line_item: RefundedLineItem,
}

/// The line item a refund line points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundedLineItem {
    /// The GID of the line item (as its [`LineItem::id`]).
    pub id: LineItemId,
    /// Title.
    pub name: Text,
    /// A gift card.
    pub is_gift_card: bool,
    /// The line's tax lines (for the rate).
    pub tax_lines: TaxLines,
}

/// A refunded shipping line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundShippingLine {
    /// The GID.
    pub id: RefundShippingLineId,
    /// Amount refunded (VAT included when the order's prices include it).
    pub subtotal_amount_set: MoneyBag,
    /// VAT refunded.
    pub tax_amount_set: MoneyBag,
    /// The shipping line refunded.
    pub shipping_line: RefundedShippingLine,
}

/// The shipping line a refund points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundedShippingLine {
    /// Title.
    pub title: Text,
    /// The line's tax lines (for the rate).
    pub tax_lines: TaxLines,
}

/// An order adjustment on a refund. A negative amount is money given back to
/// the customer beyond the items refunded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderAdjustment {
    /// The GID.
    pub id: OrderAdjustmentId,
    /// Why.
    pub reason: Option<OrderAdjustmentReason>,
    /// Amount.
    pub amount_set: MoneyBag,
    /// VAT part.
    pub tax_amount_set: MoneyBag,
}

/// A payment transaction of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTransaction {
    /// The GID; its numeric tail is the balance transaction's
    /// `sourceOrderTransactionId`.
    pub id: OrderTransactionId,
    /// Kind.
    pub kind: OrderTransactionKind,
    /// Status.
    pub status: OrderTransactionStatus,
    /// Gateway (`shopify_payments`, `Klarna`, `paypal`, `manual`, `gift_card`).
    pub gateway: Option<Text>,
    /// When processed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub processed_at: Option<OffsetDateTime>,
    /// Amount.
    pub amount_set: MoneyBag,
    /// A test transaction.
    pub test: bool,
}

/// A date-time field (RFC 3339).
#[derive(Deserialize)]
struct Rfc3339(#[serde(with = "time::serde::rfc3339")] OffsetDateTime);

/// A nullable date-time field (RFC 3339).
#[derive(Deserialize)]
struct Rfc3339Opt(#[serde(with = "time::serde::rfc3339::option")] Option<OffsetDateTime>);

// The scanner's reading of the two (`provider_http::scan`, the fast path of
// `OrdersPage::decode`): Shopify's own form read in place, any other text by
// the same `time` reader.

impl Scannable for Rfc3339 {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        let text = s.str()?;
        if let Some(at) = utc_seconds(&text) {
            return Ok(Rfc3339(at));
        }
        scan::read_str(&text, |text| time::serde::rfc3339::deserialize(text)).map(Rfc3339)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form Shopify writes its date-times in (the
/// 2026-01 schema's `DateTime` scalar: "3:50 pm on September 7, 2019 in
/// the time zone of UTC … is represented as `"2019-09-07T15:50:00Z`""), read
/// straight into its parts: the instant `time`'s RFC 3339 reader gives for
/// it (at offset UTC), in about 70 instructions (an order holds four).
/// `None` for any other text (a fraction, an offset, a leap second, a date
/// that does not exist…), which that reader then reads or refuses.
fn utc_seconds(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    let form = b.len() == 20
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ]
        .iter()
        .all(|&(at, sep)| b[at] == sep);
    if !form {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u16, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
        })
    };
    let small = |from: usize| number(from, from + 2).and_then(|n| u8::try_from(n).ok());
    let (hour, minute, second) = (small(11)?, small(14)?, small(17)?);
    if second > 59 {
        return None;
    }
    let month = time::Month::try_from(small(5)?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(number(0, 4)?), month, small(8)?).ok()?;
    let time = time::Time::from_hms(hour, minute, second).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc())
}

impl Scannable for Rfc3339Opt {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        Option::<Rfc3339>::scan(s).map(|at| Rfc3339Opt(at.map(|at| at.0)))
    }
}

// An order page is a few hundred keys per order: the structs of an order read
// their keys as bytes (`provider_http::fields!`), with the rules of serde's
// derive, as `MoneyV2` and `MoneyBag` do. Each lists its keys in the order
// `queries` selects them, the order GraphQL writes them in, so that the
// scanner finds each with one comparison (`fields::Keys`; a test in
// `tests/it/schema.rs` holds the two orders alike).

provider_http::fields! {
    Order {
        id: b"id" => required,
        name: b"name" => required,
        created_at: b"createdAt" as Rfc3339 => required,
        processed_at: b"processedAt" as Rfc3339 => required,
        updated_at: b"updatedAt" as Rfc3339 => required,
        cancelled_at: b"cancelledAt" as Rfc3339Opt => optional,
        test: b"test" => required,
        edited: b"edited" => default,
        currency_code: b"currencyCode" => required,
        taxes_included: b"taxesIncluded" => required,
        tax_exempt: b"taxExempt" => required,
        display_financial_status: b"displayFinancialStatus" => optional,
        total_price_set: b"totalPriceSet" => required,
        total_tax_set: b"totalTaxSet" => optional,
        total_tip_received_set: b"totalTipReceivedSet" => required,
        tax_lines: b"taxLines" => required,
        billing_address: b"billingAddress" => optional,
        shipping_address: b"shippingAddress" => optional,
        purchasing_entity: b"purchasingEntity" => optional,
        custom_attributes: b"customAttributes" => default,
        line_items: b"lineItems" => required,
        shipping_lines: b"shippingLines" => required,
        refunds: b"refunds" => required,
        transactions: b"transactions" => required,
    }
}

provider_http::fields! {
    MailingAddress {
        country_code_v2: b"countryCodeV2" => optional,
    }
}

provider_http::fields! {
    Attribute {
        key: b"key" => required,
        value: b"value" => optional,
    }
}

provider_http::fields! {
    PurchasingEntity {
        typename: b"__typename" => required,
        location: b"location" => optional,
    }
}

provider_http::fields! {
    CompanyLocation {
        tax_settings: b"taxSettings" => required,
    }
}

provider_http::fields! {
    CompanyTaxSettings {
        tax_registration_id: b"taxRegistrationId" => optional,
        tax_exempt: b"taxExempt" => required,
    }
}

provider_http::fields! {
    LineItem {
        id: b"id" => required,
        name: b"name" => required,
        quantity: b"quantity" => required,
        current_quantity: b"currentQuantity" => optional,
        taxable: b"taxable" => required,
        is_gift_card: b"isGiftCard" => required,
        original_total_set: b"originalTotalSet" => required,
        discount_allocations: b"discountAllocations" => required,
        tax_lines: b"taxLines" => required,
    }
}

provider_http::fields! {
    DiscountAllocation {
        allocated_amount_set: b"allocatedAmountSet" => required,
    }
}

provider_http::fields! {
    ShippingLine {
        id: b"id" => optional,
        title: b"title" => required,
        is_removed: b"isRemoved" => required,
        discounted_price_set: b"discountedPriceSet" => required,
        tax_lines: b"taxLines" => required,
    }
}

provider_http::fields! {
    Refund {
        id: b"id" => required,
        created_at: b"createdAt" as Rfc3339Opt => optional,
        processed_at: b"processedAt" as Rfc3339 => required,
        total_refunded_set: b"totalRefundedSet" => required,
        // A bulk result's refund has none of its four connections: two are
        // lines of their own, two come from another query. An answer to the
        // paged query always has them (GraphQL answers every field it
        // selects); a refund whose lines are missing anyway disagrees with
        // its total and becomes a review item.
        refund_line_items: b"refundLineItems" => default,
        refund_shipping_lines: b"refundShippingLines" => default,
        order_adjustments: b"orderAdjustments" => default,
        transactions: b"transactions" => default,
    }
}

provider_http::fields! {
    RefundLineItem {
        id: b"id" => optional,
        quantity: b"quantity" => required,
        subtotal_set: b"subtotalSet" => required,
        total_tax_set: b"totalTaxSet" => required,
        line_item: b"lineItem" => required,
    }
}

provider_http::fields! {
    RefundedLineItem {
        id: b"id" => required,
        name: b"name" => required,
        is_gift_card: b"isGiftCard" => required,
        tax_lines: b"taxLines" => required,
    }
}

provider_http::fields! {
    RefundShippingLine {
        id: b"id" => required,
        subtotal_amount_set: b"subtotalAmountSet" => required,
        tax_amount_set: b"taxAmountSet" => required,
        shipping_line: b"shippingLine" => required,
    }
}

provider_http::fields! {
    RefundedShippingLine {
        title: b"title" => required,
        tax_lines: b"taxLines" => required,
    }
}

provider_http::fields! {
    OrderAdjustment {
        id: b"id" => required,
        reason: b"reason" => optional,
        amount_set: b"amountSet" => required,
        tax_amount_set: b"taxAmountSet" => required,
    }
}

provider_http::fields! {
    OrderTransaction {
        id: b"id" => required,
        kind: b"kind" => required,
        status: b"status" => required,
        gateway: b"gateway" => optional,
        processed_at: b"processedAt" as Rfc3339Opt => optional,
        test: b"test" => required,
        amount_set: b"amountSet" => required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shopify's form of a date-time reads as `time`'s RFC 3339 reader reads
    /// it, instant and offset, across the calendar's edges; every other text
    /// is left to that reader (`None`), whatever it makes of it.
    #[test]
    fn shopifys_date_times_read_as_times_reader_reads_them() {
        let by_time =
            |text: &str| scan::read_str(text, |t| time::serde::rfc3339::deserialize(t)).ok();
        let mut read = 0;
        for year in ["0000", "1970", "2024", "2026", "2100", "9999"] {
            for month in ["00", "01", "02", "04", "12", "13"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    for time in ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60"] {
                        let text = format!("{year}-{month}-{day}T{time}Z");
                        match utc_seconds(&text) {
                            Some(at) => {
                                read += 1;
                                let want = by_time(&text).unwrap();
                                assert_eq!((at, at.offset()), (want, want.offset()), "{text}");
                            }
                            // Refused by both, or a leap second left to `time`.
                            None => assert!(
                                by_time(&text).is_none() || text.ends_with(":60Z"),
                                "{text}"
                            ),
                        }
                    }
                }
            }
        }
        assert!(read > 100, "{read}");
        for text in [
            "2026-03-01T10:00:00.5Z",
            "2026-03-01T10:00:00+01:00",
            "2026-03-01t10:00:00z",
            "2026-03-01 10:00:00Z",
            "2026-3-01T10:00:00Z",
            "+2026-03-01T10:00:0Z",
            "2026-03-01T10:00:00",
            "",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
        }
        assert_eq!(
            utc_seconds("2026-03-01T10:00:00Z").map(OffsetDateTime::unix_timestamp),
            Some(1_772_359_200)
        );
        // The schema's own example of a `DateTime`.
        assert_eq!(
            utc_seconds("2019-09-07T15:50:00Z").map(OffsetDateTime::unix_timestamp),
            Some(1_567_871_400)
        );
    }
}
