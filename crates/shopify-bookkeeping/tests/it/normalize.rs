//! Normalization cases beyond the month fixture: refund adjustments,
//! cancelled orders, tips, B2B, exports and unknown transaction kinds.

use bookkeeping_core::{Currency, LineKind, Money, ReviewReason, TaxTreatment};
use serde_json::{Value, json};
use shopify_bookkeeping::models::Order;
use shopify_bookkeeping::normalize::{NormalizeOptions, normalize_order};

use crate::support::fixture;

fn sek(s: &str) -> Money {
    Money::parse(s, Currency::SEK).unwrap()
}

fn order(index: usize) -> Value {
    fixture("orders-march-page1.json")["data"]["orders"]["nodes"][index].clone()
}

fn decode(v: Value) -> Order {
    serde_json::from_value(v).expect("order")
}

fn money(amount: &str) -> Value {
    json!({"shopMoney": {"amount": amount, "currencyCode": "SEK"},
           "presentmentMoney": {"amount": amount, "currencyCode": "SEK"}})
}

/// A successful transaction of `gateway` (`paypal` or `Klarna`), as the
/// orders query selects it (`fragment Txn`).
fn txn(id: u64, gateway: &str, kind: &str, amount: &str, at: &str) -> Value {
    let formatted = if gateway == "paypal" {
        "PayPal"
    } else {
        gateway
    };
    json!({"id": format!("gid://shopify/OrderTransaction/{id}"), "kind": kind,
           "status": "SUCCESS", "gateway": gateway, "formattedGateway": formatted,
           "processedAt": at, "test": false, "paymentId": format!("{gateway}-{id}"),
           "amountSet": money(amount), "fees": []})
}

/// Order #1002 of the fixture paid with `transactions` through `gateway`.
fn paid_through(gateway: &str, transactions: Vec<Value>) -> Value {
    let mut v = order(1);
    v["paymentGatewayNames"] = json!([gateway]);
    v["transactions"] = Value::Array(transactions);
    v
}

#[test]
fn a_refund_discrepancy_is_an_other_line_with_review() {
    let mut v = order(0);
    let refund = &mut v["refunds"][0];
    refund["orderAdjustments"]["nodes"] = json!([{
        "id": "gid://shopify/OrderAdjustment/5501",
        "reason": "REFUND_DISCREPANCY",
        "amountSet": money("-20.0"),
        "taxAmountSet": money("0.0")
    }]);
    refund["totalRefundedSet"] = money("199.1");
    refund["transactions"]["nodes"][0]["amountSet"] = money("199.1");
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    let r = &n.refunds[0];
    assert_eq!(r.total().unwrap(), sek("199.10"));
    let other = r.lines.iter().find(|l| l.kind == LineKind::Other).unwrap();
    assert_eq!(other.net, sek("20.00"));
    assert!(matches!(other.treatment, TaxTreatment::Undetermined { .. }));
    assert!(n.review.iter().any(
        |i| i.reason == ReviewReason::TaxTreatment && i.message.contains("REFUND_DISCREPANCY")
    ));
    assert!(
        !n.review
            .iter()
            .any(|i| i.reason == ReviewReason::AmountMismatch)
    );
}

#[test]
fn a_refund_that_differs_from_its_lines_needs_review() {
    let mut v = order(0);
    v["refunds"][0]["totalRefundedSet"] = money("150.0");
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    let item = n
        .review
        .iter()
        .find(|i| i.reason == ReviewReason::AmountMismatch)
        .unwrap();
    assert_eq!(item.amount, Some(sek("29.10")));
    assert_eq!(item.source.as_ref().unwrap().kind, "refund");
}

#[test]
fn a_cancelled_unpaid_order_is_not_a_sale() {
    let mut v = order(2);
    v["cancelledAt"] = json!("2026-03-06T08:00:00Z");
    v["displayFinancialStatus"] = json!("VOIDED");
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    assert!(n.sale.is_none());
    assert_eq!(n.review.len(), 1);
    assert_eq!(n.review[0].amount, Some(sek("450.00")));
}

