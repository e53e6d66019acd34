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
//! The children of an object come right after it only when the operation
//! runs with `groupObjects: true`, which from API 2026-01 defaults to
//! `false` (`Mutation.bulkOperationRunQuery(groupObjects: Boolean! = false)`:
//! "Enabling grouping slows down bulk operations and increases the
//! likelihood of timeouts. Only enable grouping if you depend on the grouped
//! format."). The client does not ask for it: it indexes the file's lines by
//! `__parentId` and finds each order's lines wherever they are.
//!
//! The orders bulk query therefore holds three connections (orders, their
//! line items and shipping lines). An order's `refunds` is a list, and
//! Shopify refuses a bulk query with a connection inside a list (see
//! [`queries::BULK_ORDERS`]), so the refunds' connections (refunded lines,
//! transactions, refunded shipping, adjustments) are fetched afterwards, 250
//! refunds per request ([`queries::REFUND_DETAILS`]). Each order is decoded
//! straight from its lines (each line read once: the order's line into the
//! model with its connections empty, each child's into its own); an order
//! with refunds then waits for their details (at most 250 refunds wait). An
//! order whose lines are in another shape than Shopify's, or whose refund
//! details have further pages, is rebuilt as one JSON text instead, which
//! also names the field of an order that does not decode. The orders are
//! handed on as each batch of refunds' details is complete, so a month's
//! decoded orders are never all held at once; the file itself is downloaded
//! whole (provider-http reads bodies whole, and an order's lines may be
//! anywhere in it).
//!
//! The file is fetched without the shop's access token: the signed URL is
//! its own authorization and the storage host is not Shopify's API.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher, RandomState};
use std::time::{Duration, Instant};

use bookkeeping_core::text::IdText;
use futures::SinkExt;
use futures::stream::{self, BoxStream, StreamExt};
use provider_http::scan::{Declined, Key, Scan, Scannable, Scanner};
use provider_http::{HttpClient, Idempotency, RequestSpec};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::client::{ShopifyClient, check_user_errors};
use crate::error::Error;
use crate::models::{
    Connection, Order, OrderAdjustment, OrderTransaction, RefundLineItem, RefundShippingLine,
};
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

/// Orders [`ShopifyClient::bulk_orders`] decodes ahead of its reader.
pub const BULK_ORDERS_AHEAD: usize = 64;

/// Where [`ShopifyClient::bulk_orders`]' decoding sends its orders.
type OrderSender = futures::channel::mpsc::Sender<Result<Listed<Order>, Error>>;

/// Sends the orders decoded so far (taking them out of `out`), in order;
/// false when the reader has gone.
async fn hand_on(tx: &mut OrderSender, out: &mut Vec<Listed<Order>>) -> bool {
    for order in out.drain(..) {
        if tx.send(Ok(order)).await.is_err() {
            return false;
        }
    }
    true
}

/// Orders above which [`BulkMode::Auto`] uses a bulk operation: 10,000
/// orders are 40 pages of 250 at 981 requested points each; past that, the
/// refill of a standard plan's bucket (100 points/s) paces a paged listing
/// more than a bulk operation's wait.
pub const BULK_THRESHOLD: u64 = 10_000;

