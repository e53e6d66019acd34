//! Payouts: settlement lines, fees, reserves, disputes, FX and the bank.

use std::collections::BTreeMap;

use bookkeeping_core::{
    BalanceLine, Currency, Fee, Money, Payout, Provider, ReviewReason, SettlementKind,
    SettlementLine, SourceRef, stockholm_date,
};
use rust_decimal::Decimal;
use time::Date;

use super::draft::Draft;
use super::{Mapper, doc_key, r2, review_item, source_key};
use crate::chart::{FeeCategory, Role};
use crate::coverage::NeededReportKind;
use crate::fx::ExchangeRates;
use crate::listing::{NeededRow, UnknownStripePayment};
use crate::policy::{AccountingMethod, FeeVatClass};
use crate::reconcile::{Discrepancy, PayoutReconciliation};
use crate::reconcile::{Outstanding, OutstandingKind};
use crate::voucher::VoucherKind;

/// Why a payout's fees need an accountant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FeeNote {
    ClassReview,
    VatOnExempt,
    VatOnReverseCharge,
}

/// What a review item says about VAT a provider showed on a fee classed
/// exempt or reverse charge, booked on `account`.
fn foreign_vat_note(reverse_charge: bool, account: &str) -> String {
    let rc = if reverse_charge {
        "; reverse charge is computed on the fee without it"
    } else {
        ""
    };
    format!(
        "the provider charged VAT on fees classed {}: booked as foreign VAT on {account}, not as Swedish input VAT (2641){rc}. Reclaim it from the provider or through the EU VAT refund procedure; if the VAT is Swedish, class these fees SwedishVat",
        if reverse_charge {
            "reverse charge"
        } else {
            "exempt"
        }
    )
}

/// Running reconciliation figures of one payout or statement.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) matched: u64,
    pub(crate) carried: u64,
    pub(crate) carried_sek: Decimal,
    pub(crate) unknown: u64,
    pub(crate) unknown_sek: Decimal,
    pub(crate) differs: u64,
    pub(crate) differs_sek: Decimal,
    pub(crate) fx_sek: Decimal,
    pub(crate) unknown_lines: u64,
    pub(crate) unknown_lines_sek: Decimal,
}

/// A line that settles a sale (positive) or a refund (negative).
pub(crate) struct Settle<'a> {
    pub(crate) source: &'a SourceRef,
    pub(crate) related: Option<&'a SourceRef>,
    pub(crate) reference: Option<&'a str>,
    pub(crate) refund: bool,
    /// Amount in `currency`, signed as it moved the balance.
    pub(crate) amount: Decimal,
    pub(crate) currency: Currency,
    /// The same money in the sale's currency, when the provider converted it.
    pub(crate) original: Option<Money>,
    pub(crate) date: Date,
    /// The provider's description of the line (for review items).
    pub(crate) description: &'a str,
}

fn month_end(d: Date) -> Date {
    let last = d.month().length(d.year());
    Date::from_calendar_date(d.year(), d.month(), last).unwrap_or(d)
}

/// The part of a provider id people recognise: Shopify's GraphQL ids
/// (`gid://shopify/ShopifyPaymentsPayout/118000001`) are shown by their last
/// segment, so the voucher text keeps the number within the 50 characters.
pub(crate) fn display_id(id: &str) -> &str {
    id.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
}

/// Whether `provider` states each balance transaction when it happens, so
/// that it is booked in its own month (Stripe, Shopify Payments), rather than
/// only with its settlement (Klarna publishes a settlement's fees with the
/// settlement, so all of it is booked in the payout's month).
///
/// Under kontantmetod a sale is paid when its money reaches the firm, so
/// every payout is booked whole in the month it reaches the bank, and a line
/// not yet paid out is only listed.
pub(crate) fn lines_in_own_month(provider: Provider, method: AccountingMethod) -> bool {
    provider != Provider::Klarna && method != AccountingMethod::Kontantmetod
}

