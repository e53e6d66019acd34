//! The orders list, sliced by date when it would exceed Shopify's per-query cap.

use std::collections::HashSet;

use bookkeeping_core::Period;
use futures::stream::{self, BoxStream, StreamExt};
use provider_http::PaginationError;
use provider_http::scan::{self, Declined, Scanner, once};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Listed, decode_node, next_cursor, raw_page, smaller_page_for};
use crate::client::{MAX_PAGE_SIZE, ShopifyClient};
use crate::error::Error;
use crate::models::{Connection, Order, PageInfo};
use crate::queries;

/// Which timestamp an [`OrderQuery`] filters, sorts and slices by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSliceField {
    /// `processedAt`: the sale date.
    ProcessedAt,
    /// `updatedAt`: the last change (refunds of older orders).
    UpdatedAt,
}

impl OrderSliceField {
    fn search_name(self) -> &'static str {
        match self {
            Self::ProcessedAt => "processed_at",
            Self::UpdatedAt => "updated_at",
        }
    }
    fn json_name(self) -> &'static str {
        match self {
            Self::ProcessedAt => "processedAt",
            Self::UpdatedAt => "updatedAt",
        }
    }
    fn sort_key(self) -> &'static str {
        match self {
            Self::ProcessedAt => "PROCESSED_AT",
            Self::UpdatedAt => "UPDATED_AT",
        }
    }
}

/// Which orders to list: a time range on one timestamp (UTC instants), plus
/// an optional upper bound on `processed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// The timestamp filtered, sorted and sliced by.
    pub field: OrderSliceField,
    /// Inclusive lower bound.
    pub from: OffsetDateTime,
    /// Exclusive upper bound, if any.
    pub before: Option<OffsetDateTime>,
    /// Only orders processed before this instant (exclusive).
    pub processed_before: Option<OffsetDateTime>,
}

impl OrderQuery {
    /// Orders processed in `period`: Europe/Stockholm days written in UTC
    /// (`processed_at:>='2026-02-28T23:00:00Z' processed_at:<'2026-03-31T22:00:00Z'`).
    pub fn processed_in(period: &Period) -> Self {
        OrderQuery {
            field: OrderSliceField::ProcessedAt,
            from: period.start_utc(),
            before: Some(period.end_utc()),
            processed_before: None,
        }
    }

    /// Orders processed before `period` but changed since it began: where
    /// the refunds of older orders are found.
    pub fn earlier_orders_updated_since(period: &Period) -> Self {
        OrderQuery {
            field: OrderSliceField::UpdatedAt,
            from: period.start_utc(),
            before: None,
            processed_before: Some(period.start_utc()),
        }
    }

    /// The search string with `lower` as the lower bound.
    pub fn search(&self, lower: OffsetDateTime) -> String {
        let name = self.field.search_name();
        let mut q = format!("{name}:>='{}'", utc(lower));
        if let Some(b) = self.before {
            q.push_str(&format!(" {name}:<'{}'", utc(b)));
        }
        if let Some(b) = self.processed_before {
            q.push_str(&format!(" processed_at:<'{}'", utc(b)));
        }
        q
    }
}

fn utc(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

struct State {
    client: ShopifyClient,
    query: OrderQuery,
    lower: OffsetDateTime,
    cursor: Option<String>,
    seen_cursors: HashSet<String>,
    in_query: u64,
    pages: u64,
    page_size: u32,
    /// The latest timestamp yielded and the ids yielded at it: a new slice
    /// starts at that timestamp and skips those ids.
    boundary: Option<(OffsetDateTime, HashSet<String>)>,
    done: bool,
}

impl ShopifyClient {
    /// Every order matching `query`, oldest first, `first: 250` per page with
    /// cursors. When a query would page through more than the per-query cap
    /// (Shopify stops at 25,000 objects), a new query starts at the last
    /// timestamp seen and skips the orders already yielded at it, so nothing
    /// is lost or repeated.
    ///
    /// The stream ends after the first `Err`.
    pub fn orders(&self, query: OrderQuery) -> BoxStream<'static, Result<Listed<Order>, Error>> {
        let state = State {
            client: self.clone(),
            lower: query.from,
            query,
            cursor: None,
            seen_cursors: HashSet::new(),
            in_query: 0,
            pages: 0,
            page_size: self.page_size,
            boundary: None,
            done: false,
        };
        stream::unfold(state, |mut s| async move {
            if s.done {
                return None;
            }
            let items = s.step().await;
            Some((stream::iter(items), s))
        })
        .flatten()
        .boxed()
    }
}

