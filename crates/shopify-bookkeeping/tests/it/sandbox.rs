//! The client against the simulated Shopify of `provider-sandbox`: a whole
//! generated month, with and without faults.

use std::time::Duration;

use bookkeeping_core::{
    Currency, Money, PaymentChannel, PayoutRecord, PayoutSource, Period, SalesRecord, SalesSource,
    SourceErrorKind,
};
use futures::TryStreamExt;
use provider_http::{Jitter, RetryPolicy};
use provider_sandbox::scenario::{Gateway, ItemKind, TransactionKind};
use provider_sandbox::shopify::ShopifySandbox;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use shopify_bookkeeping::ShopifyClient;
use shopify_bookkeeping::bulk::{BulkMode, BulkPolling};
use shopify_bookkeeping::report::outside_payments;

fn sek(minor: i64) -> Money {
    Money::from_minor_units(minor, Currency::SEK).unwrap()
}

fn scenario() -> Scenario {
    let period = Period::month(2026, time::Month::March).unwrap();
    Scenario::generate(&ScenarioConfig::small(period))
}

fn client(sandbox: &ShopifySandbox, page_size: u32) -> ShopifyClient {
    ShopifyClient::builder(sandbox.shop(), sandbox.access_token())
        .base_url(sandbox.uri())
        .page_size(page_size)
        .retry(
            RetryPolicy::default()
                .max_attempts(5)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20))
                .jitter(Jitter::None),
        )
        .build()
        .unwrap()
}

struct Totals {
    sales: usize,
    sales_total: Money,
    refunds_total: Money,
    outside_manual: Money,
    payouts: Vec<Money>,
    reviews: usize,
}

async fn run(client: &ShopifyClient, period: &Period) -> Totals {
    let records: Vec<SalesRecord> = client.sales(period).try_collect().await.unwrap();
    let mut t = Totals {
        sales: 0,
        sales_total: sek(0),
        refunds_total: sek(0),
        outside_manual: sek(0),
        payouts: Vec::new(),
        reviews: 0,
    };
    for r in &records {
        match r {
            SalesRecord::Sale(s) => {
                t.sales += 1;
                t.sales_total = t.sales_total.checked_add(&s.total().unwrap()).unwrap();
                for p in outside_payments(s) {
                    if p.gateway == "manual" {
                        assert_eq!(p.integrated, None);
                        t.outside_manual = t.outside_manual.checked_add(&p.amount).unwrap();
                    }
                }
            }
            SalesRecord::Refund(r) => {
                t.refunds_total = t.refunds_total.checked_add(&r.total().unwrap()).unwrap();
            }
            SalesRecord::Review(item) => {
                eprintln!("review: {item}");
                t.reviews += 1;
            }
            _ => {}
        }
    }
    let payouts: Vec<PayoutRecord> = client.payouts(period).try_collect().await.unwrap();
    for p in &payouts {
        match p {
            PayoutRecord::Payout(p) => {
                assert!(p.unexplained().unwrap().is_zero(), "{}", p.source.id);
                for line in &p.lines {
                    assert_eq!(line.check().unwrap(), None);
                }
                t.payouts.push(p.amount);
            }
            PayoutRecord::Review(item) => {
                eprintln!("review: {item}");
                t.reviews += 1;
            }
            _ => {}
        }
    }
    t
}

/// What the scenario says the month holds.
fn expected(s: &Scenario) -> (usize, Money, Money, Money, Vec<Money>) {
    let period = s.config.period;
    let orders: Vec<_> = s
        .orders
        .iter()
        .filter(|o| period.contains(o.processed_at))
        .collect();
    let sales_total = sek(orders.iter().map(|o| o.total()).sum());
    let refunds_total = sek(s
        .orders
        .iter()
        .flat_map(|o| &o.refunds)
        .filter(|r| period.contains(r.created_at))
        .map(|r| r.transaction.amount)
        .sum());
    let manual = sek(orders
        .iter()
        .flat_map(|o| &o.transactions)
        .filter(|t| t.gateway == Gateway::Manual && t.kind == TransactionKind::Sale)
        .map(|t| t.amount)
        .sum());
    let payouts = s
        .shopify_payouts
        .iter()
        .filter(|p| period.contains(p.created_at))
        .map(|p| sek(p.amount()))
        .collect();
    (orders.len(), sales_total, refunds_total, manual, payouts)
}

#[tokio::test]
async fn a_generated_month_matches_the_scenario_to_the_ore() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    // Small pages and a low per-query cap: many pages and several date slices.
    let client = ShopifyClient::builder(sandbox.shop(), sandbox.access_token())
        .base_url(sandbox.uri())
        .page_size(7)
        .per_query_cap(21)
        .build()
        .unwrap();
    let got = run(&client, &s.config.period).await;
    let (n, sales, refunds, manual, payouts) = expected(&s);
    assert_eq!(got.sales, n);
    assert_eq!(got.sales_total, sales);
    assert_eq!(got.refunds_total, refunds);
    assert_eq!(got.outside_manual, manual);
    assert!(!manual.is_zero());
    assert_eq!(got.payouts, payouts);
    assert_eq!(got.reviews, 0);
    assert!(sandbox.requests() > 10, "{} requests", sandbox.requests());
}

