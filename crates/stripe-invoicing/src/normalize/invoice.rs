//! Invoices and credit notes into [`Sale`]s and refunds, with VAT per line.

use super::*;

/// Tax rates by id, for the VAT rate of invoice lines (whose taxes name the
/// rate only by id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaxRates {
    by_id: HashMap<String, TaxRate>,
}

impl TaxRates {
    /// No rates.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rate.
    pub fn insert(&mut self, rate: TaxRate) {
        self.by_id.insert(rate.id.as_str().to_owned(), rate);
    }

    /// A rate by id.
    pub fn get(&self, id: &str) -> Option<&TaxRate> {
        self.by_id.get(id)
    }

    /// How many rates.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

impl FromIterator<TaxRate> for TaxRates {
    fn from_iter<I: IntoIterator<Item = TaxRate>>(iter: I) -> Self {
        let mut rates = TaxRates::new();
        for r in iter {
            rates.insert(r);
        }
        rates
    }
}

/// What invoice normalization needs besides the invoice.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceContext<'a> {
    /// The period: sales finalized in it, voids and write-offs dated in it.
    pub period: &'a Period,
    /// The account's tax rates.
    pub tax_rates: &'a TaxRates,
    /// What invoice lines are (Stripe does not say goods or services).
    pub line_kind: LineKind,
}

/// The customer facts that decide VAT treatment.
#[derive(Debug, Clone, Default)]
struct Facts {
    country: Option<CountryCode>,
    vat_number: Option<String>,
    exempt: Option<TaxExempt>,
    seller: Option<CountryCode>,
}

impl Facts {
    fn of(invoice: Option<&Invoice>, source: &SourceRef, reviews: &mut Vec<ReviewItem>) -> Self {
        let Some(inv) = invoice else {
            reviews.push(review(
                ReviewReason::TaxTreatment,
                source,
                "the credited invoice was not available: the customer's country and VAT number are unknown",
            ));
            return Facts::default();
        };
        let country_text = inv
            .customer_address
            .as_ref()
            .and_then(|a| a.country.as_deref())
            .or_else(|| {
                inv.customer_shipping
                    .as_ref()
                    .and_then(|s| s.address.as_ref())
                    .and_then(|a| a.country.as_deref())
            });
        let country = country_text.and_then(|c| match CountryCode::new(c) {
            Ok(code) => Some(code),
            Err(e) => {
                reviews.push(
                    review(ReviewReason::Malformed, source, e.to_string())
                        .with_field("customer_address.country"),
                );
                None
            }
        });
        let vat_number = inv
            .customer_tax_ids
            .iter()
            .flatten()
            .find(|t| t.tax_id_type.ends_with("_vat"))
            .and_then(|t| t.value.clone());
        Facts {
            country,
            vat_number,
            exempt: inv.customer_tax_exempt.clone(),
            seller: inv
                .account_country
                .as_deref()
                .and_then(|c| CountryCode::new(c).ok()),
        }
    }

    fn customer(&self) -> Customer {
        Customer {
            country: self.country,
            vat_number: self.vat_number.clone(),
        }
    }
}

