//! Orders: a month of sales, pagination, throttling, slicing, bad records.

use std::time::{Duration, Instant};

use bookkeeping_core::{
    Currency, LineKind, Money, PaymentChannel, Provider, ReviewReason, SalesRecord, SalesSource,
    TaxTreatment,
};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use shopify_bookkeeping::normalize::{EuConsumerVat, NormalizeOptions};
use shopify_bookkeeping::report::{outside_payments, outside_refund_payments, totals_by_gateway};
use shopify_bookkeeping::{Listed, OrderQuery, ShopifySource};
use wiremock::MockServer;

use crate::support::*;

const CURSOR_1: &str = "eyJsYXN0X2lkIjo2MTAwMDAwMDAxMDA0fQ==";

fn sek(s: &str) -> Money {
    Money::parse(s, Currency::SEK).unwrap()
}

fn shop_amount(v: &Value) -> Money {
    sek(v["shopMoney"]["amount"].as_str().unwrap())
}

async fn mount_march(server: &MockServer) {
    mount_scopes(server, provider_sandbox::shopify::DEFAULT_ACCESS_SCOPES).await;
    page(MARCH_QUERY, None)
        .respond_with(ok(fixture("orders-march-page1.json")))
        .expect(1)
        .mount(server)
        .await;
    // Page 2 is throttled once, then served.
    page(MARCH_QUERY, Some(CURSOR_1))
        .respond_with(FailThenSucceed::new(
            1,
            throttled(502, 497, 100),
            ok(fixture("orders-march-page2.json")),
        ))
        .expect(2)
        .mount(server)
        .await;
    page(EARLIER_QUERY, None)
        .respond_with(ok(fixture("orders-earlier-updated.json")))
        .expect(1)
        .mount(server)
        .await;
}

