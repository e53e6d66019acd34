//! A month that spans two 31-day windows, several pages, balances at both ends.

use bookkeeping_core::{Currency, Money, Period, StatementClass, StatementSource};
use paypal_transactions::PayPalClient;
use rust_decimal_macros::dec;
use time::Month;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const W1_START: &str = "2026-09-30T22:00:00Z";
const W1_END: &str = "2026-10-31T21:59:59Z";
const W2_START: &str = "2026-10-31T22:00:00Z";
const W2_END: &str = "2026-10-31T22:59:59Z";

/// October 2026 in Stockholm is 31 days and one hour (summer time ends on the 25th), so
/// it takes two windows. Window 1 has 9 records in pages of 4; window 2 has one.
async fn mount_october(server: &MockServer, window1: &serde_json::Value) {
    mount_token(server, 1).await;
    for page in 1..=3 {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/transactions"))
            .and(header("authorization", BEARER))
            .and(search_query(W1_START, W1_END, page, 4))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_of(
                window1,
                page as usize,
                4,
            )))
            .expect(1)
            .mount(server)
            .await;
    }
    let window2 = fixture("transactions_2026-10_window2.json");
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(header("authorization", BEARER))
        .and(search_query(W2_START, W2_END, 1, 4))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&window2, 1, 4)))
        .expect(1)
        .mount(server)
        .await;
    for (at, file) in [
        (W1_START, "balances_2026-09-30T22.json"),
        ("2026-10-31T23:00:00Z", "balances_2026-10-31T23.json"),
    ] {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/balances"))
            .and(header("authorization", BEARER))
            .and(query_param("as_of_time", at))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(file)))
            .expect(1)
            .mount(server)
            .await;
    }
    mount_catch_all(server).await;
}

fn paged_client(server: &MockServer) -> PayPalClient {
    PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .page_size(4)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_month_in_two_windows_reconciles_to_the_ore() {
    let server = server().await;
    mount_october(&server, &fixture("transactions_2026-10_window1.json")).await;
    let client = paged_client(&server);
    let october = Period::month(2026, Month::October).expect("period");

    // Through the source trait, as a host drives every provider.
    let source: &dyn StatementSource = &client;
    let batch = source.statements(&october).await.expect("statements");

    assert!(batch.review.is_empty(), "{:#?}", batch.review);
    assert_eq!(batch.statements.len(), 2);
    let eur = &batch.statements[0];
    let sek = &batch.statements[1];
    assert_eq!((eur.currency, sek.currency), (Currency::EUR, Currency::SEK));
    for s in &batch.statements {
        assert!(s.complete);
        assert_eq!(
            s.unexplained().expect("same currency"),
            Some(Money::zero(s.currency))
        );
        // The running balance of the lines ends on PayPal's reported closing balance.
        let last = s.lines.iter().rev().find_map(|l| l.balance_after);
        assert_eq!(last, s.closing, "{}", s.currency);
    }
    assert_eq!(sek.opening, Some(Money::new(dec!(10000.00), Currency::SEK)));
    assert_eq!(sek.closing, Some(Money::new(dec!(2093.21), Currency::SEK)));
    assert_eq!(sek.lines.len(), 12);
    assert_eq!(eur.lines.len(), 3);

    // Gross and fee are separate lines, the fee negative on a received payment.
    let first: Vec<_> = sek.lines.iter().take(2).collect();
    assert_eq!(first[0].class, StatementClass::Payment);
    assert_eq!(first[0].amount, Money::new(dec!(1250.00), Currency::SEK));
    assert_eq!(first[1].class, StatementClass::Fee);
    assert_eq!(first[1].amount, Money::new(dec!(-46.13), Currency::SEK));
    assert_eq!(first[1].source, first[0].source);

    // The refund's refunded fee is a positive fee line.
    let refund: Vec<_> = sek
        .lines
        .iter()
        .filter(|l| l.source.id == "2LM98765CD432109E")
        .collect();
    assert_eq!(refund[0].class, StatementClass::Refund);
    assert_eq!(refund[0].amount, Money::new(dec!(-250.00), Currency::SEK));
    assert_eq!(refund[1].amount, Money::new(dec!(9.23), Currency::SEK));
    assert_eq!(
        refund[0].related.as_ref().map(|r| r.id.as_str()),
        Some("8VX12345AB678901C")
    );

    // The chargeback, its fee (a T01xx record of its own) and the withdrawal.
    let by_id = |id: &str| sek.lines.iter().find(|l| l.source.id == id).expect(id);
    assert_eq!(by_id("6CB22222YY333444E").class, StatementClass::Chargeback);
    assert_eq!(by_id("7FE33333XX444555F").class, StatementClass::Fee);
    let withdrawal = by_id("5TT00112EF334455G");
    assert_eq!(withdrawal.class, StatementClass::Withdrawal);
    assert_eq!(withdrawal.text, "Transfer to bank");

    // The conversion EUR → SEK: paired lines, each pointing at the other side.
    let out = eur
        .lines
        .iter()
        .find(|l| l.class == StatementClass::Conversion)
        .expect("eur side");
    let into = by_id("4CV00001AA000002C");
    assert_eq!(out.amount, Money::new(dec!(-85.54), Currency::EUR));
    assert_eq!(into.amount, Money::new(dec!(943.22), Currency::SEK));
    assert_eq!(out.related.as_ref(), Some(&into.source));
    assert_eq!(into.related.as_ref(), Some(&out.source));
    assert_eq!(into.text, "Currency conversion 85.54 EUR → 943.22 SEK");

    insta::assert_yaml_snapshot!("october_2026_statements", batch);
}

#[tokio::test]
async fn a_balance_that_does_not_reconcile_is_a_review_item() {
    let server = server().await;
    // Drop the withdrawal: the lines no longer explain PayPal's closing SEK balance.
    let mut window1 = fixture("transactions_2026-10_window1.json");
    window1["transaction_details"]
        .as_array_mut()
        .expect("array")
        .retain(|t| t["transaction_info"]["transaction_id"] != "5TT00112EF334455G");
    // 8 records: two pages of 4.
    mount_token(&server, 1).await;
    for page in 1..=2u32 {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/transactions"))
            .and(search_query(W1_START, W1_END, page, 4))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_of(
                &window1,
                page as usize,
                4,
            )))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(W2_START, W2_END, 1, 4))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(
            &fixture("transactions_2026-10_window2.json"),
            1,
            4,
        )))
        .mount(&server)
        .await;
    for (at, file) in [
        (W1_START, "balances_2026-09-30T22.json"),
        ("2026-10-31T23:00:00Z", "balances_2026-10-31T23.json"),
    ] {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/balances"))
            .and(query_param("as_of_time", at))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(file)))
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;

    let batch = paged_client(&server)
        .statement(&Period::month(2026, Month::October).expect("period"))
        .await
        .expect("statement");
    assert_eq!(batch.review.len(), 1, "{:#?}", batch.review);
    let item = &batch.review[0];
    assert_eq!(item.reason, bookkeeping_core::ReviewReason::AmountMismatch);
    assert_eq!(
        item.amount,
        Some(Money::new(dec!(-10000.00), Currency::SEK))
    );
    assert!(
        item.message.contains("SEK balance does not reconcile"),
        "{}",
        item.message
    );
}