/// How a line with `vat_minor` of VAT at `rate` is taxed for this customer,
/// or why that cannot be decided.
fn treatment(
    facts: &Facts,
    rate: Option<&TaxRate>,
    vat_minor: i64,
) -> (TaxTreatment, Option<VatRate>, Option<String>) {
    let undetermined = |why: String| {
        (
            TaxTreatment::Undetermined {
                reason: why.clone(),
            },
            None,
            Some(why),
        )
    };
    let seller = facts.seller.unwrap_or(CountryCode::SE);
    if vat_minor != 0 {
        let Some(rate) = rate else {
            return undetermined("VAT charged without a known tax rate".to_owned());
        };
        let pct = VatRate::from_percent(rate.percentage);
        let rate_country = rate
            .country
            .as_deref()
            .and_then(|c| CountryCode::new(c).ok())
            .unwrap_or(seller);
        if rate_country == seller {
            return match facts.country {
                Some(c) if c.is_eu() && c != seller && facts.vat_number.is_none() => {
                    (TaxTreatment::EuB2cSwedishVat, Some(pct), None)
                }
                Some(c) if c.is_eu() && c != seller => (
                    TaxTreatment::Domestic,
                    Some(pct),
                    Some(format!(
                        "Swedish VAT charged to a business in {c} with a VAT number: check whether reverse charge applied"
                    )),
                ),
                _ => (TaxTreatment::Domestic, Some(pct), None),
            };
        }
        if rate_country.is_eu() {
            let note = (facts.country != Some(rate_country)).then(|| {
                format!(
                    "{rate_country} VAT charged but the customer's country is {}",
                    facts
                        .country
                        .map_or("unknown".to_owned(), |c| c.to_string())
                )
            });
            return (
                TaxTreatment::EuOss {
                    country: rate_country,
                },
                Some(pct),
                note,
            );
        }
        return undetermined(format!(
            "tax rate {} is of {rate_country}, neither Swedish nor EU VAT",
            rate.id
        ));
    }
    let zero = Some(VatRate::ZERO);
    match facts.country {
        None => undetermined("no VAT charged and the customer's country is unknown".to_owned()),
        Some(c) if !c.is_eu() => (TaxTreatment::ExportOutsideEu, zero, None),
        Some(c) if c != seller => {
            if facts.vat_number.is_some() {
                (TaxTreatment::EuB2bReverseCharge, zero, None)
            } else if facts.exempt == Some(TaxExempt::Reverse) {
                (
                    TaxTreatment::EuB2bReverseCharge,
                    zero,
                    Some(
                        "reverse charge without the customer's VAT number on the invoice"
                            .to_owned(),
                    ),
                )
            } else {
                undetermined(format!(
                    "no VAT charged to a customer in {c} without a VAT number"
                ))
            }
        }
        Some(_) => {
            if rate.is_some_and(|r| r.percentage.is_zero()) {
                (TaxTreatment::Exempt, zero, None)
            } else {
                undetermined("no VAT charged to a Swedish customer".to_owned())
            }
        }
    }
}

/// One invoice or credit-note line, before normalization.
struct RawLine<'a> {
    field: String,
    description: &'a str,
    amount_after_discounts: i64,
    taxes: &'a [InvoiceTax],
    rates: &'a [TaxRate],
}

fn sale_line(
    raw: &RawLine<'_>,
    currency: Currency,
    facts: &Facts,
    ctx: &InvoiceContext<'_>,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
) -> Result<SaleLine, MoneyError> {
    let vat_minor = sum_minor(raw.taxes.iter().map(|t| t.amount))?;
    let inclusive = sum_minor(
        raw.taxes
            .iter()
            .filter(|t| t.tax_behavior == Some(TaxBehavior::Inclusive))
            .map(|t| t.amount),
    )?;
    let net_minor = sub_minor(raw.amount_after_discounts, inclusive)?;
    for (i, tax) in raw.taxes.iter().enumerate() {
        if let Some(behavior @ TaxBehavior::Unknown(_)) = &tax.tax_behavior {
            reviews.push(
                review(
                    ReviewReason::UnknownType,
                    source,
                    format!(
                        "tax_behavior {:?} is not known: the net was computed as if the tax were added on top",
                        behavior.as_str()
                    ),
                )
                .with_field(format!("{}.taxes[{i}].tax_behavior", raw.field)),
            );
        }
    }
    let mut rates: Vec<&TaxRate> = Vec::new();
    for (i, tax) in raw.taxes.iter().enumerate() {
        let Some(id) = tax.tax_rate_id() else {
            if tax.amount != 0 {
                reviews.push(
                    review(ReviewReason::VatRate, source, "a tax without a tax rate")
                        .with_field(format!("{}.taxes[{i}]", raw.field)),
                );
            }
            continue;
        };
        match raw
            .rates
            .iter()
            .find(|r| r.id.as_str() == id)
            .or_else(|| ctx.tax_rates.get(id))
        {
            Some(rate) => rates.push(rate),
            None => reviews.push(
                review(
                    ReviewReason::VatRate,
                    source,
                    format!("tax rate {id} is not among the account's tax rates"),
                )
                .with_field(format!(
                    "{}.taxes[{i}].tax_rate_details.tax_rate",
                    raw.field
                )),
            ),
        }
    }
    if raw.taxes.is_empty() {
        // Lines without taxes may still carry their rates (credit notes do).
        rates.extend(raw.rates.iter());
    }
    let distinct: BTreeSet<_> = rates.iter().map(|r| r.percentage.normalize()).collect();
    let rate = match distinct.len() {
        0 | 1 => rates.first().copied(),
        _ => {
            reviews.push(
                review(
                    ReviewReason::VatRate,
                    source,
                    format!("line {:?} has several VAT rates", raw.description),
                )
                .with_field(format!("{}.taxes", raw.field)),
            );
            None
        }
    };
    let (treatment, vat_rate, note) = if distinct.len() > 1 {
        (
            TaxTreatment::Undetermined {
                reason: "several VAT rates on one line".to_owned(),
            },
            None,
            None,
        )
    } else {
        treatment(facts, rate, vat_minor)
    };
    if let Some(note) = note {
        reviews
            .push(review(ReviewReason::TaxTreatment, source, note).with_field(raw.field.clone()));
    }
    Ok(SaleLine {
        kind: ctx.line_kind,
        description: raw.description.into(),
        net: money(net_minor, currency)?,
        vat: money(vat_minor, currency)?,
        vat_rate,
        treatment,
    })
}

