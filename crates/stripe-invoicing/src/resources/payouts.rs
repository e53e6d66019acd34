//! Payouts and the balance transactions behind them.

use super::{ListStream, TimeRange, pair};
use crate::StripeClient;
use crate::ids::PayoutId;
use crate::models::{BalanceTransaction, Payout};

impl StripeClient {
    /// The payouts created in `created` (`GET /v1/payouts?created[gte]=…&created[lt]=…`),
    /// newest first. Manual payouts are listed like the others.
    pub fn list_payouts(&self, created: TimeRange) -> ListStream<Payout> {
        self.list(
            "payout",
            "/v1/payouts".to_owned(),
            created.query("created").to_vec(),
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