#[tokio::test]
async fn data_not_yet_refreshed_caps_the_end_and_says_so() {
    let server = server().await;
    let mut window1 = fixture("transactions_2026-10_window1.json");
    // PayPal's data is complete only until 20 October, 08:00 UTC.
    window1["last_refreshed_datetime"] = "2026-10-20T08:00:00+0000".into();
    window1["transaction_details"]
        .as_array_mut()
        .expect("array")
        .truncate(6);
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(search_query(W1_START, W1_END, 1, 500))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&window1, 1, 500)))
        .expect(1)
        .mount(&server)
        .await;
    // No request for window 2: it starts after the refreshed data ends.
    Mock::given(method("GET"))
        .and(path("/v1/reporting/balances"))
        .and(query_param("as_of_time", W1_START))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("balances_2026-09-30T22.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let closing = serde_json::json!({
        "balances": [
            {"currency": "SEK", "primary": true, "total_balance": {"currency_code": "SEK", "value": "12484.03"}},
            {"currency": "EUR", "primary": false, "total_balance": {"currency_code": "EUR", "value": "50.00"}}
        ],
        "account_id": "7QW4EXAMPLE2K",
        "as_of_time": "2026-10-20T08:00:00Z",
        "last_refresh_time": "2026-10-20T08:00:00Z"
    });
    Mock::given(method("GET"))
        .and(path("/v1/reporting/balances"))
        .and(query_param("as_of_time", "2026-10-20T08:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(closing))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let batch = client(&server)
        .statement(&Period::month(2026, Month::October).expect("period"))
        .await
        .expect("statement");
    assert!(batch.statements.iter().all(|s| !s.complete));
    for s in &batch.statements {
        assert_eq!(s.unexplained().expect("ok"), Some(Money::zero(s.currency)));
    }
    assert_eq!(batch.review.len(), 1, "{:#?}", batch.review);
    assert_eq!(
        batch.review[0].reason,
        bookkeeping_core::ReviewReason::Incomplete
    );
}
