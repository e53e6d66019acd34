//! Klarna's public examples (with their UTF-8 BOM, and without the newer totals) parse.

use klarna_settlements::models::{
    MerchantSettlementType, PaymentReference, Payout, PayoutSummary, Transaction, TransactionType,
};
use klarna_settlements::normalize::normalize_payout;
use klarna_settlements::{Listed, PayoutQuery};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixture, json, json_response, mount_catch_all};

#[test]
fn public_fixtures_start_with_a_bom() {
    for name in [
        "SettlementsGetAllPayoutsResponse.json",
        "SettlementsGetPayoutResponse.json",
        "SettlementsGetSummaryOfPayoutsResponse.json",
        "SettlementsGetTransactionsResponse.json",
    ] {
        assert!(fixture(name).starts_with(b"\xEF\xBB\xBF"), "{name}");
    }
}

#[test]
fn public_payout_parses_without_the_newer_totals() {
    let payout: Payout = serde_json::from_value(json("SettlementsGetPayoutResponse.json")).unwrap();
    assert_eq!(payout.payment_reference.as_str(), "XISA93DJ");
    assert_eq!(payout.merchant_settlement_type, MerchantSettlementType::Net);
    assert_eq!(payout.totals.sale_amount, 500);
    assert_eq!(payout.totals.tax_amount, Some(550));
    assert_eq!(payout.totals.charge_amount, None);
    assert_eq!(payout.totals.closing_debt_balance_amount, None);
    assert_eq!(payout.currency_code.code(), "USD");
}

#[test]
fn public_transactions_and_summary_parse() {
    let page = json("SettlementsGetTransactionsResponse.json");
    let t: Transaction = serde_json::from_value(page["transactions"][0].clone()).unwrap();
    assert_eq!(t.transaction_type, TransactionType::Sale);
    assert_eq!(t.amount, 2000);
    assert_eq!(t.detailed_type, None);
    assert_eq!(t.vat_amount, None);
    assert_eq!(
        t.purchase_country.map(|c| c.to_string()).as_deref(),
        Some("PL")
    );
    assert_eq!(t.short_order_id.as_deref(), Some("shortrid"));
    let summary: Vec<PayoutSummary> =
        serde_json::from_value(json("SettlementsGetSummaryOfPayoutsResponse.json")).unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].summary_total_sale_amount, 500);
    assert_eq!(summary[0].summary_settlement_currency.code(), "USD");
}

#[tokio::test]
async fn public_payout_and_summary_through_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/XISA93DJ"))
        .respond_with(json_response("SettlementsGetPayoutResponse.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/summary"))
        .respond_with(json_response("SettlementsGetSummaryOfPayoutsResponse.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let c = client(&server);
    let payout = c.payout(&PaymentReference::new("XISA93DJ")).await.unwrap();
    assert_eq!(payout.totals.fee_amount, 500);
    let summary = c
        .payout_summary(
            time::macros::datetime!(2016-12-01 00:00 UTC),
            time::macros::datetime!(2016-12-31 23:59:59 UTC),
            None,
        )
        .await
        .unwrap();
    assert_eq!(summary[0].summary_total_settlement_amount, 550);
    // The public example's totals are placeholders that do not add up: the
    // payout is flagged, not dropped.
    let normalized = normalize_payout(&payout, &[]);
    assert!(!normalized.reconciles());
    assert!(normalized.payout.is_some());
    assert_eq!(normalized.review.len(), 1);
}

#[tokio::test]
async fn public_list_pages_follow_next_by_offset() {
    // The public list page says `next`; the client asks for the next offset
    // after what arrived, and the second page is the last.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .and(wiremock::matchers::query_param("offset", "0"))
        .respond_with(json_response("SettlementsGetAllPayoutsResponse.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .and(wiremock::matchers::query_param("offset", "1"))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "payouts": [],
                "pagination": {"count": 0, "total": 1, "offset": 1}
            })),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let items: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(
        client(&server).list_payouts(&PayoutQuery::new()),
    )
    .await
    .unwrap();
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0], Listed::Item(p) if p.payment_reference.as_str() == "XISA93DJ"));
}
