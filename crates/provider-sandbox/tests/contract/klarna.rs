//! Klarna: every sandbox answer and every JSON fixture against Klarna's Settlements API
//! OpenAPI, and the transaction fields against the types of Klarna's official Java SDK.

use provider_sandbox::Faults;
use provider_sandbox::contract::Spec;
use provider_sandbox::klarna::{self, KlarnaSandbox};
use serde_json::{Value, json};

use crate::{assert_conforms, json_file, json_files_in, scenario};

const FIXTURES: &str = "crates/klarna-settlements/tests/fixtures/klarna";

/// Klarna's "Klarna Settlements API (1.0.0-rc2)" OpenAPI, converted to JSON unchanged.
fn spec() -> Spec {
    Spec::new(json_file(&format!(
        "{FIXTURES}/settlements-api-v1.openapi.json"
    )))
}

/// `GET /payouts/summary` answers an array of `PayoutSummary` (the spec's 200 response).
fn summaries() -> Value {
    json!({"type": "array", "items": {"$ref": "#/components/schemas/PayoutSummary"}})
}

/// Transaction fields typed as UUIDs or integers by Klarna's official Java SDK,
/// klarna/kco_rest_java @25be376 `src/main/java/com/klarna/rest/api/settlements/model/
/// SettlementsTransaction.java` (`UUID captureId`, `UUID orderId`, `UUID refundId`,
/// `Long amount`, `Integer vatRate`, `Integer vatAmount`,
/// `Integer initialNumberOfInstallments`). The OpenAPI types `capture_id` as a plain
/// string that is `""` for returns and reversals, so an empty value passes.
const SDK_UUIDS: [&str; 3] = ["capture_id", "order_id", "refund_id"];
const SDK_INTEGERS: [&str; 4] = [
    "amount",
    "vat_rate",
    "vat_amount",
    "initial_number_of_installments",
];

fn sdk_violations(transaction: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for field in SDK_UUIDS {
        if let Some(v) = transaction.get(field) {
            let text = v.as_str().unwrap_or_default();
            let uuid = text.len() == 36
                && text.split('-').map(str::len).eq([8, 4, 4, 4, 12])
                && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit());
            if !(text.is_empty() || uuid) {
                out.push(format!(
                    "{field}: {v} is not a UUID (kco_rest_java types it UUID)"
                ));
            }
        }
    }
    for field in SDK_INTEGERS {
        if let Some(v) = transaction.get(field)
            && !v.is_i64()
        {
            out.push(format!("{field}: {v} is not an integer"));
        }
    }
    out
}

async fn get(sandbox: &KlarnaSandbox, path_and_query: &str) -> (u16, Value) {
    let url = format!("{}/settlements/v1{path_and_query}", sandbox.uri());
    let resp = reqwest::Client::new()
        .get(&url)
        .basic_auth(klarna::USERNAME, Some(klarna::PASSWORD))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    let body = resp
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (status, body)
}

#[tokio::test]
async fn every_klarna_answer_follows_the_published_schemas() {
    let s = scenario();
    let spec = spec();
    let sandbox = KlarnaSandbox::start(&s, Faults::none()).await;
    let period = s.config.period;
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .expect("date")
    };
    let dates = format!(
        "start_date={}&end_date={}",
        fmt(period.start_utc()),
        fmt(period.end_utc())
    );
    // Every page of the payouts, two at a time.
    let mut references = Vec::new();
    let mut offset = 0;
    loop {
        let q = format!("/payouts?{dates}&size=2&offset={offset}");
        let (status, body) = get(&sandbox, &q).await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_conforms(&q, &spec.check("PayoutCollection", &body));
        let payouts = body["payouts"].as_array().expect("payouts");
        references.extend(payouts.iter().map(|p| {
            p["payment_reference"]
                .as_str()
                .expect("reference")
                .to_owned()
        }));
        if body["pagination"].get("next").is_none() {
            break;
        }
        offset += 2;
    }
    assert!(!references.is_empty());
    let mut transactions = 0;
    for reference in &references {
        let q = format!("/payouts/{reference}");
        let (status, body) = get(&sandbox, &q).await;
        assert_eq!(status, 200);
        assert_conforms(&q, &spec.check("Payout", &body));
        let mut offset = 0;
        loop {
            let q = format!("/transactions?payment_reference={reference}&size=5&offset={offset}");
            let (status, body) = get(&sandbox, &q).await;
            assert_eq!(status, 200, "{q}: {body}");
            assert_conforms(&q, &spec.check("TransactionCollection", &body));
            for t in body["transactions"].as_array().expect("transactions") {
                assert_eq!(sdk_violations(t), Vec::<String>::new(), "{q}: {t}");
                transactions += 1;
            }
            if body["pagination"].get("next").is_none() {
                break;
            }
            offset += 5;
        }
    }
    assert!(transactions > references.len());
    let q = format!("/payouts/summary?{dates}");
    let (status, body) = get(&sandbox, &q).await;
    assert_eq!(status, 200);
    assert_conforms(&q, &spec.check_schema(&summaries(), &body));
    // Errors: an unknown payout, a summary without dates, a bad date.
    for (q, expected) in [
        ("/payouts/XXXXXXXX".to_owned(), 404),
        ("/payouts/summary".to_owned(), 400),
        ("/payouts?start_date=yesterday".to_owned(), 400),
    ] {
        let (status, body) = get(&sandbox, &q).await;
        assert_eq!(status, expected, "{q}: {body}");
        assert_conforms(&q, &spec.check("ErrorResponse", &body));
    }
}

