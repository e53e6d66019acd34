//! Kontantmetod: the sales still unpaid at the end of a period, listed in the
//! coverage report and, at the fiscal year end, booked as claims.

use rust_decimal::Decimal;

use super::draft::Draft;
use super::{Entry, Mapper, r2};
use crate::chart::Role;
use crate::coverage::{NeededItem, NeededReportKind};
use crate::fx::ExchangeRates;
use crate::voucher::VoucherKind;

/// What is still unpaid of one sale at the period end, in SEK.
struct Unpaid {
    /// Paid through a provider whose payout has not reached the bank.
    awaiting: Decimal,
    /// An invoice, or paid through a gateway kassabok does not integrate.
    other: Decimal,
}

impl<R: ExchangeRates> Mapper<R> {
    /// Lists every sale of the fiscal year up to the period end that is not
    /// fully paid (awaiting a payout, an unpaid invoice; what an external
    /// gateway took is listed under that gateway already), and, when the
    /// period ends the fiscal year, books them as claims dated its last day:
    /// D the receivable (clearing per provider, 1510 for invoices, the
    /// gateway receivable) · C sales and VAT pro rata (5 kap. 2 § BFL).
    pub(crate) fn unpaid_sales(&mut self) {
        let last = self.period.last();
        let year = self.policy.fiscal_year(last);
        let year_end = last
            .next_day()
            .is_some_and(|d| self.policy.fiscal_year(d) != year);
        let mut open: Vec<(u64, std::sync::Arc<Entry>)> = self
            .entries
            .iter()
            .filter(|(_, e)| !e.refund && e.date <= last && self.policy.fiscal_year(e.date) == year)
            .map(|(k, e)| (*k, e.clone()))
            .collect();
        open.sort_by(|a, b| (a.1.date, &a.1.document, a.0).cmp(&(b.1.date, &b.1.document, b.0)));
        for (key, e) in open {
            let Some(unpaid) = self.unpaid(key, &e) else {
                continue;
            };
            let what = if e.invoice {
                "unpaid invoice".to_owned()
            } else {
                e.channels
                    .first()
                    .map(|(p, _, _)| format!("awaiting a {} payout", p.display_name()))
                    .unwrap_or_default()
            };
            let listed = if e.invoice {
                unpaid.awaiting + unpaid.other
            } else {
                unpaid.awaiting
            };
            if !listed.is_zero() {
                let item = NeededItem {
                    date: e.date,
                    id: e.document.to_string(),
                    amount_sek: listed,
                    description: what,
                };
                self.need(e.provider, NeededReportKind::UnpaidSales, item);
            }
            if year_end {
                self.claim(&e, &unpaid);
            }
        }
    }

    fn unpaid(&self, key: u64, e: &Entry) -> Option<Unpaid> {
        let total: Decimal = r2(e.breakdown.iter().map(|(_, _, s)| s).sum());
        let paid = self.paid.get(&key).copied().unwrap_or_default() + e.prepaid_sek;
        let left = total - paid;
        if left <= Decimal::ZERO {
            return None;
        }
        let through: Decimal = e.channels.iter().map(|(_, _, s)| s).sum();
        let awaiting = (through - self.paid.get(&key).copied().unwrap_or_default())
            .max(Decimal::ZERO)
            .min(left);
        Some(Unpaid {
            awaiting,
            other: left - awaiting,
        })
    }

    /// Books one sale's unpaid part as a claim on the year-end voucher.
    fn claim(&mut self, e: &Entry, unpaid: &Unpaid) {
        let left = unpaid.awaiting + unpaid.other;
        let total: Decimal = e.breakdown.iter().map(|(_, _, s)| s).sum();
        if total.is_zero() {
            return;
        }
        let mut d = Draft::new(format!(
            "{} obetalda försäljningar vid årsskiftet",
            e.provider.display_name()
        ));
        if e.invoice {
            d.add_sek(Role::CustomerReceivable, left);
        } else {
            let provider = e.channels.first().map_or(e.provider, |(p, _, _)| *p);
            d.add_sek(Role::Clearing { provider }, unpaid.awaiting);
            d.add_sek(Role::GatewayReceivable, unpaid.other);
        }
        let frac = left / total;
        for (role, _, s) in &e.breakdown {
            d.add_sek(*role, -*s * frac);
        }
        self.tot(e.provider).sales_sek += left;
        let key = self.draft_key(
            VoucherKind::YearEndClaims,
            self.period.last(),
            e.provider,
            String::new(),
        );
        self.commit(key, d);
    }
}
