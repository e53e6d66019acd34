//! The coverage report: what the integrations covered, and which separate
//! reports are still needed.

use bookkeeping_core::{Period, Provider};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::listing::NeededItems;

/// Which separate report is needed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NeededReportKind {
    /// Orders paid through a gateway kassabok does not integrate: that
    /// gateway's report (or the bank statement) is needed to book the money.
    Gateway {
        /// The gateway as the shop named it.
        gateway: String,
    },
    /// Klarna (or Shopify) settlements whose sale is not known: the sales
    /// report is needed for the VAT.
    SalesReport,
    /// Stripe payments without a Stripe invoice or a known sale (Checkout,
    /// Payment Links, invoices issued elsewhere): the sale behind each is
    /// needed for the revenue and VAT.
    Invoices,
    /// Stripe payments of invoices issued in another program
    /// ([`crate::Policy::external_invoices`]): settled against 1510; match
    /// each to its invoice there.
    ExternalInvoices,
    /// PayPal receipts whose sale is not known: booked on suspense.
    UnknownReceipts,
    /// Kontantmetod: sales of the fiscal year not yet paid at the period end
    /// (awaiting a payout, unpaid invoices), booked when paid or, at the
    /// fiscal year end, as claims.
    UnpaidSales,
}

/// A separate report that is still needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededReport {
    /// The provider whose data showed the gap.
    pub provider: Provider,
    /// What is needed.
    pub kind: NeededReportKind,
    /// How many records.
    pub count: u64,
    /// Their amount in SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_sek: Decimal,
    /// Up to five example ids (order names, transaction ids).
    pub examples: Vec<String>,
    /// Every record, in the order met, for the accountant to work through
    /// (stored compactly: [`NeededItems`]).
    #[serde(default)]
    pub items: NeededItems,
}

/// One record a separate report is needed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededItem {
    /// Its date (Europe/Stockholm).
    pub date: Date,
    /// The provider's id or document number.
    pub id: String,
    /// Its amount in SEK (as estimated at the line's date).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_sek: Decimal,
    /// What the provider says it is (a payment's description, an order's
    /// gateway), as given: customer text, escaped by each output.
    pub description: String,
}

impl NeededReport {
    /// A sentence for the accountant.
    pub fn sentence(&self) -> String {
        let what = match &self.kind {
            NeededReportKind::Gateway { gateway } => format!(
                "orders paid through \"{gateway}\", which is not integrated: book them from that gateway's report or the bank statement"
            ),
            NeededReportKind::SalesReport => format!(
                "{} settlements whose sale is not known: the sales report is needed for the VAT",
                self.provider.display_name()
            ),
            NeededReportKind::Invoices => {
                "Stripe payments without a Stripe invoice or a known sale: their revenue and VAT are not booked (the money is on the clearing account); book each sale, or set Policy::external_invoices if they pay invoices issued in another program"
                    .to_owned()
            }
            NeededReportKind::ExternalInvoices => {
                "Stripe payments of invoices issued in another program: settled against 1510 Kundfordringar; match each to its invoice there"
                    .to_owned()
            }
            NeededReportKind::UnknownReceipts => {
                "PayPal receipts whose sale is not known (booked on suspense)".to_owned()
            }
            NeededReportKind::UnpaidSales => {
                "sales not yet paid (kontantmetod): booked when their money reaches the firm; at the fiscal year end kassabok books them as claims"
                    .to_owned()
            }
        };
        format!("{} × {} SEK: {what}", self.count, self.amount_sek)
    }
}

/// What one provider's data covered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProviderCoverage {
    /// Sales seen (test orders included).
    pub sales: u64,
    /// Sales booked in this period.
    pub sales_booked: u64,
    /// Test sales skipped.
    pub test_sales: u64,
    /// Sales outside the period (not booked).
    pub sales_outside_period: u64,
    /// Refunds seen.
    pub refunds: u64,
    /// Payouts seen.
    pub payouts: u64,
    /// Payouts booked (arrival in the period).
    pub payouts_booked: u64,
    /// Settlement lines seen.
    pub payout_lines: u64,
    /// Statement lines seen.
    pub statement_lines: u64,
    /// Review items passed in by the provider client.
    pub provider_review_items: u64,
}

/// The coverage report of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The period.
    pub period: Period,
    /// Per provider, in [`Provider::ALL`] order.
    pub providers: Vec<(Provider, ProviderCoverage)>,
    /// Separate reports still needed, sorted.
    pub needed: Vec<NeededReport>,
}

impl Coverage {
    /// The coverage of one provider.
    pub fn provider(&self, provider: Provider) -> Option<&ProviderCoverage> {
        self.providers
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(_, c)| c)
    }

    /// Whether no separate report is needed.
    pub fn is_complete(&self) -> bool {
        self.needed.is_empty()
    }
}
