//! Shopify Payments payouts and the balance transactions of each.

use bookkeeping_core::Period;
use futures::stream::{BoxStream, StreamExt};
use provider_http::{Page, paginate};
use serde_json::json;

use super::{Listed, decode_node, next_cursor, raw_page, smaller_page_for};
use crate::client::ShopifyClient;
use crate::error::Error;
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
        let search = format!(
            "issued_at:>='{}' issued_at:<'{}'",
            rfc3339(period.start_utc()),
            rfc3339(period.end_utc())
        );
        self.list(queries::PAYOUTS, PAYOUTS, "payout", search, Some("/net"))
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

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
