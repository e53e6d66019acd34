//! Payout normalization beyond the happy month: manual payouts, payouts not
//! yet reconciled, unknown categories, VAT on Stripe's fees.

use bookkeeping_core::{
    Currency, FeeKind, Money, PayoutRecord, PayoutSource, Period, ReviewReason, SettlementKind,
};
use futures::TryStreamExt;
use serde_json::{Value, json};
use stripe_invoicing::models::{BalanceTransaction, Payout};
use stripe_invoicing::normalize::{InvoiceLinks, normalize_payout, settlement_line};
use time::Month;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer};

use crate::support::{StripeList, fixture, mount_catch_all, mount_no_closed_disputes, source};

fn sek(text: &str) -> Money {
    Money::parse(text, Currency::SEK).unwrap()
}

fn payout_json(automatic: bool, reconciliation: &str, amount: i64) -> Value {
    let mut p = fixture("month_2026_03/payouts.json")["data"][0].clone();
    p["automatic"] = automatic.into();
    p["reconciliation_status"] = reconciliation.into();
    p["amount"] = amount.into();
    p
}

fn txn(category: &str, kind: &str, amount: i64, fee_details: Value) -> Value {
    let fee: i64 = fee_details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["amount"].as_i64().unwrap())
        .sum();
    json!({
        "id": "txn_3QoB1cLkdIwHu7ixUnit01", "object": "balance_transaction",
        "amount": amount, "fee": fee, "net": amount - fee, "currency": "sek",
        "created": 1_774_500_000, "available_on": 1_774_500_000, "description": "Unit test",
        "exchange_rate": null, "fee_details": fee_details,
        "reporting_category": category, "type": kind, "status": "available",
        "source": "ch_3QoB1cLkdIwHu7ixUnit01"
    })
}

#[tokio::test]
async fn a_manual_payout_is_returned_without_lines_and_marked_for_review() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/invoice_payments"))
        .respond_with(StripeList::new("/v1/invoice_payments", vec![]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .and(query_param_is_missing("arrival_date[gte]"))
        .respond_with(StripeList::new(
            "/v1/payouts",
            vec![payout_json(false, "not_applicable", 500_000)],
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .and(query_param("arrival_date[gte]", "1772319600"))
        .respond_with(StripeList::new("/v1/payouts", vec![]))
        .mount(&server)
        .await;
    // The month's balance transactions are listed on their own (none here);
    // none is asked for by payout: the catch-all would fail the list.
    Mock::given(method("GET"))
        .and(path("/v1/balance_transactions"))
        .and(query_param("created[gte]", "1772319600"))
        .respond_with(StripeList::new("/v1/balance_transactions", vec![]))
        .mount(&server)
        .await;
    mount_no_closed_disputes(&server).await;
    mount_catch_all(&server).await;
    let period = Period::month(2026, Month::March).unwrap();
    let records: Vec<PayoutRecord> = source(&server)
        .payouts(&period)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    let PayoutRecord::Payout(p) = &records[0] else {
        panic!("{records:?}")
    };
    assert!(p.lines.is_empty());
    assert_eq!(p.amount, sek("5000.00"));
    let PayoutRecord::Review(r) = &records[1] else {
        panic!("{records:?}")
    };
    assert_eq!(r.reason, ReviewReason::NoBreakdown);
    assert_eq!(r.amount, Some(sek("5000.00")));
}

#[test]
fn a_payout_still_in_reconciliation_and_short_of_lines_is_flagged() {
    let payout: Payout = serde_json::from_value(payout_json(true, "in_progress", 10_000)).unwrap();
    let t: BalanceTransaction =
        serde_json::from_value(txn("charge", "charge", 9_000, json!([]))).unwrap();
    let records = normalize_payout(&payout, &[t], &InvoiceLinks::new());
    let reasons: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Review(r) => Some((r.reason.clone(), r.amount)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (ReviewReason::Incomplete, None),
            (ReviewReason::AmountMismatch, Some(sek("-10.00")))
        ]
    );
}

#[test]
fn an_unknown_category_is_kept_and_flagged() {
    let t: BalanceTransaction = serde_json::from_value(txn(
        "climate_order_purchase",
        "climate_order_purchase",
        -2_500,
        json!([]),
    ))
    .unwrap();
    let (line, reviews) = settlement_line(&t, &InvoiceLinks::new());
    let line = line.unwrap();
    assert_eq!(
        line.kind,
        SettlementKind::Unknown("climate_order_purchase".to_owned())
    );
    assert_eq!(line.net, sek("-25.00"));
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].reason, ReviewReason::UnknownType);
    assert_eq!(reviews[0].field.as_deref(), Some("reporting_category"));
}

#[test]
fn vat_stripe_charged_on_a_fee_goes_with_that_fee() {
    let t: BalanceTransaction = serde_json::from_value(txn(
        "charge",
        "charge",
        100_000,
        json!([
            {"amount": 1_680, "application": null, "currency": "sek", "description": "Stripe processing fees", "type": "stripe_fee"},
            {"amount": 420, "application": null, "currency": "sek", "description": "VAT", "type": "tax"}
        ]),
    ))
    .unwrap();
    let (line, reviews) = settlement_line(&t, &InvoiceLinks::new());
    let line = line.unwrap();
    assert!(reviews.is_empty(), "{reviews:?}");
    assert_eq!(line.fees.len(), 1);
    assert_eq!(line.fees[0].kind, FeeKind::Processing);
    assert_eq!(line.fees[0].amount, sek("21.00"));
    assert_eq!(line.fees[0].vat, Some(sek("4.20")));
    assert_eq!(line.check().unwrap(), None);
}

