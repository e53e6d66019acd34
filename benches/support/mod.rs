//! Shared by `benches/pipeline.rs` (criterion) and `examples/bench_pipeline.rs`:
//! page bytes captured from the sandbox's own renderers, and the pipeline that
//! turns them into a journal the way the provider clients do.
//!
//! The pages are fetched once over loopback from the simulated providers
//! (`provider-sandbox`, the same renderers the tests and `month_close` use),
//! so the benchmarks measure decode, normalize and map on the providers' real
//! shapes without the network in the way.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::Arc;

use bookkeeping_core::{Currency, Period, Provider, SalesRecord};
use journal_mapping::{Chart, FixedRates, Journal, Mapper, Policy};
use kassabok::shopify as shopify_bookkeeping;
use kassabok::stripe as stripe_invoicing;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use shopify_bookkeeping::OrdersPage;
use shopify_bookkeeping::models::{Order, PageInfo};
use shopify_bookkeeping::normalize::{NormalizeOptions, normalize_order};
use stripe_invoicing::ListPage;
use stripe_invoicing::models::{BalanceTransaction, InvoicePayment, List, Payout};
use stripe_invoicing::normalize::{InvoiceLinks, PayoutAssembly};
use stripe_invoicing::{Listed, Malformed};

/// The month every benchmark books.
pub fn period() -> Period {
    Period::month(2026, time::Month::March).expect("March 2026 is a period")
}

/// Exchange rates as `month_close` uses them.
pub fn rates(period: &Period) -> FixedRates {
    let from = period.first() - time::Duration::days(62);
    FixedRates::new()
        .with(Currency::EUR, from, Decimal::new(114_000, 4))
        .with(Currency::USD, from, Decimal::new(104_500, 4))
        .with(Currency::NOK, from, Decimal::new(9_800, 4))
        .with(Currency::DKK, from, Decimal::new(15_280, 4))
        .with(Currency::GBP, from, Decimal::new(133_200, 4))
}

/// A fresh mapper for `period`.
pub fn mapper(period: Period) -> Mapper<FixedRates> {
    Mapper::new(Chart::bas2025(), Policy::default(), rates(&period), period)
}

/// Stripe balance-transaction pages of one payout, as the API sent them.
pub struct StripePayoutPages {
    /// The payout object's JSON (from the payouts list).
    pub payout: Vec<u8>,
    /// `GET /v1/balance_transactions?payout=…&expand[]=data.source&limit=100` pages.
    pub pages: Vec<Vec<u8>>,
}

/// Everything the Stripe pipeline reads.
pub struct StripePages {
    /// Invoice payments (for the links from charges to invoices), decoded once.
    pub links: Arc<InvoiceLinks>,
    pub payouts: Vec<StripePayoutPages>,
    /// Balance transactions in all pages.
    pub records: usize,
}

impl StripePages {
    /// Every page's bytes, for the floor.
    pub fn all_pages(&self) -> impl Iterator<Item = &[u8]> {
        self.payouts
            .iter()
            .flat_map(|p| p.pages.iter().map(Vec::as_slice))
    }

    pub fn bytes(&self) -> usize {
        self.all_pages().map(<[u8]>::len).sum()
    }
}

/// Shopify order pages (`orders(first: 250)`), as the API sent them.
pub struct ShopifyPages {
    pub pages: Vec<Vec<u8>>,
    /// Orders in all pages.
    pub records: usize,
}

impl ShopifyPages {
    pub fn bytes(&self) -> usize {
        self.pages.iter().map(Vec::len).sum()
    }
}

async fn get(http: &reqwest::Client, url: &str, key: &str) -> Vec<u8> {
    let resp = http
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .expect("the sandbox answers");
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.bytes().await.expect("a body").to_vec()
}

