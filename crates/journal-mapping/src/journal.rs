//! The journal: vouchers, reconciliation, review items and coverage.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use bookkeeping_core::{Period, Provider, SalesRecord, SourceRef};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::coverage::Coverage;
use crate::listing::{Review, SourceList};
use crate::markdown::escape as md;
use crate::reconcile::{Outstanding, OutstandingKind, PayoutReconciliation};
use crate::rounding::r2;
use crate::voucher::{Voucher, VoucherId};

/// A rounding residue booked on 3740 to make a voucher balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundingResidue {
    /// The voucher.
    pub voucher: VoucherId,
    /// The amount on 3740 (SEK).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

/// Running totals of one provider.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProviderTotals {
    /// Vouchers written.
    pub vouchers: u64,
    /// Payouts that reconcile.
    pub payouts_reconciled: u64,
    /// Payouts that do not.
    pub payouts_unreconciled: u64,
    /// Sales booked, VAT included, SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub sales_sek: Decimal,
    /// Refunds booked, VAT included, SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub refunds_sek: Decimal,
    /// Fees, VAT included, SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub fees_sek: Decimal,
    /// Paid out to the bank, SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid_out_sek: Decimal,
    /// Rounding residues on 3740, SEK.
    #[serde(with = "rust_decimal::serde::str")]
    pub rounding_sek: Decimal,
}

impl ProviderTotals {
    pub(crate) fn rounded(mut self) -> Self {
        self.sales_sek = r2(self.sales_sek);
        self.refunds_sek = r2(self.refunds_sek);
        self.fees_sek = r2(self.fees_sek);
        self.paid_out_sek = r2(self.paid_out_sek);
        self.rounding_sek = r2(self.rounding_sek);
        self
    }
}

/// The result of mapping a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The period.
    pub period: Period,
    /// The voucher series.
    pub series: String,
    /// Balanced vouchers, sorted by date, kind, provider and text.
    pub vouchers: Vec<Voucher>,
    /// One per payout booked in the period.
    pub reconciliations: Vec<PayoutReconciliation>,
    /// Payouts in transit and lines not yet paid out at the period's end:
    /// what the clearing accounts hold besides sales not yet settled.
    #[serde(default)]
    pub outstanding: Vec<crate::reconcile::Outstanding>,
    /// The settlement lines (balance transactions) booked in the period,
    /// sorted: with the vouchers' sources, what lets a host check that each
    /// provider line is booked in exactly one period. Stored compactly
    /// ([`SourceList`]); serialized as a list of sources.
    #[serde(default)]
    pub booked_lines: SourceList,
    /// The sales and refunds not booked because another provider's data
    /// holds the same purchase or refund, which was booked (a Shopify order
    /// paid through Klarna, and Klarna's sales report of it). The VAT
    /// reports must leave them out too ([`Journal::is_booked_elsewhere`]),
    /// or the OSS return and the EC sales list count the purchase twice.
    /// A set, serialized as a sorted list: the reports ask it once per
    /// record, and a month may hold as many twins as records.
    #[serde(default)]
    pub booked_elsewhere: BTreeSet<SourceRef>,
    /// What an accountant must look at, in the order met. Stored compactly
    /// ([`Review`]); serialized as a list of [`ReviewItem`](bookkeeping_core::ReviewItem)s.
    pub review: Review,
    /// What was covered and which reports are still needed.
    pub coverage: Coverage,
    /// Number and name of every account used, sorted (for `#KONTO`; see
    /// [`crate::Chart::account_name`]).
    pub accounts: Vec<(String, String)>,
    /// The accounts among them that are kassabok's own choice, not BAS
    /// ([`crate::AccountOrigin::Kassabok`]): the review lists them so the
    /// accountant checks the numbers are free in the client's chart, or
    /// names them ([`crate::Chart::with_name`]) or maps their roles
    /// ([`crate::Chart::with`]).
    #[serde(default)]
    pub own_accounts: Vec<(String, String)>,
    /// Rounding residues booked on 3740.
    pub rounding: Vec<RoundingResidue>,
    /// Totals per provider.
    pub totals: Vec<(Provider, ProviderTotals)>,
}

/// One provider's line of the [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSummary {
    /// The provider.
    pub provider: Provider,
    /// Records seen (sales, refunds, payouts, settlement and statement lines).
    pub records: u64,
    /// Totals.
    pub totals: ProviderTotals,
}

