//! Sales, refunds and lost disputes.

use bookkeeping_core::{
    Currency, Customer, LineKind, Money, Payment, PaymentChannel, Provider, Refund, ReviewItem,
    ReviewReason, Sale, SaleLine, SourceRef, TaxTreatment, stockholm_date,
};
use rust_decimal::Decimal;
use smallvec::{SmallVec, smallvec};
use std::sync::Arc;

use time::Date;

use super::Channels;
use super::draft::Draft;
use super::{DisputeLost, Entry, Mapper, doc_key, is_invoice, r2, review_item, source_key};
use crate::chart::Role;
use crate::coverage::{NeededItem, NeededReportKind};
use crate::fx::ExchangeRates;
use crate::policy::{AccountingMethod, Granularity, LostDispute};
use crate::voucher::VoucherKind;

/// The revenue side of a document: role and amount (positive = what a sale
/// credits), in the document currency. Most documents have one to four
/// roles (a rate's sales and its VAT, shipping, a gift card): room for four
/// on the stack, since a month's sales each built three of these sides on
/// the heap.
type Side = SmallVec<[(Role, Decimal); 4]>;

fn push(side: &mut Side, role: Role, amount: Decimal) {
    if amount.is_zero() {
        return;
    }
    match side.iter_mut().find(|(r, _)| *r == role) {
        Some(slot) => slot.1 += amount,
        None => side.push((role, amount)),
    }
}

/// A coverage entry for a document.
fn needed_item(date: Date, doc: &str, amount_sek: Decimal, what: &str) -> NeededItem {
    NeededItem {
        date,
        id: doc.to_owned(),
        amount_sek,
        description: what.to_owned(),
    }
}

