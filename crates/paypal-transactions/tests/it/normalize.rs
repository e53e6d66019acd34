//! Normalization without HTTP: duplicates, unknown codes, statuses, fee signs.

use bookkeeping_core::{Currency, Money, ReviewReason, StatementClass};
use paypal_transactions::models::TransactionDetail;
use paypal_transactions::{dedupe_transactions, pair_conversions, transaction_lines};
use rust_decimal_macros::dec;

use crate::common::fixture;

fn records() -> Vec<TransactionDetail> {
    fixture("transactions_2026-10_window1.json")["transaction_details"]
        .as_array()
        .expect("array")
        .iter()
        .map(|v| serde_json::from_value(v.clone()).expect("decodes"))
        .collect()
}

fn record(id: &str) -> serde_json::Value {
    fixture("transactions_2026-10_window1.json")["transaction_details"]
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["transaction_info"]["transaction_id"] == id)
        .cloned()
        .expect(id)
}

fn decode(v: serde_json::Value) -> TransactionDetail {
    serde_json::from_value(v).expect("decodes")
}

#[test]
fn duplicate_ids_never_give_double_lines() {
    let mut all = records();
    // An exact repeat (overlapping windows, a page read twice) …
    all.push(all[0].clone());
    // … and the same id as a non-balance-affecting (pending, no balance) record, first.
    let mut memo = record("9PQ11111ZZ222333D");
    memo["transaction_info"]["transaction_status"] = "P".into();
    memo["transaction_info"]
        .as_object_mut()
        .expect("object")
        .remove("ending_balance");
    all.insert(0, decode(memo));
    let (unique, review) = dedupe_transactions(all);
    assert_eq!(unique.len(), 9);
    assert!(review.is_empty(), "{review:#?}");
    let kept = unique
        .iter()
        .find(|t| t.transaction_info.transaction_id.as_str() == "9PQ11111ZZ222333D")
        .expect("kept");
    assert_ne!(
        kept.transaction_info.transaction_status,
        Some(paypal_transactions::models::TransactionStatus::Pending),
        "the balance-affecting one is kept"
    );
}

#[test]
fn two_different_balance_affecting_records_with_one_id_are_reviewed() {
    let mut other = record("8VX12345AB678901C");
    other["transaction_info"]["transaction_amount"]["value"] = "1300.00".into();
    let (unique, review) =
        dedupe_transactions(vec![decode(record("8VX12345AB678901C")), decode(other)]);
    assert_eq!(unique.len(), 1);
    assert_eq!(
        unique[0].transaction_info.transaction_amount,
        Money::new(dec!(1250.00), Currency::SEK)
    );
    assert_eq!(review.len(), 1);
    assert_eq!(
        review[0].amount,
        Some(Money::new(dec!(1300.00), Currency::SEK))
    );
}

#[test]
fn an_unknown_event_code_is_booked_and_reviewed() {
    let mut v = record("5TT00112EF334455G");
    v["transaction_info"]["transaction_event_code"] = "T9701".into();
    let n = transaction_lines(&decode(v));
    assert_eq!(n.lines.len(), 1);
    assert_eq!(n.lines[0].class, StatementClass::Unknown("T9701".into()));
    assert_eq!(n.lines[0].event_code, "T9701");
    assert_eq!(n.review.len(), 1);
    assert_eq!(n.review[0].reason, ReviewReason::UnknownType);
    assert_eq!(
        n.review[0].field.as_deref(),
        Some("transaction_info.transaction_event_code")
    );
}

#[test]
fn statuses_decide_what_is_booked() {
    let cases = [
        ("S", 2, 0),
        ("V", 2, 0),
        ("D", 0, 0),
        ("P", 0, 1),
        ("F", 2, 1),
    ];
    for (status, lines, review) in cases {
        let mut v = record("8VX12345AB678901C");
        v["transaction_info"]["transaction_status"] = status.into();
        let n = transaction_lines(&decode(v));
        assert_eq!(
            (n.lines.len(), n.review.len()),
            (lines, review),
            "status {status}"
        );
    }
    // An authorization moves no money.
    let mut v = record("8VX12345AB678901C");
    v["transaction_info"]["transaction_event_code"] = "T1300".into();
    assert!(transaction_lines(&decode(v)).lines.is_empty());
}

#[test]
fn a_positive_fee_on_a_received_payment_is_reviewed_not_flipped() {
    let mut v = record("8VX12345AB678901C");
    v["transaction_info"]["fee_amount"]["value"] = "46.13".into();
    let n = transaction_lines(&decode(v));
    assert_eq!(n.lines[1].amount, Money::new(dec!(46.13), Currency::SEK));
    assert_eq!(n.review.len(), 1);
    assert_eq!(n.review[0].reason, ReviewReason::AmountMismatch);
}