/// What the main example prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The period.
    pub period: Period,
    /// Per provider.
    pub providers: Vec<ProviderSummary>,
    /// All vouchers.
    pub vouchers: usize,
    /// All review items.
    pub review_items: usize,
    /// Separate reports still needed.
    pub needed_reports: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Period {}", self.period)?;
        writeln!(
            f,
            "{:<8} {:>8} {:>8} {:>11} {:>14} {:>14} {:>12} {:>14}",
            "provider",
            "records",
            "vouchers",
            "reconciled",
            "sales SEK",
            "refunds SEK",
            "fees SEK",
            "paid out SEK"
        )?;
        for p in &self.providers {
            let t = &p.totals;
            writeln!(
                f,
                "{:<8} {:>8} {:>8} {:>11} {:>14} {:>14} {:>12} {:>14}",
                p.provider.as_str(),
                p.records,
                t.vouchers,
                format!(
                    "{}/{}",
                    t.payouts_reconciled,
                    t.payouts_reconciled + t.payouts_unreconciled
                ),
                two(t.sales_sek),
                two(t.refunds_sek),
                two(t.fees_sek),
                two(t.paid_out_sek)
            )?;
        }
        let rounding: Decimal = self.providers.iter().map(|p| p.totals.rounding_sek).sum();
        write!(
            f,
            "{} vouchers, {} review items, {} separate reports needed, {} SEK rounding on 3740",
            self.vouchers,
            self.review_items,
            self.needed_reports,
            two(rounding)
        )
    }
}

fn two(mut d: Decimal) -> String {
    d.rescale(2);
    d.to_string()
}

impl Journal {
    /// The vouchers.
    pub fn vouchers(&self) -> &[Voucher] {
        &self.vouchers
    }

    /// Whether `record` is a sale or refund the journal did not book because
    /// another provider's record of it was booked
    /// ([`booked_elsewhere`](Self::booked_elsewhere)). Filter the records
    /// given to the VAT reports with it, so they count each purchase once,
    /// as the journal does.
    ///
    /// ```
    /// # use bookkeeping_core::{Period, SalesRecord};
    /// # fn reportable(journal: &journal_mapping::Journal, records: &[SalesRecord]) -> Vec<SalesRecord> {
    /// records
    ///     .iter()
    ///     .filter(|r| !journal.is_booked_elsewhere(r))
    ///     .cloned()
    ///     .collect()
    /// # }
    /// ```
    pub fn is_booked_elsewhere(&self, record: &SalesRecord) -> bool {
        let source = match record {
            SalesRecord::Sale(s) => &s.source,
            SalesRecord::Refund(r) => &r.source,
            _ => return false,
        };
        self.booked_elsewhere.contains(source)
    }

    /// The review items.
    pub fn review_items(&self) -> &Review {
        &self.review
    }

    /// The coverage report.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// The payout reconciliations.
    pub fn reconciliations(&self) -> &[PayoutReconciliation] {
        &self.reconciliations
    }

    /// The voucher with this id.
    pub fn voucher(&self, id: &str) -> Option<&Voucher> {
        self.vouchers.iter().find(|v| v.id.as_str() == id)
    }

    /// Whether every voucher balances (always true; for assertions).
    pub fn is_balanced(&self) -> bool {
        self.vouchers.iter().all(Voucher::is_balanced)
    }

    /// The SEK balance of an account over all vouchers (debit positive).
    pub fn balance(&self, account: &str) -> Decimal {
        self.vouchers.iter().map(|v| v.amount_on(account)).sum()
    }

    /// Per provider: records, vouchers, payouts reconciled, totals.
    pub fn summary(&self) -> Summary {
        let providers = self
            .totals
            .iter()
            .map(|(p, t)| {
                let records = self.coverage.provider(*p).map_or(0, |c| {
                    c.sales + c.refunds + c.payouts + c.payout_lines + c.statement_lines
                });
                ProviderSummary {
                    provider: *p,
                    records,
                    totals: t.clone(),
                }
            })
            .collect();
        Summary {
            period: self.period,
            providers,
            vouchers: self.vouchers.len(),
            review_items: self.review.len(),
            needed_reports: self.coverage.needed.len(),
        }
    }