/// The largest bulk result file a client downloads by default: 1 GiB, a
/// month of some 250,000 orders with their lines (about 4 KB an order). An
/// API answer's cap ([`provider_http::DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB)
/// would stop at about 16,000, not far above [`BULK_THRESHOLD`]: the months
/// a bulk operation is for. Set with
/// [`ShopifyClientBuilder::bulk_max_file_bytes`](crate::ShopifyClientBuilder::bulk_max_file_bytes).
pub const BULK_MAX_FILE_BYTES: u64 = 1 << 30;

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

    /// The access scopes the shop granted this app (`read_orders`,
    /// `read_all_orders`…), as Shopify names them
    /// ([`queries::ACCESS_SCOPES`]).
    ///
    /// # Errors
    /// [`Error`] when the query fails or its answer does not read.
    pub async fn access_scopes(&self) -> Result<Vec<String>, Error> {
        let resp = self.graphql(queries::ACCESS_SCOPES, json!({})).await?;
        let scopes = array_at(&resp.data, "/currentAppInstallation/accessScopes")?;
        Ok(scopes
            .iter()
            .filter_map(|s| s["handle"].as_str().map(str::to_owned))
            .collect())
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
        if let Err(refused) = check_user_errors("bulkOperationRunQuery", &payload) {
            // The mutation goes through the HTTP layer's retries like every
            // request: when an answer is lost (a reset, a timeout) after
            // Shopify started the operation, the retry is refused because it
            // is running. Our own operation, found by its query text, is
            // waited for; any other refusal stands.
            if is_busy(&refused)
                && let Some(id) = self.running_bulk_query(&document).await?
            {
                tracing::debug!(%id, "shopify: the bulk operation a lost answer started is taken up");
                return self.wait_for_bulk(id).await;
            }
            return Err(refused);
        }
        let started: BulkOperation = serde_json::from_value(payload["bulkOperation"].clone())
            .map_err(|e| Error::Decode {
                path: crate::client::graphql_path(),
                what: "bulk operation",
                field: "/data/bulkOperationRunQuery/bulkOperation".to_owned(),
                source: e,
            })?;
        self.wait_for_bulk(started.id).await
    }

    /// The id of this app's bulk query operation of `document` that is
    /// created or running, if there is one ([`queries::BULK_QUERIES`]).
    async fn running_bulk_query(&self, document: &str) -> Result<Option<String>, Error> {
        let resp = self.graphql(queries::BULK_QUERIES, json!({})).await?;
        let nodes = array_at(&resp.data, "/bulkOperations/nodes")?;
        Ok(nodes
            .iter()
            .filter(|op| matches!(op["status"].as_str(), Some("CREATED" | "RUNNING")))
            .find(|op| op["query"].as_str() == Some(document))
            .and_then(|op| op["id"].as_str().map(str::to_owned)))
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
    /// The orders are handed on as they are decoded, a batch of refunds'
    /// details at a time ([`queries::NODES_PER_QUERY`] refunds), at most
    /// [`BULK_ORDERS_AHEAD`] ahead of the reader: a month's decoded orders are
    /// never all held at once (the file is, since an order's lines may come
    /// anywhere in it). The stream ends after the first `Err` (a line that
    /// does not read, a request that fails), after the orders before it.
    pub fn bulk_orders(
        &self,
        query: OrderQuery,
    ) -> BoxStream<'static, Result<Listed<Order>, Error>> {
        let client = self.clone();
        let (tx, rx) = futures::channel::mpsc::channel(BULK_ORDERS_AHEAD);
        // The decoding is driven by the stream's own polls (no task is
        // spawned): `select` polls it and the channel in turn, and a full
        // channel pauses it until the reader takes an order.
        let decoding = stream::once(async move {
            let mut tx = tx;
            if let Err(e) = client.bulk_orders_into(&query, &mut tx).await {
                // A reader that has gone needs no error.
                let _ = tx.send(Err(e)).await;
            }
        });
        stream::select(rx.map(Some), decoding.map(|()| None))
            .filter_map(futures::future::ready)
            .boxed()
    }

    /// [`bulk_orders`](Self::bulk_orders)' decoding, each order sent on `tx`
    /// in the file's order; stops early when the reader has gone.
    async fn bulk_orders_into(
        &self,
        query: &OrderQuery,
        tx: &mut OrderSender,
    ) -> Result<(), Error> {
        let op = self.run_bulk_orders(query).await?;
        let Some(url) = op.url.clone() else {
            // A completed operation that found nothing has no file.
            return Ok(());
        };
        let resp = download(&op.id, &url, self.bulk_timeout(), self.bulk_max_file_bytes).await?;
        let failed = |message: String| Error::Bulk {
            id: op.id.clone(),
            message,
        };
        let mut batch = Batch::default();
        let mut index = BulkIndex::new(resp.body()).map_err(failed)?;
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        for (n, line) in std::mem::take(&mut index.orders) {
            let order = index.gather(n, line, &mut scratch).map_err(failed)?;
            self.add(&mut batch, order, &mut out).await?;
            if !hand_on(tx, &mut out).await {
                return Ok(());
            }
        }
        index.check_all_taken().map_err(failed)?;
        self.flush(&mut batch, &mut out).await?;
        hand_on(tx, &mut out).await;
        Ok(())
    }

    /// Adds an order to the batch. A batch is as many orders as hold up to
    /// 250 refunds ([`queries::NODES_PER_QUERY`], one request for their
    /// details), however many orders that is: a month's refunds are joined
    /// in ⌈refunds / 250⌉ requests, not one per 250 orders (a month of
    /// 12,000 orders with 600 refunds: 3 requests, not 48). The orders are
    /// only borrowed text until then. An order without refunds behind an
    /// empty batch is decoded at once.
    async fn add<'a>(
        &self,
        batch: &mut Batch<'a>,
        order: Gathered<'a>,
        out: &mut Vec<Listed<Order>>,
    ) -> Result<(), Error> {
        let refunds = order.refunds();
        if batch.refunds > 0 && batch.refunds + refunds > queries::NODES_PER_QUERY {
            self.flush(batch, out).await?;
        }
        batch.push(order);
        if batch.refunds == 0 {
            self.flush(batch, out).await?;
        }
        Ok(())
    }

    /// Completes the batch's refunds (refunded lines, transactions, refunded
    /// shipping and adjustments, [`queries::REFUND_DETAILS`], one request for up to 250 refunds, then
    /// follow-ups for what overflows a page) and decodes its orders.
    async fn flush(
        &self,
        batch: &mut Batch<'_>,
        out: &mut Vec<Listed<Order>>,
    ) -> Result<(), Error> {
        let orders = std::mem::take(&mut batch.orders);
        batch.refunds = 0;
        let ids: Vec<&str> = orders.iter().flat_map(Gathered::refund_ids).collect();
        let mut details = RefundDetails::new();
        for data in crate::resources::nodes_by_ids_text(self, queries::REFUND_DETAILS, &ids).await?
        {
            details.add_text(data.get());
        }
        for order in orders {
            let order = match order {
                Gathered::Decoded(order) => {
                    out.push(Listed::Item(*order));
                    continue;
                }
                Gathered::Pending(mut p) => {
                    if add_refund_details_to(&mut p.order, &mut details) {
                        for refund in &p.order.refunds {
                            details.remove(refund.id.as_str());
                        }
                        out.push(Listed::Item(p.order));
                        continue;
                    }
                    p.into_raw().map_err(|message| Error::Bulk {
                        id: String::new(),
                        message,
                    })?
                }
                Gathered::Raw(order) => order,
            };
            let (text, more) = order.to_json(&mut details);
            if !more {
                out.push(decode_bulk_text(&text, out.len()));
                continue;
            }
            // A refund's details have further pages: completed on the
            // order's `Value`, as the paged listing does.
            let mut order: Value = serde_json::from_str(&text).map_err(|e| Error::Bulk {
                id: String::new(),
                message: format!("a rebuilt order does not read: {e}"),
            })?;
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
const REFUND_DETAIL_FIELDS: [(&str, &str); 4] = [
    ("refundLineItems", queries::REFUND_LINE_ITEMS),
    ("transactions", queries::REFUND_TRANSACTIONS),
    ("refundShippingLines", queries::REFUND_SHIPPING_LINES),
    ("orderAdjustments", queries::REFUND_ORDER_ADJUSTMENTS),
];

/// The details of a bulk result's refunds (refunded lines, transactions,
/// refunded shipping, adjustments: the connections a bulk query cannot hold),
/// by refund id, from the answers to [`queries::REFUND_DETAILS`]. Each
/// refund's node is kept as the text Shopify sent, and its connections are
/// read from that text straight into the models when its order is decoded:
/// no `Value` tree of a month's refunds is built, held and dropped (which
/// was a sixth of decoding a bulk result).
///
/// ```
/// use shopify_bookkeeping::bulk::RefundDetails;
///
/// let mut details = RefundDetails::new();
/// details.add_text(r#"{"nodes": [{"id": "gid://shopify/Refund/1",
///     "orderAdjustments": {"pageInfo": {"hasNextPage": false}, "nodes": []}}, null]}"#);
/// assert_eq!(details.len(), 1);
/// details.add_value(serde_json::json!({"nodes": [{"id": "gid://shopify/Refund/2"}]}));
/// assert_eq!(details.len(), 2);
/// ```
#[derive(Debug, Default)]
pub struct RefundDetails {
    /// Each refund's node as the text Shopify sent, one JSON value (checked
    /// by the scanner or by serde when it was added), with its connections
    /// when the scanner read them as it went.
    by_id: HashMap<IdText, Detail>,
}

/// A refund's node: its text, and its connections when read already (the
/// scanner reads them as it splits an answer into nodes; the order they
/// belong to takes them without reading the text again).
#[derive(Debug)]
struct Detail {
    text: Box<str>,
    /// `None` when not read yet.
    read: Option<Fetched>,
}

impl Detail {
    fn of_text(text: Box<str>) -> Self {
        Detail { text, read: None }
    }
}

impl RefundDetails {
    /// No details yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the refunds of an answer's `data` (`{"nodes": [...]}`), given as
    /// its JSON text. What a `Value` of the text would give is what is
    /// added: each node that is an object with a string `id` (`nodes(ids:)`
    /// answers `null` for an id it does not know); a text in another shape
    /// is read as a `Value` to find them.
    pub fn add_text(&mut self, data: &str) {
        // The scanner splits the answer into its nodes and reads each id in
        // one pass over the text; it declines any shape it is not sure of
        // (a repeated or escaped key, an id that is not a string), and serde
        // reads that answer as before.
        if let Some(nodes) = scanned_nodes(data) {
            self.by_id.extend(nodes);
            return;
        }
        #[derive(Deserialize)]
        struct Data<'a> {
            #[serde(borrow)]
            nodes: Vec<&'a RawValue>,
        }
        #[derive(Deserialize)]
        struct Id {
            id: Option<String>,
        }
        let Ok(Data { nodes }) = serde_json::from_str::<Data<'_>>(data) else {
            if let Ok(value) = serde_json::from_str::<Value>(data) {
                self.add_value(value);
            }
            return;
        };
        for node in nodes {
            let id = match serde_json::from_str::<Id>(node.get()) {
                Ok(Id { id: Some(id) }) => Some(id),
                // Not an object with one string `id`: as a `Value` reads it.
                _ => serde_json::from_str::<Value>(node.get())
                    .ok()
                    .and_then(|node| node.get("id")?.as_str().map(str::to_owned)),
            };
            if let Some(id) = id {
                let detail = Detail::of_text(node.get().into());
                self.by_id.insert(IdText::from(id), detail);
            }
        }
    }

    /// [`add_text`](Self::add_text) for a `data` read as a `Value` already.
    pub fn add_value(&mut self, mut data: Value) {
        let Some(Value::Array(nodes)) = data.get_mut("nodes").map(Value::take) else {
            return;
        };
        for node in nodes {
            let Some(id) = node.get("id").and_then(Value::as_str) else {
                continue;
            };
            // A `Value` always writes as JSON (its keys are strings).
            if let Ok(text) = serde_json::to_string(&node) {
                let detail = Detail::of_text(text.into());
                self.by_id.insert(IdText::new(id), detail);
            }
        }
    }

    /// The refunds whose details are here.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The refund's details read (`None` when it has none here): the
    /// scanner's reading if it read them, taken out; the text's otherwise.
    /// `Some(None)` when they do not read or have further pages.
    fn take_read(&mut self, id: &str) -> Option<Fetched> {
        let detail = self.by_id.get_mut(id)?;
        Some(match detail.read.take() {
            Some(read) => read,
            None => match scan_refund_detail(&detail.text) {
                Ok(read) => read,
                Err(Declined) => read_refund_detail(&detail.text),
            },
        })
    }

    fn remove(&mut self, id: &str) -> Option<Box<str>> {
        self.by_id.remove(id).map(|detail| detail.text)
    }
}