impl<R: ExchangeRates> Mapper<R> {
    /// Settles a sale or refund on `draft`: the clearing receivable is cleared
    /// at the SEK value it was booked at, and the difference to the SEK the
    /// provider paid (`amount × rate`) goes to FX (3960/7960). Under
    /// kontantmetod the sale itself is booked here instead.
    pub(crate) fn settle(
        &mut self,
        draft: &mut Draft,
        provider: Provider,
        line: &Settle<'_>,
        rate: Decimal,
        tally: &mut Tally,
    ) {
        let settled_sek = line.amount * rate;
        let sign = if line.amount.is_sign_negative() {
            -Decimal::ONE
        } else {
            Decimal::ONE
        };
        let key = line
            .related
            .map(source_key)
            .filter(|k| self.entries.contains_key(k))
            .or_else(|| {
                let by_doc = if line.refund {
                    &self.refund_by_doc
                } else {
                    &self.sale_by_doc
                };
                line.reference
                    .and_then(|r| by_doc.get(&doc_key(r)).copied())
            });
        let entry = key.and_then(|k| self.entries.get(&k)).cloned();
        let kontant = self.policy.method == AccountingMethod::Kontantmetod;
        // When the host says so, Stripe settles card payments of invoices
        // the shop issued in another program (which booked them on 1510): a
        // payment without a Stripe invoice settles that customer receivable,
        // not the clearing account and not revenue.
        let external_invoice = entry.is_none()
            && self.policy.external_invoices
            && !kontant
            && provider == Provider::Stripe
            && !line.refund
            && line.date >= self.period.first();
        let booked = match &entry {
            Some(e) => {
                let in_doc = match &line.original {
                    Some(o) if o.currency() == e.currency => Some(o.amount().abs()),
                    _ if line.currency == e.currency => Some(line.amount.abs()),
                    _ => None,
                };
                let (ch_f, ch_sek) = e.channel(provider).unwrap_or_else(|| {
                    let f: Decimal = e.breakdown.iter().map(|(_, a, _)| a).sum();
                    let s: Decimal = e.breakdown.iter().map(|(_, _, s)| s).sum();
                    (f, r2(s))
                });
                let booked = match in_doc {
                    Some(a) if a == ch_f || ch_f.is_zero() => ch_sek,
                    Some(a) => {
                        tally.differs += 1;
                        let b = r2(ch_sek * a / ch_f);
                        tally.differs_sek += b - ch_sek;
                        b
                    }
                    None => ch_sek,
                };
                if e.in_period || e.date > self.period.last() {
                    tally.matched += 1;
                } else {
                    tally.carried += 1;
                    tally.carried_sek += sign * booked;
                }
                sign * booked
            }
            None => {
                let est = match &line.original {
                    Some(o) if o.currency() != Currency::SEK => self
                        .rate(o.currency(), line.date)
                        .map(|r| r2(o.amount().abs() * r) * sign),
                    Some(o) => Some(o.amount().abs() * sign),
                    None => self
                        .rate(line.currency, line.date)
                        .map(|r| r2(line.amount * r)),
                };
                let est = est.unwrap_or_else(|| r2(settled_sek));
                let needed = |m: &mut Self| NeededRow {
                    date: line.date,
                    id: m.store.text(line.reference.unwrap_or(&line.source.id)),
                    amount_sek: est,
                    description: m.store.text(line.description),
                };
                if external_invoice {
                    tally.matched += 1;
                    let row = needed(self);
                    self.need_row(provider, NeededReportKind::ExternalInvoices, row);
                } else if line.date < self.period.first() {
                    tally.carried += 1;
                    tally.carried_sek += est;
                } else {
                    tally.unknown += 1;
                    tally.unknown_sek += est;
                    let kind = match provider {
                        Provider::Stripe => NeededReportKind::Invoices,
                        Provider::PayPal => NeededReportKind::UnknownReceipts,
                        _ => NeededReportKind::SalesReport,
                    };
                    if !line.refund {
                        let row = needed(self);
                        let record = self.need_row(provider, kind, row);
                        if provider == Provider::Stripe && !kontant {
                            // A row referring to the coverage record and to
                            // the booked line, which hold its texts.
                            let source = self.source_row(line.source);
                            let amount = Money::new(line.amount, line.currency);
                            let payment =
                                UnknownStripePayment::new(&mut self.store, source, record, amount);
                            self.review.push_payment(payment);
                        }
                    }
                }
                est
            }
        };
        // Kontantmetod: a sale of an earlier fiscal year was booked as a
        // claim at that year's end; its payment settles the claim.
        let this_year = self.policy.fiscal_year(self.period.last());
        let claimed = entry
            .as_ref()
            .is_some_and(|e| self.policy.fiscal_year(e.date) < this_year);
        match (&entry, kontant && !claimed) {
            (Some(e), true) => {
                // Book the sale now, pro rata to the part settled.
                let total_sek: Decimal = e.breakdown.iter().map(|(_, _, s)| s).sum();
                if total_sek.is_zero() {
                    draft.add_sek(Role::Suspense, -booked);
                } else {
                    let frac = booked.abs() / total_sek.abs();
                    let mut left = booked;
                    let n = e.breakdown.len();
                    for (i, (role, a, s)) in e.breakdown.iter().enumerate() {
                        let part = if i + 1 == n {
                            left
                        } else {
                            r2(*s * frac) * sign
                        };
                        left -= part;
                        let f = *a * frac * sign;
                        draft.add(*role, e.currency, -f, -part);
                    }
                }
                if e.in_period || line.date >= self.period.first() {
                    self.tot(provider).sales_sek += booked;
                }
                if let Some(k) = key {
                    *self.paid.entry(k).or_default() += booked;
                }
            }
            (None, true) => {
                draft.add(Role::Suspense, line.currency, -line.amount, -booked);
                self.push_review(
                    review_item(
                        provider,
                        ReviewReason::UnknownSale,
                        line.source,
                        "kontantmetod: the sale behind this payment is not known, so its VAT cannot be booked; on suspense".to_owned(),
                    )
                    .with_amount(Money::new(line.amount, line.currency)),
                );
            }
            (Some(e), false) if kontant && e.invoice => {
                draft.add(
                    Role::CustomerReceivable,
                    line.currency,
                    -line.amount,
                    -booked,
                );
            }
            (None, false) if external_invoice => {
                draft.add(
                    Role::CustomerReceivable,
                    line.currency,
                    -line.amount,
                    -booked,
                );
            }
            _ => {
                draft.add(
                    Role::Clearing { provider },
                    line.currency,
                    -line.amount,
                    -booked,
                );
            }
        }
        let fx = settled_sek - booked;
        if !fx.is_zero() {
            draft.add_sek(Role::FxGain, -fx);
            tally.fx_sek -= fx;
        }
    }