#[test]
fn gross_and_fee_lines_carry_the_running_balance() {
    let n = transaction_lines(&decode(record("8VX12345AB678901C")));
    assert_eq!(
        n.lines[0].balance_after,
        Some(Money::new(dec!(11250.00), Currency::SEK))
    );
    assert_eq!(
        n.lines[1].balance_after,
        Some(Money::new(dec!(11203.87), Currency::SEK))
    );
    assert_eq!(n.lines[0].counterparty.as_deref(), Some("Anna Svensson"));
    assert_eq!(n.lines[0].reference.as_deref(), Some("5512"));
    assert_eq!(n.lines[0].text, "PayPal payment received: Order 5512");
}

#[test]
fn a_conversion_without_its_other_side_is_reviewed() {
    let mut lines = transaction_lines(&decode(record("4CV00001AA000001B"))).lines;
    let review = pair_conversions(&mut lines);
    assert_eq!(review.len(), 1);
    assert_eq!(
        review[0].amount,
        Some(Money::new(dec!(-85.54), Currency::EUR))
    );
}

#[test]
fn conversion_sides_that_point_at_each_other_are_paired() {
    let mut out = record("4CV00001AA000001B");
    let mut into = record("4CV00001AA000002C");
    out["transaction_info"]["paypal_reference_id"] = "4CV00001AA000002C".into();
    into["transaction_info"]["paypal_reference_id"] = "4CV00001AA000001B".into();
    let mut lines = transaction_lines(&decode(out)).lines;
    lines.extend(transaction_lines(&decode(into)).lines);
    assert!(pair_conversions(&mut lines).is_empty());
    assert_eq!(lines[0].text, "Currency conversion 85.54 EUR → 943.22 SEK");
    assert_eq!(
        lines[0].related.as_ref().map(|r| r.id.as_str()),
        Some("4CV00001AA000002C")
    );
    assert_eq!(
        lines[1].related.as_ref().map(|r| r.id.as_str()),
        Some("4CV00001AA000001B")
    );
}

/// Every amount of every transaction (PayPal's `value`, a decimal string of
/// any length) at the edge of what a `Decimal` holds: each transaction
/// normalizes without a panic, and its conversions pair without one.
#[test]
fn amounts_at_the_edge_of_a_decimal_stop_nothing() {
    fn set_values(v: &mut serde_json::Value, amount: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "value" && value.is_string() {
                        *value = amount.into();
                    } else {
                        set_values(value, amount);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| set_values(i, amount)),
            _ => {}
        }
    }
    for amount in [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
    ] {
        let mut all = fixture("transactions_2026-10_window1.json");
        set_values(&mut all, amount);
        let details: Vec<TransactionDetail> = all["transaction_details"]
            .as_array()
            .expect("array")
            .iter()
            .map(|v| decode(v.clone()))
            .collect();
        let (unique, _) = dedupe_transactions(details);
        let mut lines = Vec::new();
        for d in &unique {
            let n = transaction_lines(d);
            // Booked or said, never dropped.
            assert!(
                !n.lines.is_empty() || !n.review.is_empty(),
                "{amount}: {} dropped",
                d.transaction_info.transaction_id
            );
            lines.extend(n.lines);
        }
        let _ = pair_conversions(&mut lines);
    }
}

/// Conversions without a reference are grouped by the second they were
/// booked in; in a group, each side out of a currency takes the first side
/// into another currency, in line order. A month of many such conversions in
/// one second (a flood, or a busy shop's batch) was paired by scanning the
/// group again for each side (quadratic); the sides into each currency now
/// wait in a queue of their own. 2,000 conversions of one second pair as
/// before: out EUR with into SEK in order, an out SEK with the into EUR, and
/// one side left over is reviewed.
#[test]
fn many_conversions_of_one_second_pair_in_line_order() {
    let side = |i: usize, value: &str, currency: &str| {
        let mut v = record("4CV00001AA000001B");
        v["transaction_info"]["transaction_id"] = format!("4CV{i:014}").into();
        v["transaction_info"]["paypal_reference_id"] = serde_json::Value::Null;
        v["transaction_info"]["transaction_amount"]["value"] = value.into();
        v["transaction_info"]["transaction_amount"]["currency_code"] = currency.into();
        transaction_lines(&decode(v)).lines
    };
    let mut lines = Vec::new();
    for i in 0..1_000 {
        lines.extend(side(2 * i, "-10.00", "EUR"));
        lines.extend(side(2 * i + 1, "112.00", "SEK"));
    }
    lines.extend(side(5_000, "-112.00", "SEK"));
    lines.extend(side(5_001, "10.00", "EUR"));
    lines.extend(side(5_002, "5.00", "EUR"));
    let review = pair_conversions(&mut lines);

    assert_eq!(review.len(), 1, "{review:#?}");
    assert_eq!(
        review[0].source.as_ref().map(|s| s.id.as_str()),
        Some("4CV00000000005002")
    );
    for pair in lines[..2_000].chunks(2) {
        assert_eq!(pair[0].related.as_ref(), Some(&pair[1].source));
        assert_eq!(pair[1].related.as_ref(), Some(&pair[0].source));
    }
    assert_eq!(lines[2_000].related.as_ref(), Some(&lines[2_001].source));
}