fn fixture_orders() -> Vec<Value> {
    ["orders-march-page1.json", "orders-march-page2.json"]
        .iter()
        .flat_map(|f| {
            fixture(f)["data"]["orders"]["nodes"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect()
}

#[tokio::test]
async fn a_month_of_orders_normalizes_to_shopifys_totals() {
    let server = MockServer::start().await;
    mount_march(&server).await;
    catch_all(&server).await;
    let client = client(&server);

    let started = Instant::now();
    let records: Vec<SalesRecord> = client.sales(&march()).try_collect().await.unwrap();
    // The THROTTLED answer asked for (502 − 497) / 100 s = 50 ms.
    assert!(started.elapsed() >= Duration::from_millis(50));

    let sales: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s),
            _ => None,
        })
        .collect();
    let refunds: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Refund(r) => Some(r),
            _ => None,
        })
        .collect();
    let reviews: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Review(r) => Some(r),
            _ => None,
        })
        .collect();
    assert!(reviews.is_empty(), "{reviews:#?}");

    // Pagination without loss or repetition, oldest first.
    let names: Vec<&str> = sales.iter().map(|s| s.document_number.as_str()).collect();
    assert_eq!(
        names,
        [
            "#1001", "#1002", "#1003", "#1004", "#1005", "#1006", "#1007"
        ]
    );

    // Every sale equals Shopify's order total and total tax, to the öre.
    let orders = fixture_orders();
    for (sale, order) in sales.iter().zip(&orders) {
        assert_eq!(
            sale.total().unwrap(),
            shop_amount(&order["totalPriceSet"]),
            "{}",
            sale.document_number
        );
        let vat = Money::sum(Currency::SEK, sale.lines.iter().map(|l| &l.vat)).unwrap();
        assert_eq!(
            vat,
            shop_amount(&order["totalTaxSet"]),
            "{}",
            sale.document_number
        );
        for line in &sale.lines {
            assert!(line.net.is_minor_unit_exact() && line.vat.is_minor_unit_exact());
        }
    }
    let month_total = Money::sum(
        Currency::SEK,
        &sales.iter().map(|s| s.total().unwrap()).collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(month_total, sek("3880.40"));

    // #1001: three rates and shipping, and a 10 % code on the whole order:
    // an order-level discount, absent from `totalDiscountSet` and allocated
    // per line in `discountAllocations`; VAT is exactly the tax lines.
    let s1 = sales[0];
    let rates: Vec<String> = s1
        .lines
        .iter()
        .map(|l| format!("{:?} {} {} {}", l.kind, l.vat_rate.unwrap(), l.net, l.vat))
        .collect();
    assert_eq!(
        rates,
        [
            "Goods 25% 286.56 SEK 71.64 SEK",
            "Goods 12% 71.52 SEK 8.58 SEK",
            "Goods 6% 211.42 SEK 12.68 SEK",
            "Shipping 25% 39.20 SEK 9.80 SEK",
        ]
    );
    // #1002 sold a gift card: a liability line without VAT.
    assert_eq!(sales[1].lines[0].kind, LineKind::GiftCard);
    assert!(sales[1].lines[0].vat.is_zero());
    // #1003 was paid partly with a gift card.
    assert_eq!(sales[2].payments[0].channel, PaymentChannel::GiftCard);
    assert_eq!(
        sales[2].payments[1].channel,
        PaymentChannel::Provider(Provider::Shopify)
    );
    // #1004 went to Germany under OSS.
    assert_eq!(
        sales[3].lines[0].treatment,
        TaxTreatment::EuOss {
            country: "DE".parse().unwrap()
        }
    );

    // Refunds: #1001's partial refund and a February order refunded in March.
    let refund_names: Vec<&str> = refunds.iter().map(|r| r.document_number.as_str()).collect();
    assert_eq!(refund_names, ["#1001", "#0998"]);
    assert_eq!(refunds[0].total().unwrap(), sek("179.10"));
    assert_eq!(refunds[0].lines[0].vat, sek("35.82"));
    assert_eq!(refunds[1].total().unwrap(), sek("299.00"));

    // Payments outside Shopify Payments, for the coverage report.
    let outside: Vec<_> = sales.iter().flat_map(|s| outside_payments(s)).collect();
    let listed: Vec<String> = outside
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {:?}",
                p.document_number, p.gateway, p.amount, p.integrated
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "#1005 Klarna 1244.00 SEK Some(Klarna)",
            "#1006 paypal 227.00 SEK Some(PayPal)",
            "#1007 manual 450.00 SEK None",
        ]
    );
    assert!(
        refunds
            .iter()
            .all(|r| outside_refund_payments(r).is_empty())
    );
    let totals = totals_by_gateway(&outside).unwrap();
    assert_eq!(totals.len(), 3);
    assert_eq!(totals[2].net, sek("450.00"));

    insta::assert_yaml_snapshot!("march_sales_records", records);
}