impl ShopifyClient {
    /// One order by its GID ([`queries::ORDER`]), whole: its nested
    /// connections are paged to the end as in [`ShopifyClient::orders`].
    /// `None` when Shopify answers `order: null` (no such order, or one the
    /// token may not read); a node that does not decode is
    /// [`Listed::Malformed`].
    ///
    /// # Errors
    /// [`Error`] when the query or a follow-up query fails.
    pub async fn order(&self, id: &crate::ids::OrderId) -> Result<Option<Listed<Order>>, Error> {
        let mut resp = self
            .graphql(queries::ORDER, json!({ "id": id.as_str() }))
            .await?;
        let Some(mut node) = resp
            .data
            .get_mut("order")
            .map(Value::take)
            .filter(|v| !v.is_null())
        else {
            return Ok(None);
        };
        complete_order(self, &mut node).await?;
        Ok(Some(decode_node(
            node,
            "order",
            "order",
            0,
            Some("/totalPriceSet/shopMoney"),
        )))
    }
}

impl ShopifyClient {
    /// The order named `name` (`#1007`), whole, as [`ShopifyClient::order`]
    /// gives it: found with [`queries::ORDERS_BY_NAME`], and `None` unless
    /// exactly one order has that name (Shopify's `name` filter may match
    /// more loosely; nothing is guessed).
    ///
    /// # Errors
    /// [`Error`] when a query fails.
    pub async fn order_by_name(&self, name: &str) -> Result<Option<Listed<Order>>, Error> {
        Ok(self.orders_by_names(&[name]).await?.pop().flatten())
    }

