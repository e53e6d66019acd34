//! The bookkeeping-core source traits on [`ShopifySource`] (and on
//! [`ShopifyClient`], with the default [`NormalizeOptions`]).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use bookkeeping_core::{
    BalanceLine, PayoutRecord, PayoutSource, Period, Provider, RecordStream, ReviewItem,
    ReviewReason, SalesRecord, SalesSource, Source, SourceError, SourceRef, stockholm_date,
};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::client::ShopifyClient;
use crate::error::Error;
use crate::models::BalanceTransaction;
use crate::normalize::{NormalizeOptions, normalize_order};
use crate::resources::{Listed, OrderQuery};
use provider_http::{end_after_error, flatten_batches};

/// Payouts whose lines are fetched at the same time. Each payout's
/// listing is a chain of cursor pages, but payouts do not depend on each
/// other: two at once halve a month close's round trips for payouts, within
/// the client's rate limit, and records still come out in the order of the
/// payouts list. Memory holds the transactions of every payout in flight
/// (a large shop's payout can have tens of thousands), so more than two
/// would trade memory for latency: with six, 1,000,000 Stripe transactions
/// in 30 payouts peaked at 368 MiB instead of 197 MiB with one.
const PAYOUT_CONCURRENCY: usize = 2;

/// Shopify as a source of sales and payouts: a [`ShopifyClient`]
/// (transport) with the host's [`NormalizeOptions`] (bookkeeping: the VAT
/// scheme for EU consumers, the country of an order without an address).
/// Cheap to clone.
///
/// ```
/// use shopify_bookkeeping::normalize::{EuConsumerVat, NormalizeOptions};
/// use shopify_bookkeeping::{ShopifyClient, ShopifySource};
///
/// let client = ShopifyClient::builder("kassabok-demo", "shpat_123").build()?;
/// let shopify = ShopifySource::new(client).normalize_options(NormalizeOptions {
///     eu_consumer_vat: EuConsumerVat::SwedishVat,
///     ..NormalizeOptions::default()
/// });
/// assert_eq!(shopify.options().eu_consumer_vat, EuConsumerVat::SwedishVat);
/// # Ok::<(), shopify_bookkeeping::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ShopifySource {
    client: ShopifyClient,
    options: NormalizeOptions,
}

impl ShopifySource {
    /// `client` with the default [`NormalizeOptions`].
    pub fn new(client: ShopifyClient) -> Self {
        ShopifySource {
            client,
            options: NormalizeOptions::default(),
        }
    }

    /// Sets how orders are normalized.
    #[must_use]
    pub fn normalize_options(mut self, options: NormalizeOptions) -> Self {
        self.options = options;
        self
    }

    /// The client.
    pub fn client(&self) -> &ShopifyClient {
        &self.client
    }

    /// How orders are normalized.
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }
}

impl From<ShopifyClient> for ShopifySource {
    fn from(client: ShopifyClient) -> Self {
        ShopifySource::new(client)
    }
}

impl Source for ShopifyClient {
    fn provider(&self) -> Provider {
        Provider::Shopify
    }
}

impl Source for ShopifySource {
    fn provider(&self) -> Provider {
        Provider::Shopify
    }
}

/// What to take from an order.
#[derive(Clone, Copy)]
enum Take {
    /// The sale and the refunds created in the period.
    SaleAndRefunds,
    /// Only refunds created in the period (orders of earlier periods).
    RefundsOnly,
}

fn order_records(
    listed: Listed<crate::models::Order>,
    options: &NormalizeOptions,
    period: &Period,
    take: Take,
) -> Vec<SalesRecord> {
    let order = match listed {
        Listed::Item(o) => o,
        Listed::Malformed(m) => return vec![SalesRecord::Review(m.review())],
    };
    let n = normalize_order(&order, options);
    // Refunds created outside the period belong to another period's run,
    // and so do their review items.
    let elsewhere: Vec<SourceRef> = n
        .refunds
        .iter()
        .filter(|r| !period.contains(r.occurred_at))
        .map(|r| r.source.clone())
        .collect();
    let mut out = Vec::new();
    if let (Take::SaleAndRefunds, Some(sale)) = (take, n.sale) {
        out.push(SalesRecord::Sale(sale));
    }
    out.extend(
        n.refunds
            .into_iter()
            .filter(|r| period.contains(r.occurred_at))
            .map(SalesRecord::Refund),
    );
    // Review items of an earlier order concern this period only through its refunds.
    out.extend(
        n.review
            .into_iter()
            .filter(|r| !r.source.as_ref().is_some_and(|s| elsewhere.contains(s)))
            .filter(|r| match take {
                Take::SaleAndRefunds => true,
                Take::RefundsOnly => r.source.as_ref().is_some_and(|s| s.kind == "refund"),
            })
            .map(SalesRecord::Review),
    );
    out
}

