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