#[tokio::test]
async fn faults_are_absorbed_without_loss_or_repetition() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::chaos()).await;
    let client = client(&sandbox, 10);
    let got = run(&client, &s.config.period).await;
    let (n, sales, refunds, _, payouts) = expected(&s);
    assert_eq!(got.sales, n);
    assert_eq!(got.sales_total, sales);
    assert_eq!(got.refunds_total, refunds);
    assert_eq!(got.payouts, payouts);
    let counter = sandbox.counter();
    assert!(counter.total() > counter.served(), "faults were injected");
}

#[tokio::test]
async fn a_wrong_token_is_refused_like_shopify() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = ShopifyClient::builder(sandbox.shop(), "shpat_wrong")
        .base_url(sandbox.uri())
        .build()
        .unwrap();
    let err = client
        .sales(&s.config.period)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Auth);
    assert!(!err.to_string().contains(sandbox.access_token()));
}

#[tokio::test]
async fn gateways_are_reported_for_coverage() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = client(&sandbox, 250);
    let records: Vec<SalesRecord> = client.sales(&s.config.period).try_collect().await.unwrap();
    let channels: Vec<PaymentChannel> = records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.payments.iter().map(|p| p.channel.clone()))
        .collect();
    for expected in [
        PaymentChannel::Provider(bookkeeping_core::Provider::Shopify),
        PaymentChannel::Provider(bookkeeping_core::Provider::Klarna),
        PaymentChannel::Provider(bookkeeping_core::Provider::PayPal),
        PaymentChannel::GiftCard,
        PaymentChannel::External,
    ] {
        assert!(channels.contains(&expected), "{expected:?} missing");
    }
}

/// A discount code on the whole order is an order-level discount. Shopify's
/// 2026-01 schema: `LineItem.totalDiscountSet` "doesn't include order-level
/// discounts", `LineItem.discountAllocations` holds "the discounts that have
/// been allocated to the line item by discount applications", and
/// `TaxLine.priceSet` is the tax "after discounts". The sandbox renders the
/// scenario's code that way; each rate books net = price − allocations and
/// VAT = the tax lines, exactly, with no review item.
#[tokio::test]
async fn an_order_level_discount_books_the_tax_lines_exactly() {
    let scenario = scenario();
    let period = scenario.config.period;
    let sandbox = ShopifySandbox::start(&scenario, Faults::none()).await;
    let client = client(&sandbox, 50);
    let records: Vec<SalesRecord> = client.sales(&period).try_collect().await.unwrap();
    let discounted: Vec<_> = scenario
        .orders
        .iter()
        .filter(|o| o.discount_code.is_some())
        .collect();
    assert!(discounted.len() >= 4, "the month has discount codes");
    for order in discounted {
        let sale = records
            .iter()
            .find_map(|r| match r {
                SalesRecord::Sale(s) if s.document_number == order.name => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{} was booked", order.name));
        let reviews: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                SalesRecord::Review(item) if item.message.contains(&order.name) => Some(item),
                _ => None,
            })
            .collect();
        assert!(reviews.is_empty(), "{}: {reviews:#?}", order.name);
        // Expected per rate, from the scenario's own lines (minor units).
        let mut expected: Vec<(rust_decimal::Decimal, i64, i64)> = Vec::new();
        let goods = order.lines.iter().filter(|l| !l.gift_card);
        for l in goods {
            match expected.iter_mut().find(|(r, _, _)| *r == l.vat_rate) {
                Some((_, net, vat)) => {
                    *net += l.gross() - l.vat;
                    *vat += l.vat;
                }
                None => expected.push((l.vat_rate, l.gross() - l.vat, l.vat)),
            }
        }
        let booked: Vec<(rust_decimal::Decimal, Money, Money)> = sale
            .lines
            .iter()
            .filter(|l| l.kind == bookkeeping_core::LineKind::Goods)
            .map(|l| (l.vat_rate.unwrap().percent(), l.net, l.vat))
            .collect();
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(r, net, vat)| (r, sek(net), sek(vat)))
            .collect();
        assert_eq!(booked, expected, "{}", order.name);
        assert!(
            !sale
                .lines
                .iter()
                .any(|l| l.kind == bookkeeping_core::LineKind::Discount),
            "{}: no VAT is taken off a discount a second time",
            order.name
        );
        assert_eq!(sale.total().unwrap(), sek(order.total()), "{}", order.name);
    }
}