/// Every page of a Stripe list at `url` (which has a `?`).
async fn stripe_list(http: &reqwest::Client, url: &str, key: &str) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut u = format!("{url}&limit=100");
        if let Some(a) = &after {
            u.push_str("&starting_after=");
            u.push_str(a);
        }
        let body = get(http, &u, key).await;
        let v: Value = serde_json::from_slice(&body).expect("a Stripe list");
        pages.push(body);
        if !v["has_more"].as_bool().unwrap_or(false) {
            return pages;
        }
        after = v["data"]
            .as_array()
            .and_then(|d| d.last())
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned);
    }
}

/// Generates a month with `invoices` Stripe invoices (one card charge each,
/// settled in weekly payouts) and captures its balance-transaction pages
/// from the simulated Stripe.
pub async fn capture_stripe(invoices: usize) -> StripePages {
    let config = ScenarioConfig {
        seed: 2026,
        period: period(),
        orders: 14,
        invoices,
    };
    let scenario = Arc::new(Scenario::generate(&config));
    let sandbox = provider_sandbox::stripe::start(&scenario, Faults::none()).await;
    let key = sandbox.secret_key();
    let base = sandbox.uri();
    let http = reqwest::Client::new();

    let mut links = InvoiceLinks::new();
    for page in stripe_list(
        &http,
        &format!("{base}/v1/invoice_payments?status=paid"),
        key,
    )
    .await
    {
        let list: List<Value> = serde_json::from_slice(&page).expect("a list");
        for v in list.data {
            if let Ok(p) = Malformed::decode::<InvoicePayment>(
                Provider::Stripe,
                "invoice_payment",
                &["/id"],
                v,
            ) {
                links.add(&p);
            }
        }
    }
    let mut payouts = Vec::new();
    let mut records = 0;
    for page in stripe_list(&http, &format!("{base}/v1/payouts?status=paid"), key).await {
        let list: List<Value> = serde_json::from_slice(&page).expect("a list");
        for p in list.data {
            let id = p["id"].as_str().expect("an id").to_owned();
            let pages = stripe_list(
                &http,
                &format!("{base}/v1/balance_transactions?payout={id}&expand[]=data.source"),
                key,
            )
            .await;
            for page in &pages {
                let v: Value = serde_json::from_slice(page).expect("a list");
                records += v["data"].as_array().map_or(0, Vec::len);
            }
            payouts.push(StripePayoutPages {
                payout: serde_json::to_vec(&p).expect("json"),
                pages,
            });
        }
    }
    StripePages {
        links: Arc::new(links),
        payouts,
        records,
    }
}

/// Generates a month with `orders` Shopify orders and captures the order
/// pages (`first: 250`, the client's query) from the simulated Shopify.
pub async fn capture_shopify(orders: usize) -> ShopifyPages {
    let period = period();
    let config = ScenarioConfig {
        seed: 2026,
        period,
        orders,
        invoices: 5,
    };
    let scenario = Arc::new(Scenario::generate(&config));
    let sandbox = provider_sandbox::shopify::start(&scenario, Faults::none()).await;
    // Measure kassabok, not Shopify's pacing.
    sandbox.set_plan(provider_sandbox::shopify_cost::Plan::UNLIMITED);
    let url = format!("{}{}", sandbox.uri(), shopify_bookkeeping::graphql_path());
    let http = reqwest::Client::new();
    let search = shopify_bookkeeping::OrderQuery::processed_in(&period).search(period.start_utc());
    let mut pages = Vec::new();
    let mut records = 0;
    let mut after: Option<String> = None;
    loop {
        let body = json!({
            "query": shopify_bookkeeping::queries::ORDERS,
            "variables": {"first": shopify_bookkeeping::MAX_PAGE_SIZE, "after": after,
                          "query": search, "sortKey": "PROCESSED_AT"},
        });
        let resp = http
            .post(&url)
            .header("X-Shopify-Access-Token", sandbox.access_token())
            .json(&body)
            .send()
            .await
            .expect("the sandbox answers");
        assert!(resp.status().is_success(), "{}", resp.status());
        let bytes = resp.bytes().await.expect("a body").to_vec();
        let v: Value = serde_json::from_slice(&bytes).expect("a GraphQL answer");
        let orders = &v["data"]["orders"];
        records += orders["nodes"].as_array().map_or(0, Vec::len);
        pages.push(bytes);
        if !orders["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false) {
            break;
        }
        after = orders["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    ShopifyPages { pages, records }
}

/// The floor: parsing every page into `IgnoredAny` (reads every byte,
/// validates the JSON, builds nothing).
pub fn floor<'a>(pages: impl Iterator<Item = &'a [u8]>) -> usize {
    let mut n = 0;
    for page in pages {
        let _: IgnoredAny = serde_json::from_slice(page).expect("valid JSON");
        n += page.len();
    }
    n
}

/// What `HttpClient::decode` does with a body: plain `serde_json` (only a
/// body that fails is decoded again with `serde_path_to_error`, for the
/// field path).
fn decode_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    serde_json::from_slice(body).expect("a page")
}

