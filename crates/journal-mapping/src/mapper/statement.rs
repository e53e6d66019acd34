//! Bank-like balances (PayPal): one voucher per currency and day.

use bookkeeping_core::{Money, ReviewReason, Statement, StatementClass, stockholm_date};
use rust_decimal::Decimal;

use super::draft::Draft;
use super::payout::{Settle, Tally};
use super::{Mapper, review_item};
use crate::chart::{FeeCategory, Role};
use crate::coverage::{NeededItem, NeededReportKind};
use crate::fx::ExchangeRates;
use crate::policy::FeeVatClass;
use crate::voucher::VoucherKind;

impl<R: ExchangeRates> Mapper<R> {
    /// Adds a statement of a bank-like balance (PayPal, one currency): the
    /// balance is its own 19xx account; receipts settle the clearing
    /// receivable of their sale (or suspense when the sale is unknown), fees
    /// are booked by class, conversions go through FX, withdrawals to the bank.
    pub fn add_statement(&mut self, st: &Statement) {
        let provider = st.account.provider;
        self.cov(provider).statement_lines += st.lines.len() as u64;
        if self.refuse_unbookable(st) {
            return;
        }
        let currency = st.currency;
        if !st.complete {
            self.push_review(review_item(
                provider,
                ReviewReason::Incomplete,
                &st.account,
                format!("{currency} statement is not complete up to the period end at the provider; map again later"),
            ));
        }
        if let Ok(Some(diff)) = st.unexplained()
            && !diff.is_zero()
        {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::AmountMismatch,
                    &st.account,
                    format!("{currency} statement lines do not explain the change from opening to closing balance"),
                )
                .with_amount(diff),
            );
        }
        let name = provider.display_name();
        let bal = Role::PayPal { currency };
        for line in &st.lines {
            let date = stockholm_date(line.booked_at);
            if !self.period.contains_date(date) {
                continue;
            }
            if line.amount.currency() != currency {
                self.push_review(review_item(
                    provider,
                    ReviewReason::Malformed,
                    &line.source,
                    format!(
                        "line in {} on the {currency} statement; not booked",
                        line.amount.currency()
                    ),
                ));
                continue;
            }
            let Some(rate) = self.rate(currency, date) else {
                self.push_review(
                    review_item(
                        provider,
                        ReviewReason::Currency,
                        &line.source,
                        format!("no exchange rate for {currency} on {date}; not booked"),
                    )
                    .with_amount(line.amount),
                );
                continue;
            };
            let a = line.amount.amount();
            let conversion = line.class == StatementClass::Conversion;
            let key = if conversion {
                self.draft_key(VoucherKind::Conversion, date, provider, String::new())
            } else {
                self.draft_key(
                    VoucherKind::Statement,
                    date,
                    provider,
                    format!("{}:{currency}", st.account),
                )
            };
            let mut d = Draft::new(if conversion {
                format!("{name} valutaväxling {date}")
            } else {
                format!("{name} {currency} {date}")
            });
            d.add(bal, currency, a, a * rate);
            let mut tally = Tally::default();
            let suspense = |m: &mut Self, d: &mut Draft, reason, msg: String| {
                d.add(Role::Suspense, currency, -a, -a * rate);
                m.push_review(
                    review_item(provider, reason, &line.source, msg).with_amount(line.amount),
                );
            };
            match &line.class {
                StatementClass::Payment if a.is_sign_positive() => {
                    let s = Settle {
                        source: &line.source,
                        related: line.related.as_ref(),
                        reference: line.reference.as_deref(),
                        refund: false,
                        amount: a,
                        currency,
                        original: None,
                        date,
                        description: &line.text,
                    };
                    // A receipt of a sale that is not known is suspense, never revenue.
                    let known = self.is_known(&s);
                    if known {
                        self.settle(&mut d, provider, &s, rate, &mut tally);
                    } else {
                        let item = NeededItem {
                            date,
                            id: line
                                .reference
                                .as_deref()
                                .unwrap_or(&line.source.id)
                                .to_owned(),
                            amount_sek: a * rate,
                            description: line.text.clone(),
                        };
                        self.need(provider, NeededReportKind::UnknownReceipts, item);
                        suspense(
                            self,
                            &mut d,
                            ReviewReason::UnknownSale,
                            format!("{name} receipt whose sale is not known; booked on suspense"),
                        );
                    }
                }
                StatementClass::Refund => {
                    let s = Settle {
                        source: &line.source,
                        related: line.related.as_ref(),
                        reference: line.reference.as_deref(),
                        refund: true,
                        amount: a,
                        currency,
                        original: None,
                        date,
                        description: &line.text,
                    };
                    if self.is_known(&s) {
                        self.settle(&mut d, provider, &s, rate, &mut tally);
                    } else {
                        suspense(
                            self,
                            &mut d,
                            ReviewReason::UnknownSale,
                            format!(
                                "{name} refund whose refund record is not known; booked on suspense"
                            ),
                        );
                    }
                }
                StatementClass::Fee => {
                    let class = self.book_fee(
                        &mut d,
                        provider,
                        FeeCategory::Processing,
                        -a,
                        Decimal::ZERO,
                        currency,
                        rate,
                    );
                    self.tot(provider).fees_sek += -a * rate;
                    if class == FeeVatClass::Review {
                        self.push_review(
                            review_item(
                                provider,
                                ReviewReason::Policy,
                                &line.source,
                                "fee VAT class is Review; booked as cost without VAT".to_owned(),
                            )
                            .with_amount(Money::new(-a, currency)),
                        );
                    }
                }
                StatementClass::Conversion => {}
                StatementClass::Withdrawal => {
                    d.add(Role::Bank, currency, -a, -a * rate);
                    self.tot(provider).paid_out_sek += -a * rate;
                }
                StatementClass::Chargeback => {
                    d.add(Role::Disputed { provider }, currency, -a, -a * rate);
                    // A statement says when money is taken back for a
                    // dispute (T1201) and when it is returned (T1202), but
                    // not when the dispute is lost: no source gives a
                    // decision for it (Shopify, Stripe and Klarna do), so the
                    // withdrawal would stay on the disputed receivable
                    // unsaid. The accountant books the loss.
                    if a.is_sign_negative() {
                        self.push_review(
                            review_item(
                                provider,
                                ReviewReason::Policy,
                                &line.source,
                                format!(
                                    "{name} chargeback ({}) booked on the disputed receivable: if the \
                                     dispute is lost, reverse the sale or book a bad debt; a \
                                     chargeback reversal clears it",
                                    line.event_code
                                ),
                            )
                            .with_amount(Money::new(-a, currency)),
                        );
                    }
                }
                StatementClass::Hold => d.add(Role::Reserve { provider }, currency, -a, -a * rate),
                StatementClass::Payment => suspense(
                    self,
                    &mut d,
                    ReviewReason::Policy,
                    format!(
                        "{name} payment sent from the balance; booked on suspense: decide what it paid"
                    ),
                ),
                StatementClass::Other(what) => suspense(
                    self,
                    &mut d,
                    ReviewReason::UnknownType,
                    format!(
                        "{name} event {} ({what}) booked on suspense",
                        line.event_code
                    ),
                ),
                other => suspense(
                    self,
                    &mut d,
                    ReviewReason::UnknownType,
                    format!(
                        "{name} event code {} ({other:?}) is not known; booked on suspense",
                        line.event_code
                    ),
                ),
            }
            d.sources.push(line.source.clone());
            self.commit(key, d);
        }
    }

    fn is_known(&self, s: &Settle<'_>) -> bool {
        use super::{doc_key, source_key};
        s.related
            .is_some_and(|r| self.entries.contains_key(&source_key(r)))
            || s.reference.is_some_and(|r| {
                let by_doc = if s.refund {
                    &self.refund_by_doc
                } else {
                    &self.sale_by_doc
                };
                by_doc.contains_key(&doc_key(r))
            })
    }
}