/// At the page sizes the client sends by default, Shopify never refuses a
/// query as too costly (the simulated Shopify counts cost as Shopify does and
/// answers `MAX_COST_EXCEEDED` above 1000): no request is wasted.
#[tokio::test]
async fn no_request_of_a_month_is_refused_as_too_costly() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = client(&sandbox, shopify_bookkeeping::queries::ORDERS_PAGE_SIZE);
    let got = run(&client, &s.config.period).await;
    assert_eq!(got.sales, expected(&s).0);
    assert_eq!(sandbox.refused_as_too_costly(), 0);
    let max = sandbox.max_requested_cost();
    assert!(max > 900 && max <= 1000, "max requested cost {max}");
    // Two order listings (one count and one page each), the payouts list,
    // one page of balance transactions per payout, one refund join per
    // payout with refund lines, and one page of the month's balance
    // transactions by `processed_at` (for those not yet paid out), the
    // lost disputes and the accepted ones (one listing each), and one
    // `order(id:)` per dispute lost in the month (the
    // sandbox decides each a week after its withdrawal) on an order of an
    // earlier month: nothing repeated.
    let payouts: Vec<_> = s
        .shopify_payouts
        .iter()
        .filter(|p| s.config.period.contains(p.created_at))
        .collect();
    let with_refunds = payouts
        .iter()
        .filter(|p| p.items.iter().any(|i| i.kind == ItemKind::Refund))
        .count();
    assert!(with_refunds > 0);
    let lost = s
        .shopify_payouts
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.kind == ItemKind::Dispute && i.order.is_some())
        .filter(|i| {
            let decided = bookkeeping_core::stockholm_date(i.occurred_at) + time::Duration::days(7);
            s.config.period.contains_date(decided)
        })
        .collect::<Vec<_>>();
    assert!(!lost.is_empty());
    // Only the order of a sale before the month is fetched: the month's own
    // orders are among its sales.
    let lost_earlier = lost
        .iter()
        .filter(|i| {
            let order = &s.orders[i.order.expect("filtered on")];
            bookkeeping_core::stockholm_date(order.processed_at) < s.config.period.first()
        })
        .count();
    // 9: the app's access scopes, then the listings.
    assert_eq!(
        sandbox.requests(),
        9 + (payouts.len() + with_refunds + lost_earlier) as u64
    );
}

/// Two clients of one app share the shop's bucket (1000 points, restoring
/// 1000 per second): both ask for an order page of 981 points at once, so
/// one is answered `THROTTLED` with the bucket's real state, waits what that
/// implies, and still lists the whole month. (One client alone paces itself
/// from `throttleStatus` and is not throttled.)
#[tokio::test]
async fn an_empty_bucket_throttles_and_the_client_waits() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    sandbox.set_plan(provider_sandbox::shopify_cost::Plan {
        bucket: 1000,
        restore_per_second: 1000,
    });
    let (a, b) = (client(&sandbox, 250), client(&sandbox, 250));
    let period = s.config.period;
    let (ra, rb) = tokio::join!(
        a.sales(&period).try_collect::<Vec<SalesRecord>>(),
        b.sales(&period).try_collect::<Vec<SalesRecord>>()
    );
    for records in [ra.unwrap(), rb.unwrap()] {
        let sales = records
            .iter()
            .filter(|r| matches!(r, SalesRecord::Sale(_)))
            .count();
        assert_eq!(sales, expected(&s).0);
    }
    assert!(
        sandbox.throttled() >= 1,
        "one client found the bucket short"
    );
    assert_eq!(sandbox.refused_as_too_costly(), 0);
}

fn bulk_client(sandbox: &ShopifySandbox, mode: BulkMode) -> ShopifyClient {
    bulk_client_timing_out(sandbox, mode, Duration::from_secs(30))
}

/// [`bulk_client`] with requests that time out after `timeout`.
fn bulk_client_timing_out(
    sandbox: &ShopifySandbox,
    mode: BulkMode,
    timeout: Duration,
) -> ShopifyClient {
    ShopifyClient::builder(sandbox.shop(), sandbox.access_token())
        .base_url(sandbox.uri())
        .timeout(timeout)
        .bulk_mode(mode)
        .bulk_threshold(50)
        .bulk_polling(BulkPolling {
            first_wait: Duration::from_millis(5),
            max_wait: Duration::from_millis(20),
            timeout: Duration::from_secs(10),
        })
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(5))
                .jitter(Jitter::None),
        )
        .build()
        .unwrap()
}

/// A month above the bulk threshold (60 orders over a threshold of 50 here;
/// 10,000 by default) closes through a bulk operation, as Shopify documents
/// it: started, polled through `CREATED` and `RUNNING` to `COMPLETED`, the
/// JSONL downloaded from a URL that refuses the shop's token, children
/// joined to their parents by `__parentId`. Same sales, refunds and VAT as
/// the scenario, to the öre, and no review item.
#[tokio::test]
async fn a_month_at_bulk_size_closes_through_a_bulk_operation() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = bulk_client(&sandbox, BulkMode::Auto);
    let got = run(&client, &s.config.period).await;
    let (n, sales, refunds, manual, payouts) = expected(&s);
    assert!(n > 50);
    assert_eq!(got.sales, n);
    assert_eq!(got.sales_total, sales);
    assert_eq!(got.refunds_total, refunds);
    assert_eq!(got.outside_manual, manual);
    assert_eq!(got.payouts, payouts);
    assert_eq!(got.reviews, 0);
    // The month's orders went through a bulk operation; the few earlier
    // orders updated in the month (below the threshold) were paged.
    assert_eq!(sandbox.bulk_operations(), 1);
    // The same records as paged listing.
    let paged = client_paged_records(&sandbox, &s).await;
    let bulk: Vec<SalesRecord> = client.sales(&s.config.period).try_collect().await.unwrap();
    assert_eq!(bulk, paged);
}

