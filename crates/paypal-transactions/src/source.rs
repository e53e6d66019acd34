//! The statement of a period, and the bookkeeping-core source traits.

use bookkeeping_core::{
    Period, Provider, Source, SourceError, SourceRef, StatementBatch, StatementSource,
};

use crate::normalize::statements_from_transactions;
use crate::{Error, PayPalClient};

impl PayPalClient {
    /// The PayPal account over `period` (Stockholm dates) as one statement per currency:
    /// every transaction (see [`transactions`](PayPalClient::transactions)), the balances at
    /// the period's start and end (`GET /v1/reporting/balances?as_of_time=`), and the
    /// balance check per currency (see
    /// [`statements_from_transactions`](crate::statements_from_transactions)). When PayPal's
    /// data ends before the period does, the closing balance is taken where the data ends,
    /// every statement says `complete: false`, and a review item says so.
    ///
    /// # Errors
    /// The first error of the search or of a balance call.
    pub async fn statement(&self, period: &Period) -> Result<StatementBatch, Error> {
        let (from, to) = (period.start_utc(), period.end_utc());
        let search = self.search(from, to).await?;
        let opening = self.balances(Some(from)).await?;
        let closing = self.balances(Some(search.data_until.unwrap_or(to))).await?;
        let account_id = closing
            .account_id
            .as_ref()
            .or(opening.account_id.as_ref())
            .map_or_else(|| "paypal".to_owned(), ToString::to_string);
        let account = SourceRef::new(Provider::PayPal, "account", account_id);
        let complete = search.is_complete();
        let mut batch = statements_from_transactions(
            &account,
            search.transactions,
            &opening,
            &closing,
            complete,
        );
        let mut review = search.review;
        review.append(&mut batch.review);
        batch.review = review;
        Ok(batch)
    }
}

impl Source for PayPalClient {
    fn provider(&self) -> Provider {
        Provider::PayPal
    }
}

#[async_trait::async_trait]
impl StatementSource for PayPalClient {
    async fn statements(&self, period: &Period) -> Result<StatementBatch, SourceError> {
        self.statement(period).await.map_err(SourceError::from)
    }
}
