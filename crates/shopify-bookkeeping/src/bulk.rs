//! Orders through a bulk operation, for months too large to page through.
//!
//! Shopify's bulk query flow (<https://shopify.dev/docs/api/usage/bulk-operations/queries>):
//! `bulkOperationRunQuery` starts the query in the background; the client
//! polls `bulkOperation(id:)` until its `status` is `COMPLETED` (progress in
//! `objectCount`), then downloads the JSONL file at its signed `url`. Each
//! line is one object; the nodes of a nested connection are lines of their
//! own, after their parent, with `__parentId` naming it. A bulk query may
//! hold at most five connections, nested at most two deep, and no top-level
//! `node`/`nodes`.
//!
//! The orders bulk query therefore holds five connections (orders, their line
//! items and shipping lines, each refund's refunded lines and transactions);
//! the refunds' refunded shipping and adjustments are fetched afterwards, 250
//! refunds per request ([`queries::REFUND_DETAILS`]). Orders are rebuilt one
//! at a time as the lines come and held only until their refunds are
//! complete: at most 250 orders (an order without refunds is passed on at
//! once while nothing waits).
//! The file itself is downloaded whole (provider-http reads bodies whole).
//!
//! The file is fetched without the shop's access token: the signed URL is
//! its own authorization and the storage host is not Shopify's API.

use std::time::{Duration, Instant};

use futures::stream::{self, BoxStream, StreamExt};
use provider_http::{HttpClient, Idempotency, RequestSpec};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::client::{ShopifyClient, check_user_errors};
use crate::error::Error;
use crate::models::Order;
use crate::queries;
use crate::resources::{Listed, OrderQuery, complete_connection, decode_node};

/// How a month's orders are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkMode {
    /// Paged listing, whatever the size.
    Never,
    /// A bulk operation when the period holds more than
    /// [`ShopifyClientBuilder::bulk_threshold`](crate::ShopifyClientBuilder::bulk_threshold)
    /// orders (counted first with `ordersCount`), paged listing otherwise.
    Auto,
    /// A bulk operation, whatever the size.
    Always,
}

/// Orders above which [`BulkMode::Auto`] uses a bulk operation: 10,000
/// orders are 40 pages of 250 at 981 requested points each; past that, the
/// refill of a standard plan's bucket (100 points/s) paces a paged listing
/// more than a bulk operation's wait.
pub const BULK_THRESHOLD: u64 = 10_000;

/// How a bulk operation is waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkPolling {
    /// The first wait between polls.
    pub first_wait: Duration,
    /// The longest wait between polls (each wait is half again the last).
    pub max_wait: Duration,
    /// How long the operation may take before the client gives up.
    pub timeout: Duration,
}