/// `Order.edited` (2026-01 schema: "Whether the order has had any edits
/// applied. For example, adding or removing line items, updating quantities,
/// or changing prices."). An edit leaves what it removed in the line items
/// (`LineItem.quantity`: "including refunded and removed units") and dates
/// itself only in the order's sales agreements, so the sale read from the
/// lines is the order as it stands at the close, not as it stood at its
/// month's end: booked as read, and said.
#[test]
fn an_edited_order_is_booked_as_read_and_needs_review() {
    let plain = normalize_order(&decode(order(2)), &NormalizeOptions::default());
    assert!(plain.review.is_empty(), "{:#?}", plain.review);
    assert!(plain.after_placement.is_empty());

    let mut v = order(2);
    v["edited"] = json!(true);
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    assert_eq!(n.sale, plain.sale, "the booking itself does not change");
    assert!(n.review.is_empty(), "{:#?}", n.review);
    let [edit] = n.after_placement.as_slice() else {
        panic!("{:#?}", n.after_placement)
    };
    assert_eq!(edit.at, None, "Shopify does not date it on the order");
    let item = &edit.item;
    assert_eq!(item.field.as_deref(), Some("edited"));
    assert_eq!(item.amount, Some(sek("450.00")));
    assert_eq!(item.source.as_ref().unwrap().kind, "order");
    assert!(
        item.message.contains("#1003 was edited"),
        "{}",
        item.message
    );
    assert!(!item.message.contains("removed by an edit and"));

    // Two of three units removed by the edit, one of #1001's two socks
    // refunded: `currentQuantity` counts neither, so the edit took off
    // quantity - currentQuantity - refunded.
    let mut v = order(0);
    v["edited"] = json!(true);
    v["lineItems"]["nodes"][1]["quantity"] = json!(3);
    v["lineItems"]["nodes"][1]["currentQuantity"] = json!(1);
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    let item = &n.after_placement[0].item;
    assert_eq!(item.field.as_deref(), Some("edited"));
    assert!(
        item.message
            .ends_with("still in the line totals: 2 × Kaffe mörkrost 500 g"),
        "{}",
        item.message
    );

    // Quantities at the edge of an i64 count nothing and stop nothing.
    let mut v = order(0);
    v["edited"] = json!(true);
    let refunded = &mut v["refunds"][0]["refundLineItems"]["nodes"];
    refunded[0]["quantity"] = json!(i64::MAX);
    let again = refunded[0].clone();
    refunded.as_array_mut().unwrap().push(again);
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    let item = &n.after_placement[0].item;
    assert!(
        !item.message.contains("removed by an edit and"),
        "{}",
        item.message
    );
}

#[test]
fn a_tip_is_a_line_without_vat() {
    let mut v = order(2);
    v["totalTipReceivedSet"] = money("20.0");
    v["totalPriceSet"] = money("470.0");
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    let sale = n.sale.unwrap();
    assert_eq!(sale.total().unwrap(), sek("470.00"));
    let tip = sale.lines.iter().find(|l| l.kind == LineKind::Tip).unwrap();
    assert!(tip.vat.is_zero());
    assert!(n.review.is_empty(), "{:#?}", n.review);
}

