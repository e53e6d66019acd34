//! Listing payouts and transactions: queries, pages, retries, failures.

use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use bookkeeping_core::{Period, ReviewReason};
use futures::{StreamExt, TryStreamExt};
use klarna_settlements::models::PaymentReference;
use klarna_settlements::{Error, Listed, PayoutQuery, TransactionQuery};
use serde_json::{Value, json};
use time::Month;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{FailThenSucceed, client, json, json_response, mount_catch_all};

fn transaction(i: usize) -> Value {
    json!({
        "amount": 10_000 + i as i64,
        "type": "SALE",
        "detailed_type": "PURCHASE",
        "capture_id": format!("00000000-0000-4000-8000-{i:012}"),
        "sale_date": "2026-03-01T10:00:00Z",
        "capture_date": "2026-03-02T08:00:00Z",
        "payment_reference": "B1G9PAYT",
        "order_id": format!("10000000-0000-4000-8000-{i:012}"),
        "merchant_reference1": format!("#{}", 2000 + i),
        "currency_code": "SEK",
        "purchase_country": "SE"
    })
}

#[tokio::test]
async fn lists_payouts_of_a_period_with_utc_dates_and_size_500() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .and(query_param("start_date", "2026-02-28T23:00:00Z"))
        .and(query_param("end_date", "2026-03-31T21:59:59Z"))
        .and(query_param("size", "500"))
        .and(query_param("offset", "0"))
        .respond_with(json_response("payouts-march-2026.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let period = Period::month(2026, Month::March).unwrap();
    let payouts: Vec<_> = client(&server)
        .list_payouts(&PayoutQuery::period(&period))
        .try_collect()
        .await
        .unwrap();
    let refs: Vec<_> = payouts
        .iter()
        .map(|p| p.item().unwrap().payment_reference.to_string())
        .collect();
    assert_eq!(refs, ["K7Q2M9XB", "EU4F2K8Q", "Q8W3N6ZT"]);
}

#[tokio::test]
async fn pages_beyond_one_page_without_loss_or_duplicates() {
    let server = MockServer::start().await;
    let first: Vec<Value> = (0..500).map(transaction).collect();
    let second: Vec<Value> = (500..503).map(transaction).collect();
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "B1G9PAYT"))
        .and(query_param("size", "500"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "transactions": first,
            "pagination": {
                "count": 500, "total": 503, "offset": 0,
                "next": "https://api.klarna.com/settlements/v1/transactions?payment_reference=B1G9PAYT&offset=500&size=500"
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "B1G9PAYT"))
        .and(query_param("offset", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "transactions": second,
            "pagination": {
                "count": 3, "total": 503, "offset": 500,
                "prev": "https://api.klarna.com/settlements/v1/transactions?payment_reference=B1G9PAYT&offset=0&size=500"
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let txs = client(&server)
        .payout_transactions(&PaymentReference::new("B1G9PAYT"))
        .await
        .unwrap();
    assert_eq!(txs.len(), 503);
    let amounts: Vec<i64> = txs.iter().map(|t| t.item().unwrap().amount).collect();
    let expected: Vec<i64> = (0..503).map(|i| 10_000 + i).collect();
    assert_eq!(amounts, expected);
}

#[tokio::test]
async fn small_pages_by_offset() {
    let server = MockServer::start().await;
    for (offset, range, next) in [(0, 0..2, true), (2, 2..4, true), (4, 4..5, false)] {
        let items: Vec<Value> = range.map(transaction).collect();
        let mut pagination = json!({"count": items.len(), "total": 5, "offset": offset});
        if next {
            pagination["next"] = json!(format!(
                "https://api.klarna.com/settlements/v1/transactions?order_id=x&offset={}&size=2",
                offset + 2
            ));
        }
        Mock::given(method("GET"))
            .and(path("/settlements/v1/transactions"))
            .and(query_param(
                "order_id",
                "10000000-0000-4000-8000-000000000000",
            ))
            .and(query_param("size", "2"))
            .and(query_param("offset", offset.to_string()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"transactions": items, "pagination": pagination})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;
    let c = klarna_settlements::KlarnaClient::builder(klarna_settlements::Credentials::basic(
        crate::USERNAME,
        crate::PASSWORD,
    ))
    .base_url(server.uri())
    .page_size(2)
    .build()
    .unwrap();
    let txs: Vec<_> = c
        .list_transactions(&TransactionQuery::Order(
            "10000000-0000-4000-8000-000000000000".into(),
        ))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(txs.len(), 5);
}

#[tokio::test]
async fn waits_for_retry_after_on_429() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "EU4F2K8Q"))
        .respond_with(FailThenSucceed {
            calls: AtomicUsize::new(0),
            failures: 1,
            failure: ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({
                    "error_code": "TOO_MANY_REQUESTS",
                    "error_messages": ["Rate limit exceeded"],
                    "correlation_id": "9d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6"
                })),
            success: json_response("transactions-EU4F2K8Q.json"),
        })
        .expect(2)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let started = Instant::now();
    let txs = client(&server)
        .payout_transactions(&PaymentReference::new("EU4F2K8Q"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(txs.len(), 2);
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/EU4F2K8Q"))
        .respond_with(FailThenSucceed {
            calls: AtomicUsize::new(0),
            failures: 2,
            failure: ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
            success: json_response("payout-eur-EU4F2K8Q.json"),
        })
        .expect(3)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let payout = client(&server)
        .payout(&PaymentReference::new("EU4F2K8Q"))
        .await
        .unwrap();
    assert_eq!(payout.totals.settlement_amount, 8665);
}

#[tokio::test]
async fn a_failure_mid_list_is_an_error_not_a_short_list() {
    let server = MockServer::start().await;
    let first: Vec<Value> = (0..2).map(transaction).collect();
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "transactions": first,
            "pagination": {"count": 2, "total": 4, "offset": 0,
                "next": "https://api.klarna.com/settlements/v1/transactions?offset=2&size=500"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "error_code": "INTERNAL_ERROR",
            "error_messages": ["Something went wrong"],
            "correlation_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        })))
        .expect(4)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let c = client(&server);
    let items: Vec<_> = c
        .list_transactions(&TransactionQuery::Payout("B1G9PAYT".into()))
        .collect()
        .await;
    assert_eq!(items.len(), 3, "two items, then the error, then the end");
    assert!(items[0].is_ok() && items[1].is_ok());
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.is_retryable());
    insta::assert_snapshot!(err.to_string());
}

/// A server whose transactions list answers every request, `times` of
/// them, with the same two transactions and `pagination`.
async fn two_transactions_always(pagination: Value, times: u64) -> MockServer {
    let server = MockServer::start().await;
    let first: Vec<Value> = (0..2).map(transaction).collect();
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "transactions": first,
            "pagination": pagination
        })))
        .expect(times)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    server
}