impl Default for BulkPolling {
    fn default() -> Self {
        BulkPolling {
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// The state of a bulk operation (`BulkOperation`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    /// The GID.
    pub id: String,
    /// `CREATED`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELING`, `CANCELED`
    /// or `EXPIRED`.
    pub status: String,
    /// Why it failed (`ACCESS_DENIED`, `INTERNAL_SERVER_ERROR`, `TIMEOUT`).
    pub error_code: Option<String>,
    /// Objects written so far (an `UnsignedInt64`, sent as a string).
    pub object_count: Option<String>,
    /// The result file's signed URL, once completed.
    pub url: Option<String>,
    /// Data written before a failure, if any.
    pub partial_data_url: Option<String>,
}

/// The bulk query for orders matching `search` (the search string inlined:
/// a bulk query takes no variables).
pub fn bulk_orders_query(search: &str) -> String {
    let quoted = serde_json::to_string(search).unwrap_or_else(|_| "\"\"".to_owned());
    queries::BULK_ORDERS.replace("$search", &quoted)
}

impl ShopifyClient {
    /// The orders matching `query`, paged or through a bulk operation as
    /// the [`BulkMode`] says: under [`BulkMode::Auto`], `ordersCount` first
    /// (one request), then a bulk operation above the threshold.
    ///
    /// The stream ends after the first `Err`.
    pub fn orders_auto(
        &self,
        query: OrderQuery,
    ) -> BoxStream<'static, Result<Listed<Order>, Error>> {
        match self.bulk_mode {
            BulkMode::Never => self.orders(query),
            BulkMode::Always => self.bulk_orders(query),
            BulkMode::Auto => {
                let client = self.clone();
                stream::once(async move {
                    match client.orders_count(&query).await {
                        Ok(n) if n > client.bulk_threshold => client.bulk_orders(query),
                        Ok(_) => client.orders(query),
                        Err(e) => stream::iter(vec![Err(e)]).boxed(),
                    }
                })
                .flatten()
                .boxed()
            }
        }
    }

    /// How many orders match `query`, counted up to the bulk threshold plus
    /// one (`u64::MAX` when Shopify says there are at least that many).
    ///
    /// # Errors
    /// [`Error`] when the query fails or its answer does not read.
    pub async fn orders_count(&self, query: &OrderQuery) -> Result<u64, Error> {
        let limit = self.bulk_threshold.saturating_add(1).min(i32::MAX as u64);
        let resp = self
            .graphql(
                queries::ORDERS_COUNT,
                json!({ "query": query.search(query.from), "limit": limit }),
            )
            .await?;
        let count = &resp.data["ordersCount"];
        match (count["count"].as_u64(), count["precision"].as_str()) {
            (Some(_), Some("AT_LEAST")) => Ok(u64::MAX),
            (Some(n), _) => Ok(n),
            _ => Err(Error::MissingData {
                path: crate::client::graphql_path(),
                pointer: "/data/ordersCount/count".to_owned(),
            }),
        }
    }

    /// Starts a bulk operation for `query`'s orders and waits for it.
    ///
    /// # Errors
    /// [`Error::UserErrors`] when Shopify refuses to start it (code
    /// `OPERATION_IN_PROGRESS` when this app already runs as many bulk
    /// queries as the shop allows); [`Error::Bulk`] when it fails, is
    /// canceled or expires, or outlasts [`BulkPolling::timeout`].
    pub async fn run_bulk_orders(&self, query: &OrderQuery) -> Result<BulkOperation, Error> {
        let document = bulk_orders_query(&query.search(query.from));
        let resp = self
            .graphql(queries::BULK_RUN_QUERY, json!({ "query": document }))
            .await?;
        let payload = resp
            .data
            .get("bulkOperationRunQuery")
            .cloned()
            .unwrap_or(Value::Null);
        check_user_errors("bulkOperationRunQuery", &payload)?;
        let started: BulkOperation = serde_json::from_value(payload["bulkOperation"].clone())
            .map_err(|e| Error::Decode {
                path: crate::client::graphql_path(),
                what: "bulk operation",
                field: "/data/bulkOperationRunQuery/bulkOperation".to_owned(),
                source: e,
            })?;
        self.wait_for_bulk(started.id).await
    }

    async fn wait_for_bulk(&self, id: String) -> Result<BulkOperation, Error> {
        let polling = self.bulk_polling;
        let started = Instant::now();
        let mut wait = polling.first_wait;
        loop {
            let resp = self
                .graphql(queries::BULK_OPERATION, json!({ "id": id }))
                .await?;
            let op: BulkOperation = serde_json::from_value(resp.data["bulkOperation"].clone())
                .map_err(|e| Error::Decode {
                    path: crate::client::graphql_path(),
                    what: "bulk operation",
                    field: "/data/bulkOperation".to_owned(),
                    source: e,
                })?;
            let failed = |message: String| Error::Bulk {
                id: id.clone(),
                message,
            };
            match op.status.as_str() {
                "COMPLETED" => return Ok(op),
                "FAILED" => {
                    let kept = if op.partial_data_url.is_some() {
                        "; Shopify kept partial data (partialDataUrl), which is not booked"
                    } else {
                        ""
                    };
                    return Err(failed(format!(
                        "failed with {}{kept}",
                        op.error_code.as_deref().unwrap_or("no error code")
                    )));
                }
                "CANCELED" | "CANCELING" | "EXPIRED" => {
                    return Err(failed(format!("{} before it completed", op.status)));
                }
                "CREATED" | "RUNNING" => {}
                other => return Err(failed(format!("unknown status {other:?}"))),
            }
            tracing::debug!(%id, status = %op.status, objects = op.object_count.as_deref().unwrap_or("0"), "shopify: bulk operation running");
            if started.elapsed() + wait > polling.timeout {
                return Err(failed(format!(
                    "still {} after {:?} (objects so far: {})",
                    op.status,
                    started.elapsed(),
                    op.object_count.as_deref().unwrap_or("0")
                )));
            }
            tokio::time::sleep(wait).await;
            wait = (wait + wait / 2).min(polling.max_wait);
        }
    }

    /// Every order matching `query`, through a bulk operation: started,
    /// waited for, its JSONL downloaded (without the access token) and
    /// decoded one order at a time, each order completed with follow-up
    /// queries for what the bulk query cannot hold.
    ///
    /// The stream ends after the first `Err`.
    pub fn bulk_orders(
        &self,
        query: OrderQuery,
    ) -> BoxStream<'static, Result<Listed<Order>, Error>> {
        let client = self.clone();
        stream::once(async move { client.bulk_orders_all(&query).await })
            .flat_map(|r| match r {
                Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()),
                Err(e) => stream::iter(vec![Err(e)]),
            })
            .boxed()
    }

    async fn bulk_orders_all(&self, query: &OrderQuery) -> Result<Vec<Listed<Order>>, Error> {
        let op = self.run_bulk_orders(query).await?;
        let Some(url) = op.url.clone() else {
            // A completed operation that found nothing has no file.
            return Ok(Vec::new());
        };
        let resp = download(&op.id, &url, self.bulk_timeout()).await?;
        let failed = |message: String| Error::Bulk {
            id: op.id.clone(),
            message,
        };
        let mut out = Vec::new();
        let mut batch = Batch::default();
        let mut lines = BulkLines::default();
        for (n, line) in resp.body().split(|b| *b == b'\n').enumerate() {
            if let Some(done) = lines.line(n, line).map_err(failed)? {
                batch.push(done);
                if batch.refunds == 0
                    || batch.refunds >= queries::NODES_PER_QUERY
                    || batch.orders.len() >= queries::NODES_PER_QUERY
                {
                    self.flush(&mut batch, &mut out).await?;
                }
            }
        }
        if let Some(done) = lines.finish() {
            batch.push(done);
        }
        self.flush(&mut batch, &mut out).await?;
        Ok(out)
    }

    /// Completes the batch's refunds (refunded shipping and adjustments,
    /// [`queries::REFUND_DETAILS`], one request for up to 250 refunds, then
    /// follow-ups for what overflows a page) and decodes its orders.
    async fn flush(&self, batch: &mut Batch, out: &mut Vec<Listed<Order>>) -> Result<(), Error> {
        let mut orders = std::mem::take(&mut batch.orders);
        batch.refunds = 0;
        let ids: Vec<String> = orders
            .iter()
            .flat_map(|o| o["refunds"].as_array().into_iter().flatten())
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect();
        let mut details: Map<String, Value> = Map::new();
        for chunk in ids.chunks(queries::NODES_PER_QUERY) {
            let resp = self
                .graphql(queries::REFUND_DETAILS, json!({ "ids": chunk }))
                .await?;
            add_refund_details(&mut details, &resp.data);
        }
        for order in &mut orders {
            fill_refund_details(order, &mut details);
            let refunds = order.get_mut("refunds").and_then(Value::as_array_mut);
            for refund in refunds.into_iter().flatten() {
                let Some(id) = refund["id"].as_str().map(str::to_owned) else {
                    continue;
                };
                for (field, document) in REFUND_DETAIL_FIELDS {
                    complete_connection(self, refund, "refund", &id, field, document, false)
                        .await?;
                }
            }
        }
        for order in orders {
            out.push(decode_bulk_order(order, out.len()));
        }
        Ok(())
    }

    fn bulk_timeout(&self) -> Duration {
        self.bulk_polling.timeout.min(Duration::from_secs(600))
    }
}