#[test]
fn eu_business_with_vat_number_is_reverse_charge_and_norway_is_export() {
    let mut v = order(2);
    v["billingAddress"] = json!({"countryCodeV2": "FI"});
    v["shippingAddress"] = json!({"countryCodeV2": "FI"});
    v["purchasingEntity"] = json!({"__typename": "PurchasingCompany",
        "location": {"taxSettings": {"taxRegistrationId": "FI20774740", "taxExempt": true}}});
    v["lineItems"]["nodes"][0]["taxLines"] = json!([]);
    v["totalTaxSet"] = money("0.0");
    let n = normalize_order(&decode(v.clone()), &NormalizeOptions::default());
    let sale = n.sale.unwrap();
    assert_eq!(sale.customer.vat_number.as_deref(), Some("FI20774740"));
    assert_eq!(sale.lines[0].treatment, TaxTreatment::EuB2bReverseCharge);
    assert_eq!(sale.lines[0].net, sek("450.00"));

    v["billingAddress"] = json!({"countryCodeV2": "NO"});
    v["shippingAddress"] = json!({"countryCodeV2": "NO"});
    v["purchasingEntity"] = json!({"__typename": "Customer"});
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    assert_eq!(
        n.sale.unwrap().lines[0].treatment,
        TaxTreatment::ExportOutsideEu
    );
    assert!(n.review.is_empty(), "{:#?}", n.review);
}

#[test]
fn a_consumer_in_the_eu_without_vat_needs_review() {
    let mut v = order(2);
    v["shippingAddress"] = json!({"countryCodeV2": "DK"});
    v["lineItems"]["nodes"][0]["taxLines"] = json!([]);
    v["totalTaxSet"] = money("0.0");
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    assert!(matches!(
        n.sale.unwrap().lines[0].treatment,
        TaxTreatment::Undetermined { .. }
    ));
    assert!(
        n.review
            .iter()
            .any(|i| i.reason == ReviewReason::TaxTreatment)
    );
}

/// A transaction kind or status the 2026-01 schema does not list (one
/// Shopify adds later) is not guessed: the payment is left out and named.
#[test]
fn an_unknown_transaction_kind_or_status_needs_review() {
    for (field, value) in [("kind", "INSTALLMENT_CAPTURE"), ("status", "SETTLING")] {
        let mut v = order(1);
        v["transactions"][0][field] = json!(value);
        let n = normalize_order(&decode(v), &NormalizeOptions::default());
        assert!(n.sale.unwrap().payments.is_empty(), "{field}");
        let item = &n.review[0];
        assert_eq!(item.reason, ReviewReason::UnknownType);
        assert_eq!(item.field.as_deref(), Some(field));
        assert_eq!(item.amount, Some(sek("500.00")));
        let expected = format!("transaction {field} {value:?} is not known");
        assert!(item.message.ends_with(&expected), "{}", item.message);
    }
}

#[test]
fn more_line_items_than_one_query_returns_is_not_booked_short() {
    let mut v = order(0);
    v["lineItems"]["pageInfo"] = json!({"hasNextPage": true, "endCursor": "eyJsYXN0IjoxMDB9"});
    let n = normalize_order(&decode(v), &NormalizeOptions::default());
    assert!(n.sale.is_none());
    assert!(
        n.review
            .iter()
            .any(|i| i.reason == ReviewReason::Incomplete)
    );
}

