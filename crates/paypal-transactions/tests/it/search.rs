//! Transaction Search: splitting, malformed records, retries, failures mid-list.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::StreamExt;
use paypal_transactions::{Error, SearchItem};
use time::macros::datetime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::common::*;

fn details(ids: &[&str]) -> serde_json::Value {
    let all = fixture("transactions_2026-10_window1.json");
    let mut out = all.clone();
    out["transaction_details"] = serde_json::Value::Array(
        all["transaction_details"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|t| {
                ids.contains(
                    &t["transaction_info"]["transaction_id"]
                        .as_str()
                        .unwrap_or(""),
                )
            })
            .cloned()
            .collect(),
    );
    page_of(&out, 1, 500)
}

/// One search answered with `page`, once; any other request fails the test.
async fn mount_one_page(server: &wiremock::MockServer, page: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(server)
        .await;
    mount_catch_all(server).await;
}

#[tokio::test]
async fn a_window_too_large_is_split_in_half() {
    let server = server().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-10T23:59:59Z",
            1,
            500,
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("resultset_too_large.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-05T23:59:59Z",
            1,
            500,
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(details(&["8VX12345AB678901C", "3KD55555XY111222A"])),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(
            "2026-10-06T00:00:00Z",
            "2026-10-10T23:59:59Z",
            1,
            500,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(details(&["2LM98765CD432109E"])))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let found = client(&server)
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-11 00:00 UTC),
        )
        .await
        .expect("search");
    let ids: Vec<&str> = found
        .transactions
        .iter()
        .map(|t| t.transaction_info.transaction_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "8VX12345AB678901C",
            "3KD55555XY111222A",
            "2LM98765CD432109E"
        ]
    );
    assert!(found.is_complete());
    assert!(found.review.is_empty());
}

#[tokio::test]
async fn too_large_down_to_the_smallest_window_is_an_error() {
    let server = server().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("resultset_too_large.json")))
        .mount(&server)
        .await;
    let client = paypal_transactions::PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .min_window(std::time::Duration::from_secs(3600))
        .build()
        .expect("client");
    let err = client
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-01 02:00 UTC),
        )
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::ResultSetTooLarge { .. }), "{err:?}");
    // 2 h → two 1 h windows; the first is as small as allowed and still too large.
    assert_eq!(server.received_requests().await.expect("recorded").len(), 3);
}

#[tokio::test]
async fn a_malformed_record_is_a_review_item_and_the_rest_come_through() {
    let server = server().await;
    mount_token(&server, 1).await;
    let mut page = details(&[
        "8VX12345AB678901C",
        "2LM98765CD432109E",
        "5TT00112EF334455G",
    ]);
    page["transaction_details"][1]["transaction_info"]["transaction_amount"]["value"] =
        "-250,00".into();
    mount_one_page(&server, page).await;

    let found = client(&server)
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    assert_eq!(found.transactions.len(), 2);
    assert_eq!(found.review.len(), 1);
    let item = &found.review[0];
    assert_eq!(
        item.source.as_ref().map(|s| s.id.as_str()),
        Some("2LM98765CD432109E")
    );
    assert_eq!(
        item.field.as_deref(),
        Some("transaction_details[1].transaction_info.transaction_amount")
    );
    assert!(
        item.message.contains("invalid money value \"-250,00\""),
        "{}",
        item.message
    );
    insta::assert_snapshot!("malformed_record_review", item.to_string());
}

/// Fails with 503 `times` times, then answers `body`.
struct FailThenSucceed {
    failures: AtomicU32,
    times: u32,
    body: serde_json::Value,
}

impl Respond for FailThenSucceed {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.failures.fetch_add(1, Ordering::SeqCst) < self.times {
            ResponseTemplate::new(503).set_body_json(serde_json::json!({
                "name": "SERVICE_UNAVAILABLE",
                "message": "Service Unavailable.",
                "debug_id": "90957fca61718"
            }))
        } else {
            ResponseTemplate::new(200).set_body_json(self.body.clone())
        }
    }
}