async fn client_paged_records(sandbox: &ShopifySandbox, s: &Scenario) -> Vec<SalesRecord> {
    bulk_client(sandbox, BulkMode::Never)
        .sales(&s.config.period)
        .try_collect()
        .await
        .unwrap()
}

async fn bulk_error(sandbox: &ShopifySandbox, s: &Scenario) -> shopify_bookkeeping::Error {
    let query = shopify_bookkeeping::OrderQuery::processed_in(&s.config.period);
    bulk_client(sandbox, BulkMode::Always)
        .bulk_orders(query)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err()
}

/// Shopify refused to start a bulk query: `OPERATION_IN_PROGRESS`.
fn assert_in_progress(err: &shopify_bookkeeping::Error) {
    assert!(
        matches!(err, shopify_bookkeeping::Error::UserErrors { errors, .. }
            if errors[0].code.as_deref() == Some("OPERATION_IN_PROGRESS")),
        "{err}"
    );
}

/// `FAILED` with an `errorCode`, partial data kept (never booked, and its
/// signed URL never shown), an operation already running
/// (`OPERATION_IN_PROGRESS`), an expired result URL and an operation that
/// outlasts the client's patience: each is a typed error, none a short list.
#[tokio::test]
async fn bulk_operations_that_do_not_deliver_are_errors() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;

    sandbox.fail_next_bulk("TIMEOUT");
    let err = bulk_error(&sandbox, &s).await.to_string();
    assert!(err.contains("failed with TIMEOUT"), "{err}");
    assert!(err.contains("partial data"), "{err}");
    assert!(!err.contains("http"), "no signed URL in errors: {err}");

    sandbox.set_bulk_concurrency(0);
    assert_in_progress(&bulk_error(&sandbox, &s).await);
    sandbox.set_bulk_concurrency(5);

    sandbox.expire_bulk_results();
    let err = bulk_error(&sandbox, &s).await.to_string();
    assert!(err.contains("expired"), "{err}");

    sandbox.set_bulk_running_polls(u32::MAX);
    let client = ShopifyClient::builder(sandbox.shop(), sandbox.access_token())
        .base_url(sandbox.uri())
        .bulk_polling(BulkPolling {
            first_wait: Duration::from_millis(5),
            max_wait: Duration::from_millis(10),
            timeout: Duration::from_millis(60),
        })
        .build()
        .unwrap();
    let err = client
        .bulk_orders(shopify_bookkeeping::OrderQuery::processed_in(
            &s.config.period,
        ))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("still RUNNING"), "{err}");
}

/// `order(id:)` (`QueryRoot.order(id: ID!): Order`, nullable; 2026-01 schema)
/// reads one order with the listing's selection: the sale it normalizes to
/// is the one the month's listing gives, and an id the shop does not have is
/// `None`, not an error. So does the order found by its name (the `name`
/// filter of `QueryRoot.orders`), as a close asks for the order a Klarna
/// reversal names by the shop's order number.
#[tokio::test]
async fn one_order_by_id_is_the_order_the_listing_gives() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = client(&sandbox, shopify_bookkeeping::queries::ORDERS_PAGE_SIZE);
    let sales = first_sales(&client, &s, 3).await;
    for sale in &sales {
        let id = shopify_bookkeeping::OrderId::new(sale.source.id.as_str());
        let order = client
            .order(&id)
            .await
            .unwrap()
            .and_then(shopify_bookkeeping::Listed::into_item)
            .unwrap_or_else(|| panic!("{} is read", sale.source.id));
        let one = shopify_bookkeeping::normalize::normalize_order(&order, &Default::default());
        assert_eq!(one.sale.as_ref(), Some(sale));
        let by_name = client.sale_by_document(&sale.document_number).await;
        assert_eq!(by_name.unwrap().as_ref(), Some(sale));
    }
    let unknown = shopify_bookkeeping::OrderId::new("gid://shopify/Order/1");
    assert_eq!(client.order(&unknown).await.unwrap(), None);
    for name in ["#1", "", "#1001' OR name:'#1002"] {
        let by_name = client.sale_by_document(name).await.unwrap();
        assert_eq!(by_name, None, "{name}");
    }
}

/// The first `n` sales of the scenario's month as the client lists them.
async fn first_sales(
    client: &ShopifyClient,
    s: &Scenario,
    n: usize,
) -> Vec<bookkeeping_core::Sale> {
    let listed: Vec<SalesRecord> = client.sales(&s.config.period).try_collect().await.unwrap();
    let sales: Vec<bookkeeping_core::Sale> = listed
        .into_iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(sale) => Some(sale),
            _ => None,
        })
        .take(n)
        .collect();
    assert_eq!(sales.len(), n);
    sales
}