/// With manual capture an order is `AUTHORIZATION` at checkout and `CAPTURE`
/// later (`OrderTransactionKind`, 2026-01 schema; a PayPal authorization is
/// valid for 29 days, developer.paypal.com/docs/checkout/advanced/authorization-honor).
/// The sale is paid through the gateway that authorized it whether or not
/// the capture was made when the month is closed: what is authorized and
/// not yet captured or voided is a payment through that gateway, so a close
/// before the capture books the month as one after it does.
#[test]
fn an_authorized_order_is_paid_through_its_gateway_before_and_after_the_capture() {
    let txn = |id, kind: &str, amount: &str, at: &str| txn(id, "paypal", kind, amount, at);
    let payments = |transactions: Vec<Value>| {
        let v = paid_through("paypal", transactions);
        let n = normalize_order(&decode(v), &NormalizeOptions::default());
        assert!(n.review.is_empty(), "{:?}", n.review);
        n.sale
            .unwrap()
            .payments
            .into_iter()
            .map(|p| (p.gateway.to_string(), p.amount, p.channel))
            .collect::<Vec<_>>()
    };
    let auth = txn(1, "AUTHORIZATION", "500.0", "2026-03-21T10:00:00Z");
    let paypal = bookkeeping_core::PaymentChannel::Provider(bookkeeping_core::Provider::PayPal);
    let whole = vec![("paypal".to_owned(), sek("500.00"), paypal.clone())];

    // Before the capture, and after it: the same payment.
    assert_eq!(payments(vec![auth.clone()]), whole);
    let captured = txn(2, "CAPTURE", "500.0", "2026-04-02T09:00:00Z");
    assert_eq!(payments(vec![auth.clone(), captured]), whole);

    // Captured in part: the capture, and the rest still authorized.
    let part = txn(3, "CAPTURE", "300.0", "2026-04-02T09:00:00Z");
    let got = payments(vec![auth.clone(), part]);
    assert_eq!(
        got.iter().map(|(_, a, _)| *a).collect::<Vec<_>>(),
        [sek("300.00"), sek("200.00")]
    );
    assert!(got.iter().all(|(g, _, c)| g == "paypal" && *c == paypal));

    // Voided: nothing is paid (the order is then cancelled or paid another way).
    let void = txn(4, "VOID", "500.0", "2026-03-25T09:00:00Z");
    assert!(payments(vec![auth, void]).is_empty());
}

/// Cancelled before its capture (`VOID`, "A cancelation of an authorization
/// transaction", and `displayFinancialStatus: VOIDED`: `OrderTransactionKind`
/// and `OrderDisplayFinancialStatus` in the 2026-01 schema):
/// in the month it was placed, nothing is booked; in a later month, the sale
/// stands in its month, paid through the gateway that authorized it, and the
/// cancellation is a reversal of all of it, dated when it was made.
#[test]
fn an_order_cancelled_before_payment_in_a_later_month_is_reversed_then() {
    let txn = |id, kind: &str, at: &str| txn(id, "Klarna", kind, "500.0", at);
    let cancelled = |at: &str| {
        let mut v = paid_through(
            "Klarna",
            vec![
                txn(1, "AUTHORIZATION", "2026-03-27T10:00:00Z"),
                txn(2, "VOID", at),
            ],
        );
        v["cancelledAt"] = json!(at);
        v["displayFinancialStatus"] = json!("VOIDED");
        normalize_order(&decode(v), &NormalizeOptions::default())
    };
    let klarna = bookkeeping_core::PaymentChannel::Provider(bookkeeping_core::Provider::Klarna);

    let same_month = cancelled("2026-03-30T10:00:00Z");
    assert!(same_month.sale.is_none() && same_month.refunds.is_empty());
    assert_eq!(same_month.review.len(), 1);

    let next_month = cancelled("2026-04-03T08:00:00Z");
    let sale = next_month.sale.expect("the sale stands in March");
    assert_eq!(sale.payments.len(), 1);
    assert_eq!(sale.payments[0].channel, klarna);
    assert_eq!(sale.payments[0].amount, sek("500.00"));
    let [reversal] = next_month.refunds.as_slice() else {
        panic!("{:#?}", next_month.refunds)
    };
    assert_eq!(reversal.source.kind, "cancellation");
    assert_eq!(reversal.sale, sale.source);
    assert_eq!(
        reversal.occurred_at,
        time::macros::datetime!(2026-04-03 08:00 UTC)
    );
    assert_eq!(reversal.lines, sale.lines);
    assert_eq!(reversal.payments, sale.payments);
    assert!(next_month.review.is_empty(), "{:#?}", next_month.review);
}