/// The shipping of an invoice or a credit note (`shipping_cost`, the same
/// object on both in Stripe's OpenAPI spec: `amount_subtotal`, `amount_tax`,
/// `amount_total`, `taxes` with their rate objects) as a shipping line;
/// `None` when it is zero.
fn shipping_line(
    shipping: &ShippingCost,
    currency: Currency,
    facts: &Facts,
    ctx: &InvoiceContext<'_>,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
) -> Result<Option<SaleLine>, MoneyError> {
    if shipping.amount_total == 0 {
        return Ok(None);
    }
    let rates: Vec<TaxRate> = shipping
        .taxes
        .iter()
        .flatten()
        .map(|t| t.rate.clone())
        .collect();
    let taxes: Vec<InvoiceTax> = shipping
        .taxes
        .iter()
        .flatten()
        .map(|t| InvoiceTax {
            amount: t.amount,
            tax_behavior: Some(TaxBehavior::Exclusive),
            taxability_reason: None,
            taxable_amount: None,
            tax_type: None,
            tax_rate_details: Some(crate::models::TaxRateDetails {
                tax_rate: crate::models::ObjectRef(t.rate.id.as_str().to_owned()),
            }),
        })
        .collect();
    let raw = RawLine {
        field: "shipping_cost".to_owned(),
        description: "Shipping",
        amount_after_discounts: shipping.amount_subtotal,
        taxes: &taxes,
        rates: &rates,
    };
    let mut line = sale_line(&raw, currency, facts, ctx, source, reviews)?;
    line.kind = LineKind::Shipping;
    Ok(Some(line))
}

fn in_period(period: &Period, at: Option<OffsetDateTime>) -> bool {
    at.is_some_and(|t| period.contains(t))
}

/// When a document is booked: its date in effect, unless that lies in a
/// calendar month (Stockholm) before the one the document became final in
/// (`final_at`: an invoice's `finalized_at`, a credit note's `created`);
/// then when it became final, with `true`.
///
/// Stripe lets `effective_at` be set to another date than the document's
/// own, earlier ones included: an invoice's is "Same as `finalized_at`
/// unless overwritten", a credit note's "Same as `created` unless
/// overwritten" (stripe-go, `invoice.go` and `creditnote.go`, generated from
/// Stripe's OpenAPI spec). A document whose date in effect is in a month
/// before it existed as a final document would be that earlier month's only
/// in a close run after it was made, and no month's in a close run before
/// (the later month's close would leave it out as not its own). Booked when
/// it became final, it is in exactly one month whatever day each close runs,
/// and a review item gives the date in effect so an accountant can move it
/// while that month is still open.
fn booking_instant(effective: OffsetDateTime, final_at: OffsetDateTime) -> (OffsetDateTime, bool) {
    let month = |t: OffsetDateTime| {
        let d = stockholm_date(t);
        (d.year(), d.month())
    };
    if month(effective) < month(final_at) {
        (final_at, true)
    } else {
        (effective, false)
    }
}

