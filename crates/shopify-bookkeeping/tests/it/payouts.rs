//! Shopify Payments payouts and their balance transactions.

use bookkeeping_core::{
    Currency, FeeKind, Money, PayoutRecord, PayoutSource, Provider, ReviewReason, SettlementKind,
    SourceRef,
};
use futures::TryStreamExt;
use serde_json::Value;
use wiremock::MockServer;

use crate::support::*;

const PAYOUTS_QUERY: &str = "issued_at:>='2026-02-28T23:00:00Z' issued_at:<'2026-03-31T22:00:00Z'";

fn sek(s: &str) -> Money {
    Money::parse(s, Currency::SEK).unwrap()
}

/// The fixture orders, as Shopify would hold them.
fn fixture_orders() -> Vec<Value> {
    [
        "orders-march-page1.json",
        "orders-march-page2.json",
        "orders-earlier-updated.json",
    ]
    .iter()
    .flat_map(|f| {
        fixture(f)["data"]["orders"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    })
    .collect()
}

/// Answers `nodes(ids:)` for `orders` like Shopify: each order's refunds
/// with the ids of their transactions, `null` for an unknown id.
async fn mount_refunds_of_orders(server: &MockServer, orders: Vec<Value>) {
    graphql(|v| v.get("ids").is_some())
        .respond_with(move |req: &wiremock::Request| {
            let nodes: Vec<Value> = variables(req)["ids"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|id| match orders.iter().find(|o| o["id"] == *id) {
                    None => Value::Null,
                    Some(o) => serde_json::json!({
                        "id": id,
                        "refunds": o["refunds"].as_array().into_iter().flatten().map(|r| serde_json::json!({
                            "id": r["id"],
                            "transactions": {"nodes": r["transactions"]["nodes"].as_array().into_iter().flatten()
                                .map(|t| serde_json::json!({"id": t["id"]})).collect::<Vec<_>>()}
                        })).collect::<Vec<_>>()
                    }),
                })
                .collect();
            ok(serde_json::json!({"data": {"nodes": nodes}}))
        })
        .mount(server)
        .await;
}

/// The month's balance transactions by `processed_at`, paid out or not
/// (`ShopifyPaymentsAccount.balanceTransactions`' documented `processed_at`
/// filter, /work/shared/fixtures/shopify/admin-graphql-2026-01.schema.graphql).
const PROCESSED_QUERY: &str =
    "processed_at:>='2026-02-28T23:00:00Z' processed_at:<'2026-03-31T22:00:00Z'";

fn nodes(v: &Value) -> Vec<Value> {
    v["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn mount(server: &MockServer, a: Value, b: Value) {
    mount_with(server, a, b, vec![]).await;
}

/// After the payouts, the disputes lost or accepted in the period: none here.
async fn no_lost_disputes(server: &MockServer) {
    for search in ["status:lost", "status:accepted"] {
        no_disputes(server, search).await;
    }
}

/// An empty page of the disputes matching `search`, asked for once.
async fn no_disputes(server: &MockServer, search: &'static str) {
    page(search, None)
        .respond_with(ok(
            serde_json::json!({"data": {"shopifyPaymentsAccount": {"disputes": {
                "pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []
            }}}}),
        ))
        .expect(1)
        .mount(server)
        .await;
}

/// The two payouts' listings, and the month's listing by `processed_at`
/// holding their lines plus `pending` (in no payout yet).
async fn mount_with(server: &MockServer, a: Value, b: Value, pending: Vec<Value>) {
    no_lost_disputes(server).await;
    mount_refunds_of_orders(server, fixture_orders()).await;
    let mut month = a.clone();
    month["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"] = Value::Array(
        nodes(&a)
            .into_iter()
            .chain(nodes(&b))
            .chain(pending)
            .collect(),
    );
    page(PROCESSED_QUERY, None)
        .respond_with(ok(month))
        .expect(1)
        .mount(server)
        .await;
    page(PAYOUTS_QUERY, None)
        .respond_with(ok(fixture("payouts-march.json")))
        .expect(1)
        .mount(server)
        .await;
    page("payments_transfer_id:88001001", None)
        .respond_with(ok(a))
        .expect(1)
        .mount(server)
        .await;
    page("payments_transfer_id:88001002", None)
        .respond_with(ok(b))
        .expect(1)
        .mount(server)
        .await;
    catch_all(server).await;
}

#[tokio::test]
async fn two_payouts_with_a_refund_and_a_chargeback() {
    let server = MockServer::start().await;
    mount(
        &server,
        fixture("balance-transactions-88001001.json"),
        fixture("balance-transactions-88001002.json"),
    )
    .await;
    let client = client(&server);

    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    let payouts: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Payout(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(payouts.len(), 2, "{records:#?}");
    // No review items; the charge processed on 9 March that no payout
    // carries yet (`associatedPayout.id` null) comes as a line of its own.
    assert_eq!(records.len(), 3, "no review items: {records:#?}");
    let PayoutRecord::Line(pending) = &records[2] else {
        panic!("{records:#?}");
    };
    assert_eq!(
        pending.line.source.id,
        "gid://shopify/ShopifyPaymentsBalanceTransaction/99000000006"
    );

    let (a, b) = (payouts[0], payouts[1]);
    assert_eq!(a.amount, sek("1031.13"));
    assert_eq!(b.amount, sek("1266.14"));
    assert_eq!(a.bank_reference.as_deref(), Some("SE-SHOPIFY-88001001"));
    // The pending transaction of no payout is not one of A's lines.
    assert_eq!(a.lines.len(), 4);
    assert_eq!(b.lines.len(), 5);
    for p in &payouts {
        assert!(p.unexplained().unwrap().is_zero());
        for line in &p.lines {
            assert_eq!(line.check().unwrap(), None, "{line:?}");
        }
    }
    let fees = Money::sum(Currency::SEK, a.fees().map(|f| &f.amount)).unwrap();
    assert_eq!(fees, sek("31.27"));
    let refund = &a.lines[1];
    assert_eq!(refund.kind, SettlementKind::Refund);
    assert_eq!(refund.gross, sek("-299.00"));
    assert_eq!(refund.reference.as_deref(), Some("#0998"));
    // Joined through `sourceOrderTransactionId` to the refund holding that
    // order transaction, not to the sale.
    assert_eq!(
        refund.related,
        Some(SourceRef::new(
            Provider::Shopify,
            "refund",
            "gid://shopify/Refund/8998"
        ))
    );
    let dispute = &b.lines[2];
    assert_eq!(dispute.kind, SettlementKind::Dispute);
    assert_eq!(dispute.fees[0].kind, FeeKind::Dispute);
    assert_eq!(dispute.net, sek("-250.00"));
    let label = &b.lines[4];
    assert_eq!(label.kind, SettlementKind::Fee);
    assert!(label.gross.is_zero());
    assert_eq!(label.fees[0].amount, sek("65.00"));
    // SHIPPING_LABEL ("The shipping_label transaction type", ShopifyPaymentsTransactionType
    // in admin-graphql-2026-01.schema.graphql) is freight, not a payment fee.
    assert_eq!(label.fees[0].kind, FeeKind::Shipping);

    insta::assert_yaml_snapshot!("march_payouts", records);
}

#[tokio::test]
async fn an_unknown_transaction_type_needs_review_and_the_payout_stays() {
    let server = MockServer::start().await;
    let mut b = fixture("balance-transactions-88001002.json");
    b["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"][4]["type"] =
        Value::from("SHOP_CASH_CAMPAIGN_BILLING_DEBIT");
    mount(&server, fixture("balance-transactions-88001001.json"), b).await;
    let client = client(&server);

    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    // The two payouts, the review item, and the line not yet paid out.
    assert_eq!(records.len(), 4);
    assert!(matches!(records[3], PayoutRecord::Line(_)), "{records:#?}");
    let PayoutRecord::Review(review) = &records[2] else {
        panic!("{records:#?}");
    };
    assert_eq!(review.reason, ReviewReason::UnknownType);
    assert_eq!(review.field.as_deref(), Some("type"));
    let PayoutRecord::Payout(p) = &records[1] else {
        panic!("{records:#?}");
    };
    assert_eq!(
        p.lines[4].kind,
        SettlementKind::Unknown("shop_cash_campaign_billing_debit".into())
    );
    assert!(p.unexplained().unwrap().is_zero());
}

#[tokio::test]
async fn lines_that_do_not_explain_the_payout_need_review() {
    let server = MockServer::start().await;
    let mut a = fixture("balance-transactions-88001001.json");
    // Shopify leaves out a line: the others no longer add up to the payout.
    a["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    // The search by payout date finds the same: the mismatch stays.
    page("payout_date:2026-03-06", None)
        .respond_with(ok(a.clone()))
        .expect(1)
        .mount(&server)
        .await;
    mount(&server, a, fixture("balance-transactions-88001002.json")).await;
    let client = client(&server);

    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    let reviews: Vec<_> = records[1..3]
        .iter()
        .map(|r| match r {
            PayoutRecord::Review(item) => item,
            other => panic!("{other:#?}"),
        })
        .collect();
    // Shopify's own summary disagrees with the charge lines (500.00 missing)…
    assert_eq!(reviews[0].reason, ReviewReason::AmountMismatch);
    assert_eq!(reviews[0].field.as_deref(), Some("summary.chargesGross"));
    assert_eq!(reviews[0].amount, Some(sek("-500.00")));
    // …and the lines no longer explain the payout (488.70 net missing).
    assert_eq!(reviews[1].reason, ReviewReason::AmountMismatch);
    assert_eq!(reviews[1].amount, Some(sek("-488.70")));
    assert!(matches!(records[3], PayoutRecord::Payout(_)));
}

#[tokio::test]
async fn a_shop_without_shopify_payments_is_an_error() {
    let server = MockServer::start().await;
    page(PAYOUTS_QUERY, None)
        .respond_with(ok(
            serde_json::json!({"data": {"shopifyPaymentsAccount": null}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // The period's balance transactions and the lost disputes are read beside
    // the payouts (they need nothing from them): the same answer.
    for query in [PROCESSED_QUERY, "status:lost", "status:accepted"] {
        page(query, None)
            .respond_with(ok(
                serde_json::json!({"data": {"shopifyPaymentsAccount": null}}),
            ))
            .mount(&server)
            .await;
    }
    catch_all(&server).await;
    let client = client(&server);
    let err = client
        .payouts(&march())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind, bookkeeping_core::SourceErrorKind::Decode);
    assert!(
        err.to_string()
            .contains("/data/shopifyPaymentsAccount/payouts"),
        "{err}"
    );
}

#[tokio::test]
async fn when_the_transfer_filter_finds_nothing_the_payout_date_is_searched() {
    let server = MockServer::start().await;
    let a = fixture("balance-transactions-88001001.json");
    let mut empty = a.clone();
    empty["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"] = Value::Array(vec![]);
    // The date search also returns a transaction of payout B: it is left out.
    let mut by_date = a;
    let b_row = fixture("balance-transactions-88001002.json")["data"]["shopifyPaymentsAccount"]
        ["balanceTransactions"]["nodes"][0]
        .clone();
    by_date["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
        .as_array_mut()
        .unwrap()
        .push(b_row);
    page("payout_date:2026-03-06", None)
        .respond_with(ok(by_date))
        .expect(1)
        .mount(&server)
        .await;
    mount(
        &server,
        empty,
        fixture("balance-transactions-88001002.json"),
    )
    .await;
    let client = client(&server);

    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    assert_eq!(records.len(), 2, "{records:#?}");
    let PayoutRecord::Payout(p) = &records[0] else {
        panic!("{records:#?}");
    };
    assert_eq!(p.lines.len(), 4);
    assert!(p.unexplained().unwrap().is_zero());
}

/// The two payouts' server, with besides them a copy of their first charge
/// that no payout carries (`associatedPayout { id: null status: null }`):
/// balance transaction `id`, processed at `at`, made in test mode or not.
async fn with_a_charge_not_paid_out(id: &str, at: &str, test: bool) -> MockServer {
    let server = MockServer::start().await;
    let a = fixture("balance-transactions-88001001.json");
    let mut charge = nodes(&a)[0].clone();
    charge["id"] = format!("gid://shopify/ShopifyPaymentsBalanceTransaction/{id}").into();
    charge["transactionDate"] = at.into();
    charge["test"] = test.into();
    charge["associatedPayout"] = serde_json::json!({ "id": null, "status": null });
    mount_with(
        &server,
        a,
        fixture("balance-transactions-88001002.json"),
        vec![charge],
    )
    .await;
    server
}

/// A charge processed on 31 March that no payout carries yet
/// (`associatedPayout { id: null status: null }`) comes as a line of its
/// own, booked in March; the payouts' lines are not repeated.
#[tokio::test]
async fn a_charge_not_yet_paid_out_comes_as_a_line_of_its_month() {
    let server = with_a_charge_not_paid_out("99000000999", "2026-03-31T19:40:00Z", false).await;
    let client = client(&server);
    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    let lines: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Line(l) => Some(l),
            _ => None,
        })
        .collect();
    // The fixture's own pending charge of 9 March, then this one.
    assert_eq!(lines.len(), 2, "{records:#?}");
    let line = &lines[1].line;
    assert_eq!(
        line.source.id,
        "gid://shopify/ShopifyPaymentsBalanceTransaction/99000000999"
    );
    assert_eq!(line.kind, SettlementKind::Charge);
    assert_eq!(line.gross, sek("711.40"));
    assert_eq!(line.net, sek("696.08"));
    assert_eq!(records.len(), 4, "two payouts, two lines: {records:#?}");
}

/// A charge made in test mode (`ShopifyPaymentsBalanceTransaction.test`,
/// "Wether the tranaction was created in test mode", 2026-01 schema) moved
/// no money and no payout will carry it: it is not booked as a line (a
/// fee cost and a receivable that never clears) but said as a review item.
#[tokio::test]
async fn a_test_mode_charge_is_not_booked_but_said() {
    let server = with_a_charge_not_paid_out("99000000998", "2026-03-30T10:00:00Z", true).await;
    let client = client(&server);
    let records: Vec<PayoutRecord> = client.payouts(&march()).try_collect().await.unwrap();
    let id = "gid://shopify/ShopifyPaymentsBalanceTransaction/99000000998";
    assert!(
        !records
            .iter()
            .any(|r| matches!(r, PayoutRecord::Line(l) if l.line.source.id == id)),
        "{records:#?}"
    );
    let said: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::Review(i) if i.source.as_ref().is_some_and(|s| s.id == id) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(said.len(), 1, "{records:#?}");
    assert_eq!(said[0].field.as_deref(), Some("test"));
    assert_eq!(said[0].amount, Some(sek("696.08")));
}

/// A lost dispute moves no money (its amount left with the
/// `DISPUTE_WITHDRAWAL`): only `ShopifyPaymentsDispute.status: LOST` and
/// `finalizedOn` say it is lost (admin-graphql-2026-01.schema.graphql). The
/// ones decided in the period become `PayoutRecord::DisputeLost`, tied to
/// their order. Each disputed order is read with `order(id:)`
/// (`QueryRoot.order(id: ID!): Order`, same schema): one sold before the
/// period (#0998, 20 February) is carried normalized as `earlier_sale`, so a
/// March close can reverse it; one of the period (#1001) is not, the
/// period's own sales hold it.
///
/// A dispute the shop accepted (`status: ACCEPTED`, final like `LOST` and,
/// unlike `WON`, returning nothing: `DisputeStatus`, same schema) is lost
/// too: it was left on the disputed receivable for good, its sale never
/// reversed. It is listed with `status:accepted` and becomes a record alike.
#[tokio::test]
async fn disputes_lost_in_the_period_become_records() {
    let server = MockServer::start().await;
    let against = |status: &'static str| {
        move |id: &str, finalized: Value, amount: &str, order: &str, name: &str| {
            serde_json::json!({
                "id": format!("gid://shopify/ShopifyPaymentsDispute/{id}"),
                "status": status,
            "finalizedOn": finalized,
            "initiatedAt": "2026-02-10T09:00:00Z",
            "amount": {"amount": amount, "currencyCode": "SEK"},
            "order": {"id": format!("gid://shopify/Order/{order}"), "name": name}
            })
        }
    };
    let dispute = against("LOST");
    let accepted = against("ACCEPTED");
    let body = serde_json::json!({"data": {"shopifyPaymentsAccount": {"disputes": {
        "pageInfo": {"hasNextPage": false, "endCursor": null},
        "nodes": [
            dispute("1", "2026-03-20".into(), "250.0", "6100000001001", "#1001"),
            dispute("2", "2026-02-27".into(), "99.0", "6100000001001", "#1001"),
            dispute("3", Value::Null, "10.0", "6100000001001", "#1001"),
            dispute("4", "2026-03-25".into(), "299.0", "6100000000998", "#0998"),
        ]
    }}}});
    page("status:lost", None)
        .respond_with(ok(body))
        .expect(1)
        .mount(&server)
        .await;
    let body = serde_json::json!({"data": {"shopifyPaymentsAccount": {"disputes": {
        "pageInfo": {"hasNextPage": false, "endCursor": null},
        "nodes": [
            accepted("5", "2026-03-28".into(), "120.0", "6100000001001", "#1001"),
            accepted("6", "2026-04-02".into(), "80.0", "6100000001001", "#1001"),
        ]
    }}}});
    page("status:accepted", None)
        .respond_with(ok(body))
        .expect(1)
        .mount(&server)
        .await;
    let orders = fixture_orders();
    graphql(|v| v["id"].as_str().is_some_and(|id| id.contains("/Order/")))
        .respond_with(move |req: &wiremock::Request| {
            let id = variables(req)["id"].clone();
            let order = orders.iter().find(|o| o["id"] == id).cloned();
            ok(serde_json::json!({"data": {"order": order}}))
        })
        .expect(3)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let period = march();
    let records: Vec<PayoutRecord> = client.lost_disputes(&period).try_collect().await.unwrap();
    assert_eq!(records.len(), 3, "{records:#?}");
    let PayoutRecord::DisputeLost(lost) = &records[0] else {
        panic!("{records:#?}");
    };
    assert_eq!(lost.source.id, "gid://shopify/ShopifyPaymentsDispute/1");
    assert_eq!(lost.amount, sek("250.00"));
    assert_eq!(
        lost.sale.as_ref().map(|s| s.id.as_str()),
        Some("gid://shopify/Order/6100000001001")
    );
    assert_eq!(
        bookkeeping_core::stockholm_date(lost.decided_at),
        time::macros::date!(2026 - 03 - 20)
    );
    assert_eq!(lost.earlier_sale, None, "#1001 is a sale of March");

    let PayoutRecord::DisputeLost(lost) = &records[1] else {
        panic!("{records:#?}");
    };
    assert_eq!(lost.source.id, "gid://shopify/ShopifyPaymentsDispute/4");
    let sale = lost.earlier_sale.as_deref().expect("#0998 is carried");
    assert_eq!(Some(&sale.source), lost.sale.as_ref());
    assert_eq!(sale.document_number, "#0998");
    assert_eq!(
        bookkeeping_core::stockholm_date(sale.occurred_at),
        time::macros::date!(2026 - 02 - 20)
    );
    // The order's total, 299.00 with 59.80 VAT (orders-earlier-updated.json).
    assert_eq!(sale.total().unwrap(), sek("299.00"));
    let vat: rust_decimal::Decimal = sale.lines.iter().map(|l| l.vat.amount()).sum();
    assert_eq!(vat, rust_decimal::Decimal::new(5980, 2));

    // Accepted on 28 March: lost in March (the one accepted in April is April's).
    let PayoutRecord::DisputeLost(lost) = &records[2] else {
        panic!("{records:#?}");
    };
    assert_eq!(lost.source.id, "gid://shopify/ShopifyPaymentsDispute/5");
    assert_eq!(lost.amount, sek("120.00"));
    assert_eq!(
        bookkeeping_core::stockholm_date(lost.decided_at),
        time::macros::date!(2026 - 03 - 28)
    );
}

/// An order refunded twice, both refunds settled in one payout: the order
/// name cannot tell the two lines apart, the order transaction behind each
/// (`ShopifyPaymentsBalanceTransaction.sourceOrderTransactionId`, joined to
/// `Refund.transactions`, 2026-01 schema) does.
#[tokio::test]
async fn two_refunds_of_one_order_join_by_their_transactions() {
    let server = MockServer::start().await;
    // #1001 gets a second refund of 10.00 with its own transaction.
    let mut orders = fixture_orders();
    let o1 = orders.iter_mut().find(|o| o["name"] == "#1001").unwrap();
    let mut second = o1["refunds"][0].clone();
    second["id"] = Value::from("gid://shopify/Refund/9002");
    second["transactions"]["nodes"][0]["id"] =
        Value::from("gid://shopify/OrderTransaction/70000000777");
    o1["refunds"].as_array_mut().unwrap().push(second);
    mount_refunds_of_orders(&server, orders).await;
    // Payout B settles both: the second refund line comes first.
    let mut b = fixture("balance-transactions-88001002.json");
    let rows = b["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
        .as_array_mut()
        .unwrap();
    let mut row = rows[3].clone();
    row["id"] = Value::from("gid://shopify/ShopifyPaymentsBalanceTransaction/99000000777");
    row["sourceOrderTransactionId"] = Value::from("70000000777");
    for field in ["amount", "net"] {
        row[field]["amount"] = Value::from("-10.0");
    }
    rows.insert(3, row);
    let mut payouts = fixture("payouts-march.json");
    payouts["data"]["shopifyPaymentsAccount"]["payouts"]["nodes"][1]["net"]["amount"] =
        Value::from("1256.14");
    page(PAYOUTS_QUERY, None)
        .respond_with(ok(payouts))
        .mount(&server)
        .await;
    // The month's listing by `processed_at`: lines the payouts carry.
    page(PROCESSED_QUERY, None)
        .respond_with(ok(fixture("balance-transactions-88001002.json")))
        .mount(&server)
        .await;
    page("payments_transfer_id:88001001", None)
        .respond_with(ok(fixture("balance-transactions-88001001.json")))
        .mount(&server)
        .await;
    page("payments_transfer_id:88001002", None)
        .respond_with(ok(b))
        .mount(&server)
        .await;
    no_lost_disputes(&server).await;
    catch_all(&server).await;

    let records: Vec<PayoutRecord> = client(&server)
        .payouts(&march())
        .try_collect()
        .await
        .unwrap();
    let PayoutRecord::Payout(p) = &records[1] else {
        panic!("{records:#?}");
    };
    assert!(p.unexplained().unwrap().is_zero());
    let refunds: Vec<(Money, Option<&str>)> = p
        .lines
        .iter()
        .filter(|l| l.kind == SettlementKind::Refund)
        .map(|l| (l.gross, l.related.as_ref().map(|r| r.id.as_str())))
        .collect();
    assert_eq!(
        refunds,
        [
            (sek("-10.00"), Some("gid://shopify/Refund/9002")),
            (sek("-179.10"), Some("gid://shopify/Refund/9001")),
        ]
    );
}

/// A join of refunds by order id (`nodes(ids:)`, 250 ids a request) that
/// Shopify refuses as too costly (`MAX_COST_EXCEEDED` with its `cost` and
/// `maxCost`, as Shopify answers a query over its limit) is sent again with
/// fewer ids, and every order is still joined: how Shopify counts the cost
/// of a `nodes(ids:)` list is not published, and a refusal must not stop
/// the close.
#[tokio::test]
async fn a_join_refused_as_too_costly_is_sent_again_with_fewer_ids() {
    use shopify_bookkeeping::ids::OrderId;
    let server = MockServer::start().await;
    let ids = |v: &Value| v["ids"].as_array().map_or(0, Vec::len);
    graphql(move |v| ids(v) > 100)
        .respond_with(|req: &wiremock::Request| {
            let n = variables(req)["ids"].as_array().map_or(0, Vec::len) as u64;
            ok(serde_json::json!({
                "errors": [{"message": format!("Query cost is {}, which exceeds the single query max cost limit (1000).", n * 10),
                    "extensions": {"code": "MAX_COST_EXCEEDED", "cost": n * 10, "maxCost": 1000}}]
            }))
        })
        .expect(1)
        .mount(&server)
        .await;
    graphql(move |v| (1..=100).contains(&ids(v)))
        .respond_with(|req: &wiremock::Request| {
            let nodes: Vec<Value> = variables(req)["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| {
                    let n = id.as_str().unwrap().rsplit('/').next().unwrap().to_owned();
                    serde_json::json!({"refunds": [{
                        "id": format!("gid://shopify/Refund/{n}"),
                        "transactions": {"nodes": [{"id": format!("gid://shopify/OrderTransaction/{n}")}]}
                    }]})
                })
                .collect();
            ok(serde_json::json!({"data": {"nodes": nodes}}))
        })
        .expect(3)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let orders: Vec<OrderId> = (1..=260)
        .map(|n| OrderId::new(format!("gid://shopify/Order/{n}")))
        .collect();
    let joined = client(&server)
        .refunds_by_transaction(&orders)
        .await
        .expect("joined in smaller requests");
    assert_eq!(joined.len(), 260);
    assert_eq!(
        joined.get("17").map(|r| r.as_str()),
        Some("gid://shopify/Refund/17")
    );
}