/// The fixtures the client crate tests with. Klarna's own 2020 SDK test data
/// (`Settlements*.json`, kco_rest_dotnet) predates totals the schema now requires, so
/// for them `required` is not checked; unknown fields and types are.
#[test]
fn every_klarna_fixture_follows_the_published_schemas() {
    let strict = spec();
    let sdk_2020 = spec().without_required();
    let mut checked = 0;
    for file in json_files_in(FIXTURES) {
        let name = file.rsplit('/').next().unwrap_or_default();
        let (spec, schema) = match name {
            "SettlementsGetAllPayoutsResponse.json" => (&sdk_2020, "PayoutCollection"),
            "SettlementsGetPayoutResponse.json" => (&sdk_2020, "Payout"),
            "SettlementsGetTransactionsResponse.json" => (&sdk_2020, "TransactionCollection"),
            "SettlementsGetSummaryOfPayoutsResponse.json" => {
                let body = json_file(&file);
                assert_conforms(&file, &sdk_2020.check_schema(&summaries(), &body));
                checked += 1;
                continue;
            }
            n if n.starts_with("payouts-") => (&strict, "PayoutCollection"),
            n if n.starts_with("payout-") => (&strict, "Payout"),
            n if n.starts_with("transactions-") => (&strict, "TransactionCollection"),
            // The OpenAPI document itself.
            _ => continue,
        };
        let body = json_file(&file);
        assert_conforms(&file, &spec.check(schema, &body));
        if let Some(ts) = body["transactions"].as_array() {
            for t in ts {
                assert_eq!(sdk_violations(t), Vec::<String>::new(), "{file}: {t}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 11);
}

/// The checker is strict for Klarna too: a total the spec does not have, or an amount
/// as a decimal string, fails.
#[test]
fn an_invented_field_or_a_wrong_type_fails() {
    let mut payout = json_file(&format!("{FIXTURES}/payout-sek-K7Q2M9XB.json"));
    payout["totals"]["bonus_amount"] = json!(0);
    payout["totals"]["sale_amount"] = json!("1708.00");
    let found: Vec<String> = spec()
        .check("Payout", &payout)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "$.totals.bonus_amount: not in the schema",
            "$.totals.sale_amount: string where the schema says integer",
        ]
    );
    assert_eq!(
        sdk_violations(&json!({"order_id": "#1043", "amount": 1.5})),
        vec![
            "order_id: \"#1043\" is not a UUID (kco_rest_java types it UUID)",
            "amount: 1.5 is not an integer",
        ]
    );
}

/// The CSV report's columns as Klarna documents them ("Settlement reports", header and
/// body fields: https://docs.klarna.com/payments/after-payments/settlements/settlement-files/):
/// the sandbox's reports use no other column.
const DOCUMENTED_CSV_COLUMNS: [&str; 38] = [
    // Header fields.
    "merchant_id",
    "payment_reference",
    "payout_date",
    "settlement_currency",
    "total_sale_amount",
    "total_fee_amount",
    "total_fee_correction_amount",
    "total_tax_amount",
    "total_return_amount",
    "total_reversal_amount",
    "total_commission_amount",
    "total_commission_reversal_amount",
    "total_holdback_amount",
    "total_repay_amount",
    "total_release_amount",
    "total_charge_amount",
    "total_credit_amount",
    "total_fee_refund_amount",
    "total_deposit_amount",
    "opening_debt_balance",
    "closing_debt_balance",
    "total_settlement_amount",
    // Body fields.
    "type",
    "detailed_type",
    "capture_id",
    "refund_id",
    "order_id",
    "short_order_id",
    "merchant_reference1",
    "merchant_reference2",
    "sale_date",
    "capture_date",
    "amount",
    "posting_currency",
    "tax_rate",
    "tax_amount",
    "purchase_country",
    "shipping_country",
];

#[tokio::test]
async fn the_csv_reports_use_klarnas_documented_columns() {
    let s = scenario();
    let sandbox = KlarnaSandbox::start(&s, Faults::none()).await;
    let period = s.config.period;
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .expect("date")
    };
    let reference = &s.klarna_payouts[0].id;
    for q in [
        format!("/reports/payout-with-transactions?payment_reference={reference}"),
        format!(
            "/reports/payouts-summary-with-transactions?start_date={}&end_date={}",
            fmt(period.start_utc()),
            fmt(period.end_utc())
        ),
    ] {
        let url = format!("{}/settlements/v1{q}", sandbox.uri());
        let text = reqwest::Client::new()
            .get(&url)
            .basic_auth(klarna::USERNAME, Some(klarna::PASSWORD))
            .send()
            .await
            .expect("report")
            .text()
            .await
            .expect("text");
        let header = text.lines().next().expect("header");
        let unknown: Vec<&str> = header
            .split(';')
            .filter(|c| !DOCUMENTED_CSV_COLUMNS.contains(c))
            .collect();
        assert_eq!(unknown, Vec::<&str>::new(), "{q}");
        for column in [
            "settlement_currency",
            "posting_currency",
            "tax_rate",
            "tax_amount",
        ] {
            assert!(header.split(';').any(|c| c == column), "{q}: no {column}");
        }
    }
}
