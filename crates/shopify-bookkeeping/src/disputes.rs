//! Shopify Payments disputes decided against the shop, as
//! [`PayoutRecord::DisputeLost`] records for the mapping (which books them
//! as a refund or a bad debt, by the firm's policy).
//!
//! A dispute withdraws its amount when it opens (a `DISPUTE_WITHDRAWAL`
//! balance transaction, booked on the disputed receivable); a won dispute
//! returns it (`DISPUTE_REVERSAL`); a lost one moves no money, so only the
//! dispute's status and `finalizedOn` date ("The date when this dispute was
//! resolved") say the money is gone (`ShopifyPaymentsDispute`,
//! admin-graphql-2026-01.schema.graphql).
//!
//! Two statuses end a dispute against the shop: `LOST` (decided by the
//! card network) and `ACCEPTED` (the shop accepted the chargeback instead of
//! answering it). Both are final and neither returns the withdrawn money;
//! only `WON` does. `DisputeStatus` has no other final value in 2026-01.

use bookkeeping_core::{
    DisputeLost, MoneyError, PayoutRecord, Period, Provider, RecordStream, ReviewItem,
    ReviewReason, SourceError, SourceRef, stockholm_date, stockholm_midnight,
};
use futures::StreamExt;

use crate::ShopifyClient;
use crate::models::{Dispute, DisputeStatus};
use crate::normalize::{NormalizeOptions, normalize_order};
use crate::resources::Listed;
use provider_http::end_after_error;

/// Orders of lost disputes fetched at the same time (each is one request).
const ORDERS_AT_ONCE: usize = 8;

/// The searches for disputes that ended against the shop, one listing each:
/// the disputes connection filters by `status` (one value a search term).
pub(crate) const DECIDED_AGAINST: [&str; 2] = ["status:lost", "status:accepted"];

/// The lost dispute, when `dispute` ended against the shop (`LOST`, or
/// `ACCEPTED` by the shop) on a day of `period` (without its sale:
/// [`ShopifyClient::lost_disputes`] fetches that).
///
/// # Errors
/// [`MoneyError`] when its amount has no valid currency.
pub fn normalize_dispute(
    dispute: &Dispute,
    period: &Period,
) -> Result<Option<DisputeLost>, MoneyError> {
    let Some(decided) = dispute.finalized_on else {
        return Ok(None);
    };
    let against = matches!(
        dispute.status,
        DisputeStatus::Lost | DisputeStatus::Accepted
    );
    if !against || !period.contains_date(decided) {
        return Ok(None);
    }
    Ok(Some(DisputeLost {
        source: SourceRef::new(Provider::Shopify, "dispute", dispute.id.as_str()),
        provider: Provider::Shopify,
        sale: dispute
            .order
            .as_ref()
            .map(|o| SourceRef::new(Provider::Shopify, "order", o.id.as_str())),
        decided_at: stockholm_midnight(decided),
        amount: dispute.amount.to_money()?,
        earlier_sale: None,
        reference: None,
    }))
}

impl ShopifyClient {
    /// The disputes lost in `period` (decided against the shop or accepted by
    /// it on one of its days: `status:lost`, then `status:accepted`), as
    /// [`PayoutRecord::DisputeLost`]; a dispute that does not decode, or whose
    /// amount cannot be read, is a review record. The stream ends after the
    /// first `Err`.
    ///
    /// The disputed order is fetched ([`ShopifyClient::order`]) and, when it
    /// was sold before `period`, carried normalized as
    /// [`DisputeLost::earlier_sale`]: the period's own sales do not hold it,
    /// and the mapping needs its lines to reverse its revenue and VAT (a
    /// March order disputed and lost in April).
    ///
    /// The earlier sale is normalized with the default
    /// [`NormalizeOptions`] (or what the deprecated builder setter chose); a
    /// [`ShopifySource`](crate::ShopifySource) lists its lost disputes with its own.
    pub fn lost_disputes<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.lost_disputes_with(&self.options, period)
    }

    /// [`lost_disputes`](Self::lost_disputes), earlier sales normalized with `options`.
    pub(crate) fn lost_disputes_with<'a>(
        &'a self,
        options: &'a NormalizeOptions,
        period: &'a Period,
    ) -> RecordStream<'a, PayoutRecord> {
        let records = futures::stream::iter(DECIDED_AGAINST)
            .flat_map(|search| self.shopify_disputes(search.to_owned()))
            .map(move |listed| async move {
                let d = match listed {
                    Err(e) => return vec![Err(SourceError::from(e))],
                    Ok(Listed::Malformed(m)) => return vec![Ok(PayoutRecord::Review(m.review()))],
                    Ok(Listed::Item(d)) => d,
                };
                match normalize_dispute(&d, period) {
                    Ok(None) => Vec::new(),
                    Ok(Some(lost)) => self.with_earlier_sale(lost, &d, options, period).await,
                    Err(e) => vec![Ok(PayoutRecord::Review(
                        ReviewItem::new(
                            Provider::Shopify,
                            ReviewReason::Currency,
                            format!("dispute amount could not be read: {e}"),
                        )
                        .with_source(SourceRef::new(Provider::Shopify, "dispute", d.id.as_str()))
                        .with_field("amount"),
                    ))],
                }
            })
            // Each dispute's order is its own request: a few at once.
            .buffered(ORDERS_AT_ONCE)
            .flat_map(futures::stream::iter);
        end_after_error(records).boxed()
    }

    /// `lost` with its order's sale when that sale is of a day before
    /// `period`, then any review item reading the order gave.
    async fn with_earlier_sale(
        &self,
        mut lost: DisputeLost,
        dispute: &Dispute,
        options: &NormalizeOptions,
        period: &Period,
    ) -> Vec<Result<PayoutRecord, SourceError>> {
        let Some(order) = &dispute.order else {
            return vec![Ok(PayoutRecord::DisputeLost(lost))];
        };
        // An order processed in the period or later is among the period's
        // sales (its review items too): nothing to fetch.
        if order
            .processed_at
            .is_some_and(|at| stockholm_date(at) >= period.first())
        {
            return vec![Ok(PayoutRecord::DisputeLost(lost))];
        }
        let mut out = Vec::new();
        match self.order(&order.id).await {
            Err(e) => return vec![Err(SourceError::from(e))],
            // No such order any more: the mapping reports the unknown sale.
            Ok(None) => {}
            Ok(Some(Listed::Malformed(m))) => out.push(Ok(PayoutRecord::Review(m.review()))),
            Ok(Some(Listed::Item(o))) => {
                // The sale's own review items were reported by its month's run.
                let sale = normalize_order(&o, options).sale;
                lost.earlier_sale = sale
                    .filter(|s| stockholm_date(s.occurred_at) < period.first())
                    .map(Box::new);
            }
        }
        out.insert(0, Ok(PayoutRecord::DisputeLost(lost)));
        out
    }
}