/// The nodes of a `REFUND_DETAILS` answer's `data` that are objects with a
/// string `id`, each with its text and, where the scanner reads them there,
/// its connections, in one pass of the scanner; `None` when the scanner
/// declines the text (serde reads it then). A `null` node (an id Shopify
/// does not know) is skipped; an object without an `id`, or with one that
/// is not a string, is declined, as are a repeated `id`, a repeated `nodes`,
/// an escaped key and a connection that does not decode (a `Value` keeps
/// the last of a repeated key: serde decides).
fn scanned_nodes(data: &str) -> Option<Vec<(IdText, Detail)>> {
    let mut nodes = Vec::new();
    let mut seen_nodes = false;
    let mut s = Scanner::new(data.as_bytes());
    let read = s.object(|s, key| match key {
        b"nodes" if !seen_nodes => {
            seen_nodes = true;
            s.array(|s| {
                if s.null()? {
                    return Ok(());
                }
                let ((id, read), text) = s.with_text(scan_refund_node)?;
                let detail = Detail {
                    text: text.into(),
                    read,
                };
                nodes.push((id.ok_or(Declined)?, detail));
                Ok(())
            })
        }
        _ => Err(Declined),
    });
    (read.is_ok() && s.end().is_ok() && seen_nodes).then_some(nodes)
}

/// A refund's four connections, as [`add_refund_details_to`] puts them in.
type RefundConnections = (
    Connection<RefundLineItem>,
    Connection<OrderTransaction>,
    Connection<RefundShippingLine>,
    Connection<OrderAdjustment>,
);

/// A refund's details node read in one pass of the scanner: its id (when it
/// has one) and what [`scan_refund_detail`] gives of it, `None` in place of
/// that when a key is unknown or a connection's key repeats (serde decides
/// those: see [`read_refund_detail`]). Declined on a repeated `id`, an
/// escaped key or a connection that does not decode.
fn scan_refund_node(s: &mut Scanner<'_>) -> Scan<(Option<IdText>, Option<Fetched>)> {
    fn conn<T: Scannable>(
        s: &mut Scanner<'_>,
        slot: &mut Option<Connection<T>>,
        unsure: &mut bool,
    ) -> Scan<()> {
        if slot.is_some() {
            *unsure = true;
            return s.skip();
        }
        *slot = Some(if s.peek()? == b'{' {
            Connection::scan(s)?
        } else {
            s.skip()?;
            Connection::default()
        });
        Ok(())
    }
    let (mut lines, mut transactions, mut shipping, mut adjustments) = (None, None, None, None);
    let mut id = None;
    // A key serde must decide: unknown, or a connection's repeated.
    let mut unsure = false;
    // In the order `queries::REFUND_DETAILS` selects them, as GraphQL
    // writes them.
    const KEYS: &[Key] = &[
        Key::new(b"id"),
        Key::new(b"refundLineItems"),
        Key::new(b"transactions"),
        Key::new(b"refundShippingLines"),
        Key::new(b"orderAdjustments"),
    ];
    s.object_of(KEYS, |s, index, _| match index {
        0 => provider_http::scan::once(&mut id, IdText::scan(s)),
        1 => conn(s, &mut lines, &mut unsure),
        2 => conn(s, &mut transactions, &mut unsure),
        3 => conn(s, &mut shipping, &mut unsure),
        4 => conn(s, &mut adjustments, &mut unsure),
        _ => {
            unsure = true;
            s.skip()
        }
    })?;
    if unsure {
        return Ok((id, None));
    }
    let conns: RefundConnections = (
        lines.unwrap_or_default(),
        transactions.unwrap_or_default(),
        shipping.unwrap_or_default(),
        adjustments.unwrap_or_default(),
    );
    let more = conns.0.page_info.has_next_page
        || conns.1.page_info.has_next_page
        || conns.2.page_info.has_next_page
        || conns.3.page_info.has_next_page;
    Ok((id, Some((!more).then_some(conns))))
}

/// A refund's details as read: its connections, or `None` when one has
/// further pages (the text path fetches them).
type Fetched = Option<RefundConnections>;

/// A refund's details read in one pass of the scanner: its four
/// connections (empty when missing or not an object, as the `RawFields`
/// reading has them), `None` when one has further pages. Declined, for
/// serde to decide, on a repeated or escaped key, an unknown one, or a
/// connection that does not decode.
fn scan_refund_detail(detail: &str) -> Scan<Fetched> {
    let mut s = Scanner::new(detail.as_bytes());
    let (_, read) = scan_refund_node(&mut s)?;
    s.end()?;
    read.ok_or(Declined)
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
/// known (`details`, filled by [`RefundDetails::add_text`]), decoded without any
/// request: what [`ShopifyClient::bulk_orders`] does with the file between
/// its requests (it also fetches the further pages of a refund's details,
/// which the details of one request may not hold whole).
///
/// # Errors
/// A message naming the line when a line is not a JSON object or names a
/// parent that is not its order or one of the order's refunds.
///
/// ```
/// use shopify_bookkeeping::bulk::{RefundDetails, decode_bulk_jsonl};
///
/// let orders = decode_bulk_jsonl(b"", &mut RefundDetails::new()).unwrap();
/// assert!(orders.is_empty());
/// let err = decode_bulk_jsonl(b"[1]\n", &mut RefundDetails::new()).unwrap_err();
/// assert!(err.starts_with("line 1 of the result is not a JSON object"));
/// ```
pub fn decode_bulk_jsonl(
    jsonl: &[u8],
    details: &mut RefundDetails,
) -> Result<Vec<Listed<Order>>, String> {
    let mut index = BulkIndex::new(jsonl)?;
    let mut out = Vec::with_capacity(index.orders.len());
    let mut scratch = Vec::new();
    for (n, line) in std::mem::take(&mut index.orders) {
        let order = match index.gather(n, line, &mut scratch)? {
            Gathered::Decoded(order) => Ok(*order),
            Gathered::Pending(mut p) => {
                if add_refund_details_to(&mut p.order, details) {
                    for refund in &p.order.refunds {
                        details.remove(refund.id.as_str());
                    }
                    Ok(p.order)
                } else {
                    Err(p.into_raw()?)
                }
            }
            Gathered::Raw(order) => Err(order),
        };
        match order {
            Ok(order) => out.push(Listed::Item(order)),
            Err(order) => {
                let (text, _) = order.to_json(details);
                let at = out.len();
                out.push(decode_bulk_text(&text, at));
            }
        }
    }
    index.check_all_taken()?;
    Ok(out)
}

/// A rebuilt order's text decoded straight into the model; only an order
/// that does not decode is read again as a `Value`, to name the field.
fn decode_bulk_text(text: &str, index: usize) -> Listed<Order> {
    match provider_http::scan::from_slice::<Order>(text.as_bytes()) {
        Ok(order) => Listed::Item(order),
        Err(_) => match serde_json::from_str::<Value>(text) {
            Ok(value) => decode_bulk_order(value, index),
            // Cannot happen: the text is written from JSON values.
            Err(e) => decode_bulk_order(json!({ "unreadable": e.to_string() }), index),
        },
    }
}

/// The lines of a bulk result, indexed: the orders' lines in the file's
/// order, and every other line under the id of its parent (`__parentId`),
/// wherever it is in the file (see the module's docs on `groupObjects`).
struct BulkIndex<'a> {
    /// Order lines: (line number from 0, text).
    orders: Vec<(usize, &'a [u8])>,
    /// Child lines by their parent's id, each list in the file's order.
    children: hashbrown::HashMap<ParentId<'a>, Vec<(usize, &'a [u8])>, RandomState>,
}

