//! `GET /v1/reporting/balances`.

use bookkeeping_core::{Currency, Money};
use serde::Deserialize;
use time::OffsetDateTime;

use super::serde_helpers::{date, money};
use crate::AccountId;

/// `balances_response`: the balances of every currency at a moment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct BalancesResponse {
    /// One entry per currency the account holds.
    #[serde(default)]
    pub balances: Vec<BalanceDetail>,
    /// The account.
    pub account_id: Option<AccountId>,
    /// The moment the balances are for.
    #[serde(default, deserialize_with = "date::option")]
    pub as_of_time: Option<OffsetDateTime>,
    /// Until when PayPal's data was complete.
    #[serde(default, deserialize_with = "date::option")]
    pub last_refresh_time: Option<OffsetDateTime>,
}

impl BalancesResponse {
    /// The balance detail of `currency`, if the account holds it.
    pub fn get(&self, currency: Currency) -> Option<&BalanceDetail> {
        self.balances.iter().find(|b| b.currency == currency)
    }
}

/// `balance_detail`: one currency balance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct BalanceDetail {
    /// The currency.
    pub currency: Currency,
    /// Whether it is the account's primary currency.
    pub primary: Option<bool>,
    /// The total balance: available plus withheld.
    #[serde(deserialize_with = "money::required")]
    pub total_balance: Money,
    /// The part that can be used.
    #[serde(default, deserialize_with = "money::option")]
    pub available_balance: Option<Money>,
    /// The part on hold.
    #[serde(default, deserialize_with = "money::option")]
    pub withheld_balance: Option<Money>,
}
