//! Reconciliation of payouts against the clearing account and the bank.

use bookkeeping_core::{Money, Provider, SourceRef};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// Why a payout's clearing movements do not net to zero against its bank line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Discrepancy {
    /// The lines do not add up to the amount paid to the bank (a reserve, a
    /// negative balance carried over, or a fee billed separately); booked on suspense.
    LinesDoNotAddUp {
        /// `amount − Σ(gross − fees)`, in the payout currency.
        difference: Money,
    },
    /// Charges or refunds whose sale or refund is not known to this run (the
    /// sales report of this period is missing, or the order was deleted).
    UnknownSales {
        /// How many lines.
        count: u64,
        /// Their SEK amount.
        #[serde(with = "rust_decimal::serde::str")]
        amount_sek: Decimal,
    },
    /// Settled amounts that differ from the sale booked (order edited after
    /// payment, partial capture).
    AmountDiffers {
        /// How many lines.
        count: u64,
        /// Σ settled − booked, in SEK (before FX).
        #[serde(with = "rust_decimal::serde::str")]
        amount_sek: Decimal,
    },
    /// The provider gave no breakdown (Stripe manual payout): the whole amount
    /// settles the clearing account unchecked.
    NoBreakdown,
    /// Lines booked on suspense: a type kassabok does not know, or a
    /// provider adjustment, conversion or transfer an accountant must decide.
    UnknownLines {
        /// How many lines.
        count: u64,
    },
}

impl Discrepancy {
    /// A sentence for the accountant.
    pub fn reason(&self) -> String {
        match self {
            Discrepancy::LinesDoNotAddUp { difference } => format!(
                "the lines differ from the bank amount by {difference}: a reserve, a negative balance carried over or a fee billed separately"
            ),
            Discrepancy::UnknownSales { count, amount_sek } => format!(
                "{count} settled lines ({amount_sek} SEK) have no known sale: the sales report for them is missing or they belong to another period"
            ),
            Discrepancy::AmountDiffers { count, amount_sek } => format!(
                "{count} settled lines differ from their booked sale by {amount_sek} SEK: the order was edited after payment or partly captured"
            ),
            Discrepancy::NoBreakdown => {
                "the provider gave no breakdown of the payout (manual payout)".to_owned()
            }
            Discrepancy::UnknownLines { count } => {
                format!(
                    "{count} lines of an unknown type, or an adjustment, conversion or transfer to decide, were booked on suspense"
                )
            }
        }
    }
}

/// The reconciliation of one payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutReconciliation {
    /// The payout.
    pub payout: SourceRef,
    /// Its provider.
    pub provider: Provider,
    /// Its arrival date.
    pub date: Date,
    /// The amount to the bank.
    pub bank_amount: Money,
    /// The bank amount in SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub bank_sek: Decimal,
    /// Lines settling sales or refunds booked in this period.
    pub matched_lines: u64,
    /// Lines booked by the run of another month (their own, by the period
    /// rule) plus lines settling sales or refunds of an earlier period: carried
    /// over on the clearing account; expected, not a discrepancy.
    pub carried_over_lines: u64,
    /// SEK of the carried-over lines (the net for lines of another month).
    #[serde(with = "rust_decimal::serde::str")]
    pub carried_over_sek: Decimal,
    /// The FX difference booked on 3960/7960 (gain negative, loss positive).
    #[serde(with = "rust_decimal::serde::str")]
    pub fx_difference_sek: Decimal,
    /// SEK not explained by sales and refunds booked in this run: lines that
    /// do not add up to the bank amount, settled lines without a known sale,
    /// settled amounts that differ from their sale, lines on suspense. Zero
    /// when the payout reconciles (unless a difference is only a
    /// [`Discrepancy::NoBreakdown`]).
    #[serde(with = "rust_decimal::serde::str")]
    pub difference_sek: Decimal,
    /// What did not reconcile; empty when the clearing account nets to zero
    /// against the bank line.
    pub discrepancies: Vec<Discrepancy>,
}

impl PayoutReconciliation {
    /// Whether the payout reconciles.
    pub fn is_reconciled(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

/// Why money was still on a provider's clearing account at the period's end
/// although its sale was settled: it was on its way to the bank or still on
/// the provider's balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutstandingKind {
    /// A payout created in the period that reaches the bank after it.
    PayoutInTransit {
        /// When it arrives.
        arrival_date: Date,
    },
    /// A balance transaction of the period that no payout had carried to the
    /// bank by the period's end.
    NotPaidOut,
}

/// One amount that explains the clearing account (1580) at the period's end,
/// listed in review.md: a payout in transit or a line not yet paid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outstanding {
    /// The provider.
    pub provider: Provider,
    /// The payout or balance transaction.
    pub source: SourceRef,
    /// What it is.
    pub kind: OutstandingKind,
    /// The Stockholm date of the line, or the day the payout was created.
    pub date: Date,
    /// The amount (a payout's amount; a line's net), in its currency.
    pub amount: Money,
    /// The same in SEK at the rate it was booked at.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_sek: Decimal,
}