    /// Every payout's reconciliation, and what the clearing accounts hold at
    /// the period's end besides unsettled sales: payouts in transit and
    /// lines not yet paid out, each with its amount.
    fn clearing_markdown(&self, s: &mut String) {
        let _ = writeln!(s, "\n### Every payout arriving in the period\n");
        if self.reconciliations.is_empty() {
            let _ = writeln!(s, "None.");
        } else {
            let _ = writeln!(
                s,
                "| provider | payout | arrival | amount | lines of other months | SEK | reconciled |"
            );
            let _ = writeln!(s, "|---|---|---|---|---|---|---|");
            for r in &self.reconciliations {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    r.provider,
                    md(&r.payout.id),
                    r.date,
                    r.bank_amount,
                    r.carried_over_lines,
                    two(r.carried_over_sek),
                    if r.is_reconciled() { "yes" } else { "no" }
                );
            }
        }
        let _ = writeln!(s, "\n## Clearing accounts at the period's end\n");
        let transit: Vec<&Outstanding> = self
            .outstanding
            .iter()
            .filter(|o| matches!(o.kind, OutstandingKind::PayoutInTransit { .. }))
            .collect();
        let unpaid: Vec<&Outstanding> = self
            .outstanding
            .iter()
            .filter(|o| o.kind == OutstandingKind::NotPaidOut)
            .collect();
        let total = |v: &[&Outstanding]| two(v.iter().map(|o| o.amount_sek).sum());
        let _ = writeln!(
            s,
            "Payouts in transit: {} ({} SEK). Lines not yet paid out: {} ({} SEK).\n",
            transit.len(),
            total(&transit),
            unpaid.len(),
            total(&unpaid)
        );
        if !transit.is_empty() {
            let _ = writeln!(
                s,
                "| provider | payout | created | arrives | amount | SEK |"
            );
            let _ = writeln!(s, "|---|---|---|---|---|---|");
            for o in &transit {
                let arrives = match &o.kind {
                    OutstandingKind::PayoutInTransit { arrival_date } => arrival_date.to_string(),
                    _ => String::new(),
                };
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {arrives} | {} | {} |",
                    o.provider,
                    md(&o.source.id),
                    o.date,
                    o.amount,
                    two(o.amount_sek)
                );
            }
            let _ = writeln!(s);
        }
        if !unpaid.is_empty() {
            let _ = writeln!(s, "| provider | line | date | net | SEK |");
            let _ = writeln!(s, "|---|---|---|---|---|");
            for o in &unpaid {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    o.provider,
                    md(&o.source.id),
                    o.date,
                    o.amount,
                    two(o.amount_sek)
                );
            }
        }
    }

    /// Review items, unreconciled payouts and the coverage report as
    /// Markdown, for `review.md`.
    pub fn review_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Review {}\n", self.period);
        let _ = writeln!(s, "## Items to review ({})\n", self.review.len());
        if self.review.is_empty() {
            let _ = writeln!(s, "Nothing to review.");
        } else {
            let _ = writeln!(s, "| provider | object | reason | amount | what |");
            let _ = writeln!(s, "|---|---|---|---|---|");
            for r in self.review.iter() {
                let mut obj = r
                    .source
                    .as_ref()
                    .map_or_else(String::new, |x| format!("{} {}", x.kind, x.id));
                if let Some(field) = &r.field {
                    let _ = write!(obj, " (field {field})");
                }
                let amount = r.amount.map_or_else(String::new, |a| a.to_string());
                let _ = writeln!(
                    s,
                    "| {} | {} | {:?} | {} | {} |",
                    r.provider,
                    md(obj.trim_start()),
                    r.reason,
                    md(&amount),
                    md(&r.message)
                );
            }
        }
        let open: Vec<&PayoutReconciliation> = self
            .reconciliations
            .iter()
            .filter(|r| !r.is_reconciled())
            .collect();
        let _ = writeln!(
            s,
            "\n## Payouts ({} reconciled, {} not)\n",
            self.reconciliations.len() - open.len(),
            open.len()
        );
        for r in open {
            let reasons: Vec<String> = r.discrepancies.iter().map(|d| d.reason()).collect();
            let _ = writeln!(
                s,
                "- {} {} {} ({}), difference {} SEK: {}",
                r.provider,
                md(&r.payout.id),
                r.date,
                md(&r.bank_amount.to_string()),
                two(r.difference_sek),
                md(&reasons.join("; "))
            );
        }
        if !self.own_accounts.is_empty() {
            let _ = writeln!(
                s,
                "\n## Accounts kassabok chose ({})\n\nNot BAS accounts: the SIE file creates them with these names (#KONTO), renaming an account of the same number. Check the numbers are free in your chart, or map their roles to your own accounts (Chart::with).\n",
                self.own_accounts.len()
            );
            for (a, name) in &self.own_accounts {
                let _ = writeln!(s, "- {a}: {}", md(name));
            }
        }
        self.clearing_markdown(&mut s);
        let _ = writeln!(s, "\n## Coverage\n");
        let _ = writeln!(
            s,
            "| provider | sales | booked | test | other period | refunds | payouts | booked | payout lines | statement lines |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
        for (p, c) in &self.coverage.providers {
            let _ = writeln!(
                s,
                "| {p} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.sales,
                c.sales_booked,
                c.test_sales,
                c.sales_outside_period,
                c.refunds,
                c.payouts,
                c.payouts_booked,
                c.payout_lines,
                c.statement_lines
            );
        }
        let _ = writeln!(s, "\n## Separate reports still needed\n");
        if self.coverage.needed.is_empty() {
            let _ = writeln!(s, "None: the integrations covered the period.");
        }
        for n in &self.coverage.needed {
            let _ = writeln!(
                s,
                "### {}: {}\n",
                n.provider.display_name(),
                md(&n.sentence())
            );
            let _ = writeln!(s, "| date | id | amount SEK | description |");
            let _ = writeln!(s, "|---|---|---|---|");
            for i in n.items.iter() {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    i.date,
                    md(&i.id),
                    two(i.amount_sek),
                    md(&i.description)
                );
            }
            let _ = writeln!(s);
        }
        s
    }
}