/// The connections of a refund that a bulk query cannot hold, fetched with
/// [`queries::REFUND_DETAILS`], and the query for each one's further pages.
const REFUND_DETAIL_FIELDS: [(&str, &str); 2] = [
    ("refundShippingLines", queries::REFUND_SHIPPING_LINES),
    ("orderAdjustments", queries::REFUND_ORDER_ADJUSTMENTS),
];

/// Adds the refunds of an answer to [`queries::REFUND_DETAILS`] (its
/// `data`) to `details`, by refund id.
pub fn add_refund_details(details: &mut Map<String, Value>, data: &Value) {
    for node in data["nodes"].as_array().into_iter().flatten() {
        if let Some(id) = node["id"].as_str() {
            details.insert(id.to_owned(), node.clone());
        }
    }
}

/// Puts each refund's details (taken from `details`) into a rebuilt order.
fn fill_refund_details(order: &mut Value, details: &mut Map<String, Value>) {
    let refunds = order.get_mut("refunds").and_then(Value::as_array_mut);
    for refund in refunds.into_iter().flatten() {
        let Some(id) = refund["id"].as_str().map(str::to_owned) else {
            continue;
        };
        // A refund Shopify does not return is left without these lines:
        // its total then disagrees and becomes a review item.
        let detail = details.remove(&id).unwrap_or(Value::Null);
        for (field, _) in REFUND_DETAIL_FIELDS {
            refund[field] = match detail.get(field) {
                Some(conn) if conn.is_object() => conn.clone(),
                _ => json!({ "pageInfo": { "hasNextPage": false }, "nodes": [] }),
            };
        }
    }
}