/// A line's `__parentId`, borrowed from the file. JSON lets a writer
/// escape `/` as `\/` (`"gid:\/\/shopify\/Order\/1"`, as our simulated
/// files do; nothing published says which Shopify uses, and the index reads
/// either): such a string is kept as written and compared as the text it
/// stands for (hashed by its tail, the same bytes either way), so that
/// indexing a file copies no id (a copy per line was a tenth of decoding a
/// bulk result); a string with any other escape is unescaped.
#[derive(Debug, Clone)]
enum ParentId<'a> {
    /// The string's JSON text between its quotes, whose only escapes are `\/`.
    Slashed(&'a [u8]),
    /// The string itself.
    Text(Cow<'a, str>),
}

impl ParentId<'_> {
    /// The string's bytes in pieces: the backslash of each `\/` left out.
    fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let (text, slashed) = match self {
            ParentId::Slashed(raw) => (*raw, true),
            ParentId::Text(text) => (text.as_bytes(), false),
        };
        // Split at each backslash (each is the start of a `\/`): the `/`
        // begins the next piece.
        text.split(move |b| slashed && *b == b'\\')
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.pieces().flatten().copied()
    }

    /// Whether this is `id`: piece by piece against its slices (each of a
    /// child line's ids is compared with its order's; byte by byte through
    /// the pieces' iterator that was a twentieth of decoding a bulk result).
    fn is(&self, id: &str) -> bool {
        let mut rest = id.as_bytes();
        for piece in self.pieces() {
            match rest.strip_prefix(piece) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        rest.is_empty()
    }

    /// The string.
    fn text(&self) -> Cow<'_, str> {
        match self {
            ParentId::Text(text) => Cow::Borrowed(text),
            // Valid UTF-8 less some ASCII backslashes: still valid.
            ParentId::Slashed(_) => {
                Cow::Owned(String::from_utf8_lossy(&self.bytes().collect::<Vec<u8>>()).into_owned())
            }
        }
    }
}

/// Hashes an id by what follows its last `/` (a GID's number, which tells
/// ids apart): the same bytes whether the id was written with `\/` or `/`,
/// so an id is hashed without being unescaped or copied (equal ids have
/// equal tails; equality itself compares the whole text).
fn hash_tail<H: Hasher>(text: &[u8], state: &mut H) {
    // In a `Slashed` text every backslash comes before a `/`: none is
    // after the last one.
    let tail = text.rsplit(|b| *b == b'/').next().unwrap_or(text);
    state.write(tail);
    state.write_u8(0xff);
}

impl Hash for ParentId<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            ParentId::Slashed(raw) => hash_tail(raw, state),
            ParentId::Text(text) => hash_tail(text.as_bytes(), state),
        }
    }
}

impl PartialEq for ParentId<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            // Written alike (one writer's file): the same text. Written
            // differently, they may still stand for the same text.
            (ParentId::Slashed(a), ParentId::Slashed(b)) if a == b => true,
            (ParentId::Text(text), id) | (id, ParentId::Text(text)) => id.is(text),
            _ => self.bytes().eq(other.bytes()),
        }
    }
}

impl Eq for ParentId<'_> {}

/// An id to look up in the index, borrowed from anywhere.
struct LookUp<'b>(&'b str);

impl Hash for LookUp<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_tail(self.0.as_bytes(), state);
    }
}

impl hashbrown::Equivalent<ParentId<'_>> for LookUp<'_> {
    fn equivalent(&self, key: &ParentId<'_>) -> bool {
        key.is(self.0)
    }
}

/// An order of the file: decoded, decoded but for its refunds' details, or
/// gathered as text until those details are known.
enum Gathered<'a> {
    Decoded(Box<Order>),
    Pending(Box<PendingOrder<'a>>),
    Raw(RawOrder<'a>),
}

/// An order decoded from its lines whose refunds wait for their details
/// ([`queries::REFUND_DETAILS`]), with its lines kept for the rare order
/// whose details have further pages (then gathered as text after all).
struct PendingOrder<'a> {
    order: Order,
    n: usize,
    line: &'a [u8],
    lines: Vec<ChildLine<'a>>,
}

impl<'a> PendingOrder<'a> {
    /// The order gathered as text after all.
    fn into_raw(self) -> Result<RawOrder<'a>, String> {
        let fields: RawFields<'a> =
            serde_json::from_slice(self.line).map_err(|e| not_an_object(self.n, &e))?;
        attach_all(RawOrder::new(fields), self.lines)
    }
}

/// A child's line: its parent's id, its line number and text.
type ChildLine<'a> = (ParentId<'a>, (usize, &'a [u8]));

impl Gathered<'_> {
    /// The refunds that wait for their details.
    fn refunds(&self) -> usize {
        match self {
            Gathered::Raw(order) => order.refunds.as_ref().map_or(0, Vec::len),
            Gathered::Pending(p) => p.order.refunds.len(),
            Gathered::Decoded(_) => 0,
        }
    }

    /// Their ids.
    fn refund_ids(&self) -> Vec<&str> {
        match self {
            Gathered::Raw(order) => order.refund_ids().collect(),
            Gathered::Pending(p) => p.order.refunds.iter().map(|r| r.id.as_str()).collect(),
            Gathered::Decoded(_) => Vec::new(),
        }
    }
}

/// The connections an order's line does not hold, empty: its lines fill them.
const EMPTY_CONNECTIONS: &[u8] = br#","lineItems":{"pageInfo":{"hasNextPage":false},"nodes":[]},"shippingLines":{"pageInfo":{"hasNextPage":false},"nodes":[]}}"#;

impl<'a> BulkIndex<'a> {
    fn new(jsonl: &'a [u8]) -> Result<Self, String> {
        let mut index = BulkIndex {
            orders: Vec::new(),
            children: hashbrown::HashMap::with_hasher(RandomState::new()),
        };
        for (n, line) in jsonl_lines(jsonl).enumerate() {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            match parent_of(n, line)? {
                None => index.orders.push((n, line)),
                Some(parent) => index.children.entry(parent).or_default().push((n, line)),
            }
        }
        Ok(index)
    }

    /// The lines under `parent`, taken out of the index, each with the id
    /// as the file wrote it.
    fn take(&mut self, parent: &str) -> impl Iterator<Item = ChildLine<'a>> + use<'a> {
        self.children
            .remove_entry(&LookUp(parent))
            .into_iter()
            .flat_map(|(id, lines)| lines.into_iter().map(move |line| (id.clone(), line)))
    }