/// Several order names are searched 25 to a request (`name:'#1001' OR
/// name:'#1002'`: Shopify's search syntax joins terms with `AND` or `OR`,
/// shopify.dev/docs/api/usage/search-syntax), and only the orders found are
/// fetched: each answer is the sale `sale_by_document` gives for its name,
/// in the names' order, and a month of numbers the shop does not have costs
/// a request per 25 names, not one each.
#[tokio::test]
async fn names_are_searched_together() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = client(&sandbox, shopify_bookkeeping::queries::ORDERS_PAGE_SIZE);
    let known = first_sales(&client, &s, 4).await;
    // 57 names: the four orders among numbers the shop does not have, one
    // with a quote (never searched: it would end the value early).
    let mut names: Vec<String> = (0..51).map(|i| format!("#9{i:04}")).collect();
    for (at, sale) in [3, 20, 33, 50].into_iter().zip(&known) {
        names.insert(at, sale.document_number.to_string());
    }
    names.push("#1001' OR name:'#1002".to_owned());
    // And customer-typed text no order name is that long: not searched.
    names.push(format!("#{}", "9".repeat(10_000)));
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();

    let before = sandbox.requests();
    let found = client.sales_by_documents(&wanted).await.unwrap();
    let requests = sandbox.requests() - before;

    assert_eq!(found.len(), names.len());
    for (name, answer) in names.iter().zip(&found) {
        let expected = known.iter().find(|s| &s.document_number == name);
        assert_eq!(answer.as_ref(), expected, "{name}");
    }
    // 55 searchable names: three searches, then one read per order found.
    assert_eq!(requests, 3 + 4, "{requests} requests");
    // The same answers one name at a time.
    for (name, answer) in wanted.iter().zip(&found).take(6) {
        assert_eq!(
            &client.sale_by_document(name).await.unwrap(),
            answer,
            "{name}"
        );
    }
}

/// The month's bulk result file as the simulated Shopify writes it (as
/// Shopify does without `groupObjects: true`: children after their orders,
/// not right after them), fetched with the client's own bulk query.
async fn bulk_file(sandbox: &ShopifySandbox, s: &Scenario) -> String {
    let client = bulk_client(sandbox, BulkMode::Always);
    let query = shopify_bookkeeping::OrderQuery::processed_in(&s.config.period);
    let op = client.run_bulk_orders(&query).await.unwrap();
    let url = op.url.expect("a completed operation has a file");
    let (origin, path) = url.split_at(url.find("/bulk-results/").unwrap());
    let http = provider_http::HttpClient::builder("test", origin)
        .build()
        .unwrap();
    let resp = http
        .send(provider_http::RequestSpec::get(path))
        .await
        .unwrap();
    String::from_utf8(resp.body().to_vec()).unwrap()
}

fn bulk_orders(
    jsonl: &str,
) -> Result<Vec<shopify_bookkeeping::Listed<shopify_bookkeeping::models::Order>>, String> {
    shopify_bookkeeping::bulk::decode_bulk_jsonl(
        jsonl.as_bytes(),
        &mut shopify_bookkeeping::bulk::RefundDetails::new(),
    )
}

fn items(
    orders: &[shopify_bookkeeping::Listed<shopify_bookkeeping::models::Order>],
) -> Vec<&shopify_bookkeeping::models::Order> {
    orders
        .iter()
        .filter_map(|o| match o {
            shopify_bookkeeping::Listed::Item(order) => Some(order),
            _ => None,
        })
        .collect()
}

fn parent(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["__parentId"].as_str().map(str::to_owned)
}