/// The client's own source traits: [`ShopifySource`]'s with the default options.
impl SalesSource for ShopifyClient {
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        sales(self, &self.options, period)
    }
}

/// The client's own source traits: [`ShopifySource`]'s with the default options.
impl PayoutSource for ShopifyClient {
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        payouts(self, &self.options, period)
    }
}

impl SalesSource for ShopifySource {
    /// Orders processed in the period (their sales and the refunds created
    /// in it), then orders processed earlier but updated since the period
    /// began (only their refunds created in the period).
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        sales(&self.client, &self.options, period)
    }
}

impl PayoutSource for ShopifySource {
    /// The Shopify Payments payouts issued in the period, each with its
    /// balance transactions; then, as [`PayoutRecord::Line`], every balance
    /// transaction processed in the period that none of those payouts
    /// carries (not yet paid out at the period's end); then the disputes lost
    /// in the period ([`ShopifyClient::lost_disputes`]).
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        payouts(&self.client, &self.options, period)
    }
}

fn sales<'a>(
    client: &'a ShopifyClient,
    options: &'a NormalizeOptions,
    period: &'a Period,
) -> RecordStream<'a, SalesRecord> {
    {
        let current = client
            .orders_auto(OrderQuery::processed_in(period))
            .map_ok(move |l| order_records(l, options, period, Take::SaleAndRefunds));
        let earlier = client
            .orders_auto(OrderQuery::earlier_orders_updated_since(period))
            .map_ok(move |l| order_records(l, options, period, Take::RefundsOnly));
        flatten_batches(current.chain(earlier))
            .map_err(SourceError::from)
            .boxed()
    }
}

fn payouts<'a>(
    client: &'a ShopifyClient,
    options: &'a NormalizeOptions,
    period: &'a Period,
) -> RecordStream<'a, PayoutRecord> {
    {
        let this = client;
        let client = this.clone();
        let carried: Arc<Mutex<HashSet<String>>> = Arc::default();
        let payouts = this
            .shopify_payouts(period)
            .map({
                let carried = Arc::clone(&carried);
                move |listed| {
                    let client = client.clone();
                    let carried = Arc::clone(&carried);
                    async move { payout_records(&client, listed?, &carried).await }
                }
            })
            .buffered(PAYOUT_CONCURRENCY);
        let client = this.clone();
        // Listed once every payout is in, so `carried` is complete.
        let not_paid_out = stream::once(async move {
            let lister = client.clone();
            lister
                .balance_transactions_processed(period)
                .and_then(move |listed| {
                    let client = client.clone();
                    let carried = Arc::clone(&carried);
                    async move { balance_line_records(&client, listed, &carried).await }
                })
        })
        .flatten();
        let records = flatten_batches(payouts.chain(not_paid_out)).map_err(SourceError::from);
        // The stream ends at the first error: no disputes after a failed payout.
        end_after_error(records.chain(this.lost_disputes_with(options, period))).boxed()
    }
}

/// A balance transaction of the period that no listed payout carries, as a
/// [`PayoutRecord::Line`]; nothing for one a payout carries.
/// A refund line is joined to its refund as a payout's are.
async fn balance_line_records(
    client: &ShopifyClient,
    listed: Listed<BalanceTransaction>,
    carried: &Mutex<HashSet<String>>,
) -> Result<Vec<PayoutRecord>, Error> {
    let t = match listed {
        Listed::Item(t) => t,
        Listed::Malformed(m) => return Ok(vec![PayoutRecord::Review(m.review())]),
    };
    let is_carried = carried
        .lock()
        .map(|set| set.contains(t.id.as_str()))
        .unwrap_or(false);
    if is_carried {
        return Ok(Vec::new());
    }
    let order = t
        .associated_order
        .as_ref()
        .filter(|_| {
            t.kind == crate::models::BalanceTransactionType::Refund
                && t.source_order_transaction_id.is_some()
        })
        .map(|o| o.id.clone());
    let refunds = match order {
        Some(order) => client.refunds_by_transaction(&[order]).await?,
        None => std::collections::HashMap::new(),
    };
    Ok(
        match crate::normalize::normalize_balance_transaction(&t, &refunds) {
            Ok((line, reviews)) => std::iter::once(PayoutRecord::Line(BalanceLine {
                provider: Provider::Shopify,
                line,
            }))
            .chain(reviews.into_iter().map(PayoutRecord::Review))
            .collect(),
            Err(e) => vec![PayoutRecord::Review(
                ReviewItem::new(
                    Provider::Shopify,
                    ReviewReason::Currency,
                    format!("balance transaction amounts could not be read: {e}"),
                )
                .with_source(SourceRef::new(
                    Provider::Shopify,
                    "balance_transaction",
                    t.id.as_str(),
                )),
            )],
        },
    )
}

