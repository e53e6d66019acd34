//! The models decode Stripe's public example objects (current and pre-basil
//! shapes); placeholders that are not valid values are reported by field.

use serde_json::Value;
use stripe_invoicing::Malformed;
use stripe_invoicing::models::{
    BalanceTransaction, Charge, CreditNote, Dispute, Expandable, Invoice, InvoicePayment,
    InvoiceStatus, Payout, PayoutStatus, ReconciliationStatus, Refund, ReportingCategory,
    TaxExempt, TaxRate,
};

use crate::support::fixture;

fn resource(file: &str, name: &str) -> Value {
    fixture(file)["resources"][name].clone()
}

fn decode<T: serde::de::DeserializeOwned>(file: &str, name: &str) -> T {
    serde_json::from_value(resource(file, name)).unwrap_or_else(|e| panic!("{file} {name}: {e}"))
}

#[test]
fn current_shapes_decode() {
    let f = "fixtures3.json";
    let txn: BalanceTransaction = decode(f, "balance_transaction");
    assert_eq!(txn.reporting_category, ReportingCategory::Charge);
    assert_eq!(txn.net, txn.amount - txn.fee);

    let payout: Payout = decode(f, "payout");
    assert_eq!(payout.status, PayoutStatus::InTransit);
    assert_eq!(
        payout.reconciliation_status,
        Some(ReconciliationStatus::Completed)
    );
    assert!(payout.automatic);

    let invoice: Invoice = decode(f, "invoice");
    assert_eq!(invoice.status, Some(InvoiceStatus::Draft));
    assert_eq!(invoice.customer_tax_exempt, Some(TaxExempt::None));
    assert_eq!(invoice.lines.data.len(), 1);

    let charge: Charge = decode(f, "charge");
    assert_eq!(charge.amount, 100);
    let refund: Refund = decode(f, "refund");
    assert_eq!(refund.charge.unwrap().as_str(), charge.id.as_str());
    let dispute: Dispute = decode(f, "dispute");
    assert!(dispute.status.is_unknown() || dispute.status.as_str() == "warning_needs_response");

    let rate: TaxRate = decode(f, "tax_rate");
    assert_eq!(rate.percentage, rust_decimal::Decimal::from(19));

    let note: CreditNote = decode(f, "credit_note");
    assert!(matches!(note.invoice, Expandable::Id(_)));
    assert_eq!(note.lines.data.len(), 2);
    assert_eq!(
        note.lines.data[0].tax_rates.as_ref().unwrap()[0].percentage,
        rust_decimal::Decimal::from(19)
    );
}

#[test]
fn a_placeholder_currency_is_reported_by_field() {
    // The public invoice_payment example has `"currency": "currency"`.
    let err = Malformed::decode::<InvoicePayment>(
        bookkeeping_core::Provider::Stripe,
        "invoice_payment",
        &["/id"],
        resource("fixtures3.json", "invoice_payment"),
    )
    .unwrap_err();
    assert_eq!(err.field, "currency");
    assert_eq!(err.id.as_deref(), Some("obj_123"));
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn pre_basil_shapes_decode_with_the_version_varying_fields_missing() {
    let f = "fixtures3_2022-04-12.json";
    let payout: Payout = decode(f, "payout");
    assert_eq!(payout.reconciliation_status, None);
    let invoice: Invoice = decode(f, "invoice");
    assert_eq!(invoice.total_taxes, None);
    let txn: BalanceTransaction = decode(f, "balance_transaction");
    assert_eq!(txn.balance_type, None);
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut value = resource("fixtures3.json", "balance_transaction");
    value["reporting_category"] = "climate_order_purchase".into();
    value["type"] = "climate_order_purchase".into();
    let txn: BalanceTransaction = serde_json::from_value(value).unwrap();
    assert_eq!(
        txn.reporting_category,
        ReportingCategory::Unknown("climate_order_purchase".to_owned())
    );
    assert_eq!(
        serde_json::to_value(&txn).unwrap()["reporting_category"],
        "climate_order_purchase"
    );
}

/// A failed payout as Stripe lists it with
/// `expand[]=data.failure_balance_transaction`: "If the payout fails or
/// cancels, this is the ID of the balance transaction that reverses the
/// initial balance transaction and returns the funds from the failed payout
/// back in your balance" (docs.stripe.com/api/payouts/object; expandable in
/// stripe/openapi `spec3.json`). The transaction's `created` dates the
/// failure; its source, expanded by `expand[]=data.source`, is the payout,
/// whose `arrival_date` says whether an earlier month booked it as paid.
#[test]
fn a_failed_payout_dates_its_failure_and_the_returned_money_names_its_arrival() {
    use bookkeeping_core::{PayoutRecord, SettlementKind};
    use stripe_invoicing::normalize::{InvoiceLinks, normalize_payout};

    let f = "fixtures3.json";
    let mut payout = resource(f, "payout");
    let mut failure = resource(f, "balance_transaction");
    failure["id"] = "txn_failure".into();
    failure["type"] = "payout_failure".into();
    failure["reporting_category"] = "payout_reversal".into();
    failure["created"] = 1_775_203_200_i64.into(); // 2026-04-03 08:00 UTC
    failure["amount"] = payout["amount"].clone();
    failure["fee"] = 0.into();
    failure["fee_details"] = serde_json::json!([]);
    failure["net"] = payout["amount"].clone();
    failure["currency"] = payout["currency"].clone();
    payout["status"] = "failed".into();
    payout["arrival_date"] = 1_774_656_000_i64.into(); // 2026-03-28
    failure["source"] = payout.clone();
    payout["failure_balance_transaction"] = failure.clone();

    let failed: Payout = serde_json::from_value(payout.clone()).unwrap();
    let ftx = failed.failure_balance_transaction.as_ref().unwrap();
    assert_eq!(ftx.id, "txn_failure");
    assert_eq!(ftx.created.map(|t| t.unix_timestamp()), Some(1_775_203_200));
    // Not expanded: the id alone, no date.
    payout["failure_balance_transaction"] = "txn_failure".into();
    let unexpanded: Payout = serde_json::from_value(payout.clone()).unwrap();
    let ftx = unexpanded.failure_balance_transaction.unwrap();
    assert_eq!((ftx.id.as_str(), ftx.created), ("txn_failure", None));

    // The money comes back in a later payout, as a line of it.
    let txn: BalanceTransaction = serde_json::from_value(failure).unwrap();
    let mut later: Payout = decode(f, "payout");
    later.id = stripe_invoicing::ids::PayoutId::new("po_later");
    later.amount = txn.net;
    later.currency = txn.currency;
    later.balance_transaction = None;
    later.status = PayoutStatus::Paid;
    let records = normalize_payout(&later, &[txn], &InvoiceLinks::new());
    let Some(PayoutRecord::Payout(p)) = records.first() else {
        panic!("{records:#?}")
    };
    assert_eq!(
        p.lines[0].kind,
        SettlementKind::PayoutReturned {
            arrival_date: time::macros::date!(2026 - 03 - 28)
        }
    );
    let core = normalize_payout(&failed, &[], &InvoiceLinks::new());
    let Some(PayoutRecord::Payout(core)) = core.first() else {
        panic!()
    };
    assert_eq!(
        core.failed_at.map(|t| t.unix_timestamp()),
        Some(1_775_203_200)
    );
}