impl<R: ExchangeRates> Mapper<R> {
    /// Classifies lines into revenue roles, with review items for what must
    /// not be guessed. `None` when a line is in another currency.
    fn classify(
        &self,
        lines: &[SaleLine],
        currency: Currency,
        date: Date,
        customer: &Customer,
        source: &SourceRef,
        reviews: &mut Vec<ReviewItem>,
    ) -> Option<Side> {
        let provider = source.provider;
        let mut side = Side::new();
        let review = |reason, msg: String, amount: Money| {
            review_item(provider, reason, source, msg).with_amount(amount)
        };
        for (i, line) in lines.iter().enumerate() {
            if line.net.currency() != currency || line.vat.currency() != currency {
                reviews.push(review_item(
                    provider,
                    ReviewReason::Malformed,
                    source,
                    format!(
                        "line {i} is in {} but the document is in {currency}",
                        line.net.currency()
                    ),
                ));
                return None;
            }
            let net = line.net.amount();
            let vat = line.vat.amount();
            let gross = net + vat;
            let gross_m = Money::new(gross, currency);
            // Lines with no VAT whatever they say: a gift card is a
            // multi-purpose voucher (a liability, no revenue); a voluntary tip
            // is outside the scope of VAT (RSV 1999-04-12 dnr 3254-99/120), on
            // its own account, never a VAT-return figure.
            let vat_free = match line.kind {
                LineKind::GiftCard => Some((
                    Role::GiftCardLiability,
                    "gift card",
                    "booked as a liability",
                )),
                LineKind::Tip => Some((
                    Role::Tips,
                    "tip",
                    "a tip is outside the scope of VAT, booked",
                )),
                _ => None,
            };
            if let Some((role, what, booked)) = vat_free {
                push(&mut side, role, gross);
                if !vat.is_zero() {
                    reviews.push(review(
                        ReviewReason::TaxTreatment,
                        format!(
                            "{what} \"{}\" carries VAT; {booked} without VAT",
                            line.description
                        ),
                        line.vat,
                    ));
                }
                continue;
            }
            // VAT where no Swedish VAT belongs goes to suspense.
            let no_vat = |role: Role, side: &mut Side, reviews: &mut Vec<ReviewItem>| {
                push(side, role, net);
                if !vat.is_zero() {
                    push(side, Role::Suspense, vat);
                    reviews.push(review(
                        ReviewReason::TaxTreatment,
                        format!("line \"{}\" has VAT under a treatment without Swedish VAT; the VAT is on suspense", line.description),
                        line.vat,
                    ));
                }
            };
            match &line.treatment {
                TaxTreatment::Domestic | TaxTreatment::EuB2cSwedishVat => {
                    let Some(rate) = line.vat_rate else {
                        push(&mut side, Role::Suspense, gross);
                        reviews.push(review(
                            ReviewReason::VatRate,
                            format!(
                                "line \"{}\" has no VAT rate; booked on suspense",
                                line.description
                            ),
                            gross_m,
                        ));
                        continue;
                    };
                    if rate.is_zero() {
                        let role = if line.treatment == TaxTreatment::Domestic {
                            Role::SalesExempt
                        } else {
                            Role::SalesEuB2c { rate }
                        };
                        no_vat(role, &mut side, reviews);
                        continue;
                    }
                    if !self.policy.vat_table.is_valid(rate, date) {
                        let valid: Vec<String> = self
                            .policy
                            .vat_table
                            .valid_on(date)
                            .iter()
                            .map(ToString::to_string)
                            .collect();
                        reviews.push(review(
                            ReviewReason::VatRate,
                            format!(
                                "line \"{}\" has VAT rate {rate}, which is not valid on {date} (valid: {}); booked as charged",
                                line.description,
                                valid.join(", ")
                            ),
                            line.vat,
                        ));
                    }
                    // Checked: a rate is the provider's number (any `Decimal`), and
                    // one beyond any real rate must not stop the close.
                    match net.checked_mul(rate.fraction()).map(r2) {
                        Some(expected)
                            if (expected - vat).abs()
                                <= Decimal::new(2, 2) + r2(net.abs() * Decimal::new(1, 4)) => {}
                        expected => reviews.push(review(
                            ReviewReason::VatRate,
                            format!(
                                "line \"{}\": VAT {vat} is not {rate} of {net} (expected {})",
                                line.description,
                                expected.map_or_else(
                                    || "beyond any amount".to_owned(),
                                    |e| e.to_string()
                                )
                            ),
                            line.vat,
                        )),
                    }
                    // B2C services are supplied where the seller is (ML 6 kap.):
                    // a service to an EU consumer with Swedish VAT is a domestic sale.
                    let sales = if line.treatment == TaxTreatment::Domestic
                        || line.kind == LineKind::Service
                    {
                        Role::SalesDomestic { rate }
                    } else {
                        Role::SalesEuB2c { rate }
                    };
                    push(&mut side, sales, net);
                    push(&mut side, Role::OutputVat { rate }, vat);
                }
                TaxTreatment::Exempt => no_vat(Role::SalesExempt, &mut side, reviews),
                TaxTreatment::ExportOutsideEu => {
                    let role = if line.kind == LineKind::Service {
                        Role::SalesExportServices
                    } else {
                        Role::SalesExport
                    };
                    no_vat(role, &mut side, reviews);
                }
                TaxTreatment::EuB2bReverseCharge => {
                    if customer.vat_number.as_deref().is_none_or(str::is_empty) {
                        reviews.push(review(
                            ReviewReason::TaxTreatment,
                            format!(
                                "line \"{}\" is an EU B2B sale without the buyer's VAT number",
                                line.description
                            ),
                            gross_m,
                        ));
                    }
                    let role = if line.kind == LineKind::Service {
                        Role::SalesEuB2bServices
                    } else {
                        Role::SalesEuB2b
                    };
                    no_vat(role, &mut side, reviews);
                }
                TaxTreatment::EuOss { country } => {
                    push(&mut side, Role::SalesOss { country: *country }, net);
                    push(&mut side, Role::OssVat { country: *country }, vat);
                }
                TaxTreatment::Undetermined { reason } => {
                    push(&mut side, Role::Suspense, gross);
                    reviews.push(review(
                        ReviewReason::TaxTreatment,
                        format!("line \"{}\": tax treatment undetermined ({reason}); booked on suspense", line.description),
                        gross_m,
                    ));
                }
                other => {
                    push(&mut side, Role::Suspense, gross);
                    reviews.push(review(
                        ReviewReason::TaxTreatment,
                        format!(
                            "line \"{}\": tax treatment {other:?} is not known; booked on suspense",
                            line.description
                        ),
                        gross_m,
                    ));
                }
            }
        }
        Some(side)
    }