/// An authorization that lapsed uncaptured, the order not cancelled
/// (`displayFinancialStatus: EXPIRED`, "Payment wasn't captured before the
/// payment provider's deadline on an authorized order", 2026-01 schema): the
/// sale stays paid through the authorizing gateway, as before the lapse, so
/// the booking of its month does not change, and a review item says the
/// gateway will not settle it. Once cancelled it is an ordinary cancellation.
#[test]
fn an_expired_authorization_keeps_the_booking_and_needs_review() {
    let normalized = |status: &str, cancelled_at: Option<&str>| {
        let auth = txn(
            1,
            "Klarna",
            "AUTHORIZATION",
            "500.0",
            "2026-03-27T10:00:00Z",
        );
        let mut v = paid_through("Klarna", vec![auth]);
        v["displayFinancialStatus"] = json!(status);
        v["cancelledAt"] = json!(cancelled_at);
        normalize_order(&decode(v), &NormalizeOptions::default())
    };
    let authorized = normalized("AUTHORIZED", None);
    assert!(authorized.review.is_empty(), "{:#?}", authorized.review);

    assert!(authorized.after_placement.is_empty());

    let expired = normalized("EXPIRED", None);
    assert_eq!(expired.sale, authorized.sale);
    assert!(expired.refunds.is_empty());
    assert!(expired.review.is_empty(), "{:#?}", expired.review);
    let [lapsed] = expired.after_placement.as_slice() else {
        panic!("{:#?}", expired.after_placement)
    };
    assert_eq!(lapsed.at, None);
    let item = &lapsed.item;
    assert_eq!(item.field.as_deref(), Some("displayFinancialStatus"));
    assert_eq!(item.amount, Some(sek("500.00")));
    assert!(item.message.contains("expired"), "{}", item.message);

    let cancelled = normalized("EXPIRED", Some("2026-04-26T08:00:00Z"));
    assert_eq!(cancelled.refunds.len(), 1, "reversed in April");
    assert!(cancelled.review.is_empty(), "{:#?}", cancelled.review);
    assert!(cancelled.after_placement.is_empty());
}

/// Captured in part in the next month and the rest voided then (`VOID`: "A
/// cancelation of an authorization transaction", `OrderTransactionKind` in
/// the 2026-01 schema), the order not cancelled (`cancelledAt` null): the
/// sale's month keeps the whole authorization as paid
/// through the gateway (the month does not depend on the day it is closed),
/// and the void is a review item naming the transaction and its amount, as
/// the gateway will not settle that part.
#[test]
fn a_later_void_without_a_cancellation_needs_review() {
    let txn = |id, kind: &str, amount: &str, at: &str| txn(id, "Klarna", kind, amount, at);
    let normalized = |transactions: Vec<Value>| {
        let v = paid_through("Klarna", transactions);
        normalize_order(&decode(v), &NormalizeOptions::default())
    };
    let auth = txn(1, "AUTHORIZATION", "500.0", "2026-03-27T10:00:00Z");
    let capture = txn(2, "CAPTURE", "300.0", "2026-04-02T09:00:00Z");
    let before = normalized(vec![auth.clone()]);
    let after = normalized(vec![
        auth,
        capture,
        txn(3, "VOID", "200.0", "2026-04-02T09:05:00Z"),
    ]);
    let total = |n: &shopify_bookkeeping::normalize::NormalizedOrder| {
        n.sale
            .as_ref()
            .unwrap()
            .payments
            .iter()
            .map(|p| p.amount.amount())
            .sum::<rust_decimal::Decimal>()
    };
    assert_eq!(total(&before), total(&after));
    assert!(before.review.is_empty() && before.after_placement.is_empty());
    assert!(after.review.is_empty(), "{:#?}", after.review);
    let [void] = after.after_placement.as_slice() else {
        panic!("{:#?}", after.after_placement)
    };
    assert_eq!(void.at, Some(time::macros::datetime!(2026-04-02 09:05 UTC)));
    let item = &void.item;
    assert_eq!(item.amount, Some(sek("200.00")));
    assert_eq!(item.source.as_ref().unwrap().kind, "order_transaction");
    assert_eq!(
        item.source.as_ref().unwrap().id,
        "gid://shopify/OrderTransaction/3"
    );
}