/// The VAT scheme is the host's bookkeeping choice and goes on a
/// `ShopifySource`, not on the client: a shop below the EU threshold (not
/// under OSS) that charged a German consumer German VAT cannot be booked
/// as either scheme, so that line is undetermined; the other orders are
/// the same sales as with the default options.
#[tokio::test]
async fn a_shopify_source_normalizes_with_the_hosts_vat_scheme() {
    let mut servers = Vec::new();
    for _ in 0..2 {
        let server = MockServer::start().await;
        mount_march(&server).await;
        catch_all(&server).await;
        servers.push(server);
    }
    let defaults: Vec<SalesRecord> = client(&servers[0])
        .sales(&march())
        .try_collect()
        .await
        .unwrap();
    let shopify = ShopifySource::new(client(&servers[1])).normalize_options(NormalizeOptions {
        eu_consumer_vat: EuConsumerVat::SwedishVat,
        ..NormalizeOptions::default()
    });
    let chosen: Vec<SalesRecord> = shopify.sales(&march()).try_collect().await.unwrap();

    let sale = |records: &[SalesRecord], name: &str| {
        records
            .iter()
            .find_map(|r| match r {
                SalesRecord::Sale(s) if s.document_number == name => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no sale {name}"))
    };
    let german = sale(&chosen, "#1004");
    assert!(
        matches!(&german.lines[0].treatment, TaxTreatment::Undetermined { reason } if reason.contains("not under OSS")),
        "{:?}",
        german.lines[0].treatment
    );
    for name in ["#1001", "#1002", "#1003", "#1005", "#1006", "#1007"] {
        assert_eq!(sale(&chosen, name), sale(&defaults, name), "{name}");
    }
}

#[tokio::test]
async fn a_per_query_cap_starts_a_new_slice_without_loss_or_repetition() {
    let server = MockServer::start().await;
    let page1 = fixture("orders-march-page1.json");
    let mut rest = fixture("orders-march-page2.json");
    // The second slice starts at #1004's processedAt and sees #1004 again.
    let o4 = page1["data"]["orders"]["nodes"][3].clone();
    rest["data"]["orders"]["nodes"]
        .as_array_mut()
        .unwrap()
        .insert(0, o4);
    page(MARCH_QUERY, None)
        .respond_with(ok(page1))
        .expect(1)
        .mount(&server)
        .await;
    page(
        "processed_at:>='2026-03-09T20:31:05Z' processed_at:<'2026-03-31T22:00:00Z'",
        None,
    )
    .respond_with(ok(rest))
    .expect(1)
    .mount(&server)
    .await;
    catch_all(&server).await;
    let client = builder(&server).per_query_cap(4).build().unwrap();

    let orders: Vec<_> = client
        .orders(OrderQuery::processed_in(&march()))
        .map_ok(|l| l.into_item().unwrap().name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        orders,
        [
            "#1001", "#1002", "#1003", "#1004", "#1005", "#1006", "#1007"
        ]
    );
}

/// The orders of March's second page (three), as listed after `change`
/// was made to the page.
async fn page_two_changed(
    change: impl FnOnce(&mut Value),
) -> Vec<Listed<shopify_bookkeeping::models::Order>> {
    let server = MockServer::start().await;
    let mut body = fixture("orders-march-page2.json");
    change(&mut body["data"]["orders"]["nodes"]);
    page(MARCH_QUERY, None)
        .respond_with(ok(body))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let items: Vec<Listed<_>> = client(&server)
        .orders(OrderQuery::processed_in(&march()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    items
}

#[tokio::test]
async fn a_malformed_order_is_a_review_item_and_the_rest_come_through() {
    let items = page_two_changed(|nodes| {
        nodes[1]["lineItems"]["nodes"][0]["quantity"] = Value::from("two");
    })
    .await;
    let Listed::Malformed(malformed) = &items[1] else {
        panic!("expected a malformed order: {:?}", items[1]);
    };
    let review = malformed.review();
    assert_eq!(review.reason, ReviewReason::Malformed);
    assert_eq!(review.provider, Provider::Shopify);
    assert_eq!(
        review.source.as_ref().unwrap().id,
        "gid://shopify/Order/6100000001006"
    );
    assert_eq!(
        review.field.as_deref(),
        Some("orders.nodes[1].lineItems.nodes[0].quantity")
    );
    assert_eq!(review.amount, Some(sek("227.00")));
    insta::assert_snapshot!("malformed_order_review", review.to_string());
    assert!(matches!(&items[0], Listed::Item(o) if o.name == "#1005"));
    assert!(matches!(&items[2], Listed::Item(o) if o.name == "#1007"));
}

/// A country is read as a country code (every value of Shopify's
/// `CountryCode` enum is two letters): a text that is not one makes its
/// order a review item naming the field, not an order whose country is
/// taken for missing (and its VAT then decided for the country assumed).
#[tokio::test]
async fn an_order_whose_country_is_not_a_code_is_a_review_item() {
    let items = page_two_changed(|nodes| {
        nodes[0]["shippingAddress"] = serde_json::json!({"countryCodeV2": "Sverige"});
    })
    .await;
    let Listed::Malformed(malformed) = &items[0] else {
        panic!("expected a malformed order: {:?}", items[0]);
    };
    assert_eq!(
        malformed.review().field.as_deref(),
        Some("orders.nodes[0].shippingAddress.countryCodeV2")
    );
    assert!(matches!(&items[1], Listed::Item(_)) && matches!(&items[2], Listed::Item(_)));
}

/// The shop's currency is read as a currency, as each amount's is: a code
/// that is not one makes its order a review item naming the field, and the
/// rest come through with theirs.
#[tokio::test]
async fn an_order_whose_shop_currency_is_not_a_code_is_a_review_item() {
    let items = page_two_changed(|nodes| nodes[2]["currencyCode"] = Value::from("kronor")).await;
    let Listed::Malformed(malformed) = &items[2] else {
        panic!("expected a malformed order: {:?}", items[2]);
    };
    assert_eq!(
        malformed.review().field.as_deref(),
        Some("orders.nodes[2].currencyCode")
    );
    for item in &items[..2] {
        assert!(
            matches!(item, Listed::Item(o) if o.currency_code == bookkeeping_core::Currency::SEK),
            "{item:?}"
        );
    }
}

#[tokio::test]
async fn a_failure_mid_list_is_an_error_not_a_short_list() {
    let server = MockServer::start().await;
    page(MARCH_QUERY, None)
        .respond_with(ok(fixture("orders-march-page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    page(MARCH_QUERY, Some(CURSOR_1))
        .respond_with(wiremock::ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    // The earlier orders are listed at the same time as the month's; their
    // records would come after the month's, so none of them shows.
    page(EARLIER_QUERY, None)
        .respond_with(ok(fixture("orders-earlier-updated.json")))
        .expect(0..=1)
        .mount(&server)
        .await;
    mount_scopes(&server, provider_sandbox::shopify::DEFAULT_ACCESS_SCOPES).await;
    catch_all(&server).await;
    let client = client(&server);

    let items: Vec<_> = client.sales(&march()).collect().await;
    assert_eq!(
        items.len(),
        6,
        "4 sales and 1 refund of page 1, then the error"
    );
    assert!(items[..5].iter().all(Result::is_ok));
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.kind, bookkeeping_core::SourceErrorKind::Api);
    assert!(err.to_string().contains("503"), "{err}");
}

#[tokio::test]
async fn a_query_too_costly_is_sent_again_with_smaller_pages() {
    let server = MockServer::start().await;
    graphql(|v| v["first"] == 250)
        .respond_with(ok(serde_json::json!({
            "errors": [{"message": "Query cost is 5020, which exceeds the single query max cost limit (1000).",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 5020, "maxCost": 1000}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    graphql(|v| v["first"] == 49)
        .respond_with(ok(fixture("orders-march-page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).page_size(250).build().unwrap();
    let items: Vec<_> = client
        .orders(OrderQuery::processed_in(&march()))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
}

/// An order with more line items than the orders query's nested page (and a
/// refund with more refunded lines than its page) is completed with
/// follow-up queries (`order(id:) { lineItems(after:) }`,
/// `refund(id:) { refundLineItems(after:) }`) before it is normalized: the
/// same sale and refund as the whole order, no truncation review item.
#[tokio::test]
async fn nested_pages_are_fetched_with_follow_up_queries() {
    let server = MockServer::start().await;
    let whole = fixture("orders-march-page1.json")["data"]["orders"]["nodes"][0].clone();
    let mut cut = whole.clone();
    let items = cut["lineItems"]["nodes"].as_array_mut().unwrap();
    let third = items.pop().unwrap();
    cut["lineItems"]["pageInfo"] = serde_json::json!({"hasNextPage": true, "endCursor": "li-2"});
    let refund_items = cut["refunds"][0]["refundLineItems"]["nodes"]
        .as_array_mut()
        .unwrap();
    let refunded = refund_items.pop().unwrap();
    cut["refunds"][0]["refundLineItems"]["pageInfo"] =
        serde_json::json!({"hasNextPage": true, "endCursor": "rli-0"});
    let body = serde_json::json!({"data": {"orders": {
        "pageInfo": {"hasNextPage": false, "endCursor": "o-1"}, "nodes": [cut]}}});
    page(MARCH_QUERY, None)
        .respond_with(ok(body))
        .expect(1)
        .mount(&server)
        .await;
    graphql(|v| v["id"] == "gid://shopify/Order/6100000001001" && v["after"] == "li-2")
        .respond_with(ok(serde_json::json!({"data": {"order": {"lineItems": {
            "pageInfo": {"hasNextPage": false, "endCursor": "li-3"}, "nodes": [third]}}}})))
        .expect(1)
        .mount(&server)
        .await;
    graphql(|v| v["id"] == "gid://shopify/Refund/9001" && v["after"] == "rli-0")
        .respond_with(ok(
            serde_json::json!({"data": {"refund": {"refundLineItems": {
            "pageInfo": {"hasNextPage": false, "endCursor": "rli-1"}, "nodes": [refunded]}}}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let listed: Vec<_> = client(&server)
        .orders(OrderQuery::processed_in(&march()))
        .try_collect()
        .await
        .unwrap();
    let [Listed::Item(order)] = listed.as_slice() else {
        panic!("{listed:#?}");
    };
    let options = shopify_bookkeeping::normalize::NormalizeOptions::default();
    let got = shopify_bookkeeping::normalize::normalize_order(order, &options);
    let want = shopify_bookkeeping::normalize::normalize_order(
        &serde_json::from_value(whole).unwrap(),
        &options,
    );
    assert!(got.review.is_empty(), "{:#?}", got.review);
    assert_eq!(got.sale, want.sale);
    assert_eq!(got.refunds, want.refunds);
    assert_eq!(got.sale.unwrap().total().unwrap(), sek("711.40"));
}

/// A search of several names whose page is cut short (Shopify's `name`
/// filter matches loosely, and the looser matches filled the page) does not
/// settle a name it saw once or not at all: each is asked on its own, and a
/// name two orders share stays unanswered. Names the page settled are not
/// asked again.
#[tokio::test]
async fn a_search_cut_short_asks_the_unsettled_names_alone() {
    let server = MockServer::start().await;
    let order = fixture("orders-march-page1.json")["data"]["orders"]["nodes"][0].clone();
    let id = order["id"].as_str().unwrap().to_owned();
    let name = order["name"].as_str().unwrap().to_owned();
    let node = |id: &str, name: &str| serde_json::json!({ "id": id, "name": name });
    let searched = format!("name:'{name}' OR name:'#7001' OR name:'#7002'");
    // The page: #7002 twice (shared), a loose match, and not the order.
    let answer = serde_json::json!({ "data": { "orders": {
        "pageInfo": { "hasNextPage": true },
        "nodes": [
            node("gid://shopify/Order/2", "#7002"),
            node("gid://shopify/Order/3", "#7002"),
            node("gid://shopify/Order/4", "#70011"),
            node("gid://shopify/Order/5", "#70012"),
            node("gid://shopify/Order/6", "#70013"),
            node("gid://shopify/Order/7", "#70014"),
        ],
    } } });
    graphql(move |v| v["query"].as_str() == Some(searched.as_str()) && v["first"] == 6)
        .respond_with(ok(answer))
        .expect(1)
        .mount(&server)
        .await;
    let alone = format!("name:'{name}'");
    let (order_id, order_name) = (id.clone(), name.clone());
    graphql(move |v| v["query"].as_str() == Some(alone.as_str()))
        .respond_with(ok(serde_json::json!({ "data": { "orders": {
            "pageInfo": { "hasNextPage": false },
            "nodes": [node(&order_id, &order_name)],
        } } })))
        .expect(1)
        .mount(&server)
        .await;
    graphql(|v| v["query"].as_str() == Some("name:'#7001'"))
        .respond_with(ok(serde_json::json!({ "data": { "orders": {
            "pageInfo": { "hasNextPage": false }, "nodes": [],
        } } })))
        .expect(1)
        .mount(&server)
        .await;
    let read = id.clone();
    graphql(move |v| v["id"].as_str() == Some(read.as_str()))
        .respond_with(ok(serde_json::json!({ "data": { "order": order } })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let found = client(&server)
        .orders_by_names(&[name.as_str(), "#7001", "#7002"])
        .await
        .unwrap();
    let ids: Vec<Option<String>> = found
        .into_iter()
        .map(|o| {
            o.and_then(shopify_bookkeeping::Listed::into_item)
                .map(|o| o.id.as_str().to_owned())
        })
        .collect();
    assert_eq!(ids, [Some(id), None, None]);
}