    /// The money side of a document: who owes (a sale) or pays back (a
    /// refund) what, by payment channel.
    #[allow(clippy::too_many_arguments)]
    fn money_side(
        &mut self,
        payments: &[Payment],
        total: Decimal,
        currency: Currency,
        rate: Decimal,
        default_role: Role,
        source: &SourceRef,
        doc: &str,
        date: Date,
        in_period: bool,
        reviews: &mut Vec<ReviewItem>,
    ) -> Side {
        let provider = source.provider;
        let mut side = Side::new();
        if payments.is_empty() {
            push(&mut side, default_role, total);
            return side;
        }
        if payments.iter().any(|p| p.amount.currency() != currency) {
            reviews.push(review_item(
                provider,
                ReviewReason::Currency,
                source,
                format!("payments are not in the document's currency {currency}; settled on the provider's own receivable"),
            ));
            push(&mut side, default_role, total);
            return side;
        }
        let mut paid = Decimal::ZERO;
        for p in payments {
            let a = p.amount.amount();
            paid += a;
            let role = match &p.channel {
                PaymentChannel::Provider(pp) => Role::Clearing { provider: *pp },
                PaymentChannel::GiftCard => Role::GiftCardLiability,
                _ => {
                    if in_period {
                        let item = needed_item(date, doc, a * rate, &p.gateway);
                        let gateway = p.gateway.to_string();
                        self.need(provider, NeededReportKind::Gateway { gateway }, item);
                    }
                    Role::GatewayReceivable
                }
            };
            push(&mut side, role, a);
        }
        let diff = total - paid;
        if !diff.is_zero() {
            if (diff * rate).abs() <= self.policy.rounding_tolerance {
                push(&mut side, Role::Rounding, diff);
            } else {
                reviews.push(
                    review_item(
                        provider,
                        ReviewReason::AmountMismatch,
                        source,
                        format!("payments ({paid}) differ from the lines ({total}); the difference is on the provider's own receivable"),
                    )
                    .with_amount(Money::new(diff, currency)),
                );
                push(&mut side, default_role, diff);
            }
        }
        side
    }

    fn sales_draft_key(
        &self,
        single: VoucherKind,
        date: Date,
        provider: Provider,
        source: &SourceRef,
    ) -> (super::draft::DraftKey, bool) {
        match self.policy.granularity {
            Granularity::PerDocument => (
                self.draft_key(single, date, provider, source.to_string()),
                true,
            ),
            _ => (
                self.draft_key(VoucherKind::SalesDay, date, provider, String::new()),
                false,
            ),
        }
    }