    /// Adds a payout, by the period rule (docs/accounting.md, "Periods"):
    ///
    /// - its lines dated in the period are booked in it: with the payout's
    ///   transfer when the payout reaches the bank in the period, otherwise
    ///   on a voucher of their own dated the month's last day, the net left
    ///   on the clearing account (Klarna, which states its fees only with
    ///   the settlement, books every line with the payout instead);
    /// - the transfer (clearing → bank, 1930) is booked in the month the
    ///   payout arrives, with its lines of other months as one clearing
    ///   amount, since the runs of their months booked them;
    /// - a payout arriving in the period is reconciled with all its lines,
    ///   whatever their months; one created in the period that arrives after
    ///   it is listed as in transit.
    ///
    /// Fees are booked by VAT class, with reserves, disputes and FX
    /// differences. No line is ever left out: whether it is booked here
    /// depends only on its date and the payout's, never on the run's day.
    pub fn add_payout(&mut self, payout: &Payout) {
        let known = !self.listed.insert(source_key(&payout.source));
        if self.refuse_repeat(&payout.source, known, None) {
            return;
        }
        if self.refuse_unbookable(payout) {
            self.cov(payout.provider).payouts += 1;
            return;
        }
        let provider = payout.provider;
        {
            let c = self.cov(provider);
            c.payouts += 1;
            c.payout_lines += payout.lines.len() as u64;
        }
        let by_line = lines_in_own_month(provider, self.policy.method);
        // As the payout stood at the period's end: one that failed after it
        // was paid and after the period is booked as paid, whatever day the
        // close runs (its failure is booked by the month it happens in, from
        // the line that returned its money: `SettlementKind::PayoutReturned`).
        let stopped = payout.stopped_by(self.period.last());
        if stopped {
            self.push_review(review_item(
                provider,
                ReviewReason::Other,
                &payout.source,
                if by_line {
                    format!(
                        "payout {:?}: its transfer to the bank is not booked; its lines are booked in their own months and go with a later payout",
                        payout.status
                    )
                } else {
                    format!(
                        "payout {:?}: not booked; its lines will come with a later payout",
                        payout.status
                    )
                },
            ));
            if !by_line {
                return;
            }
        }
        let currency = payout.currency();
        let arrival = payout.arrival_date;
        let arrival_in = !stopped && self.period.contains_date(arrival);
        let period = self.period;
        let books = |ldate: Date| {
            if by_line {
                period.contains_date(ldate)
            } else {
                arrival_in
            }
        };
        let in_transit = !stopped
            && period.contains_date(stockholm_date(payout.created_at))
            && arrival > period.last();
        if !arrival_in
            && !in_transit
            && !payout
                .lines
                .iter()
                .any(|l| books(stockholm_date(l.occurred_at)))
        {
            return;
        }
        // The payout's rate: its arrival day's when it reaches the bank in
        // the period. One that has not is valued at the period's last day's
        // (what it is listed at as in transit), never at a rate of a day after
        // the period, which a close run before that day cannot know: the
        // month would depend on the day it is closed.
        let rate_day = if arrival_in { arrival } else { period.last() };
        let Some(prate) = self.rate(currency, rate_day) else {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Currency,
                    &payout.source,
                    format!("no exchange rate for {currency} on {rate_day}; payout not booked"),
                )
                .with_amount(payout.amount),
            );
            return;
        };
        if in_transit {
            self.outstanding.push(Outstanding {
                provider,
                source: payout.source.clone(),
                kind: OutstandingKind::PayoutInTransit {
                    arrival_date: arrival,
                },
                date: stockholm_date(payout.created_at),
                amount: payout.amount,
                amount_sek: r2(payout.amount.amount() * prate),
            });
        }
        if arrival_in {
            self.cov(provider).payouts_booked += 1;
        }
        let name = provider.display_name();
        let mut parts: BTreeMap<Date, Draft> = BTreeMap::new();
        let mut tally = Tally::default();
        let mut explained = Decimal::ZERO;
        let mut transit = Decimal::ZERO; // Σ(gross − fees) of lines booked by other runs
        // The SEK those lines were booked at: the run of a line's own month
        // booked it at its own date's rate, whether its payout did not exist
        // yet (`add_balance_line`) or had not reached the bank (below).
        let mut transit_sek = Decimal::ZERO;
        let mut review_fees: BTreeMap<(FeeCategory, FeeNote), Decimal> = BTreeMap::new();
        let mut fees_sek = Decimal::ZERO;
        for line in &payout.lines {
            if line.gross.currency() != currency || line.net.currency() != currency {
                self.push_review(review_item(
                    provider,
                    ReviewReason::Malformed,
                    &line.source,
                    format!("line in {} inside a {currency} payout; left out, the payout difference is on suspense", line.gross.currency()),
                ));
                continue;
            }
            let ldate = stockholm_date(line.occurred_at);
            let fee_total: Decimal = line
                .fees
                .iter()
                .filter(|f| f.amount.currency() == currency)
                .map(|f| f.amount.amount())
                .sum();
            let line_net = line.gross.amount() - fee_total;
            explained += line_net;
            if !books(ldate) || !self.booked_lines.insert(source_key(&line.source)) {
                // Booked by the run of its own month (or already by this one).
                transit += line_net;
                let booked_rate = if by_line && !books(ldate) {
                    self.line_rate(currency, ldate, prate)
                } else {
                    prate
                };
                transit_sek += line_net * booked_rate;
                if arrival_in {
                    tally.carried += 1;
                    tally.carried_sek += line_net * prate;
                }
                continue;
            }
            self.book_line_source(&line.source);
            self.review_net_mismatch(provider, line);
            let part_date = if arrival_in {
                arrival
            } else {
                month_end(ldate).min(period.last())
            };
            let d = parts.entry(part_date).or_insert_with(|| {
                Draft::new(if part_date == arrival {
                    format!("{name} utbetalning {}", display_id(&payout.source.id))
                } else {
                    format!(
                        "{name} utbetalning {} avser {}-{:02}",
                        display_id(&payout.source.id),
                        part_date.year(),
                        u8::from(part_date.month())
                    )
                })
            });
            // With the transfer, at the payout's rate; not yet at the bank,
            // at the line's own date's rate, its net left on the clearing
            // account (the payout's run clears it at that SEK).
            let lrate = if arrival_in {
                prate
            } else {
                let lrate = self.line_rate(currency, ldate, prate);
                d.add(
                    Role::Clearing { provider },
                    currency,
                    line_net,
                    line_net * lrate,
                );
                lrate
            };
            self.book_line(
                d,
                provider,
                line,
                currency,
                lrate,
                ldate,
                &mut tally,
                &mut review_fees,
                &mut fees_sek,
            );
        }
        self.tot(provider).fees_sek += fees_sek;
        self.fee_notes(provider, &payout.source, currency, review_fees);
        if !arrival_in {
            self.commit_parts(provider, &payout.source, parts);
            return;
        }
        let mut discrepancies = Vec::new();
        let mut lines_diff_sek = Decimal::ZERO;
        let amount = payout.amount.amount();
        let d = parts.entry(arrival).or_insert_with(|| {
            Draft::new(format!(
                "{name} utbetalning {}",
                display_id(&payout.source.id)
            ))
        });
        d.add(Role::Bank, currency, amount, amount * prate);
        self.tot(provider).paid_out_sek += amount * prate;
        if payout.lines.is_empty() {
            d.add(
                Role::Clearing { provider },
                currency,
                -amount,
                -amount * prate,
            );
            discrepancies.push(Discrepancy::NoBreakdown);
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::NoBreakdown,
                    &payout.source,
                    "the provider gave no breakdown of this payout; the whole amount settles the clearing account unchecked".to_owned(),
                )
                .with_amount(payout.amount),
            );
        } else {
            if !transit.is_zero() {
                // Cleared at the SEK it was booked at; the difference to the
                // payout's rate is a currency result, as when a payout
                // settles a sale (`settle`).
                d.add(
                    Role::Clearing { provider },
                    currency,
                    -transit,
                    -transit_sek,
                );
                let fx = transit_sek - transit * prate;
                if !fx.is_zero() {
                    d.add_sek(Role::FxGain, fx);
                }
            }
            let diff = amount - explained;
            lines_diff_sek = diff * prate;
            if !diff.is_zero() {
                d.add(Role::Suspense, currency, -diff, -diff * prate);
                let difference = Money::new(diff, currency);
                let disc = Discrepancy::LinesDoNotAddUp { difference };
                self.push_review(
                    review_item(
                        provider,
                        ReviewReason::AmountMismatch,
                        &payout.source,
                        format!("{}; on suspense", disc.reason()),
                    )
                    .with_amount(difference),
                );
                discrepancies.push(disc);
            }
        }
        if tally.unknown > 0 {
            discrepancies.push(Discrepancy::UnknownSales {
                count: tally.unknown,
                amount_sek: r2(tally.unknown_sek),
            });
        }
        if tally.differs > 0 {
            discrepancies.push(Discrepancy::AmountDiffers {
                count: tally.differs,
                amount_sek: r2(tally.differs_sek),
            });
        }
        if tally.unknown_lines > 0 {
            discrepancies.push(Discrepancy::UnknownLines {
                count: tally.unknown_lines,
            });
        }
        let rec = PayoutReconciliation {
            payout: payout.source.clone(),
            provider,
            date: arrival,
            bank_amount: payout.amount,
            bank_sek: r2(amount * prate),
            matched_lines: tally.matched,
            carried_over_lines: tally.carried,
            carried_over_sek: r2(tally.carried_sek),
            fx_difference_sek: r2(tally.fx_sek),
            difference_sek: r2(lines_diff_sek
                + tally.unknown_sek
                + tally.differs_sek
                + tally.unknown_lines_sek),
            discrepancies,
        };
        if !rec.is_reconciled() {
            let reasons: Vec<String> = rec.discrepancies.iter().map(|d| d.reason()).collect();
            let mut item = review_item(
                provider,
                ReviewReason::AmountMismatch,
                &payout.source,
                format!("payout does not reconcile: {}", reasons.join("; ")),
            );
            if !rec.difference_sek.is_zero() {
                item = item.with_amount(Money::new(rec.difference_sek, Currency::SEK));
            }
            self.push_review(item);
        }
        self.reconciliations.push(rec);
        self.commit_parts(provider, &payout.source, parts);
    }

    /// The rate a line booked without its payout's transfer is booked at:
    /// its own date's, or `fallback` when none is known. The run of the
    /// month its payout reaches the bank clears it at the same rate.
    fn line_rate(&self, currency: Currency, ldate: Date, fallback: Decimal) -> Decimal {
        self.rate(currency, ldate).unwrap_or(fallback)
    }

    /// Adds a balance transaction that none of the period's payouts carries
    /// (see [`BalanceLine`]): booked in the month of its own date, on a
    /// voucher per provider, currency and day, its net left on the clearing
    /// account until a payout takes it to the bank, and listed as not paid
    /// out in review.md. A line dated outside the period is left to the run
    /// of its month.
    pub fn add_balance_line(&mut self, balance_line: &BalanceLine) {
        let provider = balance_line.provider;
        let line = &balance_line.line;
        self.cov(provider).payout_lines += 1;
        if self.refuse_unbookable(balance_line) {
            return;
        }
        let ldate = stockholm_date(line.occurred_at);
        if !self.period.contains_date(ldate) {
            return;
        }
        if self.policy.method == AccountingMethod::Kontantmetod && provider != Provider::Klarna {
            // Not paid yet: nothing is booked until its payout reaches the
            // bank; review.md lists it beside the other lines not paid out.
            let currency = line.net.currency();
            match self.rate(currency, ldate) {
                Some(rate) => self.outstanding.push(Outstanding {
                    provider,
                    source: line.source.clone(),
                    kind: OutstandingKind::NotPaidOut,
                    date: ldate,
                    amount: line.net,
                    amount_sek: r2(line.net.amount() * rate),
                }),
                None => self.push_review(
                    review_item(
                        provider,
                        ReviewReason::Currency,
                        &line.source,
                        format!("no exchange rate for {currency} on {ldate}; line not listed as not paid out"),
                    )
                    .with_amount(line.net),
                ),
            }
            return;
        }
        if !lines_in_own_month(provider, self.policy.method) {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Other,
                    &line.source,
                    format!(
                        "{} line outside a payout: its lines are booked with their settlement; not booked",
                        provider.display_name()
                    ),
                )
                .with_amount(line.net),
            );
            return;
        }
        let currency = line.net.currency();
        if line.gross.currency() != currency {
            self.push_review(review_item(
                provider,
                ReviewReason::Malformed,
                &line.source,
                format!(
                    "line with gross in {} and net in {currency}; not booked",
                    line.gross.currency()
                ),
            ));
            return;
        }
        if !self.booked_lines.insert(source_key(&line.source)) {
            return;
        }
        self.book_line_source(&line.source);
        let Some(rate) = self.rate(currency, ldate) else {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Currency,
                    &line.source,
                    format!("no exchange rate for {currency} on {ldate}; line not booked"),
                )
                .with_amount(line.net),
            );
            return;
        };
        self.review_net_mismatch(provider, line);
        let fee_total: Decimal = line
            .fees
            .iter()
            .filter(|f| f.amount.currency() == currency)
            .map(|f| f.amount.amount())
            .sum();
        let net = line.gross.amount() - fee_total;
        let name = provider.display_name();
        let mut d = Draft::new(format!("{name} ej utbetalt {ldate}"));
        d.add(Role::Clearing { provider }, currency, net, net * rate);
        let mut tally = Tally::default();
        let mut review_fees = BTreeMap::new();
        let mut fees_sek = Decimal::ZERO;
        self.book_line(
            &mut d,
            provider,
            line,
            currency,
            rate,
            ldate,
            &mut tally,
            &mut review_fees,
            &mut fees_sek,
        );
        self.tot(provider).fees_sek += fees_sek;
        self.fee_notes(provider, &line.source, currency, review_fees);
        self.outstanding.push(Outstanding {
            provider,
            source: line.source.clone(),
            kind: OutstandingKind::NotPaidOut,
            date: ldate,
            amount: Money::new(net, currency),
            amount_sek: r2(net * rate),
        });
        d.sources.push(line.source.clone());
        let key = self.draft_key(
            VoucherKind::Payout,
            ldate,
            provider,
            format!("not paid out:{currency}"),
        );
        self.commit(key, d);
    }

    /// A review item when a line's net is not its gross minus its fees.
    fn review_net_mismatch(&mut self, provider: Provider, line: &SettlementLine) {
        if let Ok(Some(diff)) = line.check() {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::AmountMismatch,
                    &line.source,
                    "net is not gross minus fees".to_owned(),
                )
                .with_amount(diff),
            );
        }
    }

    /// Review items for fees whose VAT class needs an accountant.
    fn fee_notes(
        &mut self,
        provider: Provider,
        source: &SourceRef,
        currency: Currency,
        review_fees: BTreeMap<(FeeCategory, FeeNote), Decimal>,
    ) {
        for ((cat, note), amount) in review_fees {
            let what = match note {
                FeeNote::ClassReview => {
                    "VAT class is Review; booked as cost without VAT until an accountant decides"
                        .to_owned()
                }
                FeeNote::VatOnExempt | FeeNote::VatOnReverseCharge => foreign_vat_note(
                    note == FeeNote::VatOnReverseCharge,
                    &self.foreign_vat_account(provider, cat),
                ),
            };
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Policy,
                    source,
                    format!("{} fees: {what}", cat.label()),
                )
                .with_amount(Money::new(amount, currency)),
            );
        }
    }

    /// Adds a provider's bill that is not withheld from a payout (a Shopify
    /// subscription or app charged to a card or invoiced): the fee by its VAT
    /// class against 2440 Leverantörsskulder, on the day it was charged. The
    /// payment of the bill is the bank's business.
    pub fn add_fee(&mut self, fee: &Fee) {
        if self.refuse_unbookable(fee) {
            return;
        }
        let provider = fee.provider;
        let date = stockholm_date(fee.occurred_at);
        if !self.period.contains_date(date) {
            return;
        }
        let currency = fee.amount.currency();
        let Some(rate) = self.rate(currency, date) else {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Currency,
                    &fee.source,
                    format!("no exchange rate for {currency} on {date}; fee not booked"),
                )
                .with_amount(fee.amount),
            );
            return;
        };
        let cat = FeeCategory::of(&fee.kind);
        let vat = fee
            .vat
            .filter(|v| v.currency() == currency)
            .map_or(Decimal::ZERO, |v| v.amount());
        let a = fee.amount.amount();
        let mut d = Draft::new(format!(
            "{} {} {}",
            provider.display_name(),
            cat.label(),
            fee.description
        ));
        let class = self.book_fee(&mut d, provider, cat, a, vat, currency, rate);
        d.add(Role::SupplierPayable, currency, -a, -a * rate);
        d.sources.push(fee.source.clone());
        self.tot(provider).fees_sek += a * rate;
        let note = match class {
            FeeVatClass::Review => {
                Some("fee VAT class is Review; booked as cost without VAT".to_owned())
            }
            FeeVatClass::Exempt | FeeVatClass::ReverseCharge { .. } if !vat.is_zero() => {
                Some(foreign_vat_note(
                    class != FeeVatClass::Exempt,
                    &self.foreign_vat_account(provider, cat),
                ))
            }
            _ => None,
        };
        if let Some(note) = note {
            self.push_review(
                review_item(provider, ReviewReason::Policy, &fee.source, note)
                    .with_amount(fee.amount),
            );
        }
        let key = self.draft_key(VoucherKind::Fee, date, provider, fee.source.to_string());
        self.commit(key, d);
    }

    /// The account foreign VAT on a provider's fee of `category` goes to.
    fn foreign_vat_account(&self, provider: Provider, category: FeeCategory) -> String {
        self.chart
            .account(&Role::ForeignFeeVat { provider, category })
            .unwrap_or_else(|| "2999".to_owned())
    }

    fn commit_parts(
        &mut self,
        provider: Provider,
        source: &SourceRef,
        parts: BTreeMap<Date, Draft>,
    ) {
        for (date, mut d) in parts {
            d.sources.push(source.clone());
            let key = self.draft_key(VoucherKind::Payout, date, provider, source.to_string());
            self.commit(key, d);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn book_line(
        &mut self,
        d: &mut Draft,
        provider: Provider,
        line: &SettlementLine,
        currency: Currency,
        prate: Decimal,
        ldate: Date,
        tally: &mut Tally,
        review_fees: &mut BTreeMap<(FeeCategory, FeeNote), Decimal>,
        fees_sek: &mut Decimal,
    ) {
        let g = line.gross.amount();
        let counter = |d: &mut Draft, role: Role| d.add(role, currency, -g, -g * prate);
        match &line.kind {
            SettlementKind::Charge | SettlementKind::Refund => {
                let s = Settle {
                    source: &line.source,
                    related: line.related.as_ref(),
                    reference: line.reference.as_deref(),
                    refund: line.kind == SettlementKind::Refund || g.is_sign_negative(),
                    amount: g,
                    currency,
                    original: line.original,
                    date: ldate,
                    description: &line.description,
                };
                self.settle(d, provider, &s, prate, tally);
            }
            SettlementKind::Dispute | SettlementKind::DisputeReversal => {
                counter(d, Role::Disputed { provider });
            }
            SettlementKind::ReserveHeld | SettlementKind::ReserveReleased => {
                counter(d, Role::Reserve { provider });
            }
            SettlementKind::PayoutReturned { arrival_date } => {
                // A payout that arrived before the period was booked to the
                // bank by its month's close (it had not failed by then): the
                // money comes back from the bank. One that was to arrive in
                // the period or later never was: its money never left the
                // clearing account, where the line returns it.
                if *arrival_date < self.period.first() {
                    counter(d, Role::Bank);
                } else {
                    counter(d, Role::Clearing { provider });
                }
            }
            SettlementKind::Fee => {
                if !g.is_zero() {
                    // A fee carried as the line's own (negative) gross.
                    let cat = FeeCategory::Other;
                    let class = self.book_fee(d, provider, cat, -g, Decimal::ZERO, currency, prate);
                    *fees_sek += -g * prate;
                    if class == FeeVatClass::Review {
                        *review_fees.entry((cat, FeeNote::ClassReview)).or_default() += -g;
                    }
                }
            }
            SettlementKind::Adjustment | SettlementKind::Conversion | SettlementKind::Transfer => {
                if !g.is_zero() {
                    counter(d, Role::Suspense);
                    tally.unknown_lines += 1;
                    tally.unknown_lines_sek += g * prate;
                    self.push_review(
                        review_item(
                            provider,
                            ReviewReason::Policy,
                            &line.source,
                            format!(
                                "{:?} line \"{}\" booked on suspense: decide what it is",
                                line.kind, line.description
                            ),
                        )
                        .with_amount(line.gross),
                    );
                }
            }
            other => {
                counter(d, Role::Suspense);
                tally.unknown_lines += 1;
                tally.unknown_lines_sek += g * prate;
                self.push_review(
                    review_item(
                        provider,
                        ReviewReason::UnknownType,
                        &line.source,
                        format!("settlement line type {other:?} is not known; booked on suspense"),
                    )
                    .with_amount(line.gross),
                );
            }
        }
        for fee in &line.fees {
            if fee.amount.currency() != currency {
                self.push_review(review_item(
                    provider,
                    ReviewReason::Malformed,
                    &fee.source,
                    format!(
                        "fee in {} inside a {currency} payout; left out",
                        fee.amount.currency()
                    ),
                ));
                continue;
            }
            let cat = FeeCategory::of(&fee.kind);
            let vat = fee
                .vat
                .filter(|v| v.currency() == currency)
                .map_or(Decimal::ZERO, |v| v.amount());
            let a = fee.amount.amount();
            let class = self.book_fee(d, fee.provider, cat, a, vat, currency, prate);
            *fees_sek += a * prate;
            let note = match class {
                FeeVatClass::Review => Some(FeeNote::ClassReview),
                FeeVatClass::Exempt if !vat.is_zero() => Some(FeeNote::VatOnExempt),
                FeeVatClass::ReverseCharge { .. } if !vat.is_zero() => {
                    Some(FeeNote::VatOnReverseCharge)
                }
                _ => None,
            };
            if let Some(note) = note {
                *review_fees.entry((cat, note)).or_default() += a;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_id;

    #[test]
    fn graphql_ids_show_their_last_segment() {
        assert_eq!(
            display_id("gid://shopify/ShopifyPaymentsPayout/118000001"),
            "118000001"
        );
        assert_eq!(display_id("po_1OaB2c"), "po_1OaB2c");
        assert_eq!(display_id("trailing/"), "trailing/");
    }
}
