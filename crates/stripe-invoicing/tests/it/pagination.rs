//! Lists: several pages with nothing lost or repeated, a 429 in the middle,
//! a failure mid-list, a malformed object, a cursor that does not move.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use serde_json::{Value, json};
use stripe_invoicing::ids::PayoutId;
use stripe_invoicing::models::BalanceTransaction;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{StripeList, client, mount_catch_all};

const PAYOUT: &str = "po_1QnA0aLkdIwHu7ixPaging";

/// `n` charge balance transactions, newest first.
fn transactions(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let amount = 10_000 + i64::try_from(i).unwrap();
            json!({
                "id": format!("txn_3QnA{i:04}LkdIwHu7ixPage"),
                "object": "balance_transaction",
                "amount": amount, "fee": 330, "net": amount - 330, "currency": "sek",
                "created": 1_774_000_000 - i64::try_from(i).unwrap() * 60,
                "available_on": 1_774_200_000,
                "fee_details": [{"amount": 330, "application": null, "currency": "sek",
                                 "description": "Stripe processing fees", "type": "stripe_fee"}],
                "reporting_category": "charge", "type": "charge", "status": "available",
                "exchange_rate": null, "description": null, "balance_type": "payments",
                "source": format!("ch_3QnA{i:04}LkdIwHu7ixPage"),
            })
        })
        .collect()
}

async fn mount_list(server: &MockServer, responder: impl Respond + 'static, calls: u64) {
    Mock::given(method("GET"))
        .and(path("/v1/balance_transactions"))
        .and(query_param("payout", PAYOUT))
        .and(query_param("expand[]", "data.source"))
        .and(query_param("limit", "100"))
        .respond_with(responder)
        .expect(calls)
        .mount(server)
        .await;
    mount_catch_all(server).await;
}

type Item = Result<stripe_invoicing::Listed<BalanceTransaction>, stripe_invoicing::Error>;

async fn list_all(server: &MockServer) -> Vec<Item> {
    client(server)
        .list_payout_transactions(&PayoutId::new(PAYOUT))
        .collect()
        .await
}

fn ids(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.as_ref().unwrap().item().unwrap().id.to_string())
        .collect()
}

#[tokio::test]
async fn three_pages_yield_every_object_once_in_order() {
    let server = MockServer::start().await;
    let all = transactions(250);
    mount_list(
        &server,
        StripeList::new("/v1/balance_transactions", all.clone()),
        3,
    )
    .await;
    let got = ids(&list_all(&server).await);
    let want: Vec<String> = all
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), 250);
}

/// Serves like Stripe, but answers calls `from..from + times` with a 429.
struct RateLimitedOnce {
    list: StripeList,
    from: usize,
    times: usize,
    calls: AtomicUsize,
}

impl Respond for RateLimitedOnce {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if (self.from..self.from + self.times).contains(&n) {
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "0")
                .insert_header("Request-Id", "req_429")
                .set_body_json(
                    json!({"error": {"type": "invalid_request_error", "code": "rate_limit",
                    "message": "Too many requests hit the API too quickly."}}),
                );
        }
        self.list.respond(req)
    }
}

#[tokio::test]
async fn a_429_in_the_middle_is_retried_without_losing_or_repeating() {
    let server = MockServer::start().await;
    let all = transactions(250);
    let responder = RateLimitedOnce {
        list: StripeList::new("/v1/balance_transactions", all.clone()),
        from: 1,
        times: 2,
        calls: AtomicUsize::new(0),
    };
    // 3 pages + 2 rate-limited attempts of page 2.
    mount_list(&server, responder, 5).await;
    let got = ids(&list_all(&server).await);
    assert_eq!(got.len(), 250);
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), 250);
    assert_eq!(got.last().unwrap(), all[249]["id"].as_str().unwrap());
}

#[tokio::test]
async fn a_failure_mid_list_is_an_error_not_a_short_list() {
    let server = MockServer::start().await;
    let responder = RateLimitedOnce {
        list: StripeList::new("/v1/balance_transactions", transactions(250)),
        from: 1,
        times: 100,
        calls: AtomicUsize::new(0),
    };
    // Page 1, then page 2 four times (the retry budget).
    mount_list(&server, responder, 5).await;
    let items = list_all(&server).await;
    assert_eq!(items.len(), 101);
    assert!(
        items[..100]
            .iter()
            .all(|i| matches!(i, Ok(stripe_invoicing::Listed::Item(_))))
    );
    let err = items[100].as_ref().unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("stripe: GET /v1/balance_transactions: 429"),
        "{text}"
    );
    assert!(
        text.contains("rate_limit") && text.contains("req_429"),
        "{text}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_malformed_object_is_reported_and_the_others_come_through() {
    let server = MockServer::start().await;
    let mut all = transactions(120);
    all[105]["amount"] = json!("10105.00");
    mount_list(
        &server,
        StripeList::new("/v1/balance_transactions", all.clone()),
        2,
    )
    .await;
    let items = list_all(&server).await;
    assert_eq!(items.len(), 120);
    let bad: Vec<_> = items
        .iter()
        .filter_map(|i| i.as_ref().unwrap().malformed())
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].id.as_deref(), Some("txn_3QnA0105LkdIwHu7ixPage"));
    assert_eq!(bad[0].field, "amount");
    let review = bad[0].review();
    assert_eq!(review.field.as_deref(), Some("amount"));
    assert_eq!(
        review.source.as_ref().unwrap().id,
        "txn_3QnA0105LkdIwHu7ixPage"
    );
    insta::assert_snapshot!(bad[0].to_string());
}

/// A broken server that ignores `starting_after`.
struct Stuck(Vec<Value>);

impl Respond for Stuck {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(
            json!({"object": "list", "url": "/v1/balance_transactions", "has_more": true, "data": self.0}),
        )
    }
}

#[tokio::test]
async fn a_cursor_that_does_not_move_ends_the_list_with_an_error() {
    let server = MockServer::start().await;
    mount_list(&server, Stuck(transactions(2)), 2).await;
    let items = tokio::time::timeout(std::time::Duration::from_secs(10), list_all(&server))
        .await
        .expect("the list must end, not loop");
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(last.to_string().contains("cursor repeated"), "{last}");
    assert_eq!(items.iter().filter(|i| i.is_err()).count(), 1);
}