    /// The order on line `n` with its lines. An order whose lines have
    /// Shopify's shape (a child's line starts with its `__typename`, which
    /// the query selects first) is decoded straight from them; any other
    /// order, or one whose lines do not decode that way, is gathered as text
    /// ([`RawOrder`]), which also names what is wrong with it.
    fn gather(
        &mut self,
        n: usize,
        line: &'a [u8],
        scratch: &mut Vec<u8>,
    ) -> Result<Gathered<'a>, String> {
        let mut taken = None;
        if let Some(mut order) = decode_order_line(line, scratch) {
            let mut lines: Vec<ChildLine<'a>> = Vec::new();
            let parents = std::iter::once(order.id.as_str())
                .chain(order.refunds.iter().map(|r| r.id.as_str()));
            for parent in parents {
                lines.extend(self.take(parent));
            }
            if add_children(&mut order, &lines) {
                if order.refunds.is_empty() {
                    return Ok(Gathered::Decoded(Box::new(order)));
                }
                return Ok(Gathered::Pending(Box::new(PendingOrder {
                    order,
                    n,
                    line,
                    lines,
                })));
            }
            taken = Some(lines);
        }
        let fields: RawFields<'a> =
            serde_json::from_slice(line).map_err(|e| not_an_object(n, &e))?;
        let order = RawOrder::new(fields);
        let lines = match taken {
            Some(lines) => lines,
            None => {
                let parents: Vec<String> = order
                    .id
                    .iter()
                    .cloned()
                    .chain(order.refund_ids().map(str::to_owned))
                    .collect();
                parents.iter().flat_map(|p| self.take(p)).collect()
            }
        };
        attach_all(order, lines).map(Gathered::Raw)
    }

    /// After every order took its lines: the first line whose parent is
    /// neither an order of the file nor one of their refunds, if any.
    fn check_all_taken(&self) -> Result<(), String> {
        let first = self
            .children
            .iter()
            .filter_map(|(parent, lines)| lines.first().map(|(n, _)| (*n, parent)))
            .min_by_key(|(n, _)| *n);
        match first {
            None => Ok(()),
            Some((n, parent)) => Err(format!(
                "line {}: parent {} is neither an order of the result nor one of its refunds",
                n + 1,
                parent.text()
            )),
        }
    }
}

fn not_an_object(n: usize, e: &serde_json::Error) -> String {
    format!("line {} of the result is not a JSON object: {e}", n + 1)
}

/// The `__parentId` of a line; `None` for an order's line. Read from the
/// end of the line, where Shopify writes it after the selected fields: the
/// line ends in `,"__parentId":"…"}`, found from the id's opening quote
/// back (a backward search for the key through a whole order's line was
/// a third of indexing a file). The text `,"__parentId":"` cannot occur
/// inside a JSON string (its quotes would be escaped), and a key of a nested
/// object would be followed by more than the string and the line's closing
/// brace. A line in another shape that mentions the key (or whose id holds
/// a quote) is parsed to find it.
fn parent_of(n: usize, line: &[u8]) -> Result<Option<ParentId<'_>>, String> {
    const KEY: &[u8] = br#","__parentId":"#;
    if let Some(body) = line.strip_suffix(b"}")
        && let Some(inside) = body.strip_suffix(b"\"")
        && let Some(open) = memchr::memrchr(b'"', inside)
        && body[..open].ends_with(KEY)
        && let Some(id) = json_string(&body[open..])
    {
        return Ok(Some(id));
    }
    if memchr::memmem::find(line, br#""__parentId""#).is_none() {
        return Ok(None);
    }
    let fields: RawFields<'_> = serde_json::from_slice(line).map_err(|e| not_an_object(n, &e))?;
    Ok(fields
        .str_field("__parentId")
        .map(|id| ParentId::Text(Cow::Owned(id))))
}

/// A JSON text that is one string and nothing else: the string, borrowed
/// when its only escapes are `\/` or it has none.
fn json_string(text: &[u8]) -> Option<ParentId<'_>> {
    if let Some(raw) = slashed_string(text) {
        return Some(ParentId::Slashed(raw));
    }
    let mut s = Scanner::new(text);
    if let Ok(id) = s.str()
        && s.end().is_ok()
    {
        return Some(ParentId::Text(id));
    }
    // Declined by the scanner (or not a string): serde says which.
    serde_json::from_slice::<String>(text)
        .ok()
        .map(|id| ParentId::Text(Cow::Owned(id)))
}

/// The text between the quotes of a JSON text that is one string whose only
/// escapes are `\/`; `None` for any other text (read by the scanner then).
fn slashed_string(text: &[u8]) -> Option<&[u8]> {
    let raw = text.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut bytes = raw.iter();
    while let Some(b) = bytes.next() {
        match b {
            b'"' | 0..=0x1f => return None,
            b'\\' if bytes.next() != Some(&b'/') => return None,
            _ => {}
        }
    }
    std::str::from_utf8(raw).ok()?;
    Some(raw)
}

/// An order's child lines put under it as text.
fn attach_all<'a>(
    mut order: RawOrder<'a>,
    lines: Vec<ChildLine<'a>>,
) -> Result<RawOrder<'a>, String> {
    for (parent, (cn, child)) in lines {
        let child: RawFields<'a> =
            serde_json::from_slice(child).map_err(|e| not_an_object(cn, &e))?;
        order
            .attach(&parent.text(), child)
            .map_err(|message| format!("line {}: {message}", cn + 1))?;
    }
    Ok(order)
}

/// An order's line decoded into the model with its connections empty (its
/// refunds' too), when it decodes.
fn decode_order_line(line: &[u8], scratch: &mut Vec<u8>) -> Option<Order> {
    let body = line.strip_suffix(b"}")?;
    scratch.clear();
    scratch.extend_from_slice(body);
    scratch.extend_from_slice(EMPTY_CONNECTIONS);
    provider_http::scan::from_slice(scratch).ok()
}