/// Decode, normalize and map Stripe payouts the way
/// `StripeSource::payouts` does it (`resources::list`: each page decoded by
/// [`ListPage::decode`], the client's own page decoder, whole and straight
/// into the models, object by object only when one fails; each transaction
/// added to its payout's [`PayoutAssembly`] as it is decoded;
/// `Mapper::add_payout_record` per record).
/// Returns the journal and the number of balance transactions decoded.
pub fn stripe_pipeline(pages: &StripePages, period: Period) -> (Journal, usize) {
    stripe_stages(pages, period, Stage::Map)
}

/// How far a pipeline run goes (to tell the stages' costs apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Decode only.
    Decode,
    /// Decode and normalize.
    Normalize,
    /// Decode, normalize and map (the whole pipeline).
    Map,
}

/// [`stripe_pipeline`] up to `stage`.
pub fn stripe_stages(pages: &StripePages, period: Period, stage: Stage) -> (Journal, usize) {
    let mut mapper = mapper(period);
    let mut n = 0;
    for p in &pages.payouts {
        let payout: Payout = serde_json::from_slice(&p.payout).expect("a payout");
        // As `StripeSource` does: each transaction becomes its settlement
        // line as it is listed, and is dropped.
        let mut assembly = PayoutAssembly::new(payout);
        for page in &p.pages {
            let page = ListPage::<BalanceTransaction>::decode("balance_transaction", page)
                .expect("a list page");
            for t in page.items {
                n += 1;
                if let Listed::Item(t) = t {
                    if stage == Stage::Decode {
                        std::hint::black_box(&t);
                    } else {
                        assembly.add_owned(t, &pages.links);
                    }
                }
            }
        }
        if stage == Stage::Decode {
            continue;
        }
        for rec in assembly.finish() {
            if stage == Stage::Map {
                mapper.add_payout_record(&rec);
            } else {
                std::hint::black_box(&rec);
            }
        }
    }
    (mapper.finish(), n)
}

/// Decode, normalize and map Shopify order pages the way
/// `ShopifyClient::sales` does it (`OrdersPage::decode`, the client's own
/// page decoder: the answer decoded whole, straight into the models; only a
/// page it cannot read whole takes the careful path, mirrored here: the
/// answer as a `Value`, each node decoded on its own; `normalize_order`; the
/// records into the mapper).
pub fn shopify_pipeline(pages: &ShopifyPages, period: Period) -> (Journal, usize) {
    shopify_stages(pages, period, Stage::Map)
}

/// The orders of a page as the client decodes them.
fn shopify_orders(page: &[u8]) -> Vec<Option<Order>> {
    if let Some(page) = OrdersPage::decode(page) {
        return page.orders.into_iter().map(Some).collect();
    }
    let mut value: Value = decode_body(page);
    let mut data = value.get_mut("data").map(Value::take).expect("data");
    let conn = data.pointer_mut("/orders").expect("orders");
    let _page_info: PageInfo =
        serde_json::from_value(conn.get("pageInfo").cloned().unwrap_or(Value::Null))
            .expect("pageInfo");
    let nodes = match conn.get_mut("nodes") {
        Some(Value::Array(nodes)) => std::mem::take(nodes),
        _ => panic!("no nodes"),
    };
    nodes
        .into_iter()
        .map(|node| Order::deserialize(&node).ok())
        .collect()
}

