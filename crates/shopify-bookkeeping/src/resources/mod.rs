//! List streams: orders, payouts and balance transactions, page by page.
//!
//! Pages are decoded node by node: a node that does not decode becomes a
//! [`Listed::Malformed`] naming the object id and the field, and
//! the other nodes still come through. A page that cannot be read as a whole
//! (no `pageInfo`, a GraphQL error) is an `Err`, and the stream ends there:
//! a failure mid-list is never a short list.

mod orders;
mod payouts;

pub(crate) use orders::complete_connection;
pub use orders::{NAMES_PER_SEARCH, OrderQuery, OrderSliceField, OrdersPage};

use bookkeeping_core::{Currency, Money, Provider};
pub use provider_http::{Listed, Malformed};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::graphql_path;
use crate::error::Error;
use crate::models::PageInfo;

/// A page of raw nodes.
pub(crate) struct RawPage {
    pub(crate) nodes: Vec<Value>,
    pub(crate) page_info: PageInfo,
}

/// Takes the connection at `pointer` out of `data` (its nodes are moved
/// out, not copied).
pub(crate) fn raw_page(data: &mut Value, pointer: &str) -> Result<RawPage, Error> {
    let conn = data
        .pointer_mut(pointer)
        .filter(|v| !v.is_null())
        .ok_or_else(|| Error::MissingData {
            path: graphql_path(),
            pointer: format!("/data{pointer}"),
        })?;
    let page_info_value = conn.get("pageInfo").cloned().unwrap_or(Value::Null);
    let page_info: PageInfo =
        serde_path_to_error::deserialize(page_info_value).map_err(|e| Error::Decode {
            path: graphql_path(),
            what: "pageInfo",
            field: format!("{pointer}/pageInfo/{}", e.path()),
            source: e.into_inner(),
        })?;
    let nodes = match conn.get_mut("nodes") {
        Some(Value::Array(nodes)) => std::mem::take(nodes),
        _ => {
            return Err(Error::MissingData {
                path: graphql_path(),
                pointer: format!("/data{pointer}/nodes"),
            });
        }
    };
    Ok(RawPage { nodes, page_info })
}

/// The next cursor of a page, or `None` on the last page.
pub(crate) fn next_cursor(page: &PageInfo, pointer: &str) -> Result<Option<String>, Error> {
    if !page.has_next_page {
        return Ok(None);
    }
    match &page.end_cursor {
        Some(c) => Ok(Some(c.clone())),
        None => Err(Error::MissingData {
            path: graphql_path(),
            pointer: format!("/data{pointer}/pageInfo/endCursor"),
        }),
    }
}

/// Decodes one node; failure becomes a [`Malformed`] naming `kind`, the id,
/// the field path (under `list_path`, e.g. `orders.nodes[3]`) and the amount
/// at `amount_pointer`.
pub(crate) fn decode_node<T: DeserializeOwned>(
    node: Value,
    kind: &'static str,
    list_path: &str,
    index: usize,
    amount_pointer: Option<&str>,
) -> Listed<T> {
    Malformed::decode(Provider::Shopify, kind, &["/id"], node)
        .map_err(|m| {
            let amount = amount_pointer.and_then(|p| money_at(&m.raw, p));
            m.within(list_path, index).with_amount(amount)
        })
        .into()
}

/// A `MoneyV2` at `pointer`, if it reads.
fn money_at(node: &Value, pointer: &str) -> Option<Money> {
    let m = node.pointer(pointer)?;
    let amount = m.get("amount")?.as_str()?;
    let currency = Currency::new(m.get("currencyCode")?.as_str()?).ok()?;
    Money::parse(amount, currency).ok()
}

/// The `data` of each answer to `query` (which takes `$ids`) over all of
/// `ids`: [`queries::NODES_PER_QUERY`](crate::queries::NODES_PER_QUERY) ids a
/// request (Shopify's input arrays hold at most 250), fewer when Shopify
/// refuses a request as too costly (`MAX_COST_EXCEEDED`, the ids cut down as
/// [`smaller_page_for`] cuts a page): how Shopify counts the cost of a
/// `nodes(ids:)` list is not published, and a refused request must cost a
/// retry, not the close.
pub(crate) async fn nodes_by_ids<T: serde::Serialize + Sync>(
    client: &crate::ShopifyClient,
    query: &str,
    ids: &[T],
) -> Result<Vec<Value>, Error> {
    nodes_by_ids_read(client, query, ids, |client, resp| {
        client.graphql_answer(resp).map(|answer| answer.data)
    })
    .await
}

/// [`nodes_by_ids`], each answer's `data` kept as the text Shopify sent
/// (for [`RefundDetails`](crate::bulk::RefundDetails), which reads it
/// straight into the models): no `Value` tree of the answer. An answer with
/// `errors`, or in any shape but `{"data": {…}}`, is read as before.
pub(crate) async fn nodes_by_ids_text<T: serde::Serialize + Sync>(
    client: &crate::ShopifyClient,
    query: &str,
    ids: &[T],
) -> Result<Vec<Box<serde_json::value::RawValue>>, Error> {
    nodes_by_ids_read(client, query, ids, |client, resp| {
        if let Some((data, extensions)) = data_text(resp.body()) {
            client.pace_extensions(extensions);
            return Ok(data);
        }
        let data = client.graphql_answer(resp)?.data;
        serde_json::value::to_raw_value(&data).map_err(|source| Error::Decode {
            path: graphql_path(),
            what: "data",
            field: String::new(),
            source,
        })
    })
    .await
}

