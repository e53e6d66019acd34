//! Bulk query operations of the simulated Shopify, as Shopify documents them
//! (<https://shopify.dev/docs/api/usage/bulk-operations/queries>):
//!
//! - `bulkOperationRunQuery(query:)` checks the bulk query rules (valid
//!   against the schema, at least one connection, at most five, nested at
//!   most two deep, no top-level `node`/`nodes`), refuses with
//!   `OPERATION_IN_PROGRESS` when the app already runs as many bulk queries
//!   as the shop allows (five from API 2026-01, one before; the message is
//!   the one recorded from a live store in `airhorns/shopify-draft-proxy`,
//!   `bulk-operations/bulk-operation-run-query-operation-in-progress.json`),
//!   and answers the operation `CREATED`;
//! - each `bulkOperation(id:)` poll moves it on: `CREATED` → `RUNNING` (with
//!   a growing `objectCount`) → `COMPLETED` with a signed `url`, or `FAILED`
//!   with an `errorCode` and a `partialDataUrl` when a failure was asked for;
//! - the result is JSONL: one object per line, each nested connection's
//!   nodes on lines of their own after their parent, with `__parentId`
//!   (last: Shopify adds it after the selected fields, which come in the
//!   query's order, so a node whose selection starts with `__typename`
//!   starts with it), and every `/` written `\/` as Shopify's files do
//!   (`{"id":"gid:\/\/shopify\/Customer\/123456"}`, quoted from a result
//!   file in Shopify/shopify-api-ruby#729). A child comes right after its
//!   parent only when the operation was run with `groupObjects: true`; the
//!   argument defaults to `false` from API 2026-01 (`Mutation.
//!   bulkOperationRunQuery(groupObjects: Boolean! = false)` in the 2026-01
//!   schema: "Enables grouping objects directly under their corresponding
//!   parent objects in the JSONL output"), and then the sandbox writes each
//!   hundred orders' lines first and their children after them, connection
//!   by connection, so that the children of different orders interleave;
//! - the result URL is a storage URL, not the API: a request carrying the
//!   shop's access token is refused (403), and so is every request once the
//!   results are expired.

use std::sync::Mutex;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, Selection, SelectionSet, Value as GqlValue};
use serde_json::{Map, Value, json};

use crate::selection::Selected;
use crate::shopify_cost::schema;

/// One bulk operation.
#[derive(Debug, Clone)]
pub(crate) struct BulkOp {
    pub(crate) id: u64,
    pub(crate) status: &'static str,
    polls: u32,
    /// The `query:` argument of the bulk query's top-level connection.
    pub(crate) search: String,
    /// The bulk query document as the app sent it (`BulkOperation.query`).
    pub(crate) query: String,
    /// The result, once completed.
    pub(crate) jsonl: Option<String>,
    /// `groupObjects`: children right after their parent.
    pub(crate) grouped: bool,
    objects: u64,
    fail_with: Option<&'static str>,
}

/// The bulk operations of the shop and the knobs tests turn.
#[derive(Debug)]
pub(crate) struct BulkOps {
    pub(crate) ops: Mutex<Vec<BulkOp>>,
    /// Bulk queries that may run at once (5 from 2026-01).
    pub(crate) concurrency: Mutex<usize>,
    /// The error code the next operation fails with.
    pub(crate) fail_next: Mutex<Option<&'static str>>,
    /// Result URLs refuse everything (the results expired).
    pub(crate) expired: Mutex<bool>,
    /// Polls an operation stays `RUNNING` before it completes.
    pub(crate) running_polls: Mutex<u32>,
    /// How long the next `bulkOperationRunQuery` answer waits (its operation
    /// started).
    pub(crate) start_delay: Mutex<Option<std::time::Duration>>,
}