/// A bulk result reads the same whatever the layout of its lines: grouped
/// (`groupObjects: true`: each child right after its parent), ungrouped (the
/// default from 2026-01, `bulkOperationRunQuery(groupObjects: Boolean! =
/// false)`), every child before every order, and each line's keys in
/// another order than the query's (the line is then read field by field
/// instead of straight into the model). A customer text that spells out a
/// `__parentId` moves nothing: it is text inside a string.
#[tokio::test]
async fn a_bulk_result_reads_the_same_whatever_its_layout() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let file = bulk_file(&sandbox, &s).await;
    let lines: Vec<&str> = file.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(r#"gid:\/\/shopify\/Order\/"#)),
        "Shopify's files escape `/`"
    );
    let expected = bulk_orders(&file).unwrap();
    assert!(expected.len() > 50);
    assert_eq!(
        items(&expected).len(),
        expected.len(),
        "every order decodes"
    );
    // The sandbox's file is not grouped: some child is not right after its
    // order or a sibling.
    assert!(lines.windows(2).any(|w| parent(w[1]).is_some()
        && parent(w[0]).is_none()
        && !w[0].contains(&parent(w[1]).unwrap().replace('/', "\\/"))));

    // Grouped: each order's lines (its own and its refunds') right after it.
    let (orders, children): (Vec<&str>, Vec<&str>) =
        lines.iter().partition(|l| parent(l).is_none());
    let mut grouped = String::new();
    for order in &orders {
        grouped.push_str(order);
        grouped.push('\n');
        let v: serde_json::Value = serde_json::from_str(order).unwrap();
        let mut ids = vec![v["id"].as_str().unwrap().to_owned()];
        for r in v["refunds"].as_array().unwrap() {
            ids.push(r["id"].as_str().unwrap().to_owned());
        }
        for child in children
            .iter()
            .filter(|c| ids.contains(&parent(c).unwrap()))
        {
            grouped.push_str(child);
            grouped.push('\n');
        }
    }
    assert_eq!(bulk_orders(&grouped).unwrap(), expected);

    // Every child first, then the orders.
    let reversed: String = children
        .iter()
        .chain(&orders)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(bulk_orders(&reversed).unwrap(), expected);

    // Keys sorted (`__parentId` first): read field by field.
    let sorted: String = lines
        .iter()
        .map(|l| {
            format!(
                "{}\n",
                serde_json::from_str::<serde_json::Value>(l).unwrap()
            )
        })
        .collect();
    assert_eq!(bulk_orders(&sorted).unwrap(), expected);

    // Each child's `__parentId` spelled its own way (`\/` as the sandbox writes
    // it, `/`, `\u002f`): the same id, so the same orders.
    let mut respelled = 0;
    let spelled: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let Some(p) = parent(l) else {
                return format!("{l}\n");
            };
            let written = format!(r#""__parentId":"{}"}}"#, p.replace('/', r"\/"));
            let spelling = match i % 3 {
                0 => p.replace('/', r"\/"),
                1 => p.clone(),
                _ => p.replace('/', r"\u002f"),
            };
            let line = l.replace(&written, &format!(r#""__parentId":"{spelling}"}}"#));
            respelled += usize::from(line != *l);
            format!("{line}\n")
        })
        .collect();
    assert!(respelled > 10, "{respelled}");
    assert_eq!(bulk_orders(&spelled).unwrap(), expected);

    // With the refunds' details (one with a further page, which only the
    // text path completes): the same whether decoded from the lines or from
    // the text.
    let refund_ids: Vec<String> = orders
        .iter()
        .flat_map(|o| {
            let v: serde_json::Value = serde_json::from_str(o).unwrap();
            v["refunds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(refund_ids.len() > 1, "the month has refunds");
    let details = || {
        let nodes: Vec<serde_json::Value> = refund_ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let page = serde_json::json!({"hasNextPage": i == 0, "endCursor": format!("c{i}")});
                serde_json::json!({"id": id,
                    "refundShippingLines": {"pageInfo": page, "nodes": []},
                    "orderAdjustments": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": []}})
            })
            .collect();
        let mut details = shopify_bookkeeping::bulk::RefundDetails::new();
        details.add_value(serde_json::json!({ "nodes": nodes }));
        details
    };
    let decode = |jsonl: &str| {
        shopify_bookkeeping::bulk::decode_bulk_jsonl(jsonl.as_bytes(), &mut details()).unwrap()
    };
    let with_details = decode(&file);
    assert_eq!(with_details, decode(&sorted));
    let cursors: Vec<Option<&str>> = items(&with_details)
        .into_iter()
        .flat_map(|o| &o.refunds)
        .map(|r| r.refund_shipping_lines.page_info.end_cursor.as_deref())
        .collect();
    assert_eq!(cursors.len(), refund_ids.len());
    assert!(cursors.iter().all(Option::is_some), "{cursors:?}");

    // A line item's name that ends in a forged `__parentId`.
    let forged = r#"Kaffe","__parentId":"gid://shopify/Order/1"}"#;
    let at = lines
        .iter()
        .position(|l| l.starts_with(r#"{"__typename":"LineItem""#))
        .unwrap();
    let mut item: serde_json::Value = serde_json::from_str(lines[at]).unwrap();
    let fields = item.as_object_mut().unwrap();
    fields.remove("__typename");
    let owner = fields.remove("__parentId").unwrap();
    fields.insert(
        "name".to_owned(),
        serde_json::Value::String(forged.to_owned()),
    );
    let mut hostile: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    // In Shopify's shape: `__typename` first, `__parentId` last.
    let rest = item.to_string();
    hostile[at] = format!(
        r#"{{"__typename":"LineItem",{},"__parentId":{owner}}}"#,
        &rest[1..rest.len() - 1]
    );
    assert!(hostile[at].contains(r#"\"__parentId\":\"gid://shopify/Order/1\"}"#));
    let with_forged = bulk_orders(&(hostile.join("\n") + "\n")).unwrap();
    let names: Vec<&str> = items(&with_forged)
        .into_iter()
        .flat_map(|o| o.line_items.nodes.iter().map(|i| i.name.as_str()))
        .collect();
    assert!(names.contains(&forged), "the text is kept as it was typed");
    assert_eq!(with_forged.len(), expected.len());
    let count = |orders: &[shopify_bookkeeping::Listed<shopify_bookkeeping::models::Order>]| {
        items(orders)
            .into_iter()
            .map(|o| o.line_items.nodes.len())
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&with_forged), count(&expected), "no line moved");
}

/// A month with more refunds than one request for their details holds
/// (`NODES_PER_QUERY`, 250) is handed on batch by batch: its first orders
/// reach the reader before the later batches' details are asked for, so a
/// large month's decoded orders are never all held at once; every order
/// still comes, once, in the file's order.
#[tokio::test]
async fn a_bulk_result_is_handed_on_batch_by_batch() {
    let period = Period::month(2026, time::Month::March).unwrap();
    let s = Scenario::generate(&ScenarioConfig {
        seed: 11,
        period,
        orders: 2_500,
        invoices: 0,
    });
    let refunds: usize = s.orders.iter().map(|o| o.refunds.len()).sum();
    assert!(
        refunds > 2 * shopify_bookkeeping::queries::NODES_PER_QUERY,
        "{refunds} refunds: three batches or more"
    );
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let client = bulk_client(&sandbox, BulkMode::Always);
    let mut orders = client.bulk_orders(shopify_bookkeeping::OrderQuery::processed_in(&period));
    let first = futures::StreamExt::next(&mut orders)
        .await
        .unwrap()
        .unwrap();
    let asked_before_the_first = sandbox.requests();
    let rest: Vec<_> = orders.try_collect().await.unwrap();
    let asked_in_all = sandbox.requests();
    // The reader is at most `BULK_ORDERS_AHEAD` orders behind, far less
    // than a batch (~1,200 orders here): at least two more batches' details
    // were asked for after the first order arrived.
    assert!(
        asked_in_all >= asked_before_the_first + 2,
        "{asked_before_the_first} requests before the first order, {asked_in_all} in all"
    );
    let names: Vec<&str> = std::iter::once(&first)
        .chain(&rest)
        .map(|o| match o {
            shopify_bookkeeping::Listed::Item(order) => order.name.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    let file = bulk_file(&sandbox, &s).await;
    let in_file: Vec<String> = file
        .lines()
        .filter(|l| parent(l).is_none())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, in_file);
}

/// A line whose parent is in no order of the file is an error naming the
/// line, not a line dropped.
#[tokio::test]
async fn a_bulk_line_without_its_order_is_an_error_naming_it() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let file = bulk_file(&sandbox, &s).await;
    let first_order = file.lines().next().unwrap();
    let without: String = file.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let v: serde_json::Value = serde_json::from_str(first_order).unwrap();
    let id = v["id"].as_str().unwrap();
    let n = file
        .lines()
        .skip(1)
        .position(|l| parent(l).as_deref() == Some(id))
        .unwrap()
        + 1;
    let err = bulk_orders(&without).unwrap_err();
    assert!(
        err.starts_with(&format!("line {n}: parent {id} is neither")),
        "{err}"
    );
}

/// "Only the last 60 days' worth of orders from a store are accessible from
/// the `Order` object by default" (2026-01 schema, `Order`): an app without
/// the `read_all_orders` scope gets older orders left out of every listing,
/// without an error. The sandbox plays it so. A close of March 2026 (more
/// than 60 days ago) by such an app booked whatever Shopify still showed,
/// without a word; its sales now say the month is incomplete. A close of the
/// month now running says that a refund in it of an older order is not read.
#[tokio::test]
async fn orders_shopify_hides_without_read_all_orders_are_said_not_lost() {
    use bookkeeping_core::ReviewReason;
    let without = ["read_orders", "read_shopify_payments_payouts"];
    let said = |records: &[SalesRecord]| -> Vec<String> {
        records
            .iter()
            .filter_map(|r| match r {
                SalesRecord::Review(i) if i.field.as_deref() == Some("read_all_orders") => {
                    assert_eq!(i.reason, ReviewReason::Incomplete);
                    Some(i.message.clone())
                }
                _ => None,
            })
            .collect()
    };

    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    sandbox.set_access_scopes(&without);
    let records: Vec<SalesRecord> = client(&sandbox, 50)
        .sales(&s.config.period)
        .try_collect()
        .await
        .unwrap();
    let old = said(&records);
    assert_eq!(old.len(), 1, "{old:#?}");
    assert!(old[0].contains("the month is incomplete"), "{}", old[0]);
    // Shopify showed none of March's orders.
    assert!(!records.iter().any(|r| matches!(r, SalesRecord::Sale(_))));

    let now = time::OffsetDateTime::now_utc();
    let this_month = Period::month(now.year(), now.month()).unwrap();
    let recent = Scenario::generate(&ScenarioConfig::small(this_month));
    let sandbox = ShopifySandbox::start(&recent, Faults::none()).await;
    sandbox.set_access_scopes(&without);
    let records: Vec<SalesRecord> = client(&sandbox, 50)
        .sales(&this_month)
        .try_collect()
        .await
        .unwrap();
    let recent_said = said(&records);
    assert_eq!(recent_said.len(), 1, "{recent_said:#?}");
    assert!(
        recent_said[0].contains("of an older order is not read"),
        "{}",
        recent_said[0]
    );
    assert!(records.iter().any(|r| matches!(r, SalesRecord::Sale(_))));

    // With the scope (the sandbox's default), nothing is said.
    sandbox.set_access_scopes(provider_sandbox::shopify::DEFAULT_ACCESS_SCOPES);
    let records: Vec<SalesRecord> = client(&sandbox, 50)
        .sales(&this_month)
        .try_collect()
        .await
        .unwrap();
    assert!(said(&records).is_empty());
}

/// `bulkOperationRunQuery` is sent through the HTTP layer's retries like
/// every request. When Shopify has started the operation but its answer is
/// lost (here: it comes after the client's timeout), the retry is refused
/// while a shop allows one bulk query at a time ("Apps can run one bulk query
/// and one bulk mutation operation at a time per shop", `currentBulkOperation`
/// in the 2026-01 schema): `OPERATION_IN_PROGRESS`, which failed the month.
/// The client now finds its own operation by its query text
/// (`bulkOperations`, `BulkOperation.query`) and waits for it: the month
/// comes through whole, from the one operation started.
#[tokio::test]
async fn a_bulk_operation_whose_start_answer_is_lost_is_taken_up() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let query = shopify_bookkeeping::OrderQuery::processed_in(&s.config.period);
    let expected = bulk_client(&sandbox, BulkMode::Always)
        .bulk_orders(query.clone())
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let before = sandbox.bulk_operations();

    sandbox.set_bulk_concurrency(1);
    sandbox.delay_next_bulk_start(Duration::from_millis(1500));
    let client = bulk_client_timing_out(&sandbox, BulkMode::Always, Duration::from_millis(300));
    let got = client
        .bulk_orders(query.clone())
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        sandbox.bulk_operations(),
        before + 1,
        "one operation started"
    );

    // Another app's (or another period's) running operation is not ours:
    // the refusal stands.
    sandbox.set_bulk_concurrency(0);
    assert_in_progress(&bulk_error(&sandbox, &s).await);
}

/// The keys of the object at the front of `s`, in the order written.
fn keys_of(s: &mut provider_http::scan::Scanner<'_>) -> Vec<String> {
    let mut keys = Vec::new();
    s.object(|s, key| {
        keys.push(String::from_utf8_lossy(key).into_owned());
        s.skip()
    })
    .unwrap();
    keys
}

/// The simulated Shopify writes an answer's fields in the order the query
/// selects them, as GraphQL does ("Serialized Map Ordering": a result map is
/// written "in the same order as those fields were requested as defined by
/// selection set execution", <https://spec.graphql.org/October2021/#sec-Serialized-Map-Ordering>),
/// not in the order its own `Value`s sort them: read from the bytes it sends
/// for the client's orders query, an order's keys and a line item's are
/// the models' lists, which a test in `schema.rs` holds equal to the query's
/// selection.
#[tokio::test]
async fn the_sandbox_answers_in_the_querys_order() {
    use provider_http::fields::Keys;
    use provider_http::scan::Scanner;
    use shopify_bookkeeping::models::{LineItem, Order};
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let period = s.config.period;
    let search = shopify_bookkeeping::OrderQuery::processed_in(&period).search(period.start_utc());
    let body = reqwest::Client::new()
        .post(format!(
            "{}{}",
            sandbox.uri(),
            shopify_bookkeeping::graphql_path()
        ))
        .header("X-Shopify-Access-Token", sandbox.access_token())
        .json(&serde_json::json!({
            "query": shopify_bookkeeping::queries::ORDERS,
            "variables": {"first": 5, "query": search, "sortKey": "PROCESSED_AT"},
        }))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let names = |keys: &[&[u8]]| -> Vec<String> {
        keys.iter()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect()
    };
    // Into `data.orders`, then its first node and that node's first line item.
    let mut s = Scanner::new(&body);
    let (mut order, mut line) = (None, None);
    s.object(|s, key| match key {
        b"data" => s.object(|s, _| {
            s.object(|s, key| match key {
                b"nodes" => {
                    let mut first = true;
                    s.array(|s| {
                        if !std::mem::take(&mut first) {
                            return s.skip();
                        }
                        let mut read = s.clone();
                        order = Some(keys_of(&mut read));
                        s.object(|s, key| match key {
                            b"lineItems" => s.object(|s, key| match key {
                                b"nodes" => {
                                    let mut first = true;
                                    s.array(|s| {
                                        if std::mem::take(&mut first) {
                                            line = Some(keys_of(s));
                                            Ok(())
                                        } else {
                                            s.skip()
                                        }
                                    })
                                }
                                _ => s.skip(),
                            }),
                            _ => s.skip(),
                        })
                    })
                }
                _ => s.skip(),
            })
        }),
        _ => s.skip(),
    })
    .unwrap();
    assert_eq!(order.unwrap(), names(Order::KEYS));
    assert_eq!(line.unwrap(), names(LineItem::KEYS));
}
