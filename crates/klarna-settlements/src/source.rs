//! The bookkeeping-core source traits on [`KlarnaClient`], so a host drives
//! Klarna like every other provider.

use bookkeeping_core::{
    PayoutRecord, PayoutSource, Period, Provider, RecordStream, Source, SourceError,
};
use futures::stream::{StreamExt, TryStreamExt};

use crate::{KlarnaClient, PayoutQuery};

impl Source for KlarnaClient {
    fn provider(&self) -> Provider {
        Provider::Klarna
    }
}

impl PayoutSource for KlarnaClient {
    /// The payouts whose payout date falls in `period`, each with its
    /// transactions as lines, plus review items.
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.normalized_payouts(&PayoutQuery::period(period))
            .map_err(SourceError::from)
            .boxed()
    }
}