#[test]
fn fee_details_that_do_not_add_up_are_booked_as_one_fee_and_flagged() {
    let mut value = txn(
        "charge",
        "charge",
        100_000,
        json!([{"amount": 1_680, "application": null, "currency": "sek", "description": null, "type": "stripe_fee"}]),
    );
    value["fee"] = 1_700.into();
    value["net"] = 98_300.into();
    let t: BalanceTransaction = serde_json::from_value(value).unwrap();
    let (line, reviews) = settlement_line(&t, &InvoiceLinks::new());
    let line = line.unwrap();
    assert_eq!(line.fees.len(), 1);
    assert_eq!(line.fees[0].amount, sek("17.00"));
    assert_eq!(line.check().unwrap(), None);
    assert_eq!(reviews[0].reason, ReviewReason::AmountMismatch);
    assert_eq!(reviews[0].field.as_deref(), Some("fee_details"));
}

#[test]
fn zero_and_three_decimal_currencies_convert_by_their_exponent() {
    for (currency, amount, want) in [
        ("jpy", 5_000, "5000"),
        ("kwd", 12_340, "12.340"),
        ("sek", 12_340, "123.40"),
    ] {
        let mut value = txn("charge", "charge", amount, json!([]));
        value["currency"] = currency.into();
        let t: BalanceTransaction = serde_json::from_value(value).unwrap();
        let (line, reviews) = settlement_line(&t, &InvoiceLinks::new());
        let line = line.unwrap();
        assert!(reviews.is_empty());
        assert_eq!(line.gross.amount().to_string(), want, "{currency}");
        assert_eq!(line.net, line.gross);
    }
}

/// Stripe's amounts are integers of minor units, and whatever a provider
/// sends at the edge of an `i64` must not stop the close (an overflow panics
/// in a debug build, or a release one with overflow checks): such a line
/// and its payout are review items, and the rest is normalized.
#[test]
fn amounts_at_the_edge_of_an_i64_are_reviewed_not_a_panic() {
    let extremes = [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1];
    for &amount in &extremes {
        for &fee in &extremes {
            let mut t = txn("charge", "charge", 0, json!([]));
            t["amount"] = amount.into();
            t["fee"] = fee.into();
            t["net"] = fee.into();
            t["fee_details"] = json!([
                {"amount": fee, "application": null, "currency": "sek",
                 "description": "Stripe processing fees", "type": "stripe_fee"},
                {"amount": fee, "application": null, "currency": "sek",
                 "description": "Stripe processing fees", "type": "stripe_fee"}
            ]);
            let t: BalanceTransaction = serde_json::from_value(t).unwrap();
            let (_, reviews) = settlement_line(&t, &InvoiceLinks::new());
            assert!(!reviews.is_empty(), "{amount} {fee}");
            let mut payout: Payout =
                serde_json::from_value(payout_json(true, "completed", amount)).unwrap();
            payout.amount = amount;
            let records = normalize_payout(&payout, std::slice::from_ref(&t), &InvoiceLinks::new());
            assert!(!records.is_empty(), "{amount} {fee}");
        }
    }
}

/// An invoice's integers at the edge of an `i64` (a line's amount, its tax
/// and discount, a payment) stop nothing either: normalizing the invoice
/// returns, a review item where amounts cannot be combined.
#[test]
fn invoice_integers_at_the_edge_of_an_i64_are_reviewed_not_a_panic() {
    use stripe_invoicing::models::{Invoice, InvoiceLineItem, InvoicePayment, TaxRate};
    use stripe_invoicing::normalize::{InvoiceContext, TaxRates, normalize_invoice};

    let invoices = fixture("month_2026_03/invoices_paid.json");
    let rates: Vec<TaxRate> =
        serde_json::from_value(fixture("month_2026_03/tax_rates.json")["data"].clone()).unwrap();
    let rates: TaxRates = rates.into_iter().collect();
    let period = Period::month(2026, Month::March).unwrap();
    let ctx = InvoiceContext {
        period: &period,
        tax_rates: &rates,
        line_kind: bookkeeping_core::LineKind::Service,
    };
    let with_tax = invoices["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["lines"]["data"][0]["taxes"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        })
        .unwrap();
    let extremes = [i64::MAX, i64::MIN, 1];
    let mut reviewed = 0;
    for &amount in &extremes {
        for &tax in &extremes {
            for &paid in &extremes {
                let mut v = with_tax.clone();
                let line = &mut v["lines"]["data"][0];
                line["amount"] = json!(amount);
                line["taxes"][0]["amount"] = json!(tax);
                line["taxes"][0]["tax_behavior"] = json!("inclusive");
                line["discount_amounts"] = json!([{"amount": tax, "discount": "di_edge"},
                                                   {"amount": tax, "discount": "di_edge2"}]);
                v["amount_paid"] = json!(paid);
                v["payments"]["data"][0]["amount_paid"] = json!(paid);
                let lines: Vec<InvoiceLineItem> =
                    serde_json::from_value(v["lines"]["data"].clone()).unwrap();
                let payments: Vec<InvoicePayment> =
                    serde_json::from_value(v["payments"]["data"].clone()).unwrap();
                let invoice: Invoice = serde_json::from_value(v).unwrap();
                let records = normalize_invoice(&invoice, &lines, &payments, &ctx);
                reviewed += records
                    .iter()
                    .filter(|r| matches!(r, bookkeeping_core::SalesRecord::Review(_)))
                    .count();
            }
        }
    }
    assert!(reviewed > 0);
}
