//! Shopify Payments payouts and the balance transactions of each.

use bookkeeping_core::Period;
use futures::stream::{BoxStream, StreamExt};
use provider_http::{Page, paginate};
use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Listed, decode_node, next_cursor, raw_page, smaller_page_for};
use crate::client::ShopifyClient;
use crate::error::Error;
use crate::ids::{OrderId, RefundId};
use crate::models::{BalanceTransaction, Dispute, Payout};
use crate::queries;

const PAYOUTS: &str = "/shopifyPaymentsAccount/payouts";
const BALANCE: &str = "/shopifyPaymentsAccount/balanceTransactions";
const DISPUTES: &str = "/shopifyPaymentsAccount/disputes";

impl ShopifyClient {
    /// The Shopify Payments payouts issued in `period` (Europe/Stockholm
    /// days written in UTC), oldest first.
    ///
    /// The stream ends after the first `Err`; [`Error::MissingData`] when the
    /// shop has no Shopify Payments account.
    pub fn shopify_payouts(
        &self,
        period: &Period,
    ) -> BoxStream<'static, Result<Listed<Payout>, Error>> {
        let search = within("issued_at", period);
        self.list(queries::PAYOUTS, PAYOUTS, "payout", search, Some("/net"))
    }

    /// Every Shopify Payments balance transaction processed in `period`
    /// (Europe/Stockholm days written in UTC), paid out or not, transfers
    /// hidden: `balanceTransactions(query: "processed_at:>=… processed_at:<…")`,
    /// a filter the Admin API documents on `ShopifyPaymentsAccount.balanceTransactions`
    /// (/work/shared/fixtures/shopify/admin-graphql-2026-01.schema.graphql).
    /// Shopify states a fee, refund or dispute when it processes it, so that
    /// is the month it is booked in, whichever payout later carries it.
    pub fn balance_transactions_processed(
        &self,
        period: &Period,
    ) -> BoxStream<'static, Result<Listed<BalanceTransaction>, Error>> {
        let search = within("processed_at", period);
        self.list(
            queries::BALANCE_TRANSACTIONS,
            BALANCE,
            "balance_transaction",
            search,
            Some("/net"),
        )
    }

    /// The balance transactions of `payout`, transfers hidden.
    ///
    /// Filtered with `payments_transfer_id:<payout legacy id>`, then checked
    /// against `associatedPayout.id`: a transaction of another payout is left
    /// out (and logged at debug level), so a filter Shopify ignores can never
    /// put foreign lines into a payout.
    pub fn balance_transactions(
        &self,
        payout: &Payout,
    ) -> BoxStream<'static, Result<Listed<BalanceTransaction>, Error>> {
        self.balance_transactions_matching(
            payout,
            format!("payments_transfer_id:{}", payout.legacy_resource_id),
        )
    }

    /// The balance transactions found by another search (such as
    /// `payout_date:2026-03-06`), kept only when `associatedPayout.id` is
    /// `payout`'s.
    pub fn balance_transactions_matching(
        &self,
        payout: &Payout,
        search: String,
    ) -> BoxStream<'static, Result<Listed<BalanceTransaction>, Error>> {
        let payout_id = payout.id.clone();
        self.list::<BalanceTransaction>(
            queries::BALANCE_TRANSACTIONS,
            BALANCE,
            "balance_transaction",
            search,
            Some("/net"),
        )
        .filter(move |item| {
            let keep = match item {
                Ok(Listed::Item(t)) => t.associated_payout.id.as_ref() == Some(&payout_id),
                _ => true,
            };
            if !keep {
                tracing::debug!(payout = %payout_id, "shopify: balance transaction of another payout left out");
            }
            futures::future::ready(keep)
        })
        .boxed()
    }

    /// The Shopify Payments disputes matching `search` (such as `status:lost`).
    pub fn shopify_disputes(
        &self,
        search: String,
    ) -> BoxStream<'static, Result<Listed<Dispute>, Error>> {
        self.list(
            queries::DISPUTES,
            DISPUTES,
            "dispute",
            search,
            Some("/amount"),
        )
    }

    /// The refund behind each of the given order transactions: the refunds
    /// of `orders` (one `nodes(ids:)` query per 250 orders), keyed by the
    /// numeric id of each refund transaction, which is what a balance
    /// transaction's `sourceOrderTransactionId` holds.
    ///
    /// # Errors
    /// [`Error`] when a query fails or its answer does not decode.
    pub async fn refunds_by_transaction(
        &self,
        orders: &[OrderId],
    ) -> Result<HashMap<String, RefundId>, Error> {
        #[derive(serde::Deserialize)]
        struct OrderRefunds {
            #[serde(default)]
            refunds: Vec<RefundTransactions>,
        }
        #[derive(serde::Deserialize)]
        struct RefundTransactions {
            id: RefundId,
            transactions: Nodes,
        }
        #[derive(serde::Deserialize)]
        struct Nodes {
            nodes: Vec<TransactionId>,
        }
        #[derive(serde::Deserialize)]
        struct TransactionId {
            id: crate::ids::OrderTransactionId,
        }
        let mut out = HashMap::new();
        for data in super::nodes_by_ids(self, queries::REFUNDS_OF_ORDERS, orders).await? {
            let nodes = data.get("nodes").cloned().unwrap_or(Value::Null);
            // A node that is null (an order deleted since) or not an order
            // has nothing to join.
            let orders: Vec<Option<OrderRefunds>> = serde_path_to_error::deserialize(nodes)
                .map_err(|e| Error::Decode {
                    path: crate::client::graphql_path(),
                    what: "refunds of orders",
                    field: format!("/data/nodes/{}", e.path()),
                    source: e.into_inner(),
                })?;
            for refund in orders.into_iter().flatten().flat_map(|o| o.refunds) {
                for t in refund.transactions.nodes {
                    if let Some(n) = t.id.numeric() {
                        out.insert(n.to_owned(), refund.id.clone());
                    }
                }
            }
        }
        Ok(out)
    }

    fn list<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        query: &'static str,
        pointer: &'static str,
        kind: &'static str,
        search: String,
        amount_pointer: Option<&'static str>,
    ) -> BoxStream<'static, Result<Listed<T>, Error>> {
        let client = self.clone();
        let list_path = pointer.trim_start_matches('/').replace('/', ".") + ".nodes";
        let page_size = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(self.page_size));
        let fetched = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        paginate(None, move |cursor: Option<String>| {
            let client = client.clone();
            let search = search.clone();
            let list_path = list_path.clone();
            let page_size = page_size.clone();
            let fetched = fetched.clone();
            async move {
                let mut resp = loop {
                    let first = page_size.load(std::sync::atomic::Ordering::Relaxed);
                    let vars = json!({ "first": first, "after": cursor, "query": search });
                    match client.graphql(query, vars).await {
                        Ok(r) => break r,
                        Err(e) => match smaller_page_for(&e, first) {
                            Some(s) => page_size.store(s, std::sync::atomic::Ordering::Relaxed),
                            None => return Err(e),
                        },
                    }
                };
                let page = raw_page(&mut resp.data, pointer)?;
                let next = next_cursor(&page.page_info, pointer)?;
                let base =
                    fetched.fetch_add(page.nodes.len(), std::sync::atomic::Ordering::Relaxed);
                let items = page
                    .nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, node)| decode_node(node, kind, &list_path, base + i, amount_pointer))
                    .collect();
                Ok::<_, Error>(Page::new(items, next))
            }
        })
        .boxed()
    }
}

/// Shopify's search for `field` in `period`: `field:>='…' field:<'…'`, the
/// period's Europe/Stockholm days written in UTC.
fn within(field: &str, period: &Period) -> String {
    format!(
        "{field}:>='{}' {field}:<'{}'",
        rfc3339(period.start_utc()),
        rfc3339(period.end_utc())
    )
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