/// A rebuilt order decoded, or a review item naming it and the field.
fn decode_bulk_order(order: Value, index: usize) -> Listed<Order> {
    decode_node(
        order,
        "order",
        "bulk",
        index,
        Some("/totalPriceSet/shopMoney"),
    )
}

/// The orders of a bulk operation's JSONL result whose refunds' details are
/// known (`details`, filled by [`add_refund_details`]), decoded without any
/// request: what [`ShopifyClient::bulk_orders`] does with the file between
/// its requests (it also fetches the further pages of a refund's details,
/// which the details of one request may not hold whole).
///
/// # Errors
/// A message naming the line when a line is not a JSON object or names a
/// parent that is not its order or one of the order's refunds.
///
/// ```
/// use serde_json::Map;
/// use shopify_bookkeeping::bulk::decode_bulk_jsonl;
///
/// let orders = decode_bulk_jsonl(b"", &mut Map::new()).unwrap();
/// assert!(orders.is_empty());
/// let err = decode_bulk_jsonl(b"[1]\n", &mut Map::new()).unwrap_err();
/// assert!(err.starts_with("line 1 of the result is not a JSON object"));
/// ```
pub fn decode_bulk_jsonl(
    jsonl: &[u8],
    details: &mut Map<String, Value>,
) -> Result<Vec<Listed<Order>>, String> {
    let mut out = Vec::new();
    let mut lines = BulkLines::default();
    let mut take = |order: Option<Value>, out: &mut Vec<Listed<Order>>| {
        if let Some(mut order) = order {
            fill_refund_details(&mut order, details);
            let index = out.len();
            out.push(decode_bulk_order(order, index));
        }
    };
    for (n, line) in jsonl.split(|b| *b == b'\n').enumerate() {
        let done = lines.line(n, line)?;
        take(done, &mut out);
    }
    take(lines.finish(), &mut out);
    Ok(out)
}

/// Rebuilds orders from the lines of a bulk result, one order at a time:
/// an order's line starts it, the lines naming it (or one of its refunds)
/// as `__parentId` follow it.
#[derive(Default)]
struct BulkLines {
    current: Option<OrderLines>,
}

impl BulkLines {
    /// Reads line `n` (from 0); returns the previous order when this line
    /// starts the next one.
    fn line(&mut self, n: usize, line: &[u8]) -> Result<Option<Value>, String> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let object: Map<String, Value> = serde_json::from_slice(line)
            .map_err(|e| format!("line {} of the result is not a JSON object: {e}", n + 1))?;
        match object.get("__parentId").and_then(Value::as_str) {
            None => {
                let done = self.current.take().map(OrderLines::into_order);
                self.current = Some(OrderLines::new(object));
                Ok(done)
            }
            Some(parent) => {
                let parent = parent.to_owned();
                let Some(order) = self.current.as_mut() else {
                    return Err(format!(
                        "line {} names parent {parent} before any order",
                        n + 1
                    ));
                };
                order
                    .attach(&parent, object)
                    .map_err(|message| format!("line {}: {message}", n + 1))?;
                Ok(None)
            }
        }
    }

    /// The last order.
    fn finish(&mut self) -> Option<Value> {
        self.current.take().map(OrderLines::into_order)
    }
}