/// When an issued invoice is booked, its date in effect (`effective_at`, or
/// `finalized_at` when Stripe leaves it out), and whether the first was moved
/// from the second ([`booking_instant`]); `None` for an invoice with neither.
fn issued(invoice: &Invoice) -> Option<(OffsetDateTime, OffsetDateTime, bool)> {
    let effective = invoice
        .effective_at
        .or(invoice.status_transitions.finalized_at)?;
    let (booked, backdated) = match invoice.status_transitions.finalized_at {
        Some(finalized) => booking_instant(effective, finalized),
        None => (effective, false),
    };
    Some((booked, effective, backdated))
}

/// The review item of a document booked in a later month than its date in
/// effect ([`booking_instant`]).
fn backdated_review(
    source: &SourceRef,
    what: &str,
    effective: OffsetDateTime,
    booked: OffsetDateTime,
    amount: Money,
) -> ReviewItem {
    review(
        ReviewReason::Policy,
        source,
        format!(
            "{what} dated {} (effective_at) was made final on {}: booked on that day, in \
             its month, so that no close misses it; move it to its date in effect if that \
             month is still open",
            stockholm_date(effective),
            stockholm_date(booked)
        ),
    )
    .with_field("effective_at")
    .with_amount(amount)
}

fn check_total(
    lines: &[SaleLine],
    total_minor: i64,
    currency: Currency,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
) -> Result<(), MoneyError> {
    let total = money(total_minor, currency)?;
    let sum = lines
        .iter()
        .try_fold(Money::zero(currency), |acc, l| acc.checked_add(&l.gross()?))?;
    if sum != total {
        let diff = sum.checked_sub(&total)?;
        reviews.push(
            review(
                ReviewReason::AmountMismatch,
                source,
                format!("the lines add up to {sum} but the total is {total}"),
            )
            .with_field("total")
            .with_amount(diff),
        );
    }
    Ok(())
}

/// An invoice with all its lines and payments as sales records for
/// `ctx.period`: the [`Sale`] if it was finalized in the period; for a void
/// invoice, a [`Refund`](CoreRefund) of all of it if it was voided in the
/// period; for an uncollectible one, a review item if it was written off in
/// the period; and review items for whatever could not be decided.
pub fn normalize_invoice(
    invoice: &Invoice,
    lines: &[InvoiceLineItem],
    payments: &[InvoicePayment],
    ctx: &InvoiceContext<'_>,
) -> Vec<SalesRecord> {
    let source = sref("invoice", invoice.id.as_str());
    let mut reviews = Vec::new();
    let mut records = Vec::new();
    match build_invoice(
        invoice,
        lines,
        payments,
        ctx,
        &source,
        &mut reviews,
        &mut records,
    ) {
        Ok(()) => {}
        Err(e) => {
            records.clear();
            reviews.push(currency_review(&source, &e));
        }
    }
    records.extend(reviews.into_iter().map(SalesRecord::Review));
    records
}