async fn payout_records(
    client: &ShopifyClient,
    listed: Listed<crate::models::Payout>,
    carried: &Mutex<HashSet<String>>,
) -> Result<Vec<PayoutRecord>, Error> {
    let payout = match listed {
        Listed::Item(p) => p,
        Listed::Malformed(m) => return Ok(vec![PayoutRecord::Review(m.review())]),
    };
    let (mut transactions, mut malformed) = collect(client.balance_transactions(&payout)).await?;
    if !explains(&payout, &transactions) {
        // `payments_transfer_id` is not a documented filter: when its lines do
        // not add up to the payout, search by the payout's date instead and
        // keep that result if it does.
        let date = stockholm_date(payout.issued_at);
        let search = format!("payout_date:{date}");
        tracing::debug!(payout = %payout.id, %search, "shopify: payout lines do not add up, searching by date");
        let (by_date, bad) = collect(client.balance_transactions_matching(&payout, search)).await?;
        if explains(&payout, &by_date) {
            transactions = by_date;
            malformed = bad;
        }
    }
    if let Ok(mut set) = carried.lock() {
        set.extend(transactions.iter().map(|t| t.id.as_str().to_owned()));
    }
    // Refund lines join the refund they settle through the order
    // transaction behind them (an order can have several refunds).
    let mut orders: Vec<crate::ids::OrderId> = transactions
        .iter()
        .filter(|t| t.kind == crate::models::BalanceTransactionType::Refund)
        .filter(|t| t.source_order_transaction_id.is_some())
        .filter_map(|t| t.associated_order.as_ref().map(|o| o.id.clone()))
        .collect();
    orders.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    orders.dedup();
    let refunds = if orders.is_empty() {
        std::collections::HashMap::new()
    } else {
        client.refunds_by_transaction(&orders).await?
    };
    let mut out = Vec::new();
    match crate::normalize::normalize_payout_joined(&payout, &transactions, &refunds) {
        Ok((p, reviews)) => {
            out.push(PayoutRecord::Payout(p));
            out.extend(malformed.into_iter().map(PayoutRecord::Review));
            out.extend(reviews.into_iter().map(PayoutRecord::Review));
        }
        Err(e) => out.push(PayoutRecord::Review(
            ReviewItem::new(
                Provider::Shopify,
                ReviewReason::Currency,
                format!("payout amount could not be read: {e}"),
            )
            .with_source(SourceRef::new(
                Provider::Shopify,
                "payout",
                payout.id.as_str(),
            ))
            .with_field("net"),
        )),
    }
    Ok(out)
}

type Collected = (Vec<BalanceTransaction>, Vec<ReviewItem>);

async fn collect(
    mut items: futures::stream::BoxStream<'static, Result<Listed<BalanceTransaction>, Error>>,
) -> Result<Collected, Error> {
    let mut transactions = Vec::new();
    let mut malformed = Vec::new();
    while let Some(item) = items.next().await {
        match item? {
            Listed::Item(t) => transactions.push(t),
            Listed::Malformed(m) => malformed.push(m.review()),
        }
    }
    Ok((transactions, malformed))
}

/// Whether the transactions' nets add up to the payout.
fn explains(payout: &crate::models::Payout, transactions: &[BalanceTransaction]) -> bool {
    crate::normalize::normalize_payout(payout, transactions)
        .ok()
        .and_then(|(p, _)| p.unexplained().ok())
        .is_some_and(|d| d.is_zero())
}