    /// Adds a sale (order or invoice).
    ///
    /// Faktureringsmetod: booked on its Stockholm date against the clearing
    /// receivable of the provider that settles each payment (a gift card
    /// reduces the gift-card liability; a gateway without an integration goes
    /// to the gateway receivable and the coverage report). An invoice is booked
    /// on 1510 and its payments through a provider move 1510 to that
    /// provider's clearing. Sales outside the period and test sales are not booked.
    pub fn add_sale(&mut self, sale: &Sale) {
        // Hashed once: the key finds the sale's entry, marks a test sale and
        // files the entry.
        let key = source_key(&sale.source);
        let known = self.entries.contains_key(&key);
        if self.refuse_repeat(&sale.source, known, Some(sale.occurred_at)) {
            return;
        }
        let provider = sale.source.provider;
        self.cov(provider).sales += 1;
        if self.refuse_unbookable(sale) {
            return;
        }
        if sale.test {
            self.cov(provider).test_sales += 1;
            self.test_sales.insert(key);
            return;
        }
        let date = stockholm_date(sale.occurred_at);
        let in_period = self.period.contains_date(date);
        let Some(rate) = self.rate(sale.currency, date) else {
            self.push_review(
                review_item(
                    provider,
                    ReviewReason::Currency,
                    &sale.source,
                    format!(
                        "no exchange rate for {} on {date}; sale {} not booked",
                        sale.currency, sale.document_number
                    ),
                )
                .with_amount(sale.total().unwrap_or(Money::zero(sale.currency))),
            );
            return;
        };
        let mut reviews = Vec::new();
        let Some(credits) = self.classify(
            &sale.lines,
            sale.currency,
            date,
            &sale.customer,
            &sale.source,
            &mut reviews,
        ) else {
            self.review.extend(reviews);
            return;
        };
        let total: Decimal = credits.iter().map(|(_, a)| a).sum();
        let invoice = is_invoice(&sale.source);
        let debits = if invoice {
            smallvec![(Role::CustomerReceivable, total)]
        } else {
            self.money_side(
                &sale.payments,
                total,
                sale.currency,
                rate,
                Role::Clearing { provider },
                &sale.source,
                &sale.document_number,
                date,
                in_period,
                &mut reviews,
            )
        };
        let mut channels: Channels = debits
            .iter()
            .filter_map(|(role, a)| match role {
                Role::Clearing { provider } => Some((*provider, *a, r2(*a * rate))),
                _ => None,
            })
            .collect();
        let kontant = self.policy.method == AccountingMethod::Kontantmetod;

        // The same purchase from two providers' data (a Shopify order paid
        // through Klarna, and Klarna's own record of it) is booked once.
        let doc = doc_key(&sale.document_number);
        if let Some(other) = self
            .sale_by_doc
            .get(&doc)
            .filter(|k| **k != key)
            .and_then(|k| self.entries.get(k))
            && other.provider != provider
            && (other.channels.iter().any(|(p, _, _)| *p == provider)
                || channels.iter().any(|(p, _, _)| *p == other.provider))
        {
            let what = format!("{} {}", provider.display_name(), sale.document_number);
            let amount = Money::new(total, sale.currency);
            let other = other.provider;
            self.booked_elsewhere(&sale.source, &what, other, amount, reviews);
            return;
        }

        if in_period && !kontant {
            self.cov(provider).sales_booked += 1;
            let t = self.tot(provider);
            t.sales_sek += total * rate;
            let (dkey, single) =
                self.sales_draft_key(VoucherKind::Sale, date, provider, &sale.source);
            let what = if invoice { "faktura" } else { "order" };
            let text = || {
                voucher_text(
                    provider,
                    single.then_some((what, sale.document_number.as_str())),
                    date,
                )
            };
            let d = self.draft(dkey, text);
            for (role, a) in &credits {
                d.add(*role, sale.currency, -*a, -*a * rate);
            }
            // Receivables at the SEK stored for settling them (rounded per
            // document), so the clearing account nets to zero at settlement.
            for (role, a) in &debits {
                d.add(*role, sale.currency, *a, r2(*a * rate));
            }
            d.sources.push(sale.source.clone());
        } else if !in_period {
            self.cov(provider).sales_outside_period += 1;
        } else if !invoice {
            // Kontantmetod: a sale is booked when paid. What a provider
            // settles is booked by its payout; what a gift card paid is booked
            // now (the money came when the card was sold, and a multi-purpose
            // voucher is taxed when redeemed); what an external gateway or
            // nobody paid is in the coverage report.
            let gift: Decimal = debits
                .iter()
                .filter(|(r, _)| *r == Role::GiftCardLiability)
                .map(|(_, a)| a)
                .sum();
            if !gift.is_zero() {
                let whole = Entry {
                    provider,
                    currency: sale.currency,
                    date,
                    in_period,
                    invoice,
                    refund: false,
                    document: Default::default(),
                    prepaid_sek: Decimal::ZERO,
                    channels: Channels::new(),
                    breakdown: credits.iter().map(|(r, x)| (*r, *x, *x * rate)).collect(),
                };
                let parts = self.pro_rata(
                    Some(&whole),
                    gift,
                    sale.currency,
                    &sale.source,
                    &mut reviews,
                );
                let (dkey, _) =
                    self.sales_draft_key(VoucherKind::Sale, date, provider, &sale.source);
                let mut d = Draft::new(format!(
                    "{} order {} presentkort",
                    provider.display_name(),
                    sale.document_number
                ));
                d.add(
                    Role::GiftCardLiability,
                    sale.currency,
                    gift,
                    r2(gift * rate),
                );
                for (role, x) in parts {
                    d.add(role, sale.currency, -x, -x * rate);
                }
                d.sources.push(sale.source.clone());
                self.tot(provider).sales_sek += gift * rate;
                self.commit(dkey, d);
            }
        }

        if invoice {
            for p in &sale.payments {
                let PaymentChannel::Provider(pp) = p.channel else {
                    if in_period && p.channel != PaymentChannel::GiftCard {
                        let pdate = p.processed_at.map_or(date, stockholm_date);
                        let sek = p.amount.amount() * rate;
                        let item = needed_item(pdate, &sale.document_number, sek, &p.gateway);
                        let gateway = p.gateway.to_string();
                        self.need(provider, NeededReportKind::Gateway { gateway }, item);
                    }
                    continue;
                };
                if p.amount.currency() != sale.currency {
                    continue;
                }
                let a = p.amount.amount();
                channels.push((pp, a, r2(a * rate)));
                let pdate = p.processed_at.map_or(date, stockholm_date);
                if kontant || !self.period.contains_date(pdate) {
                    // Kontantmetod: paid when the payout brings the money
                    // to the bank; the payout books it.
                    continue;
                }
                let dkey = self.draft_key(
                    VoucherKind::InvoicePayment,
                    pdate,
                    provider,
                    sale.source.to_string(),
                );
                let mut d = Draft::new(format!(
                    "{} faktura {} betald via {}",
                    provider.display_name(),
                    sale.document_number,
                    pp.display_name()
                ));
                d.add(
                    Role::Clearing { provider: pp },
                    sale.currency,
                    a,
                    r2(a * rate),
                );
                d.add(Role::CustomerReceivable, sale.currency, -a, -a * rate);
                d.sources.push(sale.source.clone());
                self.commit(dkey, d);
            }
        }

        let breakdown = credits
            .iter()
            .map(|(role, a)| (*role, *a, *a * rate))
            .collect();
        self.entries.insert(
            key,
            Arc::new(Entry {
                provider,
                currency: sale.currency,
                date,
                in_period,
                invoice,
                refund: false,
                document: sale.document_number.clone(),
                prepaid_sek: debits
                    .iter()
                    .filter(|(r, _)| *r == Role::GiftCardLiability)
                    .map(|(_, a)| r2(*a * rate))
                    .sum(),
                channels,
                breakdown,
            }),
        );
        self.sale_by_doc.insert(doc, key);
        self.review.extend(reviews);
    }