    /// [`order_by_name`](Self::order_by_name) of several names: one answer
    /// per name, in their order. The names are searched
    /// [`NAMES_PER_SEARCH`] at a time in one request (`name:'#1007' OR
    /// name:'#1008'`), and only the orders found are fetched whole, so
    /// numbers the shop does not have cost a request per 25, not one each.
    /// A name with a quote or a backslash (it would end the search value
    /// early), or longer than 255 bytes (no order name is), is not searched:
    /// `None`.
    ///
    /// # Errors
    /// [`Error`] when a query fails.
    pub async fn orders_by_names(
        &self,
        names: &[&str],
    ) -> Result<Vec<Option<Listed<Order>>>, Error> {
        // An order name is the shop's prefix, number and suffix: a longer
        // "name" (a payment provider's reference is customer-typed text) is
        // no order's, and would make the search too long to send.
        let searchable = |name: &&str| {
            !name.is_empty() && name.len() <= MAX_NAME_LEN && !name.contains(['\'', '"', '\\'])
        };
        let mut ids: Vec<Option<String>> = vec![None; names.len()];
        let wanted: Vec<usize> = (0..names.len())
            .filter(|&i| searchable(&names[i]))
            .collect();
        for chunk in wanted.chunks(NAMES_PER_SEARCH) {
            let query = chunk
                .iter()
                .map(|&i| format!("name:'{}'", names[i]))
                .collect::<Vec<_>>()
                .join(" OR ");
            // Two a name: one more than a name that is unique needs, so a
            // name two orders share is seen as shared.
            let first = (2 * chunk.len()).min(crate::MAX_PAGE_SIZE as usize);
            let resp = self
                .graphql(
                    queries::ORDERS_BY_NAME,
                    json!({ "first": first, "query": query }),
                )
                .await?;
            let conn = resp.data.pointer("/orders");
            let whole = conn
                .and_then(|c| c.pointer("/pageInfo/hasNextPage"))
                .and_then(Value::as_bool)
                == Some(false);
            let nodes = conn
                .and_then(|c| c.get("nodes"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for &i in chunk {
                let named: Vec<&str> = nodes
                    .iter()
                    .filter(|n| n.get("name").and_then(Value::as_str) == Some(names[i]))
                    .filter_map(|n| n.get("id").and_then(Value::as_str))
                    .collect();
                ids[i] = match named.as_slice() {
                    // On a page cut short, a name seen once or not at all
                    // may have (more) orders on the next page: asked alone.
                    [] | [_] if !whole => self.unique_name(names[i]).await?,
                    [id] => Some((*id).to_owned()),
                    _ => None,
                };
            }
        }
        let mut found = Vec::with_capacity(names.len());
        for id in ids {
            found.push(match id {
                Some(id) => self.order(&crate::ids::OrderId::new(id)).await?,
                None => None,
            });
        }
        Ok(found)
    }

    /// The id of the one order named `name`, asked on its own: up to ten
    /// answers, room for the looser matches of Shopify's `name` filter
    /// beside the orders of that exact name.
    async fn unique_name(&self, name: &str) -> Result<Option<String>, Error> {
        let resp = self
            .graphql(
                queries::ORDERS_BY_NAME,
                json!({ "first": 10, "query": format!("name:'{name}'") }),
            )
            .await?;
        let nodes = resp
            .data
            .pointer("/orders/nodes")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let named: Vec<&str> = nodes
            .iter()
            .filter(|n| n.get("name").and_then(Value::as_str) == Some(name))
            .filter_map(|n| n.get("id").and_then(Value::as_str))
            .collect();
        Ok(match named.as_slice() {
            [id] => Some((*id).to_owned()),
            _ => None,
        })
    }
}

/// Order names searched in one request by [`ShopifyClient::orders_by_names`].
pub const NAMES_PER_SEARCH: usize = 25;

/// The longest text [`ShopifyClient::orders_by_names`] searches for as an
/// order name, in bytes.
const MAX_NAME_LEN: usize = 255;

impl State {
    async fn step(&mut self) -> Vec<Result<Listed<Order>, Error>> {
        match self.try_step().await {
            Ok(items) => items,
            Err(e) => {
                self.done = true;
                vec![Err(e)]
            }
        }
    }

    async fn try_step(&mut self) -> Result<Vec<Result<Listed<Order>, Error>>, Error> {
        let field = self.query.field;
        let answer = loop {
            let vars = json!({
                "first": self.page_size,
                "after": self.cursor,
                "query": self.query.search(self.lower),
                "sortKey": field.sort_key(),
            });
            let answer = match self.client.graphql_send(queries::ORDERS, vars).await {
                Ok(resp) => match OrdersPage::decode_answer(resp.body()) {
                    Some((page, extensions)) => {
                        self.client.pace_extensions(extensions);
                        Ok(Answer::Whole(page))
                    }
                    None => self.client.graphql_answer(&resp).map(Answer::Careful),
                },
                Err(e) => Err(e),
            };
            match answer {
                Ok(a) => break a,
                Err(e) => match smaller_page_for(&e, self.page_size) {
                    Some(smaller) => {
                        tracing::debug!(
                            from = self.page_size,
                            to = smaller,
                            "shopify: query too costly, smaller pages"
                        );
                        self.page_size = smaller;
                    }
                    None => return Err(e),
                },
            }
        };
        self.pages += 1;
        let (nodes, page_info) = match answer {
            Answer::Whole(page) => (
                page.orders
                    .into_iter()
                    .map(|order| {
                        let id = Some(order.id.as_str().to_owned());
                        let at = Some(match field {
                            OrderSliceField::ProcessedAt => order.processed_at,
                            OrderSliceField::UpdatedAt => order.updated_at,
                        });
                        (id, at, Node::Decoded(order))
                    })
                    .collect::<Vec<_>>(),
                page.page_info,
            ),
            Answer::Careful(mut resp) => {
                let mut page = raw_page(&mut resp.data, "/orders")?;
                for node in &mut page.nodes {
                    complete_order(&self.client, node).await?;
                }
                let nodes = page
                    .nodes
                    .into_iter()
                    .map(|node| {
                        let id = node.get("id").and_then(Value::as_str).map(str::to_owned);
                        let at = node
                            .get(field.json_name())
                            .and_then(Value::as_str)
                            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok());
                        (id, at, Node::Raw(node))
                    })
                    .collect();
                (nodes, page.page_info)
            }
        };
        let base = self.in_query;
        self.in_query += nodes.len() as u64;
        let mut items = Vec::with_capacity(nodes.len());
        for (i, (id, at, node)) in nodes.into_iter().enumerate() {
            if let (Some(id), Some(at)) = (id, at) {
                match &mut self.boundary {
                    Some((b, ids)) if *b == at => {
                        if !ids.insert(id) {
                            // Yielded by the previous slice.
                            continue;
                        }
                    }
                    Some((b, _)) if *b > at => {}
                    // A later time: its set, in the room of the last one
                    // (a new set an order was an allocation an order).
                    Some((b, ids)) => {
                        *b = at;
                        ids.clear();
                        ids.insert(id);
                    }
                    None => self.boundary = Some((at, HashSet::from([id]))),
                }
            }
            let index = usize::try_from(base).unwrap_or(0) + i;
            items.push(Ok(match node {
                Node::Decoded(order) => Listed::Item(order),
                Node::Raw(node) => decode_node(
                    node,
                    "order",
                    "orders.nodes",
                    index,
                    Some("/totalPriceSet/shopMoney"),
                ),
            }));
        }
        match next_cursor(&page_info, "/orders")? {
            None => self.done = true,
            Some(_) if self.in_query + u64::from(self.page_size) > self.client.per_query_cap => {
                // Start a new slice at the last timestamp seen.
                let Some((at, _)) = &self.boundary else {
                    return Err(Error::MissingData {
                        path: crate::client::graphql_path(),
                        pointer: format!("/data/orders/nodes/*/{}", field.json_name()),
                    });
                };
                if *at == self.lower {
                    // A whole slice at one instant: a new slice would not move.
                    return Err(Error::Pagination(PaginationError::RepeatedCursor {
                        cursor: format!("{}:>='{}'", field.search_name(), utc(*at)),
                        pages: self.pages,
                    }));
                }
                tracing::debug!(from = %utc(*at), "shopify: per-query cap reached, new slice");
                self.lower = *at;
                self.cursor = None;
                self.seen_cursors.clear();
                self.in_query = 0;
            }
            Some(c) => {
                if !self.seen_cursors.insert(c.clone()) {
                    return Err(Error::Pagination(PaginationError::RepeatedCursor {
                        cursor: c,
                        pages: self.pages,
                    }));
                }
                self.cursor = Some(c);
            }
        }
        Ok(items)
    }
}

/// The connections inside a refund, each with the document that pages it.
const REFUND_CONNECTIONS: [(&str, &str); 4] = [
    ("refundLineItems", queries::REFUND_LINE_ITEMS),
    ("refundShippingLines", queries::REFUND_SHIPPING_LINES),
    ("orderAdjustments", queries::REFUND_ORDER_ADJUSTMENTS),
    ("transactions", queries::REFUND_TRANSACTIONS),
];

/// Fetches the further pages of every connection inside an order (its line
/// items and shipping lines, each refund's lines, adjustments and
/// transactions) and appends them, so the order is whole before it is
/// decoded. A node without an id is left as it is: decoding reports it.
///
/// # Errors
/// A follow-up query that fails, or a cursor that repeats.
async fn complete_order(client: &ShopifyClient, order: &mut Value) -> Result<(), Error> {
    let Some(id) = order.get("id").and_then(Value::as_str).map(str::to_owned) else {
        return Ok(());
    };
    for (field, document) in [
        ("lineItems", queries::ORDER_LINE_ITEMS),
        ("shippingLines", queries::ORDER_SHIPPING_LINES),
    ] {
        complete_connection(client, order, "order", &id, field, document, false).await?;
    }
    let refunds = order.get_mut("refunds").and_then(Value::as_array_mut);
    for refund in refunds.into_iter().flatten() {
        let Some(id) = refund.get("id").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        for (field, document) in REFUND_CONNECTIONS {
            complete_connection(client, refund, "refund", &id, field, document, false).await?;
        }
    }
    Ok(())
}

/// Pages connection `field` of `parent` (the object `root(id:)`) to its
/// end, from its first page when `from_start` (the connection was not
/// fetched at all), else after the page it holds.
pub(crate) async fn complete_connection(
    client: &ShopifyClient,
    parent: &mut Value,
    root: &str,
    id: &str,
    field: &str,
    document: &str,
    from_start: bool,
) -> Result<(), Error> {
    let Some(conn) = parent.get_mut(field).filter(|c| c.is_object()) else {
        return Ok(());
    };
    let pointer = format!("/{root}/{field}");
    // A `pageInfo` that does not read is left for decoding to report.
    let Ok(first_page) = PageInfo::deserialize(&conn["pageInfo"]) else {
        return Ok(());
    };
    // `Some(None)`: the first page; `Some(Some(c))`: the page after `c`.
    let mut cursor = if from_start {
        Some(None)
    } else {
        next_cursor(&first_page, &pointer)?.map(Some)
    };
    let mut seen = HashSet::new();
    let mut pages = 0;
    while let Some(after) = cursor {
        if let Some(c) = &after
            && !seen.insert(c.clone())
        {
            return Err(Error::Pagination(PaginationError::RepeatedCursor {
                cursor: c.clone(),
                pages,
            }));
        }
        let vars = json!({ "id": id, "first": queries::FOLLOW_UP_PAGE_SIZE, "after": after });
        let mut resp = client.graphql(document, vars).await?;
        pages += 1;
        let page = raw_page(&mut resp.data, &pointer)?;
        tracing::debug!(%id, field, nodes = page.nodes.len(), "shopify: follow-up page");
        if let Some(nodes) = conn.get_mut("nodes").and_then(Value::as_array_mut) {
            nodes.extend(page.nodes);
        }
        cursor = next_cursor(&page.page_info, &pointer)?.map(Some);
        conn["pageInfo"] = json!({
            "hasNextPage": page.page_info.has_next_page,
            "endCursor": page.page_info.end_cursor,
        });
    }
    Ok(())
}

/// A page of the orders list as the client reads it.
enum Answer {
    /// Decoded whole, straight into the models.
    Whole(OrdersPage),
    /// Read as a `Value` tree, to complete nested connections and to report
    /// each node that does not decode.
    Careful(crate::client::GraphQlResponse),
}

/// An order of a page: decoded, or still to be decoded on its own.
// Most nodes of most pages are `Decoded`: boxing the order would only add an
// allocation per order.
#[allow(clippy::large_enum_variant)]
enum Node {
    Decoded(Order),
    Raw(Value),
}

/// A page of the orders list (`orders(first: 250)`) decoded whole, in one
/// pass over the answer's bytes and straight into the models, with no
/// `serde_json::Value` tree in between: what the client does with almost
/// every page.
///
/// [`decode`](Self::decode) gives `None` when the page needs the careful
/// path, on which the client reads the answer as a `Value` tree and decodes
/// order by order: an answer with `errors`, an order that does not decode
/// (it becomes a review item naming its id and field, and the others still
/// come through), or an order whose line items, shipping lines or refunds'
/// connections have further pages to fetch before it is whole.
///
/// ```
/// use shopify_bookkeeping::OrdersPage;
///
/// let answer = br#"{"data": {"orders": {"pageInfo": {"hasNextPage": false, "endCursor": null},
///     "nodes": []}}}"#;
/// let page = OrdersPage::decode(answer).unwrap();
/// assert!(page.orders.is_empty() && !page.page_info.has_next_page);
///
/// let with_errors = br#"{"data": null, "errors": [{"message": "Throttled"}]}"#;
/// assert!(OrdersPage::decode(with_errors).is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OrdersPage {
    /// The orders, each whole.
    pub orders: Vec<Order>,
    /// The page's `pageInfo`.
    pub page_info: PageInfo,
}