/// A tax line's `rate` and `ratePercentage` are JSON numbers, read as
/// `Decimal`s: a provider may send one at the edge of what a `Decimal`
/// holds. A rate that cannot be scaled or summed is a review item of the
/// line, not a panic that stops the close.
#[test]
fn a_tax_rate_at_the_edge_of_a_decimal_is_reviewed_not_a_panic() {
    // A `Decimal` holds up to about 7.9e28: `rate` × 100 leaves it, and so
    // does the sum of two such `ratePercentage`s.
    for (field, huge, others) in [("rate", 5e27, 1), ("ratePercentage", 4e28, 2)] {
        let mut v = order(2);
        let lines = &mut v["lineItems"]["nodes"][0]["taxLines"];
        let mut tax = lines[0].clone();
        tax["ratePercentage"] = Value::Null;
        tax[field] = json!(huge);
        let copies = vec![tax; others];
        *lines = Value::Array(copies);
        let n = normalize_order(&decode(v), &NormalizeOptions::default());
        assert!(
            n.review.iter().any(|i| i.reason == ReviewReason::VatRate),
            "{field}: {:#?}",
            n.review
        );
    }
}

/// VAT the sales channel remits (`TaxLine.channelLiable: true`, "Whether the
/// channel that submitted the tax line is liable for remitting", 2026-01
/// schema) is not the shop's output VAT: booked as domestic VAT it would be
/// declared twice. The line's treatment is undetermined, with a review item
/// naming the order; `channelLiable: null` ("unknown liability") and `false`
/// stay the shop's.
#[test]
fn vat_a_sales_channel_remits_is_not_booked_as_the_shops() {
    let treatments = |liable: Value| {
        let mut v = order(0);
        for item in v["lineItems"]["nodes"].as_array_mut().unwrap() {
            for tax in item["taxLines"].as_array_mut().unwrap() {
                tax["channelLiable"] = liable.clone();
            }
        }
        let n = normalize_order(&decode(v), &NormalizeOptions::default());
        let sale = n.sale.expect("a sale");
        let goods: Vec<TaxTreatment> = sale
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Goods)
            .map(|l| l.treatment.clone())
            .collect();
        (goods, n.review)
    };
    let (goods, review) = treatments(json!(true));
    assert!(!goods.is_empty());
    assert!(
        goods
            .iter()
            .all(|t| matches!(t, TaxTreatment::Undetermined { reason } if reason.contains("channelLiable"))),
        "{goods:?}"
    );
    assert!(
        review
            .iter()
            .any(|i| i.reason == ReviewReason::TaxTreatment && i.message.contains("channelLiable")),
        "{review:#?}"
    );
    for shop in [json!(false), Value::Null] {
        let (goods, _) = treatments(shop.clone());
        assert!(
            goods.iter().all(|t| *t == TaxTreatment::Domestic),
            "{shop}: {goods:?}"
        );
    }
}

/// Every amount of an order (`MoneyV2.amount`, a decimal string of any
/// length) at the edge of what a `Decimal` holds: normalizing it returns,
/// with review items where amounts cannot be combined, and no panic.
#[test]
fn amounts_at_the_edge_of_a_decimal_are_reviewed_not_a_panic() {
    fn set_amounts(v: &mut Value, amount: &str) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "amount" && value.is_string() {
                        *value = json!(amount);
                    } else {
                        set_amounts(value, amount);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| set_amounts(i, amount)),
            _ => {}
        }
    }
    for amount in [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
    ] {
        for index in 0..3 {
            let mut v = order(index);
            set_amounts(&mut v, amount);
            let n = normalize_order(&decode(v), &NormalizeOptions::default());
            if amount.len() > 20 {
                assert!(!n.review.is_empty(), "{amount} #{index}");
            }
        }
    }
}