/// [`shopify_pipeline`] up to `stage`.
pub fn shopify_stages(pages: &ShopifyPages, period: Period, stage: Stage) -> (Journal, usize) {
    let mut mapper = mapper(period);
    let opts = NormalizeOptions::default();
    let mut n = 0;
    for page in &pages.pages {
        for order in shopify_orders(page) {
            n += 1;
            if let Some(order) = order {
                book_order(&mut mapper, &order, &opts, period, stage);
            }
        }
    }
    (mapper.finish(), n)
}

/// An order normalized and mapped as `ShopifySource` and `month_close` do
/// (up to `stage`).
fn book_order(
    mapper: &mut Mapper<FixedRates>,
    order: &Order,
    opts: &NormalizeOptions,
    period: Period,
    stage: Stage,
) {
    if stage == Stage::Decode {
        std::hint::black_box(order);
        return;
    }
    let normalized = normalize_order(order, opts);
    if stage == Stage::Normalize {
        std::hint::black_box(&normalized);
        return;
    }
    if let Some(sale) = normalized.sale {
        mapper.add_sales_record(&SalesRecord::Sale(sale));
    }
    for r in normalized.refunds {
        if period.contains(r.occurred_at) {
            mapper.add_sales_record(&SalesRecord::Refund(r));
        }
    }
    for r in normalized.review {
        mapper.add_sales_record(&SalesRecord::Review(r));
    }
    for a in normalized.after_placement {
        if a.belongs_to(&period) {
            mapper.add_sales_record(&SalesRecord::Review(a.item));
        }
    }
}

/// The models decoded straight from the page bytes by serde alone (no
/// scanner, no `Value` in between, no per-object isolation): what the serde
/// decoding of the models costs by itself, the path of a page the scanner
/// declines.
pub fn stripe_typed(pages: &StripePages) -> usize {
    let mut n = 0;
    for page in pages.all_pages() {
        let list: List<BalanceTransaction> = serde_json::from_slice(page).expect("a page");
        n += list.data.len();
    }
    n
}

/// [`stripe_typed`] for Shopify order pages.
pub fn shopify_typed(pages: &ShopifyPages) -> usize {
    #[derive(serde::Deserialize)]
    struct Answer {
        data: Data,
    }
    #[derive(serde::Deserialize)]
    struct Data {
        orders: Conn,
    }
    #[derive(serde::Deserialize)]
    struct Conn {
        nodes: Vec<Order>,
    }
    let mut n = 0;
    for page in &pages.pages {
        let a: Answer = serde_json::from_slice(page).expect("a page");
        n += a.data.orders.nodes.len();
    }
    n
}

/// A Shopify bulk operation's result for the month, as downloaded, with the
/// answers about its refunds' details that the client asks for after it.
pub struct ShopifyBulk {
    /// The JSONL file.
    pub jsonl: Vec<u8>,
    /// Each answer to `queries::REFUND_DETAILS`, as sent.
    pub refund_details: Vec<Vec<u8>>,
    /// Orders in the file.
    pub records: usize,
}

async fn shopify_graphql(http: &reqwest::Client, url: &str, token: &str, body: Value) -> Value {
    let resp = http
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&body)
        .send()
        .await
        .expect("the sandbox answers");
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.expect("a GraphQL answer")
}