fn build_invoice(
    invoice: &Invoice,
    lines: &[InvoiceLineItem],
    payments: &[InvoicePayment],
    ctx: &InvoiceContext<'_>,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
    records: &mut Vec<SalesRecord>,
) -> Result<(), MoneyError> {
    let status = match &invoice.status {
        Some(
            s @ (InvoiceStatus::Open
            | InvoiceStatus::Paid
            | InvoiceStatus::Void
            | InvoiceStatus::Uncollectible),
        ) => s.clone(),
        Some(InvoiceStatus::Draft) | None => {
            reviews.push(review(
                ReviewReason::Incomplete,
                source,
                "draft invoice: not issued, not booked",
            ));
            return Ok(());
        }
        Some(other) => {
            reviews.push(
                review(
                    ReviewReason::UnknownType,
                    source,
                    format!("invoice status {:?} is not known", other.as_str()),
                )
                .with_field("status"),
            );
            return Ok(());
        }
    };
    let Some((issued_at, effective_at, backdated)) = issued(invoice) else {
        reviews.push(
            review(
                ReviewReason::Malformed,
                source,
                "a finalized invoice without effective_at or finalized_at",
            )
            .with_field("effective_at"),
        );
        return Ok(());
    };
    let currency = invoice.currency;
    let document_number = invoice
        .number
        .clone()
        .unwrap_or_else(|| invoice.id.as_str().to_owned());
    let issued = ctx.period.contains(issued_at);
    let voided = status == InvoiceStatus::Void
        && in_period(ctx.period, invoice.status_transitions.voided_at);
    let written_off = status == InvoiceStatus::Uncollectible
        && in_period(
            ctx.period,
            invoice.status_transitions.marked_uncollectible_at,
        );
    // A payment of the period of an invoice issued before it: the sale comes
    // again (the mapper books only what is of the period: the payment, 1510
    // to the provider's clearing), or an invoice paid a month after it was
    // issued has its payment booked in no month, and its payout finds no
    // sale to settle.
    let paid_in_period = payments.iter().any(|p| {
        p.status == InvoicePaymentStatus::Paid
            && in_period(ctx.period, p.status_transitions.paid_at)
    });
    if !(issued || voided || written_off || paid_in_period) {
        return Ok(());
    }
    if issued && backdated {
        let total = money(invoice.total, currency)?;
        reviews.push(backdated_review(
            source,
            "invoice",
            effective_at,
            issued_at,
            total,
        ));
    }

    let facts = Facts::of(Some(invoice), source, reviews);
    let mut sale_lines = Vec::with_capacity(lines.len() + 1);
    for (i, line) in lines.iter().enumerate() {
        let discounts = sum_minor(line.discount_amounts.iter().flatten().map(|d| d.amount))?;
        let raw = RawLine {
            field: format!("lines[{i}]"),
            description: line.description.as_deref().unwrap_or_default(),
            amount_after_discounts: sub_minor(line.amount, discounts)?,
            taxes: line.taxes.as_deref().unwrap_or_default(),
            rates: &[],
        };
        sale_lines.push(sale_line(&raw, currency, &facts, ctx, source, reviews)?);
    }
    if let Some(shipping) = &invoice.shipping_cost {
        sale_lines.extend(shipping_line(
            shipping, currency, &facts, ctx, source, reviews,
        )?);
    }
    check_total(&sale_lines, invoice.total, currency, source, reviews)?;
    let customer = facts.customer();

    if issued || paid_in_period {
        let mut sale_payments = Vec::new();
        for p in payments
            .iter()
            .filter(|p| p.status == InvoicePaymentStatus::Paid)
        {
            let amount = p.amount_paid.unwrap_or(p.amount_requested);
            let through_stripe =
                matches!(p.payment.payment_type.as_str(), "payment_intent" | "charge");
            sale_payments.push(Payment {
                gateway: if through_stripe {
                    "stripe".into()
                } else {
                    p.payment.payment_type.as_str().into()
                },
                channel: if through_stripe {
                    PaymentChannel::Provider(STRIPE)
                } else {
                    PaymentChannel::External
                },
                amount: money(amount, p.currency)?,
                reference: p.payment.reference().map(Text::new),
                processed_at: p.status_transitions.paid_at,
            });
        }
        let listed = sum_minor(
            payments
                .iter()
                .filter(|p| p.status == InvoicePaymentStatus::Paid)
                .map(|p| p.amount_paid.unwrap_or(p.amount_requested)),
        )?;
        if invoice.amount_paid > listed {
            sale_payments.push(Payment {
                gateway: "paid_out_of_band".into(),
                channel: PaymentChannel::External,
                amount: money(sub_minor(invoice.amount_paid, listed)?, currency)?,
                reference: None,
                processed_at: invoice.status_transitions.paid_at,
            });
        }
        records.push(SalesRecord::Sale(Sale {
            source: source.clone(),
            document_number: document_number.as_str().into(),
            occurred_at: issued_at,
            currency,
            lines: sale_lines.clone(),
            customer: customer.clone(),
            payments: sale_payments,
            test: !invoice.livemode,
        }));
    }
    if voided {
        records.push(SalesRecord::Refund(CoreRefund {
            source: sref("invoice_void", invoice.id.as_str()),
            sale: source.clone(),
            document_number: document_number.into(),
            occurred_at: invoice.status_transitions.voided_at.unwrap_or(issued_at),
            currency,
            lines: sale_lines,
            customer,
            payments: Vec::new(),
            sale_occurred_at: Some(issued_at),
        }));
    }
    if written_off {
        reviews.push(
            review(
                ReviewReason::Policy,
                source,
                "invoice marked uncollectible: the bad-debt write-off and its VAT correction are the accountant's decision",
            )
            .with_amount(money(invoice.amount_remaining, currency)?),
        );
    }
    Ok(())
}