impl OrdersPage {
    /// Decodes an answer to the orders query, if it can be read whole.
    pub fn decode(body: &[u8]) -> Option<Self> {
        Self::decode_answer(body).map(|(page, _)| page)
    }

    /// [`decode`](Self::decode), with the answer's `extensions` (its cost, to pace by).
    fn decode_answer(body: &[u8]) -> Option<(Self, Option<Value>)> {
        let body = provider_http::strip_bom(body);
        match Self::scanned(body) {
            Some(page) => page.whole(),
            None => Self::deserialized(body),
        }
    }

    /// [`decode_answer`](Self::decode_answer) by serde alone.
    fn deserialized(body: &[u8]) -> Option<(Self, Option<Value>)> {
        #[derive(Deserialize)]
        struct Answer {
            data: Option<Data>,
            errors: Option<serde::de::IgnoredAny>,
            extensions: Option<Value>,
        }
        #[derive(Deserialize)]
        struct Data {
            orders: Option<Connection>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Connection {
            page_info: PageInfo,
            nodes: Vec<Order>,
        }
        let answer: Answer = serde_json::from_slice(body).ok()?;
        if answer.errors.is_some() {
            return None;
        }
        let conn = answer.data?.orders?;
        if !conn.nodes.iter().all(is_whole) {
            return None;
        }
        Some((
            OrdersPage {
                orders: conn.nodes,
                page_info: conn.page_info,
            },
            answer.extensions,
        ))
    }
}

/// An answer to the orders query read by the scanner.
struct Scanned {
    page: crate::models::Connection<Order>,
    extensions: Option<Value>,
}

impl Scanned {
    /// The page, if its orders are whole.
    fn whole(self) -> Option<(OrdersPage, Option<Value>)> {
        if !self.page.nodes.iter().all(is_whole) {
            return None;
        }
        let page = OrdersPage {
            orders: self.page.nodes,
            page_info: self.page.page_info,
        };
        Some((page, self.extensions))
    }
}

impl OrdersPage {
    /// The answer read by kassabok's JSON scanner ([`provider_http::scan`]):
    /// the fields of an order read where they lie in the bytes, the rest
    /// skipped. It reads what serde reads, and declines (`None`) what it
    /// does not read exactly so, an answer with `errors` among it: serde then
    /// decodes the answer as before.
    fn scanned(body: &[u8]) -> Option<Scanned> {
        let mut s = Scanner::new(body);
        let (mut page, mut extensions, mut errors) = (None, None, None);
        s.object(|s, key| match key {
            b"data" => {
                let mut orders = None;
                s.object(|s, key| match key {
                    // Room for a page of the client's largest size: smaller
                    // pages leave it unused for as long as the page is read.
                    b"orders" => once(
                        &mut orders,
                        Connection::scan_with_room(s, MAX_PAGE_SIZE as usize),
                    ),
                    _ => s.skip_field(key),
                })?;
                once(&mut page, orders.ok_or(Declined))
            }
            // An answer with errors takes the careful path.
            b"errors" => match s.null()? {
                true => once(&mut errors, Ok(())),
                false => Err(Declined),
            },
            b"extensions" => once(&mut extensions, scan::with_serde::<Option<Value>>(s)),
            _ => s.skip_field(key),
        })
        .ok()?;
        s.end().ok()?;
        Some(Scanned {
            page: page?,
            extensions: extensions.flatten(),
        })
    }
}

#[cfg(test)]
#[path = "orders_scan_tests.rs"]
mod scan_tests;

/// Whether none of an order's connections has a further page.
fn is_whole(order: &Order) -> bool {
    !order.line_items.page_info.has_next_page
        && !order.shipping_lines.page_info.has_next_page
        && order.refunds.iter().all(|r| {
            !r.refund_line_items.page_info.has_next_page
                && !r.refund_shipping_lines.page_info.has_next_page
                && !r.order_adjustments.page_info.has_next_page
                && !r.transactions.page_info.has_next_page
        })
}
