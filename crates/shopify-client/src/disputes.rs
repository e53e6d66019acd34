//! Shopify Payments disputes decided against the shop, as
//! [`PayoutRecord::DisputeLost`] records for the mapping (which books them
//! as a refund or a bad debt, by the firm's policy).
//!
//! A dispute withdraws its amount when it opens (a `DISPUTE_WITHDRAWAL`
//! balance transaction, booked on the disputed receivable); a won dispute
//! returns it (`DISPUTE_REVERSAL`); a lost one moves no money, so only the
//! dispute's `status: LOST` and `finalizedOn` date say the money is gone
//! (`ShopifyPaymentsDispute`, admin-graphql-2026-01.schema.graphql).

use bookkeeping_core::{
    DisputeLost, MoneyError, PayoutRecord, Period, Provider, RecordStream, SourceError, SourceRef,
    stockholm_midnight,
};
use futures::StreamExt;

use crate::ShopifyClient;
use crate::models::{Dispute, DisputeStatus};
use crate::resources::Listed;

/// The lost dispute, when `dispute` was decided against the shop on a day
/// of `period`.
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
    if dispute.status != DisputeStatus::Lost || !period.contains_date(decided) {
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
    }))
}

impl ShopifyClient {
    /// The disputes lost in `period` (decided on one of its days), as
    /// [`PayoutRecord::DisputeLost`]; a dispute that does not decode, or whose
    /// amount cannot be read, is a review record. The stream ends after the
    /// first `Err`.
    pub fn lost_disputes<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.shopify_disputes("status:lost".to_owned())
            .filter_map(move |listed| {
                let record = match listed {
                    Err(e) => Some(Err(SourceError::from(e))),
                    Ok(Listed::Malformed(m)) => Some(Ok(PayoutRecord::Review(m.review()))),
                    Ok(Listed::Item(d)) => match normalize_dispute(&d, period) {
                        Ok(lost) => lost.map(|l| Ok(PayoutRecord::DisputeLost(l))),
                        Err(e) => Some(Ok(PayoutRecord::Review(
                            bookkeeping_core::ReviewItem::new(
                                Provider::Shopify,
                                bookkeeping_core::ReviewReason::Currency,
                                format!("dispute amount could not be read: {e}"),
                            )
                            .with_source(SourceRef::new(
                                Provider::Shopify,
                                "dispute",
                                d.id.as_str(),
                            ))
                            .with_field("amount"),
                        ))),
                    },
                };
                futures::future::ready(record)
            })
            .boxed()
    }
}