/// A credit note with all its lines as sales records for `ctx.period`: a
/// [`Refund`](CoreRefund) of the invoice if it took effect in the period, or
/// a review item if it was voided in the period.
pub fn normalize_credit_note(
    credit_note: &CreditNote,
    lines: &[CreditNoteLineItem],
    ctx: &InvoiceContext<'_>,
) -> Vec<SalesRecord> {
    let source = sref("credit_note", credit_note.id.as_str());
    let mut reviews = Vec::new();
    let mut records = Vec::new();
    if let Err(e) = build_credit_note(credit_note, lines, ctx, &source, &mut reviews, &mut records)
    {
        records.clear();
        reviews.push(currency_review(&source, &e));
    }
    records.extend(reviews.into_iter().map(SalesRecord::Review));
    records
}

fn build_credit_note(
    cn: &CreditNote,
    lines: &[CreditNoteLineItem],
    ctx: &InvoiceContext<'_>,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
    records: &mut Vec<SalesRecord>,
) -> Result<(), MoneyError> {
    let currency = cn.currency;
    let effective_at = cn.effective_at.unwrap_or(cn.created);
    let (effective, backdated) = booking_instant(effective_at, cn.created);
    match &cn.status {
        CreditNoteStatus::Issued => {}
        CreditNoteStatus::Void => {
            if in_period(ctx.period, cn.voided_at) || ctx.period.contains(effective) {
                reviews.push(
                    review(
                        ReviewReason::Other,
                        source,
                        "credit note voided: if it was booked in an earlier period, reverse that booking",
                    )
                    .with_amount(money(cn.total, currency)?),
                );
            }
            return Ok(());
        }
        other => {
            reviews.push(
                review(
                    ReviewReason::UnknownType,
                    source,
                    format!("credit note status {:?} is not known", other.as_str()),
                )
                .with_field("status"),
            );
            return Ok(());
        }
    }
    if !ctx.period.contains(effective) {
        return Ok(());
    }
    if backdated {
        let total = money(cn.total, currency)?;
        reviews.push(backdated_review(
            source,
            "credit note",
            effective_at,
            effective,
            total,
        ));
    }
    let (invoice_id, invoice) = match &cn.invoice {
        crate::models::Expandable::Id(id) => (id.clone(), None),
        crate::models::Expandable::Object(inv) => (inv.id.as_str().to_owned(), Some(&**inv)),
    };
    let facts = Facts::of(invoice, source, reviews);
    let mut refund_lines = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let raw = RawLine {
            field: format!("lines[{i}]"),
            description: line.description.as_deref().unwrap_or_default(),
            amount_after_discounts: sub_minor(line.amount, line.discount_amount.unwrap_or(0))?,
            taxes: line.taxes.as_deref().unwrap_or_default(),
            rates: line.tax_rates.as_deref().unwrap_or_default(),
        };
        refund_lines.push(sale_line(&raw, currency, &facts, ctx, source, reviews)?);
    }
    // Shipping credited: a credit note may credit it alone ("One of
    // `amount`, `lines`, or `shipping_cost` must be provided", create
    // parameters), and its `total` includes it.
    if let Some(shipping) = &cn.shipping_cost {
        refund_lines.extend(shipping_line(
            shipping, currency, &facts, ctx, source, reviews,
        )?);
    }
    check_total(&refund_lines, cn.total, currency, source, reviews)?;
    let mut payments = Vec::new();
    for r in cn.refunds.iter().flatten() {
        payments.push(Payment {
            gateway: "stripe".into(),
            channel: PaymentChannel::Provider(STRIPE),
            amount: money(r.amount_refunded, currency)?,
            reference: r.refund.as_ref().map(|r| Text::new(r.as_str())),
            processed_at: Some(effective),
        });
    }
    if let Some(oob) = cn.out_of_band_amount.filter(|a| *a != 0) {
        payments.push(Payment {
            gateway: "out_of_band".into(),
            channel: PaymentChannel::External,
            amount: money(oob, currency)?,
            reference: None,
            processed_at: Some(effective),
        });
    }
    records.push(SalesRecord::Refund(CoreRefund {
        source: source.clone(),
        sale: sref("invoice", invoice_id),
        document_number: Text::new(cn.number.as_deref().unwrap_or(cn.id.as_str())),
        occurred_at: effective,
        currency,
        lines: refund_lines,
        customer: facts.customer(),
        payments,
        // When the credited invoice was booked, when it came with the note.
        sale_occurred_at: invoice.and_then(issued).map(|(at, _, _)| at),
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn rate(country: &str, percent: i64) -> TaxRate {
        serde_json::from_value(serde_json::json!({
            "id": format!("txr_{country}{percent}"), "object": "tax_rate",
            "percentage": percent, "country": country, "inclusive": false, "active": true
        }))
        .unwrap()
    }

    fn facts(country: &str, vat_number: Option<&str>, exempt: TaxExempt) -> Facts {
        Facts {
            country: Some(CountryCode::new(country).unwrap()),
            vat_number: vat_number.map(str::to_owned),
            exempt: Some(exempt),
            seller: Some(CountryCode::SE),
        }
    }

    #[test]
    fn treatments_follow_the_customer_and_the_tax_rate() {
        let se25 = rate("SE", 25);
        let de19 = rate("DE", 19);
        let pct = |p: i64| Some(VatRate::from_percent(Decimal::from(p)));
        let cases = [
            (
                facts("SE", None, TaxExempt::None),
                Some(&se25),
                2500,
                TaxTreatment::Domestic,
                pct(25),
                false,
            ),
            (
                facts("FI", None, TaxExempt::None),
                Some(&se25),
                2500,
                TaxTreatment::EuB2cSwedishVat,
                pct(25),
                false,
            ),
            (
                facts("FI", Some("FI12345678"), TaxExempt::None),
                Some(&se25),
                2500,
                TaxTreatment::Domestic,
                pct(25),
                true,
            ),
            (
                facts("DE", None, TaxExempt::None),
                Some(&de19),
                1900,
                TaxTreatment::EuOss {
                    country: CountryCode::new("DE").unwrap(),
                },
                pct(19),
                false,
            ),
            (
                facts("DE", Some("DE811907980"), TaxExempt::Reverse),
                None,
                0,
                TaxTreatment::EuB2bReverseCharge,
                pct(0),
                false,
            ),
            (
                facts("DE", None, TaxExempt::Reverse),
                None,
                0,
                TaxTreatment::EuB2bReverseCharge,
                pct(0),
                true,
            ),
            (
                facts("US", None, TaxExempt::Exempt),
                None,
                0,
                TaxTreatment::ExportOutsideEu,
                pct(0),
                false,
            ),
            (
                facts("SE", None, TaxExempt::None),
                Some(&rate("SE", 0)),
                0,
                TaxTreatment::Exempt,
                pct(0),
                false,
            ),
        ];
        for (facts, rate, vat, want, want_rate, noted) in cases {
            let (got, got_rate, note) = treatment(&facts, rate, vat);
            assert_eq!(got, want, "{facts:?}");
            assert_eq!(got_rate, want_rate, "{facts:?}");
            assert_eq!(note.is_some(), noted, "{facts:?}: {note:?}");
        }
        for (facts, rate, vat) in [
            (facts("SE", None, TaxExempt::None), None, 0),
            (facts("FR", None, TaxExempt::None), None, 0),
            (facts("SE", None, TaxExempt::None), None, 2500),
            (Facts::default(), None, 0),
        ] {
            let (got, got_rate, note) = treatment(&facts, rate, vat);
            assert!(
                matches!(got, TaxTreatment::Undetermined { .. }),
                "{facts:?}"
            );
            assert_eq!(got_rate, None);
            assert!(note.is_some());
        }
    }
}
