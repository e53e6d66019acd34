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
        Ok(self.statement_until(period).await?.0)
    }

    /// [`statement`](Self::statement), and where PayPal's data ends when it
    /// ends before the period does.
    async fn statement_until(
        &self,
        period: &Period,
    ) -> Result<(StatementBatch, Option<time::OffsetDateTime>), Error> {
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
        Ok((batch, search.data_until.filter(|_| !complete)))
    }
}

impl Source for PayPalClient {
    fn provider(&self) -> Provider {
        Provider::PayPal
    }
}

/// A close reads whole periods: a statement PayPal has not published to the
/// period's end (its data lags up to three hours) is an error, not a partial
/// month. A close run at 00:05 on the 1st would otherwise book the month
/// without its last hours, the next month's close would not book them
/// either, and the month would depend on when the close ran.
/// [`PayPalClient::statement`] still gives the partial statement, marked
/// incomplete, for a look at a month that is still running.
#[async_trait::async_trait]
impl StatementSource for PayPalClient {
    async fn statements(&self, period: &Period) -> Result<StatementBatch, SourceError> {
        match self.statement_until(period).await? {
            (_, Some(data_until)) => Err(SourceError::from(Error::NotYetPublished {
                data_until,
                period_end: period.end_utc(),
            })),
            (batch, None) => Ok(batch),
        }
    }
}
