//! Payouts and the balance transactions behind them.

use super::{ListStream, TimeRange, pair};
use crate::StripeClient;
use crate::ids::PayoutId;
use crate::models::{BalanceTransaction, Payout};

/// Payouts are listed with the balance transaction that returned a failed
/// payout's money, for the day it failed.
const EXPAND_FAILURE: &str = "data.failure_balance_transaction";

impl StripeClient {
    /// The payouts created in `created` (`GET /v1/payouts?created[gte]=…&created[lt]=…`),
    /// newest first. Manual payouts are listed like the others. Each comes
    /// with its `failure_balance_transaction` expanded, which dates a failure
    /// ([`FailureTransaction`](crate::models::FailureTransaction)).
    pub fn list_payouts(&self, created: TimeRange) -> ListStream<Payout> {
        let mut query = created.query("created").to_vec();
        query.push(pair("expand[]", EXPAND_FAILURE));
        self.list("payout", "/v1/payouts".to_owned(), query, None)
    }

    /// The payouts arriving at the bank in `arrival` that were created
    /// before `created_before` (`GET /v1/payouts?arrival_date[gte]=…&arrival_date[lt]=…&created[lt]=…`):
    /// with [`StripeClient::list_payouts`] over the same period, every payout
    /// created or arriving in it, each once. Stripe's `arrival_date` is "the
    /// date the payout is expected to arrive in the bank", factoring in
    /// weekends and bank holidays (<https://docs.stripe.com/api/payouts/object#payout_object-arrival_date>).
    pub fn list_payouts_arriving(
        &self,
        arrival: TimeRange,
        created_before: time::OffsetDateTime,
    ) -> ListStream<Payout> {
        let mut query = arrival.query("arrival_date").to_vec();
        query.push(pair(
            "created[lt]",
            created_before.unix_timestamp().to_string(),
        ));
        query.push(pair("expand[]", EXPAND_FAILURE));
        self.list("payout", "/v1/payouts".to_owned(), query, None)
    }

    /// Every balance transaction created in `created`, paid out or not
    /// (`GET /v1/balance_transactions?created[gte]=…&created[lt]=…&expand[]=data.source`):
    /// Stripe states a fee, refund or dispute when it happens, so the month
    /// of `created` is the month it is booked in
    /// (<https://docs.stripe.com/api/balance_transactions/list>).
    pub fn list_balance_transactions(&self, created: TimeRange) -> ListStream<BalanceTransaction> {
        let mut query = created.query("created").to_vec();
        query.push(pair("expand[]", "data.source"));
        self.list(
            "balance_transaction",
            "/v1/balance_transactions".to_owned(),
            query,
            None,
        )
    }

    /// The balance transactions paid out in an automatic payout
    /// (`GET /v1/balance_transactions?payout=po_…&expand[]=data.source`), each
    /// with its charge, refund or dispute expanded so no further request per
    /// transaction is needed. The payout's own `payout` transaction is part
    /// of the list. Stripe cannot break down a manual payout (it answers with
    /// an empty list or an error), so do not ask for one.
    pub fn list_payout_transactions(&self, payout: &PayoutId) -> ListStream<BalanceTransaction> {
        self.list(
            "balance_transaction",
            "/v1/balance_transactions".to_owned(),
            vec![
                pair("payout", payout.as_str()),
                pair("expand[]", "data.source"),
            ],
            None,
        )
    }
}