/// Downloads the result file from its signed URL with a client that has no
/// credentials: the shop's token never leaves for the storage host.
async fn download(
    id: &str,
    url: &str,
    timeout: Duration,
) -> Result<provider_http::HttpResponse, Error> {
    let bad = |why: String| Error::Bulk {
        id: id.to_owned(),
        message: format!("the result URL does not parse: {why}"),
    };
    let parsed: provider_http::http::Uri = url.parse().map_err(|e| bad(format!("{e}")))?;
    let (Some(scheme), Some(authority)) = (parsed.scheme_str(), parsed.authority()) else {
        return Err(bad("it is not absolute".to_owned()));
    };
    let origin = format!("{scheme}://{authority}");
    let path_and_query = parsed
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let http = HttpClient::builder("shopify-bulk", &origin)
        .timeout(timeout)
        .build()?;
    let resp = http
        .send(RequestSpec::get(path_and_query).idempotency(Idempotency::Idempotent))
        .await
        .map_err(|e| match e.status().map(|s| s.as_u16()) {
            // Signed storage URLs answer 400/403 once they expire.
            Some(400 | 401 | 403) => Error::Bulk {
                id: id.to_owned(),
                message: format!(
                    "the result URL was refused ({}): it has expired or is not valid; run the operation again",
                    e.status().map_or(0, |s| s.as_u16())
                ),
            },
            _ => Error::Http(e),
        })?;
    Ok(resp)
}

/// Orders rebuilt from the file, waiting for their refunds' details: at
/// most 250 orders or 250 refunds are held.
#[derive(Default)]
struct Batch {
    orders: Vec<Value>,
    refunds: usize,
}

impl Batch {
    fn push(&mut self, order: Value) {
        self.refunds += order["refunds"].as_array().map_or(0, Vec::len);
        self.orders.push(order);
    }
}

/// One order's lines of the JSONL file, gathered until the next order.
struct OrderLines {
    order: Map<String, Value>,
    line_items: Vec<Value>,
    shipping_lines: Vec<Value>,
}

impl OrderLines {
    fn new(order: Map<String, Value>) -> Self {
        OrderLines {
            order,
            line_items: Vec::new(),
            shipping_lines: Vec::new(),
        }
    }

    /// Puts a child line under its parent: the order (line items, shipping
    /// lines, told apart by `__typename`) or one of its refunds (refunded
    /// lines, refund transactions).
    fn attach(&mut self, parent: &str, mut child: Map<String, Value>) -> Result<(), String> {
        child.remove("__parentId");
        let typename = child
            .get("__typename")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if self.order.get("id").and_then(Value::as_str) == Some(parent) {
            match typename.as_str() {
                "LineItem" => self.line_items.push(Value::Object(child)),
                "ShippingLine" => self.shipping_lines.push(Value::Object(child)),
                other => return Err(format!("unexpected {other:?} under the order")),
            }
            return Ok(());
        }
        let refund = self
            .order
            .get_mut("refunds")
            .and_then(Value::as_array_mut)
            .and_then(|rs| rs.iter_mut().find(|r| r["id"] == parent))
            .ok_or_else(|| {
                format!("parent {parent} is neither the order nor one of its refunds")
            })?;
        let field = match typename.as_str() {
            "RefundLineItem" => "refundLineItems",
            "OrderTransaction" => "transactions",
            other => return Err(format!("unexpected {other:?} under refund {parent}")),
        };
        let conn = refund
            .as_object_mut()
            .ok_or("a refund is not an object")?
            .entry(field)
            .or_insert_with(|| json!({ "pageInfo": { "hasNextPage": false }, "nodes": [] }));
        if let Some(nodes) = conn.get_mut("nodes").and_then(Value::as_array_mut) {
            nodes.push(Value::Object(child));
        }
        Ok(())
    }

    /// The order in the shape of the paged orders query.
    fn into_order(mut self) -> Value {
        let conn =
            |nodes: Vec<Value>| json!({ "pageInfo": { "hasNextPage": false }, "nodes": nodes });
        self.order
            .insert("lineItems".to_owned(), conn(self.line_items));
        self.order
            .insert("shippingLines".to_owned(), conn(self.shipping_lines));
        if let Some(refunds) = self.order.get_mut("refunds").and_then(Value::as_array_mut) {
            for refund in refunds.iter_mut().filter_map(Value::as_object_mut) {
                for field in ["refundLineItems", "transactions"] {
                    refund.entry(field).or_insert_with(|| conn(Vec::new()));
                }
            }
        }
        Value::Object(self.order)
    }
}