    /// Adds a refund: sales and VAT reversed per line and rate (pro rata over
    /// the sale when the refund has no lines), money back through the channels
    /// of its payments.
    pub fn add_refund(&mut self, refund: &Refund) {
        let key = source_key(&refund.source);
        let known = self.entries.contains_key(&key);
        if self.refuse_repeat(&refund.source, known, Some(refund.occurred_at)) {
            return;
        }
        let provider = refund.source.provider;
        self.cov(provider).refunds += 1;
        if self.refuse_unbookable(refund) {
            return;
        }
        if self.test_sales.contains(&source_key(&refund.sale)) {
            return; // a refund of a test order is a test too
        }
        let date = stockholm_date(refund.occurred_at);
        let in_period = self.period.contains_date(date);
        let Some(rate) = self.rate(refund.currency, date) else {
            self.push_review(review_item(
                provider,
                ReviewReason::Currency,
                &refund.source,
                format!(
                    "no exchange rate for {} on {date}; refund not booked",
                    refund.currency
                ),
            ));
            return;
        };
        let mut reviews = Vec::new();
        let sale_entry = self.entries.get(&source_key(&refund.sale)).cloned();
        // Revenue and VAT go back at the rate the sale was booked at: a
        // credit reduces the output VAT declared for the sale, in the SEK it
        // was declared in; what the customer gets back moves at the refund's
        // rate, and the difference is a currency result (3960/7960). The
        // sale's day comes from its entry, or the refund (an earlier month's
        // sale is not in this run); without a rate for it, the refund's.
        let sale_rate = sale_entry
            .as_deref()
            .map(|e| e.date)
            .or(refund.sale_occurred_at.map(stockholm_date))
            .and_then(|day| self.rate(refund.currency, day))
            .unwrap_or(rate);
        let debits = if refund.lines.is_empty() {
            let lump: Decimal = refund
                .payments
                .iter()
                .filter(|p| p.amount.currency() == refund.currency)
                .map(|p| p.amount.amount())
                .sum();
            self.pro_rata(
                sale_entry.as_deref(),
                lump,
                refund.currency,
                &refund.source,
                &mut reviews,
            )
        } else {
            match self.classify(
                &refund.lines,
                refund.currency,
                date,
                &refund.customer,
                &refund.source,
                &mut reviews,
            ) {
                Some(side) => side,
                None => {
                    self.review.extend(reviews);
                    return;
                }
            }
        };
        let total: Decimal = debits.iter().map(|(_, a)| a).sum();
        let invoice = is_invoice(&refund.sale) || is_invoice(&refund.source);
        let credits = if invoice && refund.payments.is_empty() {
            smallvec![(Role::CustomerReceivable, total)]
        } else {
            self.money_side(
                &refund.payments,
                total,
                refund.currency,
                rate,
                if invoice {
                    Role::CustomerReceivable
                } else {
                    Role::Clearing { provider }
                },
                &refund.source,
                &refund.document_number,
                date,
                in_period,
                &mut reviews,
            )
        };
        let channels: Channels = credits
            .iter()
            .filter_map(|(role, a)| match role {
                Role::Clearing { provider } => Some((*provider, *a, r2(*a * rate))),
                _ => None,
            })
            .collect();
        // The same refund from two providers' data (a Shopify refund paid
        // back through Klarna, and Klarna's own record of it), as for a sale.
        let doc = doc_key(&refund.document_number);
        if let Some(twin) = self.twin_refund(doc, provider, &channels, total, refund.currency) {
            let other = self.entries[&twin].provider;
            self.twinned.insert(twin);
            let what = format!(
                "{} refund {}",
                provider.display_name(),
                refund.document_number
            );
            let amount = Money::new(total, refund.currency);
            self.booked_elsewhere(&refund.source, &what, other, amount, reviews);
            return;
        }
        let kontant = self.policy.method == AccountingMethod::Kontantmetod && !invoice;
        if in_period && !kontant {
            self.tot(provider).refunds_sek += total * sale_rate;
            let (dkey, single) =
                self.sales_draft_key(VoucherKind::Refund, date, provider, &refund.source);
            let text = || {
                voucher_text(
                    provider,
                    single.then_some(("retur", refund.document_number.as_str())),
                    date,
                )
            };
            let d = self.draft(dkey, text);
            let mut fx = Decimal::ZERO;
            for (role, a) in &debits {
                d.add(*role, refund.currency, *a, *a * sale_rate);
                fx -= *a * sale_rate;
            }
            for (role, a) in &credits {
                d.add(*role, refund.currency, -*a, -r2(*a * rate));
                fx += r2(*a * rate);
            }
            if sale_rate != rate && !fx.is_zero() {
                d.add_sek(Role::FxGain, fx);
            }
            d.sources.push(refund.source.clone());
        }
        self.entries.insert(
            key,
            Arc::new(Entry {
                provider,
                currency: refund.currency,
                date,
                in_period,
                invoice,
                refund: true,
                document: refund.document_number.clone(),
                prepaid_sek: Decimal::ZERO,
                channels,
                breakdown: debits
                    .iter()
                    .map(|(r, a)| (*r, *a, *a * sale_rate))
                    .collect(),
            }),
        );
        self.refund_by_doc.insert(doc, key);
        self.refunds_of_doc
            .entry((doc, provider, refund.currency, total.normalize()))
            .or_default()
            .push_back(key);
        self.review.extend(reviews);
    }

