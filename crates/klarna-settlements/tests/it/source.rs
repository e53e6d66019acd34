//! The client as a `PayoutSource`: what a host (and month_close) drives.

use bookkeeping_core::{PayoutRecord, PayoutSource, Period, ReviewReason, Source, SourceErrorKind};
use futures::{StreamExt, TryStreamExt};
use time::Month;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, json_response, mount_catch_all};

async fn mount_march(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .and(query_param("start_date", "2026-02-28T23:00:00Z"))
        .respond_with(json_response("payouts-march-2026.json"))
        .expect(1)
        .mount(server)
        .await;
    for r in ["K7Q2M9XB", "EU4F2K8Q", "Q8W3N6ZT"] {
        Mock::given(method("GET"))
            .and(path("/settlements/v1/transactions"))
            .and(query_param("payment_reference", r))
            .and(query_param("offset", "0"))
            .respond_with(json_response(&format!("transactions-{r}.json")))
            .expect(1)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_month_of_payouts_with_lines_and_review_items() {
    let server = MockServer::start().await;
    mount_march(&server).await;
    mount_catch_all(&server).await;
    let c = client(&server);
    assert_eq!(c.provider(), bookkeeping_core::Provider::Klarna);
    let period = Period::month(2026, Month::March).unwrap();
    let records: Vec<PayoutRecord> = c.payouts(&period).try_collect().await.unwrap();
    let payouts: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Payout(p) => Some(p),
            _ => None,
        })
        .collect();
    let reviews: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Review(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(payouts.len(), 3);
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].reason, ReviewReason::AmountMismatch);
    assert_eq!(reviews[0].source.as_ref().unwrap().id, "Q8W3N6ZT");
    let explained: Vec<bool> = payouts
        .iter()
        .map(|p| p.unexplained().unwrap().is_zero())
        .collect();
    assert_eq!(explained, [true, true, false]);
}

#[tokio::test]
async fn an_auth_failure_ends_the_stream_with_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error_code": "UNAUTHORIZED",
            "error_messages": ["Invalid credentials"],
            "correlation_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let period = Period::month(2026, Month::March).unwrap();
    let c = client(&server);
    let items: Vec<_> = c.payouts(&period).collect().await;
    assert_eq!(items.len(), 1);
    let err = items.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Auth);
    insta::assert_snapshot!(err.to_string());
}

#[tokio::test]
async fn a_failed_transaction_list_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .respond_with(json_response("payouts-march-2026.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "K7Q2M9XB"))
        .respond_with(json_response("transactions-K7Q2M9XB.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "EU4F2K8Q"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error_code": "BAD_VALUE",
            "error_messages": ["Bad value: payment_reference"],
            "correlation_id": "7b6a5c4d-3e2f-4a1b-9c0d-8e7f6a5b4c3d"
        })))
        .expect(1)
        .mount(&server)
        .await;
    // The third payout's list runs in a lane of its own beside the others
    // (`PAYOUT_LISTS_AT_ONCE`): whether its request went out before the
    // second's failure ended the stream depends on timing (a loaded CI
    // machine sent it), and what it lists is never handed on.
    Mock::given(method("GET"))
        .and(path("/settlements/v1/transactions"))
        .and(query_param("payment_reference", "Q8W3N6ZT"))
        .respond_with(json_response("transactions-Q8W3N6ZT.json"))
        .expect(0..=1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let period = Period::month(2026, Month::March).unwrap();
    let c = client(&server);
    let items: Vec<_> = c.payouts(&period).collect().await;
    assert_eq!(
        items.len(),
        2,
        "the first payout, then the error, then nothing"
    );
    assert!(matches!(items[0], Ok(PayoutRecord::Payout(_))));
    assert_eq!(items[1].as_ref().unwrap_err().kind, SourceErrorKind::Api);
}