/// Generates a month with `orders` Shopify orders and captures the result
/// of the client's bulk query for them (started, polled and downloaded as
/// `ShopifyClient::bulk_orders` does), and the details of its refunds.
pub async fn capture_shopify_bulk(orders: usize) -> ShopifyBulk {
    let period = period();
    let config = ScenarioConfig {
        seed: 2026,
        period,
        orders,
        invoices: 5,
    };
    let scenario = Arc::new(Scenario::generate(&config));
    let sandbox = provider_sandbox::shopify::start(&scenario, Faults::none()).await;
    sandbox.set_plan(provider_sandbox::shopify_cost::Plan::UNLIMITED);
    sandbox.set_bulk_running_polls(0);
    let url = format!("{}{}", sandbox.uri(), shopify_bookkeeping::graphql_path());
    let token = sandbox.access_token();
    let http = reqwest::Client::new();
    let search = shopify_bookkeeping::OrderQuery::processed_in(&period).search(period.start_utc());
    let run = shopify_graphql(
        &http,
        &url,
        token,
        json!({
            "query": shopify_bookkeeping::queries::BULK_RUN_QUERY,
            "variables": {"query": shopify_bookkeeping::bulk::bulk_orders_query(&search)},
        }),
    )
    .await;
    let id = run["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].clone();
    let file = loop {
        let poll = shopify_graphql(
            &http,
            &url,
            token,
            json!({"query": shopify_bookkeeping::queries::BULK_OPERATION,
                   "variables": {"id": id}}),
        )
        .await;
        let op = &poll["data"]["bulkOperation"];
        match op["status"].as_str() {
            Some("COMPLETED") => break op["url"].as_str().expect("a result URL").to_owned(),
            Some("CREATED" | "RUNNING") => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            other => panic!("bulk operation {other:?}"),
        }
    };
    let jsonl = http
        .get(&file)
        .send()
        .await
        .expect("the result file")
        .bytes()
        .await
        .expect("a body")
        .to_vec();
    let mut records = 0;
    let mut refunds = Vec::new();
    for line in jsonl.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).expect("a JSONL line");
        if v.get("__parentId").is_none() {
            records += 1;
            for r in v["refunds"].as_array().into_iter().flatten() {
                refunds.push(r["id"].clone());
            }
        }
    }
    let mut refund_details = Vec::new();
    for chunk in refunds.chunks(shopify_bookkeeping::queries::NODES_PER_QUERY) {
        let answer = shopify_graphql(
            &http,
            &url,
            token,
            json!({"query": shopify_bookkeeping::queries::REFUND_DETAILS,
                   "variables": {"ids": chunk}}),
        )
        .await;
        refund_details.push(serde_json::to_vec(&answer).expect("JSON"));
    }
    ShopifyBulk {
        jsonl,
        refund_details,
        records,
    }
}

/// The floor of a JSONL file: every line parsed into `IgnoredAny`.
pub fn floor_jsonl(jsonl: &[u8]) -> usize {
    let mut n = 0;
    for value in serde_json::Deserializer::from_slice(jsonl).into_iter::<IgnoredAny>() {
        value.expect("valid JSON");
        n += 1;
    }
    n
}

/// Decode, normalize and map a bulk result the way `ShopifyClient::bulk_orders`
/// does it between its requests (`bulk::decode_bulk_jsonl`: each order
/// rebuilt from its lines, its refunds completed with their details, decoded
/// on its own), then as [`shopify_pipeline`] does.
pub fn shopify_bulk_pipeline(bulk: &ShopifyBulk, period: Period) -> (Journal, usize) {
    shopify_bulk_stages(bulk, period, Stage::Map)
}

/// [`shopify_bulk_pipeline`] up to `stage`.
pub fn shopify_bulk_stages(bulk: &ShopifyBulk, period: Period, stage: Stage) -> (Journal, usize) {
    let mut mapper = mapper(period);
    let opts = NormalizeOptions::default();
    let mut details = shopify_bookkeeping::bulk::RefundDetails::new();
    for answer in &bulk.refund_details {
        // As the client reads each answer: its `data` taken as text, each
        // refund's node kept as text.
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow)]
            data: &'a serde_json::value::RawValue,
        }
        let answer: Answer<'_> = serde_json::from_slice(answer).expect("an answer");
        details.add_text(answer.data.get());
    }
    let orders = shopify_bookkeeping::bulk::decode_bulk_jsonl(&bulk.jsonl, &mut details)
        .expect("a bulk result");
    let mut n = 0;
    for order in orders {
        n += 1;
        if let shopify_bookkeeping::Listed::Item(order) = order {
            book_order(&mut mapper, &order, &opts, period, stage);
        }
    }
    (mapper.finish(), n)
}