/// The `__typename` a child's line starts with, when it does and more
/// fields follow (the bulk query selects it first in every connection).
fn typename_of(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(br#"{"__typename":""#)?;
    let end = memchr::memchr(b'"', rest)?;
    (rest.get(end + 1) == Some(&b',')).then(|| &rest[..end])
}

/// Decodes an order's child lines into it; false when one does not start
/// with its `__typename` (the query's first field), is not of a kind the
/// order has (a refund has no lines: its connections come from
/// [`queries::REFUND_DETAILS`]), or does not decode.
fn add_children(order: &mut Order, lines: &[ChildLine<'_>]) -> bool {
    fn read<T: Scannable + serde::de::DeserializeOwned>(line: &[u8], nodes: &mut Vec<T>) -> bool {
        provider_http::scan::from_slice(line)
            .map(|n| nodes.push(n))
            .is_ok()
    }
    for (parent, (_, line)) in lines {
        let Some(kind) = typename_of(line) else {
            return false;
        };
        let ok = parent.is(order.id.as_str())
            && match kind {
                b"LineItem" => read(line, &mut order.line_items.nodes),
                b"ShippingLine" => read(line, &mut order.shipping_lines.nodes),
                _ => false,
            };
        if !ok {
            return false;
        }
    }
    true
}

/// Puts each refund's details (from `details`, by refund id) into a decoded
/// order, as [`RawOrder::to_json`] writes them into its text: a refund
/// Shopify did not return keeps empty connections. False, with the order
/// unchanged, when a connection has further pages (the text path fetches
/// them) or does not decode; the connections read already are taken either
/// way (the text path reads the details' texts, which stay).
fn add_refund_details_to(order: &mut Order, details: &mut RefundDetails) -> bool {
    let mut found = Vec::with_capacity(order.refunds.len());
    for refund in &order.refunds {
        let Some(conns) = details.take_read(refund.id.as_str()) else {
            found.push(None);
            continue;
        };
        // None: further pages (the text path fetches them), or unreadable.
        let Some(conns) = conns else {
            return false;
        };
        found.push(Some(conns));
    }
    for (refund, found) in order.refunds.iter_mut().zip(found) {
        if let Some((lines, transactions, shipping, adjustments)) = found {
            refund.refund_line_items = lines;
            refund.transactions = transactions;
            refund.refund_shipping_lines = shipping;
            refund.order_adjustments = adjustments;
        }
    }
    true
}

/// A refund's details read field by field (the text split by serde, each
/// connection read on its own), where [`scan_refund_detail`] declines:
/// `None` when a connection has further pages or does not decode, or the
/// text is not an object with keys serde reads in place (a key with an
/// escape, none in Shopify's answers, takes the text path).
fn read_refund_detail(detail: &str) -> Option<RefundConnections> {
    fn read<T: Scannable + serde::de::DeserializeOwned>(
        detail: &RawFields<'_>,
        field: &str,
    ) -> Option<Connection<T>> {
        match detail.get(field) {
            // A `RawValue`'s text starts with its value's first byte.
            Some(conn) if conn.get().starts_with('{') => {
                let conn: Connection<T> =
                    provider_http::scan::from_slice(conn.get().as_bytes()).ok()?;
                (!conn.page_info.has_next_page).then_some(conn)
            }
            _ => Some(Connection::default()),
        }
    }
    let detail = serde_json::from_str::<RawFields<'_>>(detail).ok()?;
    Some((
        read(&detail, REFUND_DETAIL_FIELDS[0].0)?,
        read(&detail, REFUND_DETAIL_FIELDS[1].0)?,
        read(&detail, REFUND_DETAIL_FIELDS[2].0)?,
        read(&detail, REFUND_DETAIL_FIELDS[3].0)?,
    ))
}

/// Downloads the result file from its signed URL with a client that has no
/// credentials: the shop's token never leaves for the storage host. The
/// file may take `timeout` in all and be `max_bytes` long: an API answer's
/// limits (60 s, 64 MiB) would fail the large months a bulk operation is for.
async fn download(
    id: &str,
    url: &str,
    timeout: Duration,
    max_bytes: u64,
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
        .limits(
            provider_http::Limits::default()
                .deadline(timeout)
                .max_response_bytes(max_bytes),
        )
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

/// Orders of the file, in its order, waiting for the details of the
/// refunds among them (at most 250 refunds: one request); the orders decoded
/// already wait only to keep the file's order.
#[derive(Default)]
struct Batch<'a> {
    orders: Vec<Gathered<'a>>,
    refunds: usize,
}

impl<'a> Batch<'a> {
    fn push(&mut self, order: Gathered<'a>) {
        self.refunds += order.refunds();
        self.orders.push(order);
    }
}

/// A JSON object's fields as the text of their values, borrowed from the
/// file: what rebuilding an order needs, without a `Value` tree of it.
struct RawFields<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields<'de>, A::Error> {
                // An order's line has ~30 fields, a child's ~10: room for
                // most without growing the vector three or four times.
                let mut fields = Vec::with_capacity(16);
                // Keys borrowed from the file: a key with an escape in it
                // (none in Shopify's files) is refused as not readable.
                while let Some(key) = map.next_key::<&'de str>()? {
                    fields.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(RawFields(fields))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> RawFields<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        // The last of a repeated key counts, as in a `Value`.
        self.0
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    /// A field's value when it is a string.
    fn str_field(&self, key: &str) -> Option<String> {
        self.get(key)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
    }

    /// Writes the object, leaving out the fields in `skip`, then `extra`.
    fn write(&self, out: &mut String, skip: &[&str], extra: impl FnOnce(&mut String, bool)) {
        out.push('{');
        let mut first = true;
        for (k, v) in &self.0 {
            if skip.contains(k) {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            push_key(out, k);
            out.push_str(v.get());
        }
        extra(out, first);
        out.push('}');
    }
}

/// A JSON key and its colon. The keys are the file's own (borrowed, so
/// without escapes) or this module's: written as they are unless one needs
/// escaping.
fn push_key(out: &mut String, key: &str) {
    if key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(&serde_json::to_string(key).unwrap_or_else(|_| "\"\"".to_owned()));
    } else {
        out.push('"');
        out.push_str(key);
        out.push('"');
    }
    out.push(':');
}

/// The lines of a JSONL file (split at `\n`, as `<[u8]>::split` would, but
/// found with `memchr`: the byte-by-byte split was a tenth of decoding a
/// bulk result).
fn jsonl_lines(jsonl: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(jsonl);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr(b'\n', text) {
            Some(i) => {
                rest = Some(&text[i + 1..]);
                Some(&text[..i])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// A connection's text with these nodes and no further page.
fn push_connection(out: &mut String, key: &str, nodes: &[RawFields<'_>]) {
    out.push(',');
    push_key(out, key);
    out.push_str(r#"{"pageInfo":{"hasNextPage":false},"nodes":["#);
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        node.write(out, &["__parentId"], |_, _| {});
    }
    out.push_str("]}");
}

/// A refund of an order line; its connections come from
/// [`queries::REFUND_DETAILS`].
struct RawRefund<'a> {
    id: Option<String>,
    fields: RawFields<'a>,
}

/// One order's lines of the JSONL file, gathered until the next order.
struct RawOrder<'a> {
    id: Option<String>,
    fields: RawFields<'a>,
    /// `None` when the order's `refunds` is not an array of objects (kept as
    /// sent).
    refunds: Option<Vec<RawRefund<'a>>>,
    line_items: Vec<RawFields<'a>>,
    shipping_lines: Vec<RawFields<'a>>,
}

impl<'a> RawOrder<'a> {
    fn new(fields: RawFields<'a>) -> Self {
        let refunds = fields
            .get("refunds")
            .and_then(|r| serde_json::from_str::<Vec<RawFields<'a>>>(r.get()).ok())
            .map(|refunds| {
                refunds
                    .into_iter()
                    .map(|fields| RawRefund {
                        id: fields.str_field("id"),
                        fields,
                    })
                    .collect()
            });
        RawOrder {
            id: fields.str_field("id"),
            fields,
            refunds,
            line_items: Vec::new(),
            shipping_lines: Vec::new(),
        }
    }

    fn refund_ids(&self) -> impl Iterator<Item = &str> {
        self.refunds
            .iter()
            .flatten()
            .filter_map(|r| r.id.as_deref())
    }

    /// Puts a child line under the order (line items, shipping lines, told
    /// apart by `__typename`). A refund has no lines in the file: the query
    /// holds no connection inside the `refunds` list.
    fn attach(&mut self, parent: &str, child: RawFields<'a>) -> Result<(), String> {
        let typename = child.str_field("__typename").unwrap_or_default();
        if self.id.as_deref() == Some(parent) {
            match typename.as_str() {
                "LineItem" => self.line_items.push(child),
                "ShippingLine" => self.shipping_lines.push(child),
                other => return Err(format!("unexpected {other:?} under the order")),
            }
            return Ok(());
        }
        if self.refund_ids().any(|id| id == parent) {
            return Err(format!(
                "unexpected {typename:?} under refund {parent}: the query asks for no lines of a refund"
            ));
        }
        Err(format!(
            "parent {parent} is neither the order nor one of its refunds"
        ))
    }

    /// The order's text in the shape of the paged orders query, each refund
    /// completed with its details (taken from `details`; a refund Shopify
    /// did not return is left without these lines: its total then disagrees
    /// and becomes a review item), and whether a refund's details have
    /// further pages to fetch.
    fn to_json(&self, details: &mut RefundDetails) -> (String, bool) {
        let mut out = String::with_capacity(4096);
        let mut more = false;
        let conns = ["lineItems", "shippingLines"];
        let skip: &[&str] = if self.refunds.is_some() {
            &["lineItems", "shippingLines", "refunds"]
        } else {
            &conns
        };
        self.fields.write(&mut out, skip, |out, empty| {
            if let Some(refunds) = &self.refunds {
                if !empty {
                    out.push(',');
                }
                push_key(out, "refunds");
                out.push('[');
                for (i, refund) in refunds.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    more |= refund.write(out, details);
                }
                out.push(']');
            } else if empty {
                // Not reached for an order line, which always has its id;
                // keeps the connections below a valid continuation.
                out.push_str(r#""lineItems":null"#);
            }
            push_connection(out, "lineItems", &self.line_items);
            push_connection(out, "shippingLines", &self.shipping_lines);
        });
        (out, more)
    }
}

impl RawRefund<'_> {
    /// Writes the refund with its details; whether the details have further
    /// pages.
    fn write(&self, out: &mut String, details: &mut RefundDetails) -> bool {
        // The rare order rebuilt as text: its refunds' details read as
        // `Value`s (the text was JSON when it was kept).
        let detail = self
            .id
            .as_ref()
            .and_then(|id| details.remove(id))
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let mut more = false;
        let skip = REFUND_DETAIL_FIELDS.map(|(field, _)| field);
        self.fields.write(out, &skip, |out, empty| {
            if empty {
                out.push_str(r#""id":null"#);
            }
            for (field, _) in REFUND_DETAIL_FIELDS {
                out.push(',');
                push_key(out, field);
                match detail.get(field) {
                    Some(conn) if conn.is_object() => {
                        more |= conn["pageInfo"]["hasNextPage"] == true;
                        out.push_str(&conn.to_string());
                    }
                    _ => out.push_str(r#"{"pageInfo":{"hasNextPage":false},"nodes":[]}"#),
                }
            }
        });
        more
    }
}

/// The list at `pointer` in an answer's `data`, or the error that names it.
fn array_at<'a>(data: &'a Value, pointer: &str) -> Result<&'a Vec<Value>, Error> {
    data.pointer(pointer)
        .and_then(Value::as_array)
        .ok_or_else(|| Error::MissingData {
            path: crate::client::graphql_path(),
            pointer: format!("/data{pointer}"),
        })
}

/// Whether Shopify refused to start a bulk query because this app already
/// runs as many as the shop allows (`BulkOperationUserErrorCode`:
/// `OPERATION_IN_PROGRESS`, "A bulk operation is already in progress";
/// `LIMIT_REACHED`, "Bulk operations limit reached"; 2026-01 schema).
fn is_busy(error: &Error) -> bool {
    matches!(error, Error::UserErrors { errors, .. }
        if errors.iter().any(|e| matches!(e.code.as_deref(), Some("OPERATION_IN_PROGRESS" | "LIMIT_REACHED"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn file_server(bytes: usize) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'\n'; bytes]))
            .mount(&server)
            .await;
        server
    }

    /// A `__parentId` is the text it stands for however the file escaped
    /// it: kept as written when its only escapes are `\/`,
    /// unescaped otherwise, and equal to, with the hash of, the id it names
    /// (the index's lookup needs both); a text that is not one JSON string
    /// is none.
    #[test]
    fn a_parent_id_is_the_text_it_stands_for() {
        use std::hash::BuildHasher;
        let state = RandomState::new();
        let id = "gid://shopify/Order/1";
        let spellings: [&[u8]; 3] = [
            br#""gid:\/\/shopify\/Order\/1""#,
            br#""gid://shopify/Order/1""#,
            br#""gid:\u002f\/shopify/Order\/1""#,
        ];
        for (i, text) in spellings.iter().enumerate() {
            let parent = json_string(text).unwrap();
            assert_eq!(matches!(parent, ParentId::Slashed(_)), i < 2, "{parent:?}");
            assert!(parent.is(id), "{parent:?}");
            assert!(!parent.is("gid://shopify/Order/12") && !parent.is("gid://shopify/Order/"));
            assert_eq!(parent.text(), id);
            assert_eq!(state.hash_one(&parent), state.hash_one(LookUp(id)));
            assert!(hashbrown::Equivalent::equivalent(&LookUp(id), &parent));
            let first = json_string(spellings[0]).unwrap();
            assert_eq!(parent, first);
            assert_eq!(first, parent);
            assert_eq!(state.hash_one(&parent), state.hash_one(&first));
            // Another order, in each spelling: not this one, either way round.
            for other in [
                &br#""gid:\/\/shopify\/Order\/12""#[..],
                br#""gid://shopify/Order/12""#,
                br#""gid:\u002f\/shopify/Order\/12""#,
                br#""gid:\/\/shopify\/Order\/""#,
            ] {
                let other = json_string(other).unwrap();
                // Both ways round: `eq` takes a different arm for each order.
                assert_ne!(parent, other);
                assert_ne!(other, parent);
            }
        }
        // A long id, and one without a `/`, hash as their text too.
        let long = format!("gid://shopify/Order/{}", "7".repeat(200));
        let written = format!("\"{}\"", long.replace('/', r"\/"));
        let parent = json_string(written.as_bytes()).unwrap();
        assert!(matches!(parent, ParentId::Slashed(_)) && parent.is(&long));
        assert_eq!(state.hash_one(&parent), state.hash_one(LookUp(&long)));
        let plain = json_string(br#""refund-9""#).unwrap();
        assert!(matches!(plain, ParentId::Slashed(_)) && plain.is("refund-9"));
        assert_eq!(state.hash_one(&plain), state.hash_one(LookUp("refund-9")));
        // An escaped backslash is a backslash, not the start of a `\/`.
        let backslash = json_string(br#""a\\/b""#).unwrap();
        assert!(matches!(backslash, ParentId::Text(_)));
        assert!(backslash.is(r"a\/b") && !backslash.is("a/b"));
        assert_eq!(state.hash_one(&backslash), state.hash_one(LookUp(r"a\/b")));
        for text in [
            &br#""a\""#[..],
            br#""a"b""#,
            b"\"a\tb\"",
            br#""a" b"#,
            b"\"a\xffb\"",
            b"1",
        ] {
            assert!(
                json_string(text).is_none(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// A refund's details read in one pass of the scanner are what the
    /// field-by-field reading gives, in Shopify's shape and around it; the
    /// scanner declines (leaving it to that reading) whatever it is not
    /// sure of.
    #[test]
    fn refund_details_scanned_are_those_read_field_by_field() {
        let page = |more: bool| format!(r#"{{"hasNextPage":{more},"endCursor":null}}"#);
        let bag = r#"{"shopMoney":{"amount":"80.0","currencyCode":"SEK"}}"#;
        let line = format!(
            r#"{{"id":"gid://shopify/RefundLineItem/1","quantity":1,"subtotalSet":{bag},"totalTaxSet":{bag},"lineItem":{{"id":"gid://shopify/LineItem/1","name":"Kaffe","isGiftCard":false,"taxLines":[]}}}}"#
        );
        let txn = format!(
            r#"{{"id":"gid://shopify/OrderTransaction/9","kind":"REFUND","status":"SUCCESS","gateway":"shopify_payments","processedAt":"2026-03-02T10:00:00Z","test":false,"amountSet":{bag}}}"#
        );
        let conn =
            |nodes: &str, more: bool| format!(r#"{{"pageInfo":{},"nodes":[{nodes}]}}"#, page(more));
        let whole = format!(
            r#"{{"id":"gid://shopify/Refund/1","refundLineItems":{},"transactions":{},"refundShippingLines":{},"orderAdjustments":{}}}"#,
            conn(&line, false),
            conn(&txn, false),
            conn("", false),
            conn("", false)
        );
        let texts = [
            whole.clone(),
            // Further pages: neither reading keeps it.
            whole.replacen(r#""hasNextPage":false"#, r#""hasNextPage":true"#, 1),
            // Missing or null connections are empty.
            format!(
                r#"{{"id":"r","transactions":{},"orderAdjustments":null}}"#,
                conn(&txn, false)
            ),
            format!(r#"{{"transactions":{}}}"#, conn(&txn, false)),
            // Declined by the scanner, read by serde.
            format!(
                r#"{{"id":"r","__typename":"Refund","transactions":{}}}"#,
                conn(&txn, false)
            ),
            format!(
                r#"{{"id":"r","transactions":{},"transactions":{}}}"#,
                conn("", false),
                conn(&txn, false)
            ),
            format!(r#"{{"\u0069d":"r","transactions":{}}}"#, conn(&txn, false)),
            // A connection that does not decode, and no object at all.
            r#"{"id":"r","transactions":{"pageInfo":{"hasNextPage":false},"nodes":[1]}}"#
                .to_owned(),
            "[]".to_owned(),
        ];
        let mut scanned = 0;
        for text in &texts {
            let read = read_refund_detail(text);
            if let Ok(conns) = scan_refund_detail(text) {
                scanned += 1;
                assert_eq!(conns, read, "{text}");
            }
        }
        assert_eq!(scanned, 4, "Shopify's shape and the missing connections");
        // Split from an answer, a node's details are read as the answer is
        // (or from its text later, where the scanner leaves them to serde):
        // the same as the field-by-field reading of its text.
        let mut kept = 0;
        for text in &texts {
            let mut details = RefundDetails::new();
            details.add_text(&format!(r#"{{"nodes":[{text}]}}"#));
            let Some(id) = details.by_id.keys().next().map(ToString::to_string) else {
                continue;
            };
            kept += 1;
            assert_eq!(
                details.take_read(&id),
                Some(read_refund_detail(text)),
                "{text}"
            );
            // Taken once; the text stays for the order rebuilt as text.
            assert_eq!(
                details.take_read(&id),
                Some(read_refund_detail(text)),
                "{text}"
            );
            assert_eq!(details.remove(&id).as_deref(), Some(text.as_str()));
        }
        assert_eq!(kept, 7, "every node with an id");
        let whole = scan_refund_detail(&whole).unwrap().unwrap();
        assert_eq!(whole.0.nodes.len(), 1);
        assert_eq!(
            whole.1.nodes[0].gateway.as_deref(),
            Some("shopify_payments")
        );
    }

    /// The details kept from an answer's text are those a `Value` of it
    /// gives, whatever its shape: nodes that are `null`, not objects, have no
    /// string `id`, repeat a key (the last counts), spell a key with an
    /// escape; `nodes` missing, repeated or not a list; no object at all.
    #[test]
    fn details_from_text_are_those_of_its_value() {
        let texts = [
            r#"{"nodes":[{"id":"r1","transactions":{"nodes":[]}},null,{"id":"r2"}]}"#,
            r#"{"nodes":[1,"r",[{"id":"r3"}],{"id":5},{"id":null},{"noid":"r"}]}"#,
            r#"{"nodes":[{"id":"a","id":"b"},{"\u0069d":"r4"},{"id":"c","x":1},{"id":"c","x":2}]}"#,
            r#"{"x":1}"#,
            r#"{"nodes":null}"#,
            r#"{"nodes":{"id":"r"}}"#,
            r#"{"nodes":[{"id":"a"}],"nodes":[{"id":"b"}]}"#,
            "[]",
            "null",
            "{",
        ];
        let kept = |details: &RefundDetails| {
            let mut kept: Vec<(String, Value)> = details
                .by_id
                .iter()
                .map(|(id, detail)| (id.to_string(), serde_json::from_str(&detail.text).unwrap()))
                .collect();
            kept.sort_by(|a, b| a.0.cmp(&b.0));
            kept
        };
        let mut found = 0;
        for text in texts {
            let mut from_text = RefundDetails::new();
            from_text.add_text(text);
            let mut from_value = RefundDetails::new();
            if let Ok(value) = serde_json::from_str(text) {
                from_value.add_value(value);
            }
            assert_eq!(kept(&from_text), kept(&from_value), "{text}");
            found += from_text.len();
        }
        assert_eq!(found, 2 + 3 + 1, "r1 r2 | b r4 c | b");
    }

    /// A line's parent is found at its end in Shopify's shape, and by
    /// parsing the line in any other: the key first, an id with a quote in
    /// it; a key inside a nested object or a string is no parent.
    #[test]
    fn a_line_names_its_parent_in_any_shape() {
        let parent = |line: &[u8]| parent_of(0, line).unwrap().map(|p| p.text().into_owned());
        let id = Some("gid://shopify/Order/1".to_owned());
        assert_eq!(
            parent(
                br#"{"__typename":"LineItem","id":"x","__parentId":"gid:\/\/shopify\/Order\/1"}"#
            ),
            id
        );
        assert_eq!(
            parent(br#"{"__parentId":"gid://shopify/Order/1","id":"x"}"#),
            id
        );
        assert_eq!(parent(br#"{"__parentId":"gid://shopify/Order/1"}"#), id);
        assert_eq!(
            parent(br#"{"id":"x","__parentId":"a\"b"}"#),
            Some("a\"b".to_owned())
        );
        assert_eq!(
            parent(br#"{"id":"x","__parentId":"a\",\"__parentId\":\"b"}"#),
            Some(r#"a","__parentId":"b"#.to_owned())
        );
        for line in [
            &br#"{"id":"gid://shopify/Order/1","note":"__parentId"}"#[..],
            br#"{"id":"x","a":{"y":1,"__parentId":"p"}}"#,
            br#"{"id":"x","note":"a\",\"__parentId\":\"p"}"#,
            br#"{"id":"x","refunds":[]}"#,
        ] {
            assert_eq!(parent(line), None, "{}", String::from_utf8_lossy(line));
        }
        assert!(
            parent_of(4, br#"{"__parentId":"p""#)
                .unwrap_err()
                .starts_with("line 5 ")
        );
    }

    /// A month of some 17,000 orders is a file over 64 MiB, the cap of an
    /// API answer: the download takes it (it failed with "response too
    /// large"); a file over the client's own cap is an error naming it.
    #[tokio::test]
    async fn a_result_file_larger_than_an_api_answer_downloads() {
        let size = (provider_http::DEFAULT_MAX_RESPONSE_BYTES + 1024) as usize;
        let server = file_server(size).await;
        let url = format!("{}/result.jsonl?X-Goog-Signature=x", server.uri());
        let timeout = Duration::from_secs(60);
        let file = download("op", &url, timeout, BULK_MAX_FILE_BYTES)
            .await
            .unwrap();
        assert_eq!(file.body().len(), size);

        let err = download("op", &url, timeout, 1024 * 1024)
            .await
            .unwrap_err();
        match &err {
            Error::Http(e) => assert!(
                matches!(e.kind(), provider_http::HttpErrorKind::ResponseTooLarge { limit, .. } if *limit == 1024 * 1024),
                "{e}"
            ),
            other => panic!("{other}"),
        }
    }
}
