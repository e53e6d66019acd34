//! Invariants over generated months: lines explain the balances, repeats never double.

use bookkeeping_core::{Currency, Money, Provider, SourceRef};
use paypal_transactions::models::{BalancesResponse, TransactionDetail};
use paypal_transactions::statements_from_transactions;
use proptest::prelude::*;
use serde_json::json;

const CODES: [&str; 6] = ["T0006", "T1107", "T0400", "T0106", "T1201", "T0000"];

fn sek(minor: i64) -> serde_json::Value {
    json!({"currency_code": "SEK", "value": Money::from_minor_units(minor, Currency::SEK).expect("sek").amount().to_string()})
}

fn balances(minor: i64) -> BalancesResponse {
    serde_json::from_value(json!({
        "balances": [{"currency": "SEK", "primary": true, "total_balance": sek(minor)}],
        "account_id": "7QW4EXAMPLE2K"
    }))
    .expect("balances")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn lines_explain_the_balances_and_repeats_never_double(
        moves in prop::collection::vec((-500_000i64..500_000, 0i64..5_000, 0usize..CODES.len()), 0..40),
        repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let opening = 100_000i64;
        let mut running = opening;
        let mut records: Vec<TransactionDetail> = Vec::new();
        let mut fee_lines = 0;
        for (i, (gross, fee, code)) in moves.iter().enumerate() {
            let fee = if *gross > 0 { -fee } else { 0 };
            if fee != 0 {
                fee_lines += 1;
            }
            running += gross + fee;
            let mut info = json!({
                "transaction_id": format!("{i:017}"),
                "transaction_event_code": CODES[*code],
                "transaction_initiation_date": format!("2026-10-01T{:02}:{:02}:00+0000", i / 60, i % 60),
                "transaction_amount": sek(*gross),
                "transaction_status": "S",
                "ending_balance": sek(running),
            });
            if fee != 0 {
                info["fee_amount"] = sek(fee);
            }
            records.push(serde_json::from_value(json!({"transaction_info": info})).expect("decodes"));
        }
        let originals = records.len();
        for r in &repeats {
            if originals > 0 {
                let again = records[r.index(originals)].clone();
                records.push(again);
            }
        }
        let account = SourceRef::new(Provider::PayPal, "account", "7QW4EXAMPLE2K");
        let batch = statements_from_transactions(&account, records, &balances(opening), &balances(running), true);
        prop_assert!(batch.review.is_empty(), "{:#?}", batch.review);
        let st = &batch.statements[0];
        prop_assert_eq!(st.unexplained().expect("sek"), Some(Money::zero(Currency::SEK)));
        prop_assert_eq!(st.lines.len(), originals + fee_lines);
        if let Some(last) = st.lines.last() {
            prop_assert_eq!(last.balance_after, st.closing);
        }
    }
}