    /// Leaves out a sale or refund (`what`, at `source`) because `other`'s
    /// record of it was booked: said with the record's other review items,
    /// and listed for the VAT reports ([`Journal::booked_elsewhere`]).
    fn booked_elsewhere(
        &mut self,
        source: &SourceRef,
        what: &str,
        other: Provider,
        amount: Money,
        mut reviews: Vec<ReviewItem>,
    ) {
        reviews.push(
            review_item(
                source.provider,
                ReviewReason::Other,
                source,
                format!(
                    "{what} is already booked from {} data; not booked twice",
                    other.display_name()
                ),
            )
            .with_amount(amount),
        );
        self.review.extend(reviews);
        self.booked_elsewhere.insert(source.clone());
    }

    /// A refund booked from another provider's data that is this one: the
    /// same document number, currency and total, not matched before, and
    /// paid back through this provider (or this one through that one).
    fn twin_refund(
        &mut self,
        doc: u64,
        provider: Provider,
        channels: &[(Provider, Decimal, Decimal)],
        total: Decimal,
        currency: Currency,
    ) -> Option<u64> {
        for other in Provider::ALL.into_iter().filter(|p| *p != provider) {
            let Some(booked) =
                self.refunds_of_doc
                    .get_mut(&(doc, other, currency, total.normalize()))
            else {
                continue;
            };
            // Those matched already leave the front: refunds matched in the
            // order they came are not looked at again.
            while booked.front().is_some_and(|k| self.twinned.contains(k)) {
                booked.pop_front();
            }
            let through_other = channels.iter().any(|(p, _, _)| *p == other);
            let twin = booked.iter().copied().find(|k| {
                !self.twinned.contains(k)
                    && self.entries.get(k).is_some_and(|e| {
                        through_other || e.channels.iter().any(|(p, _, _)| *p == provider)
                    })
            });
            if twin.is_some() {
                return twin;
            }
        }
        None
    }

