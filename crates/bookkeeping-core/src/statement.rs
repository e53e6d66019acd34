//! Bank-like account lines (PayPal): every movement of a balance.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Currency, Money, MoneyError, SourceRef};

/// What a statement line is, from the provider's event code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatementClass {
    /// A payment received (or sent).
    Payment,
    /// A fee (always its own line, never netted into a payment).
    Fee,
    /// One side of a currency conversion.
    Conversion,
    /// Money moved to or from the bank account.
    Withdrawal,
    /// A refund or reversal of a payment.
    Refund,
    /// A chargeback.
    Chargeback,
    /// Money placed on hold or released from it.
    Hold,
    /// Something else the provider classifies, kept with its name.
    Other(String),
    /// An event code kassabok does not know, kept as the provider wrote it.
    Unknown(String),
}

/// One movement of a provider balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The provider object (PayPal transaction id); a fee line shares it with
    /// its payment line and is told apart by [`StatementLine::class`].
    pub source: SourceRef,
    /// When it was booked on the balance.
    #[serde(with = "time::serde::rfc3339")]
    pub booked_at: OffsetDateTime,
    /// The signed amount: positive into the balance, negative out of it.
    pub amount: Money,
    /// The balance after this line, when the provider reports it.
    pub balance_after: Option<Money>,
    /// The provider's event code, in full (`T0006`).
    pub event_code: String,
    /// The class of the event.
    pub class: StatementClass,
    /// The other party (payer name or e-mail), when known.
    pub counterparty: Option<String>,
    /// A short text for the voucher.
    pub text: String,
    /// The shop's order or invoice reference, when the provider carries one.
    pub reference: Option<String>,
    /// A related provider object (the original payment of a refund).
    pub related: Option<SourceRef>,
}

/// The lines of one currency balance over a period, with the balances the
/// provider reported at its start and end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The provider account or balance id, when there is one.
    pub account: SourceRef,
    /// The currency of the balance.
    pub currency: Currency,
    /// The balance at the start, as reported.
    pub opening: Option<Money>,
    /// The balance at the end, as reported.
    pub closing: Option<Money>,
    /// The lines, in booking order.
    pub lines: Vec<StatementLine>,
    /// False when the provider's data was not yet complete up to the period end
    /// (PayPal's `last_refreshed_datetime` was earlier).
    pub complete: bool,
}

impl Statement {
    /// `opening + Σ lines − closing`: zero when the lines explain the balances.
    /// `None` when either balance is missing.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when a line is in another currency.
    pub fn unexplained(&self) -> Result<Option<Money>, MoneyError> {
        let (Some(opening), Some(closing)) = (&self.opening, &self.closing) else {
            return Ok(None);
        };
        let moved = Money::sum(self.currency, self.lines.iter().map(|l| &l.amount))?;
        Ok(Some(opening.checked_add(&moved)?.checked_sub(closing)?))
    }
}