#[tokio::test]
async fn a_503_is_retried_and_nothing_repeats() {
    let server = server().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .respond_with(FailThenSucceed {
            failures: AtomicU32::new(0),
            times: 2,
            body: details(&["8VX12345AB678901C", "5TT00112EF334455G"]),
        })
        .expect(3)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let found = client(&server)
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    assert_eq!(found.transactions.len(), 2);
}

#[tokio::test]
async fn a_failure_mid_list_is_an_error_not_a_short_list() {
    let server = server().await;
    mount_token(&server, 1).await;
    let all = fixture("transactions_2026-10_window1.json");
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-30T23:59:59Z",
            1,
            4,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&all, 1, 4)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-30T23:59:59Z",
            2,
            4,
        ))
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "name": "INTERNAL_SERVER_ERROR",
            "message": "An internal server error occurred.",
            "debug_id": "e1d3c7b29a4f0"
        })))
        .expect(3)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = paypal_transactions::PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .page_size(4)
        .build()
        .expect("client");

    let items: Vec<_> = client
        .transactions(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .collect()
        .await;
    assert_eq!(items.len(), 5, "four records, then the error, then nothing");
    assert!(
        items[..4]
            .iter()
            .all(|i| matches!(i, Ok(SearchItem::Transaction(_))))
    );
    let err = items[4].as_ref().expect_err("error last");
    assert_eq!(err.code(), Some("INTERNAL_SERVER_ERROR"));
    assert_eq!(
        err.to_string(),
        "paypal: GET /v1/reporting/transactions: 500 Internal Server Error: INTERNAL_SERVER_ERROR: An internal server error occurred. (request id e1d3c7b29a4f0), gave up after 3 attempts"
    );
    let source: bookkeeping_core::SourceError = items
        .into_iter()
        .nth(4)
        .expect("5")
        .expect_err("err")
        .into();
    assert_eq!(source.kind, bookkeeping_core::SourceErrorKind::Api);
}

#[tokio::test]
async fn pages_that_change_under_us_are_read_again() {
    let server = server().await;
    mount_token(&server, 1).await;
    let all = fixture("transactions_2026-10_window1.json");
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    // Page 1 says 9 items the first time; page 2 then says 10 (a record arrived):
    // the window is read again from page 1, and the repeats are for the caller to drop.
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .respond_with(move |req: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let page: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            let mut body = page_of(&all, page, 4);
            if n == 1 {
                body["total_items"] = 10.into();
            }
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    let client = paypal_transactions::PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .page_size(4)
        .build()
        .expect("client");
    let found = client
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    // Page 1, page 2 (changed), then pages 1, 2, 3 again.
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    let (unique, review) = paypal_transactions::dedupe_transactions(found.transactions.clone());
    assert_eq!(found.transactions.len(), 4 + 9);
    assert_eq!(unique.len(), 9);
    assert!(review.is_empty());
}

/// PayPal's paging numbers are the provider's: a `total_pages` of 4294967295
/// for a window of a few records, every page the same records, was followed
/// page by page at PayPal's 50 requests a minute, for years. More pages than
/// the records fill is now an inconsistency that ends the listing with an
/// error, as is an empty page before the last.
#[tokio::test]
async fn paging_numbers_that_do_not_hold_together_are_an_error_not_a_loop() {
    let all = fixture("transactions_2026-10_window1.json");
    for (total_pages, emptied) in [(4_294_967_295u64, false), (3, true)] {
        let server = server().await;
        mount_token(&server, 1).await;
        let mut page = page_of(&all, 1, 500);
        page["total_pages"] = total_pages.into();
        if emptied {
            page["transaction_details"] = serde_json::json!([]);
        }
        mount_one_page(&server, page).await;
        let items: Vec<_> = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client(&server)
                .transactions(
                    datetime!(2026-10-01 00:00 UTC),
                    datetime!(2026-10-31 00:00 UTC),
                )
                .collect(),
        )
        .await
        .expect("the listing ends");
        let err = items
            .last()
            .expect("an item")
            .as_ref()
            .expect_err("an error last");
        assert!(matches!(err, Error::Inconsistent(_)), "{err}");
    }
}