    /// Splits `amount` over a sale's revenue roles in proportion, exactly to
    /// the minor unit; suspense and a review item when the sale is unknown.
    pub(crate) fn pro_rata(
        &self,
        entry: Option<&Entry>,
        amount: Decimal,
        currency: Currency,
        source: &SourceRef,
        reviews: &mut Vec<ReviewItem>,
    ) -> Side {
        let mut side = Side::new();
        let usable = entry.filter(|e| e.currency == currency && !e.breakdown.is_empty());
        let Some(e) = usable else {
            push(&mut side, Role::Suspense, amount);
            reviews.push(
                review_item(
                    source.provider,
                    ReviewReason::UnknownSale,
                    source,
                    "no lines and the sale is not known, so the VAT cannot be split; booked on suspense".to_owned(),
                )
                .with_amount(Money::new(amount, currency)),
            );
            return side;
        };
        if e.breakdown.iter().any(|(_, a, _)| a.is_sign_negative()) {
            // A negative role (a discount on its own rate): split by signed
            // weight, rounded per part, the remainder on the largest part.
            let total: Decimal = e.breakdown.iter().map(|(_, a, _)| a).sum();
            let exp = currency.exponent().unwrap_or(2);
            if !total.is_zero() {
                let mut left = amount;
                let mut largest = 0;
                for (i, (role, a, _)) in e.breakdown.iter().enumerate() {
                    let part = (amount * a / total).round_dp_with_strategy(
                        exp,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    );
                    left -= part;
                    push(&mut side, *role, part);
                    if a.abs() > e.breakdown[largest].1.abs() {
                        largest = i;
                    }
                }
                push(&mut side, e.breakdown[largest].0, left);
                return side;
            }
        }
        let weights: Vec<Decimal> = e.breakdown.iter().map(|(_, a, _)| a.abs()).collect();
        match Money::new(amount, currency).allocate(&weights) {
            Ok(parts) => {
                for ((role, _, _), part) in e.breakdown.iter().zip(parts) {
                    push(&mut side, *role, part.amount());
                }
            }
            Err(err) => {
                push(&mut side, Role::Suspense, amount);
                reviews.push(
                    review_item(
                        source.provider,
                        ReviewReason::AmountMismatch,
                        source,
                        format!("cannot split {amount} {currency} over the sale: {err}; booked on suspense"),
                    )
                    .with_amount(Money::new(amount, currency)),
                );
            }
        }
        side
    }