#[tokio::test]
async fn a_last_page_short_of_total_is_an_error() {
    let server = two_transactions_always(json!({"count": 2, "total": 7, "offset": 0}), 1).await;
    let err = client(&server)
        .payout_transactions(&PaymentReference::new("B1G9PAYT"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShortList {
                seen: 2,
                total: 7,
                ..
            }
        ),
        "{err}"
    );
}

/// A server that ignores `offset` serves the same page with `next` each
/// time: each page moves the computed offset on, so no cursor repeats, and
/// the list was followed for ever, its records repeated. A list that says
/// "more" after as many items as its own `total` is now an error.
#[tokio::test]
async fn a_list_going_on_past_its_total_is_an_error_not_a_loop() {
    let pagination = json!({"count": 2, "total": 4, "offset": 0,
        "next": "https://api.klarna.com/settlements/v1/transactions?offset=2&size=2"});
    let server = two_transactions_always(pagination, 2).await;
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client(&server).payout_transactions(&PaymentReference::new("B1G9PAYT")),
    )
    .await
    .expect("the list ends")
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LongList {
                seen: 4,
                total: 4,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_payout_is_named_and_the_others_come_through() {
    let server = MockServer::start().await;
    let mut page = json("payouts-march-2026.json");
    page["payouts"][1]["totals"]["sale_amount"] = json!("89.90");
    page["payouts"][2]["transactions"] = json!(null);
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let items: Vec<_> = client(&server)
        .list_payouts(&PayoutQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[0], Listed::Item(_)));
    assert!(matches!(&items[2], Listed::Item(_)));
    let Listed::Malformed(m) = &items[1] else {
        panic!("expected a malformed payout: {:?}", items[1])
    };
    assert_eq!(m.id.as_deref(), Some("EU4F2K8Q"));
    assert_eq!(m.field, "totals.sale_amount");
    let review = m.review();
    assert_eq!(review.reason, ReviewReason::Malformed);
    insta::assert_snapshot!(review.to_string());
}

#[tokio::test]
async fn an_unknown_type_decodes_as_unknown() {
    let server = MockServer::start().await;
    let mut page = json("transactions-EU4F2K8Q.json");
    page["transactions"][1]["type"] = json!("LOYALTY_BONUS");
    page["transactions"][1]["detailed_type"] = json!("LOYALTY_BONUS_Q1");
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let txs = client(&server)
        .payout_transactions(&PaymentReference::new("EU4F2K8Q"))
        .await
        .unwrap();
    let t = txs[1].item().unwrap();
    assert!(t.transaction_type.is_unknown());
    assert_eq!(t.transaction_type.as_str(), "LOYALTY_BONUS");
    assert_eq!(
        t.detailed_type.as_ref().unwrap().as_str(),
        "LOYALTY_BONUS_Q1"
    );
}
