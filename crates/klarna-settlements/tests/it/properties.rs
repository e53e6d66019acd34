//! Property: whatever mix of transactions a payout has, when its totals are
//! Klarna's sums the lines explain the payout to the öre.

use bookkeeping_core::Money;
use klarna_settlements::Listed;
use klarna_settlements::models::{Payout, Transaction};
use klarna_settlements::normalize::normalize_payout;
use proptest::prelude::*;
use serde_json::json;

const TYPES: [(&str, &str, &str); 9] = [
    ("SALE", "PURCHASE", "sale_amount"),
    ("RETURN", "PURCHASE_RETURN", "return_amount"),
    ("REVERSAL", "REVERSAL", "reversal_amount"),
    ("FEE", "PURCHASE_FEE_PERCENTAGE", "fee_amount"),
    ("FEE", "PURCHASE_FEE_FIXED", "fee_amount"),
    ("HOLDBACK", "ROLLING_RESERVE", "holdback_amount"),
    ("RELEASE", "ROLLING_RESERVE", "release_amount"),
    ("CHARGE", "FRAUD_POLICY_CHARGE", "charge_amount"),
    ("CREDIT", "CREDITED_CORRECTION", "credit_amount"),
];

const PLUS: [&str; 3] = ["sale_amount", "release_amount", "credit_amount"];

/// Transaction `i` of kind `TYPES[kind]`, as Klarna's transactions list has it.
fn transaction(i: usize, kind: usize, amount: i64) -> serde_json::Value {
    let (t, d, _) = TYPES[kind];
    json!({
        "amount": amount, "type": t, "detailed_type": d,
        "capture_id": format!("00000000-0000-4000-8000-{i:012}"),
        "sale_date": "2026-03-01T10:00:00Z", "capture_date": "2026-03-02T08:00:00Z",
        "order_id": format!("10000000-0000-4000-8000-{i:012}"),
        "currency_code": "SEK", "purchase_country": "SE"
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lines_sum_to_the_settlement_amount(
        txs in prop::collection::vec((0usize..TYPES.len(), 1i64..5_000_000, 0i64..100), 0..40)
    ) {
        let mut totals = serde_json::Map::new();
        for (_, _, name) in TYPES {
            totals.insert(name.to_owned(), json!(0));
        }
        for name in ["commission_amount", "repay_amount", "tax_amount", "settlement_amount"] {
            totals.insert(name.to_owned(), json!(0));
        }
        let mut settlement = 0i64;
        let mut tax = 0i64;
        let mut items = Vec::new();
        for (i, (kind, amount, vat_pct)) in txs.iter().enumerate() {
            let (t, _, total) = TYPES[*kind];
            let mut tx = transaction(i, *kind, *amount);
            let sum = totals[total].as_i64().unwrap() + amount;
            totals.insert(total.to_owned(), json!(sum));
            if PLUS.contains(&total) { settlement += amount } else { settlement -= amount }
            if t == "FEE" {
                let vat = amount * vat_pct / 400;
                tx["vat_rate"] = json!(2500);
                tx["vat_amount"] = json!(vat);
                tax += vat;
                settlement -= vat;
            }
            let tx: Transaction = serde_json::from_value(tx).unwrap();
            items.push(Listed::Item(tx));
        }
        totals.insert("tax_amount".to_owned(), json!(tax));
        totals.insert("settlement_amount".to_owned(), json!(settlement));
        let payout: Payout = serde_json::from_value(json!({
            "totals": totals, "payment_reference": "PR0P7357",
            "payout_date": "2026-03-05T05:00:00Z", "currency_code": "SEK",
            "merchant_settlement_type": "NET", "merchant_id": "PN01234"
        })).unwrap();
        prop_assert_eq!(payout.totals.expected_settlement(), Some(settlement));
        let n = normalize_payout(&payout, &items);
        prop_assert!(n.reconciles(), "{:?}", n.review);
        prop_assert!(n.review.is_empty());
        let p = n.payout.unwrap();
        prop_assert_eq!(p.lines.len(), items.len());
        for line in &p.lines {
            prop_assert_eq!(line.check().unwrap(), None);
        }
        let vat = Money::sum(p.currency(), p.fees().filter_map(|f| f.vat.as_ref())).unwrap();
        prop_assert_eq!(vat.to_minor_units().unwrap(), tax);
    }
}

/// An integer as a provider may send one: at an edge of an `i64`, any, or
/// an ordinary amount.
fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MIN),
        any::<i64>(),
        -10_000_000i64..10_000_000,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Property: whatever integers Klarna sends (amounts and VAT of lines,
    /// and every total, at the edges of an `i64` too), normalizing the
    /// payout returns: a broken or hostile provider must not stop a close
    /// with an overflow (a panic in a debug build, or a release one with
    /// overflow checks).
    #[test]
    fn any_integers_normalize_without_a_panic(
        txs in prop::collection::vec(
            (0usize..TYPES.len(), integer(), prop::option::of(integer())),
            0..6),
        totals_value in integer(),
    ) {
        let mut totals = serde_json::Map::new();
        for (_, _, name) in TYPES {
            totals.insert(name.to_owned(), json!(totals_value));
        }
        for name in ["commission_amount", "repay_amount", "tax_amount", "settlement_amount"] {
            totals.insert(name.to_owned(), json!(totals_value));
        }
        let items: Vec<Listed<Transaction>> = txs
            .iter()
            .enumerate()
            .map(|(i, (kind, amount, vat))| {
                let mut tx = transaction(i, *kind, *amount);
                if let Some(vat) = vat {
                    tx["vat_rate"] = json!(2500);
                    tx["vat_amount"] = json!(vat);
                }
                Listed::Item(serde_json::from_value(tx).unwrap())
            })
            .collect();
        let payout: Payout = serde_json::from_value(json!({
            "totals": totals, "payment_reference": "PR0P7357",
            "payout_date": "2026-03-05T05:00:00Z", "currency_code": "SEK",
            "merchant_settlement_type": "NET", "merchant_id": "PN01234"
        })).unwrap();
        let _ = payout.totals.expected_settlement();
        let n = normalize_payout(&payout, &items);
        let _ = n.reconciles();
        // A reversal's magnitudes summed per dispute do not overflow either;
        // a lost dispute is never an amount beyond what kassabok books.
        for record in klarna_settlements::disputes::lost_disputes(&payout, &items) {
            if let bookkeeping_core::PayoutRecord::DisputeLost(lost) = record {
                prop_assert!(lost.amount.amount() >= rust_decimal::Decimal::ZERO);
            }
        }
    }
}