/// An answer's `data` as its text, with the answer's `extensions` (its cost,
/// to pace by), when it has no `errors` and its `data` is an object.
fn data_text(body: &[u8]) -> Option<(Box<serde_json::value::RawValue>, Option<Value>)> {
    #[derive(serde::Deserialize)]
    struct Answer {
        data: Option<Box<serde_json::value::RawValue>>,
        errors: Option<serde::de::IgnoredAny>,
        extensions: Option<Value>,
    }
    let body = provider_http::strip_bom(body);
    let answer: Answer = serde_json::from_slice(body).ok()?;
    if answer.errors.is_some() {
        return None;
    }
    let data = answer.data.filter(|data| data.get().starts_with('{'))?;
    Some((data, answer.extensions))
}

/// [`nodes_by_ids`] with each answer read by `read`.
async fn nodes_by_ids_read<T: serde::Serialize + Sync, D>(
    client: &crate::ShopifyClient,
    query: &str,
    ids: &[T],
    read: impl Fn(&crate::ShopifyClient, &provider_http::HttpResponse) -> Result<D, Error>,
) -> Result<Vec<D>, Error> {
    let mut out = Vec::new();
    let mut per = crate::queries::NODES_PER_QUERY;
    let mut rest = ids;
    while !rest.is_empty() {
        let chunk = &rest[..per.min(rest.len())];
        let answer = client
            .graphql_send(query, serde_json::json!({ "ids": chunk }))
            .await
            .and_then(|resp| read(client, &resp));
        match answer {
            Ok(data) => {
                out.push(data);
                rest = &rest[chunk.len()..];
            }
            Err(e) => {
                let first = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
                match smaller_page_for(&e, first) {
                    Some(smaller) => per = smaller as usize,
                    None => return Err(e),
                }
            }
        }
    }
    Ok(out)
}

/// Whether an error is Shopify refusing a query as too costly, and if so the
/// page size that fits (`first × maxCost / cost`, at least 1, smaller than
/// `first`).
pub(crate) fn smaller_page_for(err: &Error, first: u32) -> Option<u32> {
    let Error::GraphQl { errors, .. } = err else {
        return None;
    };
    let e = errors
        .iter()
        .find(|e| e.code.as_deref() == Some("MAX_COST_EXCEEDED"))?;
    if first <= 1 {
        return None;
    }
    let ext = e.extensions.as_ref();
    let cost = ext.and_then(|x| x.get("cost")).and_then(Value::as_u64);
    let max = ext.and_then(|x| x.get("maxCost")).and_then(Value::as_u64);
    let smaller = match (cost, max) {
        // Checked: `maxCost` is a number the provider sent, and any `u64`
        // times a page size overflows.
        (Some(cost), Some(max)) if cost > 0 => u64::from(first)
            .checked_mul(max)
            .and_then(|n| u32::try_from(n / cost).ok())
            .unwrap_or(first / 2),
        _ => first / 2,
    };
    Some(smaller.clamp(1, first - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GraphQlError;

    /// An answer's `data` is taken as text only from an answer without
    /// `errors` whose `data` is an object (byte-order mark or not), with its
    /// `extensions` to pace by; any other answer goes the `Value` way, which
    /// reports its errors.
    #[test]
    fn data_is_taken_as_text_only_from_a_clean_answer() {
        let (data, extensions) = data_text(
            br#"{"data": {"nodes": [null]}, "extensions": {"cost": {"requestedQueryCost": 5}}}"#,
        )
        .unwrap();
        assert_eq!(data.get(), r#"{"nodes": [null]}"#);
        assert_eq!(extensions.unwrap()["cost"]["requestedQueryCost"], 5);
        let bom = data_text(b"\xEF\xBB\xBF{\"data\": {\"nodes\": []}}").unwrap();
        assert_eq!((bom.0.get(), bom.1), (r#"{"nodes": []}"#, None));
        for answer in [
            &br#"{"data": {"nodes": []}, "errors": [{"message": "Throttled"}]}"#[..],
            br#"{"errors": [{"message": "x", "extensions": {"code": "MAX_COST_EXCEEDED"}}]}"#,
            br#"{"data": null}"#,
            br#"{"data": []}"#,
            br#"{"data": {}, "data": {}}"#,
            b"<html>",
        ] {
            assert!(
                data_text(answer).is_none(),
                "{}",
                String::from_utf8_lossy(answer)
            );
        }
    }

    fn too_costly(cost: u64, max: u64) -> Error {
        Error::GraphQl {
            errors: vec![GraphQlError {
                message: "Query cost is too high".to_owned(),
                code: Some("MAX_COST_EXCEEDED".to_owned()),
                path: None,
                extensions: Some(serde_json::json!({ "cost": cost, "maxCost": max })),
            }],
            path: "/admin/api/2026-01/graphql.json".to_owned(),
        }
    }

    #[test]
    fn a_page_that_costs_too_much_is_made_smaller() {
        assert_eq!(smaller_page_for(&too_costly(2_500, 1_000), 250), Some(100));
        assert_eq!(
            smaller_page_for(&too_costly(1_000_000, 1_000), 250),
            Some(1)
        );
        assert_eq!(smaller_page_for(&too_costly(1_000, 1_000), 1), None);
    }

    /// `cost` and `maxCost` are numbers Shopify sends: a `maxCost` that
    /// overflows `first × maxCost` panicked in a debug build (and wrapped in
    /// a release build). Now the page is halved.
    #[test]
    fn a_max_cost_at_the_edge_of_a_u64_halves_the_page_without_a_panic() {
        assert_eq!(smaller_page_for(&too_costly(1, u64::MAX), 250), Some(125));
        assert_eq!(
            smaller_page_for(&too_costly(u64::MAX, u64::MAX), 250),
            Some(125)
        );
    }
}