    /// The sale a lost dispute carries ([`DisputeLost::earlier_sale`]),
    /// registered as an earlier sale when the mapper does not know it yet: a
    /// March order disputed and lost in April is then reversed in April's
    /// close as in a close of both months. Only the sale the dispute names
    /// is taken, by its object ([`DisputeLost::sale`]) or by its document
    /// number ([`DisputeLost::reference`], a Klarna reversal of a Shopify
    /// order); anything else would be a guess. A known sale is never
    /// replaced.
    fn register_disputed_sale(&mut self, lost: &DisputeLost) {
        let Some(sale) = lost.earlier_sale.as_deref() else {
            return;
        };
        let names_it = lost.sale.as_ref() == Some(&sale.source)
            || lost
                .reference
                .as_deref()
                .is_some_and(|r| doc_key(r) == doc_key(&sale.document_number));
        if !names_it || self.entries.contains_key(&source_key(&sale.source)) {
            return;
        }
        self.add_earlier_sale(sale);
    }

    /// Adds a lost dispute: the disputed receivable is written off, as a
    /// refund (sales and VAT reversed pro rata) or as a bad debt (6351), per
    /// the policy. A refund needs the disputed sale: one of the period, one
    /// added with [`Mapper::add_earlier_sale`], or the one the dispute
    /// carries ([`DisputeLost::earlier_sale`]), found by
    /// [`DisputeLost::sale`] or else by [`DisputeLost::reference`]; without
    /// it the amount goes to suspense with a review item.
    pub fn add_dispute_lost(&mut self, lost: &DisputeLost) {
        let known = !self.listed.insert(source_key(&lost.source));
        if self.refuse_repeat(&lost.source, known, None) {
            return;
        }
        if self.refuse_unbookable(lost) {
            return;
        }
        let provider = lost.provider;
        let date = stockholm_date(lost.decided_at);
        if !self.period.contains_date(date) {
            return;
        }
        let currency = lost.amount.currency();
        let Some(rate) = self.rate(currency, date) else {
            self.push_review(review_item(
                provider,
                ReviewReason::Currency,
                &lost.source,
                format!("no exchange rate for {currency} on {date}; lost dispute not booked"),
            ));
            return;
        };
        let amount = lost.amount.amount();
        let mut reviews = Vec::new();
        let debits = match self.policy.disputes.lost {
            LostDispute::Refund => {
                self.register_disputed_sale(lost);
                // The sale it names, else the one its reference names (a
                // Klarna reversal of an order sold through Shopify), as a
                // settlement line finds its sale.
                let key = lost
                    .sale
                    .as_ref()
                    .map(source_key)
                    .filter(|k| self.entries.contains_key(k))
                    .or_else(|| {
                        lost.reference
                            .as_deref()
                            .and_then(|r| self.sale_by_doc.get(&doc_key(r)).copied())
                    });
                let entry = key.and_then(|k| self.entries.get(&k)).cloned();
                self.pro_rata(
                    entry.as_deref(),
                    amount,
                    currency,
                    &lost.source,
                    &mut reviews,
                )
            }
            LostDispute::BadDebt => {
                reviews.push(
                    review_item(
                        provider,
                        ReviewReason::Policy,
                        &lost.source,
                        "lost dispute booked as a bad debt; correct the output VAT once the loss is final".to_owned(),
                    )
                    .with_amount(lost.amount),
                );
                smallvec![(Role::BadDebt, amount)]
            }
        };
        let dkey = self.draft_key(
            VoucherKind::DisputeLost,
            date,
            provider,
            lost.source.to_string(),
        );
        let mut d = Draft::new(format!(
            "{} tvist förlorad {}",
            provider.display_name(),
            super::payout::display_id(&lost.source.id)
        ));
        for (role, a) in &debits {
            d.add(*role, currency, *a, *a * rate);
        }
        d.add(
            Role::Disputed { provider },
            currency,
            -amount,
            -amount * rate,
        );
        d.sources.push(lost.source.clone());
        if let Some(s) = &lost.sale {
            d.sources.push(s.clone());
        }
        self.commit(dkey, d);
        self.review.extend(reviews);
    }
}

/// The text of a sales voucher: one document's (`Shopify order #1001`,
/// `Stripe faktura …`, `Shopify retur #1001`), or a day's (`Shopify
/// försäljning 2026-03-02`) when `document` is `None`.
fn voucher_text(provider: Provider, document: Option<(&str, &str)>, date: time::Date) -> String {
    match document {
        Some((what, number)) => format!("{} {what} {number}", provider.display_name()),
        None => format!("{} försäljning {date}", provider.display_name()),
    }
}