impl Default for BulkOps {
    fn default() -> Self {
        BulkOps {
            ops: Mutex::new(Vec::new()),
            concurrency: Mutex::new(5),
            fail_next: Mutex::new(None),
            expired: Mutex::new(false),
            running_polls: Mutex::new(2),
            start_delay: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The search string of a bulk query that follows Shopify's rules, or the
/// reason it does not.
///
/// # Errors
/// Why the query is not a valid bulk query, as Shopify's `userErrors` say.
pub fn check_bulk_query(query: &str) -> Result<String, String> {
    let doc = ExecutableDocument::parse_and_validate(schema(), query, "bulk.graphql")
        .map_err(|e| format!("Invalid bulk query: {}", e.errors))?;
    let op = doc
        .operations
        .get(None)
        .map_err(|_| "Invalid bulk query: expected one operation".to_owned())?;
    let top: Vec<&Field> = op.selection_set.fields().map(|f| &**f).collect();
    let [root] = top.as_slice() else {
        return Err("Bulk queries must contain exactly one top-level field.".to_owned());
    };
    if root.name == "node" || root.name == "nodes" {
        return Err(
            "The top-level node and nodes fields can't be used in bulk queries.".to_owned(),
        );
    }
    let mut found = Connections::default();
    let depth = connections(&doc, &op.selection_set, 0, false, false, &mut found);
    let count = found.count;
    // The rules below, in Shopify's words: `userErrors` of
    // `bulkOperationRunQuery` captured at a live 2026-04 store
    // (airhorns/shopify-draft-proxy, `fixtures/conformance/…/bulk-operations/
    // bulk-operation-run-query-validators.json`).
    if let Some(name) = found.via_nodes.first() {
        return Err(format!(
            "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '{name} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. Invalid connection fields: '{}'.",
            found.via_nodes.join("', '")
        ));
    }
    if found.within_list {
        return Err(
            "Queries that contain a connection field within a list field are not currently supported."
                .to_owned(),
        );
    }
    if count == 0 {
        return Err("Bulk queries must contain at least one connection.".to_owned());
    }
    if count > 5 {
        return Err(format!(
            "Bulk queries cannot contain more than 5 connections (found {count})."
        ));
    }
    if depth > 2 {
        return Err(
            "Bulk queries cannot contain connections with a nesting depth greater than 2."
                .to_owned(),
        );
    }
    let search = root
        .arguments
        .iter()
        .find(|a| a.name == "query")
        .and_then(|a| match &*a.value {
            GqlValue::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default();
    Ok(search)
}

/// What [`connections`] finds in a bulk query.
#[derive(Default)]
struct Connections {
    /// How many connection fields.
    count: usize,
    /// Whether one is inside a field of list type (`Order.refunds`).
    within_list: bool,
    /// Connection fields that select `nodes` instead of `edges { node }`.
    via_nodes: Vec<String>,
}

/// Counts the connections under `set`, notes those inside a list or
/// selected through `nodes`, and returns the deepest nesting.
fn connections(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    depth: usize,
    in_list: bool,
    parent_is_connection: bool,
    found: &mut Connections,
) -> usize {
    let mut deepest = depth;
    for selection in &set.selections {
        let (child, is_connection, is_list) = match selection {
            Selection::Field(f) => {
                let is_connection = f
                    .definition
                    .ty
                    .inner_named_type()
                    .as_str()
                    .ends_with("Connection");
                if is_connection && f.selection_set.fields().any(|c| c.name == "nodes") {
                    found.via_nodes.push(f.name.to_string());
                }
                (&f.selection_set, is_connection, f.definition.ty.is_list())
            }
            Selection::InlineFragment(i) => (&i.selection_set, false, false),
            Selection::FragmentSpread(s) => match doc.fragments.get(&s.fragment_name) {
                Some(f) => (&f.selection_set, false, false),
                None => continue,
            },
        };
        found.within_list |= is_connection && in_list;
        let d = depth + usize::from(is_connection);
        found.count += usize::from(is_connection);
        // A connection's own `edges` is a list, but its nodes are what the
        // bulk operation writes line by line: only a list field that is not
        // a connection's `edges` puts what is under it inside a list.
        let connection_edges = parent_is_connection && is_list;
        let inside = !is_connection && (in_list || (is_list && !connection_edges));
        deepest = deepest.max(connections(doc, child, d, inside, is_connection, found));
    }
    deepest
}

impl BulkOps {
    /// Starts an operation, or says why not (`(code, message)`).
    pub(crate) fn start(
        &self,
        query: &str,
        search: String,
        grouped: bool,
    ) -> Result<BulkOp, (&'static str, String)> {
        let mut ops = lock(&self.ops);
        let running: Vec<u64> = ops
            .iter()
            .filter(|o| matches!(o.status, "CREATED" | "RUNNING"))
            .map(|o| o.id)
            .collect();
        if running.len() >= *lock(&self.concurrency) {
            let which = running
                .first()
                .map(|id| format!(": gid://shopify/BulkOperation/{id}"))
                .unwrap_or_default();
            return Err((
                "OPERATION_IN_PROGRESS",
                format!(
                    "A bulk query operation for this app and shop is already in progress{which}."
                ),
            ));
        }
        let op = BulkOp {
            id: 7_749_099_028_786 + ops.len() as u64,
            status: "CREATED",
            polls: 0,
            search,
            query: query.to_owned(),
            jsonl: None,
            grouped,
            objects: 0,
            fail_with: lock(&self.fail_next).take(),
        };
        ops.push(op.clone());
        Ok(op)
    }

    /// Moves an operation on by one poll; `jsonl` builds its result (from
    /// the search, the query and `groupObjects`).
    pub(crate) fn poll(
        &self,
        id: u64,
        jsonl: impl FnOnce(&str, &str, bool) -> (String, u64),
    ) -> Option<BulkOp> {
        let running_polls = *lock(&self.running_polls);
        let mut ops = lock(&self.ops);
        let op = ops.iter_mut().find(|o| o.id == id)?;
        op.polls += 1;
        match op.status {
            "CREATED" => op.status = "RUNNING",
            "RUNNING" if op.polls > running_polls => {
                let (text, objects) = jsonl(&op.search, &op.query, op.grouped);
                op.objects = objects;
                match op.fail_with {
                    Some(_) => {
                        op.status = "FAILED";
                        // Half the file was written before the failure.
                        let half: Vec<&str> = text.lines().take(text.lines().count() / 2).collect();
                        op.jsonl = Some(half.join("\n"));
                    }
                    None => {
                        op.status = "COMPLETED";
                        op.jsonl = Some(text);
                    }
                }
            }
            "RUNNING" => op.objects = u64::from(op.polls) * 10,
            _ => {}
        }
        Some(op.clone())
    }

    /// The operation as `BulkOperation` JSON, its URLs under `base`.
    pub(crate) fn to_json(op: &BulkOp, base: &str) -> Value {
        let url = |kind: &str| {
            format!(
                "{base}/bulk-results/{}-{kind}.jsonl?X-Goog-Signature=sandbox{}",
                op.id, op.id
            )
        };
        json!({
            "id": format!("gid://shopify/BulkOperation/{}", op.id),
            "status": op.status,
            "errorCode": op.fail_with.filter(|_| op.status == "FAILED"),
            "objectCount": op.objects.to_string(),
            "url": (op.status == "COMPLETED" && op.objects > 0).then(|| url("result")),
            "partialDataUrl": (op.status == "FAILED").then(|| url("partial")),
        })
    }

    /// `bulkOperations(first:, query: "operation_type:query")`'s nodes, as
    /// the client selects them (`id status query`): the app's bulk queries,
    /// newest first ("Defaults to sorting by created_at, with newest
    /// operations first", 2026-01 schema), at most `first`.
    pub(crate) fn list_json(&self, first: usize) -> Value {
        let ops = lock(&self.ops);
        let nodes: Vec<Value> = ops
            .iter()
            .rev()
            .take(first)
            .map(|op| {
                json!({
                    "id": format!("gid://shopify/BulkOperation/{}", op.id),
                    "status": op.status,
                    "query": op.query,
                })
            })
            .collect();
        json!({ "bulkOperations": { "nodes": nodes } })
    }

    /// The file at a result path (`/bulk-results/{id}-{kind}.jsonl`).
    pub(crate) fn result(&self, path: &str) -> Option<String> {
        let name = path
            .strip_prefix("/bulk-results/")?
            .strip_suffix(".jsonl")?;
        let (id, _) = name.split_once('-')?;
        let id: u64 = id.parse().ok()?;
        lock(&self.ops)
            .iter()
            .find(|o| o.id == id)
            .and_then(|o| o.jsonl.clone())
    }
}

/// Orders as the JSONL lines of the orders bulk query: each order (its
/// refunds without their connections), its line items and shipping lines
/// (`__parentId`: the order). `grouped`
/// (`groupObjects: true`): each order's children right after it; else each
/// [`UNGROUPED_CHUNK`] orders first, then their children connection by
/// connection. Each line's fields are written in the order the query
/// selects them (`order_sel`: what it selects of an order, `orders { edges {
/// node } }`), as GraphQL writes them ([`Selected`]). Returns the text and
/// the number of objects.
pub(crate) fn orders_jsonl<'a>(
    orders: impl Iterator<Item = &'a Value>,
    grouped: bool,
    order_sel: Option<&Selected>,
) -> (String, u64) {
    let child = |conn: &str| order_sel.and_then(|o| o.at(&[conn, "edges", "node"]));
    let (line_item, shipping_line) = (child("lineItems"), child("shippingLines"));
    let mut out = String::new();
    let mut objects = 0;
    let chunk = if grouped { 1 } else { UNGROUPED_CHUNK };
    let orders: Vec<&Value> = orders.collect();
    for orders in orders.chunks(chunk) {
        // Per connection kind, in order.
        let mut children: [Vec<Child<'_>>; 2] = Default::default();
        for order in orders {
            let Some(mut root) = order.as_object().cloned() else {
                continue;
            };
            let id = root.get("id").cloned().unwrap_or(Value::Null);
            let nodes = |conn: Option<Value>| -> Vec<Map<String, Value>> {
                conn.and_then(|c| c.get("nodes").and_then(Value::as_array).cloned())
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|n| n.as_object().cloned())
                    .collect()
            };
            for n in nodes(root.remove("lineItems")) {
                children[0].push(("LineItem", id.clone(), n));
            }
            for n in nodes(root.remove("shippingLines")) {
                children[1].push(("ShippingLine", id.clone(), n));
            }
            // A refund's connections are not in the file: the bulk query
            // cannot hold a connection inside the `refunds` list.
            if let Some(refunds) = root.get_mut("refunds").and_then(Value::as_array_mut) {
                for refund in refunds.iter_mut().filter_map(Value::as_object_mut) {
                    for field in [
                        "refundLineItems",
                        "transactions",
                        "refundShippingLines",
                        "orderAdjustments",
                    ] {
                        refund.remove(field);
                    }
                }
            }
            let root = Value::Object(root);
            let line = order_sel.map_or_else(|| root.to_string(), |sel| sel.to_text(&root));
            push_line(&mut out, &line);
            objects += 1;
        }
        for (typename, parent, node) in children.into_iter().flatten() {
            let sel = if typename == "LineItem" {
                line_item
            } else {
                shipping_line
            };
            push_line(&mut out, &child_line(typename, &parent, node, sel));
            objects += 1;
        }
    }
    (out, objects)
}

/// A child node of an order: its `__typename`, its parent's id, its fields.
type Child<'a> = (&'a str, Value, Map<String, Value>);

/// Orders whose lines an ungrouped result writes before their children.
pub(crate) const UNGROUPED_CHUNK: usize = 100;

/// A child node's line: its fields as `sel` selects them (the bulk query
/// selects `__typename` first), then `__parentId`; without a selection,
/// `__typename` first, then the fields.
fn child_line(
    typename: &str,
    parent: &Value,
    mut node: Map<String, Value>,
    sel: Option<&Selected>,
) -> String {
    if let Some(sel) = sel {
        node.insert("__typename".to_owned(), Value::from(typename));
        let mut line = sel.to_text(&Value::Object(node));
        line.pop();
        line.push_str(",\"__parentId\":");
        line.push_str(&parent.to_string());
        line.push('}');
        return line;
    }
    node.remove("__typename");
    let mut line = format!("{{\"__typename\":{}", json!(typename));
    let rest = Value::Object(node).to_string();
    if rest.len() > 2 {
        line.push(',');
        line.push_str(&rest[1..rest.len() - 1]);
    }
    line.push_str(",\"__parentId\":");
    line.push_str(&parent.to_string());
    line.push('}');
    line
}

/// A line of the file, with every `/` escaped as Shopify writes it.
fn push_line(out: &mut String, line: &str) {
    out.push_str(&line.replace('/', "\\/"));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_query_rules() {
        let ok = "{ orders(query: \"processed_at:>='2026-03-01'\") { edges { node { id lineItems { edges { node { id } } } } } } }";
        assert_eq!(check_bulk_query(ok).unwrap(), "processed_at:>='2026-03-01'");
        let none = "{ shop { name } }";
        assert!(
            check_bulk_query(none)
                .unwrap_err()
                .contains("at least one connection")
        );
        let node = "{ node(id: \"gid://shopify/Order/1\") { id } }";
        assert!(
            check_bulk_query(node)
                .unwrap_err()
                .contains("node and nodes")
        );
        let deep = "{ products { edges { node { variants { edges { node { product { collections { edges { node { id } } } } } } } } } } }";
        assert!(
            check_bulk_query(deep)
                .unwrap_err()
                .contains("nesting depth")
        );
        assert!(
            check_bulk_query("{ nope }")
                .unwrap_err()
                .starts_with("Invalid bulk query")
        );
        // Shopify's own refusals, captured at a live store (the cases
        // `connectionWithinList` and `ordersNodesInsteadOfEdges`).
        let within_list = "{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }";
        assert_eq!(
            check_bulk_query(within_list).unwrap_err(),
            "Queries that contain a connection field within a list field are not currently supported."
        );
        let refunds = "{ orders { edges { node { id refunds { id refundLineItems { edges { node { id } } } } } } } }";
        assert!(
            check_bulk_query(refunds)
                .unwrap_err()
                .contains("connection field within a list field")
        );
        let via_nodes = "{ orders { nodes { id } } }";
        assert_eq!(
            check_bulk_query(via_nodes).unwrap_err(),
            "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: 'orders { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: 'orders'."
        );
    }

    #[test]
    fn children_follow_their_parent_with_its_id() {
        let order = |n: u64| {
            json!({
                "id": format!("gid://shopify/Order/{n}"),
                "lineItems": { "nodes": [{ "id": format!("gid://shopify/LineItem/{n}2") }] },
                "shippingLines": { "nodes": [] },
                "refunds": [{ "id": format!("gid://shopify/Refund/{n}3"),
                    "refundLineItems": { "nodes": [{ "id": format!("gid://shopify/RefundLineItem/{n}4") }] },
                    "transactions": { "nodes": [] } }]
            })
        };
        let orders = [order(1), order(2)];
        let lines = |grouped| {
            let (text, objects) = orders_jsonl(orders.iter(), grouped, None);
            assert_eq!(objects, 4);
            assert!(text.contains(r#""gid:\/\/shopify\/Order\/1""#), "{text}");
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .collect::<Vec<_>>()
        };
        let grouped = lines(true);
        assert_eq!(grouped[0]["id"], "gid://shopify/Order/1");
        assert!(grouped[0].get("__parentId").is_none());
        assert!(grouped[0].get("lineItems").is_none());
        // A refund stays in its order's line, without its connections: the
        // bulk query cannot hold a connection inside the `refunds` list.
        assert_eq!(grouped[0]["refunds"][0]["id"], "gid://shopify/Refund/13");
        assert!(grouped[0]["refunds"][0].get("refundLineItems").is_none());
        assert_eq!(grouped[1]["__parentId"], "gid://shopify/Order/1");
        assert_eq!(grouped[1]["__typename"], "LineItem");
        assert_eq!(grouped[2]["id"], "gid://shopify/Order/2");

        // Ungrouped (the default): both orders, then their children.
        let ungrouped = lines(false);
        assert_eq!(ungrouped[1]["id"], "gid://shopify/Order/2");
        assert_eq!(ungrouped[2]["__parentId"], "gid://shopify/Order/1");
        assert_eq!(ungrouped[3]["__parentId"], "gid://shopify/Order/2");
        assert!(
            ungrouped
                .iter()
                .all(|l| l["__parentId"] != "gid://shopify/Refund/13")
        );
    }

    #[test]
    fn a_child_line_starts_with_its_typename_and_ends_with_its_parent() {
        let node = json!({ "id": "gid://shopify/LineItem/2", "name": "Kaffe" });
        let Value::Object(node) = node else {
            unreachable!()
        };
        let parent = json!("gid://shopify/Order/1");
        let line = child_line("LineItem", &parent, node.clone(), None);
        assert!(line.starts_with(r#"{"__typename":"LineItem","#), "{line}");
        assert!(
            line.ends_with(r#","__parentId":"gid://shopify/Order/1"}"#),
            "{line}"
        );
        serde_json::from_str::<Value>(&line).unwrap();

        // With the query's selection: its fields in the order selected,
        // `__typename` where selected, `__parentId` last.
        let query = "query { orders { edges { node { id
            lineItems { edges { node { __typename name id } } } } } } }";
        let sel = Selected::of_query(query).unwrap();
        let item = sel.at(&["orders", "edges", "node", "lineItems", "edges", "node"]);
        assert_eq!(
            child_line("LineItem", &parent, node, item),
            r#"{"__typename":"LineItem","name":"Kaffe","id":"gid://shopify/LineItem/2","__parentId":"gid://shopify/Order/1"}"#
        );
    }
}
