//! Orders and their refunds into [`Sale`]s and [`Refund`]s, VAT per line.

use super::*;

/// The customer facts that decide VAT: country (shipping, else billing) and
/// VAT number (a B2B company location's tax registration id, or a checkout
/// attribute such as `vat_number`).
pub fn customer_of(order: &Order) -> Customer {
    let country = [&order.shipping_address, &order.billing_address]
        .into_iter()
        .flatten()
        .find_map(|a| a.country_code_v2);
    let company_vat = order
        .purchasing_entity
        .as_ref()
        .and_then(|p| p.location.as_ref())
        .and_then(|l| l.tax_settings.tax_registration_id.clone());
    let attribute_vat = order.custom_attributes.iter().find_map(|a| {
        let key: String = a
            .key
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        matches!(
            key.as_str(),
            "vatnumber" | "vatid" | "vatno" | "vat" | "momsregistreringsnummer" | "momsnummer"
        )
        .then(|| a.value.as_ref().map(|v| v.to_string()))
        .flatten()
    });
    let vat_number = company_vat
        .or(attribute_vat)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    Customer {
        country,
        vat_number,
    }
}

/// The combined rate of a line's tax lines; `Err` with a message when a tax
/// line has no rate.
fn rate_of(tax_lines: &[TaxLine]) -> Result<Option<VatRate>, String> {
    if tax_lines.is_empty() {
        return Ok(None);
    }
    let mut sum = Decimal::ZERO;
    for t in tax_lines {
        let Some(p) = t.percent() else {
            return Err(format!("tax line {:?} has no usable rate", t.title));
        };
        // Checked: the rates are the provider's numbers.
        sum = sum.checked_add(p).ok_or_else(|| {
            format!(
                "the rates of tax line {:?} and the others add up to more than a number holds",
                t.title
            )
        })?;
    }
    Ok(Some(VatRate::from_percent(sum)))
}

fn tax_sum(tax_lines: &[TaxLine], currency: Currency) -> Result<Money, MoneyError> {
    tax_lines.iter().try_fold(zero(currency), |acc, t| {
        acc.checked_add(&shop(&t.price_set)?)
    })
}

/// The treatment of a taxable line, or `Undetermined` with the reason.
fn treatment_for(
    country: CountryCode,
    vat_number: Option<&str>,
    rate: Option<VatRate>,
    taxable: bool,
    opts: &NormalizeOptions,
) -> TaxTreatment {
    let charged = rate.filter(|r| !r.is_zero());
    let undetermined = |reason: String| TaxTreatment::Undetermined { reason };
    if country.is_sweden() {
        match charged {
            Some(r) if r.is_swedish() => TaxTreatment::Domestic,
            Some(r) => undetermined(format!("{r} is not a Swedish VAT rate")),
            None if !taxable => TaxTreatment::Exempt,
            None => undetermined("no VAT on a taxable domestic line".to_owned()),
        }
    } else if country.is_eu() {
        match (charged, vat_number) {
            (None, Some(_)) => TaxTreatment::EuB2bReverseCharge,
            (None, None) => undetermined(format!(
                "no VAT on a sale to a consumer in {country} and no VAT number"
            )),
            (Some(r), _) => match opts.eu_consumer_vat {
                EuConsumerVat::Oss => TaxTreatment::EuOss { country },
                EuConsumerVat::SwedishVat if r.is_swedish() => TaxTreatment::EuB2cSwedishVat,
                EuConsumerVat::SwedishVat => undetermined(format!(
                    "{r} charged to {country}, but the shop is not under OSS"
                )),
                // A scheme added to `bookkeeping-core` after this crate.
                _ => undetermined(format!("{r} charged to {country}: the scheme is not known")),
            },
        }
    } else {
        match charged {
            None => TaxTreatment::ExportOutsideEu,
            Some(r) => undetermined(format!(
                "{r} VAT charged on a sale to {country}, outside the EU"
            )),
        }
    }
}

fn kind_label(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Goods => "Varor",
        LineKind::Service => "Tjänster",
        LineKind::Shipping => "Frakt",
        LineKind::GiftCard => "Presentkort",
        LineKind::Tip => "Dricks",
        LineKind::Discount => "Rabatt",
        _ => "Övrigt",
    }
}

/// A sale line's description: its kind, and its rate when it has one
/// (`"Varor 25%"`, the text of `format!("{} {rate}", kind_label(kind))`).
/// Sweden's rates are written from their text, without `format!` and a
/// `Decimal`'s display (once per line of every sale: 1.5 % of a Shopify
/// page's pipeline); any other rate is formatted.
fn describe(kind: LineKind, rate: Option<VatRate>) -> Text {
    let label = kind_label(kind);
    let rate = match (kind, rate) {
        (LineKind::GiftCard | LineKind::Tip, _) | (_, None) => return Text::new(label),
        (_, Some(rate)) => rate,
    };
    let percent = rate.percent();
    let known = match (percent.scale(), percent.mantissa()) {
        (0, 25) => "25%",
        (0, 12) => "12%",
        (0, 6) => "6%",
        (0, 0) => "0%",
        _ => return Text::from(format!("{label} {rate}")),
    };
    // Joined in place (at most 16 bytes): no allocation for the
    // description of a line at Sweden's rates.
    Text::concat(&[label, " ", known])
}

/// Lines grouped by kind, rate and treatment, in first-seen order.
struct Lines {
    currency: Currency,
    lines: Vec<SaleLine>,
}

impl Lines {
    fn new(currency: Currency) -> Self {
        Lines {
            currency,
            lines: Vec::new(),
        }
    }

    /// A gift card sold or refunded: a liability line without VAT (a
    /// multi-purpose voucher is taxed when it is redeemed).
    fn add_gift_card(&mut self, amount: Money) -> Result<(), MoneyError> {
        let no_vat = zero(self.currency);
        self.add(
            LineKind::GiftCard,
            Some(VatRate::ZERO),
            TaxTreatment::Exempt,
            amount,
            no_vat,
        )
    }

    fn add(
        &mut self,
        kind: LineKind,
        rate: Option<VatRate>,
        treatment: TaxTreatment,
        net: Money,
        vat: Money,
    ) -> Result<(), MoneyError> {
        if let Some(l) = self
            .lines
            .iter_mut()
            .find(|l| l.kind == kind && l.vat_rate == rate && l.treatment == treatment)
        {
            l.net = l.net.checked_add(&net)?;
            l.vat = l.vat.checked_add(&vat)?;
            return Ok(());
        }
        let description = describe(kind, rate);
        self.lines.push(SaleLine {
            kind,
            description,
            net,
            vat,
            vat_rate: rate,
            treatment,
        });
        Ok(())
    }

    fn total(&self) -> Result<Money, MoneyError> {
        self.lines.iter().try_fold(zero(self.currency), |a, l| {
            a.checked_add(&l.net)?.checked_add(&l.vat)
        })
    }

    fn vat(&self) -> Result<Money, MoneyError> {
        Money::sum(self.currency, self.lines.iter().map(|l| &l.vat))
    }
}

/// Splits an amount into net and VAT: `base` is VAT-inclusive when prices
/// include VAT, otherwise the VAT comes on top.
fn net_and_vat(
    base: Money,
    tax: Money,
    taxes_included: bool,
) -> Result<(Money, Money), MoneyError> {
    if taxes_included {
        Ok((base.checked_sub(&tax)?, tax))
    } else {
        Ok((base, tax))
    }
}

struct Ctx<'a> {
    order: &'a Order,
    opts: &'a NormalizeOptions,
    source: SourceRef,
    customer: Customer,
    country: CountryCode,
    review: Vec<ReviewItem>,
    after: Vec<AfterPlacement>,
}

impl Ctx<'_> {
    /// A review item about something that happened to the order after it
    /// was placed, dated when Shopify dates it ([`AfterPlacement`]).
    fn after_placement(
        &mut self,
        at: Option<time::OffsetDateTime>,
        source: &SourceRef,
        field: &str,
        message: String,
        amount: Money,
    ) {
        let item = review(ReviewReason::Other, source, message)
            .with_field(field)
            .with_amount(amount);
        self.after.push(AfterPlacement { at, item });
    }

    /// Rate and treatment of a line, with review items for what is undecided.
    fn classify(
        &mut self,
        what: &str,
        tax_lines: &[TaxLine],
        taxable: bool,
        amount: Money,
    ) -> (Option<VatRate>, TaxTreatment) {
        let rate = match rate_of(tax_lines) {
            Ok(r) => r,
            Err(msg) => {
                self.review.push(
                    review(
                        ReviewReason::VatRate,
                        &self.source,
                        format!("{what}: {msg}"),
                    )
                    .with_amount(amount),
                );
                return (None, TaxTreatment::Undetermined { reason: msg });
            }
        };
        // `TaxLine.channelLiable`: "Whether the channel that submitted the
        // tax line is liable for remitting" (2026-01 schema). VAT a
        // marketplace or other channel remits is not the shop's output VAT:
        // booked as the shop's, it would be declared twice. Which account
        // and return it belongs to is the accountant's call (`null`,
        // "unknown liability", is what most lines carry: left as the shop's).
        let channel_liable = tax_lines.iter().any(|t| t.channel_liable == Some(true));
        let treatment = if channel_liable {
            TaxTreatment::Undetermined {
                reason: "the sales channel is liable for remitting its VAT (channelLiable)"
                    .to_owned(),
            }
        } else if self.order.tax_exempt && rate.is_none() && self.customer.vat_number.is_none() {
            TaxTreatment::Undetermined {
                reason: "the order is marked tax exempt".to_owned(),
            }
        } else {
            treatment_for(
                self.country,
                self.customer.vat_number.as_deref(),
                rate,
                taxable,
                self.opts,
            )
        };
        if let TaxTreatment::Undetermined { reason } = &treatment {
            self.review.push(
                review(
                    ReviewReason::TaxTreatment,
                    &self.source,
                    format!("{} {what}: {reason}", self.order.name),
                )
                .with_amount(amount),
            );
        }
        (rate.or(Some(VatRate::ZERO)), treatment)
    }
}

/// Normalizes one order: its sale, all its refunds, and review items.
pub fn normalize_order(order: &Order, opts: &NormalizeOptions) -> NormalizedOrder {
    let customer = customer_of(order);
    let mut ctx = Ctx {
        order,
        opts,
        source: order_ref(order),
        country: customer.country.unwrap_or(opts.country_when_missing),
        customer,
        review: Vec::new(),
        after: Vec::new(),
    };
    let sale = match sale_of(&mut ctx) {
        Ok(sale) => sale,
        Err(e) => {
            let msg = format!("{}: amounts could not be combined: {e}", order.name);
            ctx.review
                .push(review(ReviewReason::Currency, &ctx.source, msg));
            None
        }
    };
    let mut refunds = Vec::new();
    // An order cancelled before payment in a later month than it was placed:
    // its month booked the sale, the month of the cancellation reverses it.
    if let (Some(sale), Some(cancelled_at)) = (&sale, order.cancelled_at)
        && cancelled_unpaid(order)
    {
        refunds.push(CoreRefund {
            source: SourceRef::new(
                Provider::Shopify,
                "cancellation",
                format!("{}/cancellation", order.id.as_str()),
            ),
            sale: ctx.source.clone(),
            document_number: order.name.clone(),
            occurred_at: cancelled_at,
            currency: sale.currency,
            lines: sale.lines.clone(),
            customer: sale.customer.clone(),
            payments: sale.payments.clone(),
            sale_occurred_at: Some(sale.occurred_at),
        });
    }
    for r in &order.refunds {
        match refund_of(&mut ctx, r) {
            Ok(refund) => refunds.push(refund),
            Err(e) => {
                let src = SourceRef::new(Provider::Shopify, "refund", r.id.as_str());
                ctx.review.push(review(
                    ReviewReason::Currency,
                    &src,
                    format!(
                        "refund of {}: amounts could not be combined: {e}",
                        order.name
                    ),
                ));
            }
        }
    }
    NormalizedOrder {
        sale,
        refunds,
        review: ctx.review,
        after_placement: ctx.after,
    }
}

fn sale_of(ctx: &mut Ctx<'_>) -> Result<Option<Sale>, MoneyError> {
    let order = ctx.order;
    let currency = order.currency_code;
    let total = shop(&order.total_price_set)?;
    // Cancelled before payment in the month it was placed: nothing to book.
    // Cancelled in a later month: the sale stands in its month (a close of
    // that month does not depend on the day it runs), and the cancellation
    // is a reversal of its own month (see `normalize_order`).
    if cancelled_unpaid(order)
        && order
            .cancelled_at
            .is_some_and(|at| same_month(at, order.processed_at))
    {
        ctx.review.push(
            review(
                ReviewReason::Other,
                &ctx.source,
                format!(
                    "{} was cancelled before payment; not booked as a sale",
                    order.name
                ),
            )
            .with_amount(total),
        );
        return Ok(None);
    }
    let mut cut = Vec::new();
    if order.line_items.page_info.has_next_page {
        cut.push("line items");
    }
    if order.shipping_lines.page_info.has_next_page {
        cut.push("shipping lines");
    }
    if !cut.is_empty() {
        ctx.review.push(
            review(
                ReviewReason::Incomplete,
                &ctx.source,
                format!(
                    "{} has more {} than one query returns; book it by hand",
                    order.name,
                    cut.join(" and ")
                ),
            )
            .with_amount(total),
        );
        return Ok(None);
    }

    let mut lines = Lines::new(currency);
    for item in &order.line_items.nodes {
        // Every discount allocated to the line, order-level included
        // (`totalDiscountSet` leaves those out), so the base matches the tax
        // lines, which Shopify computes after all discounts.
        let discount = item
            .discount_allocations
            .iter()
            .try_fold(zero(currency), |acc, a| {
                acc.checked_add(&shop(&a.allocated_amount_set)?)
            })?;
        let base = shop(&item.original_total_set)?.checked_sub(&discount)?;
        if item.is_gift_card {
            lines.add_gift_card(base)?;
            continue;
        }
        let tax = tax_sum(&item.tax_lines, currency)?;
        let (net, vat) = net_and_vat(base, tax, order.taxes_included)?;
        let (rate, treatment) = ctx.classify(&item.name, &item.tax_lines, item.taxable, base);
        lines.add(LineKind::Goods, rate, treatment, net, vat)?;
    }
    for ship in order.shipping_lines.nodes.iter().filter(|s| !s.is_removed) {
        let base = shop(&ship.discounted_price_set)?;
        if base.is_zero() && ship.tax_lines.is_empty() {
            continue;
        }
        let tax = tax_sum(&ship.tax_lines, currency)?;
        let (net, vat) = net_and_vat(base, tax, order.taxes_included)?;
        let (rate, treatment) = ctx.classify(&ship.title, &ship.tax_lines, true, base);
        lines.add(LineKind::Shipping, rate, treatment, net, vat)?;
    }
    let tip = shop(&order.total_tip_received_set)?;
    if !tip.is_zero() {
        lines.add(
            LineKind::Tip,
            Some(VatRate::ZERO),
            TaxTreatment::Exempt,
            tip,
            zero(currency),
        )?;
    }

    // Shopify allocates every discount to a line (`discountAllocations`) or
    // a shipping line (`discountedPriceSet`): a difference is not guessed
    // away but reviewed.
    let diff = lines.total()?.checked_sub(&total)?;
    if !diff.is_zero() {
        ctx.review.push(
            review(
                ReviewReason::AmountMismatch,
                &ctx.source,
                format!(
                    "{}: the lines sum to {}, Shopify's total is {total}",
                    order.name,
                    lines.total()?
                ),
            )
            .with_amount(diff),
        );
    }
    if let Some(total_tax) = &order.total_tax_set {
        let total_tax = shop(total_tax)?;
        let vat = lines.vat()?;
        if vat != total_tax {
            ctx.review.push(
                review(
                    ReviewReason::AmountMismatch,
                    &ctx.source,
                    format!(
                        "{}: the VAT of the lines is {vat}, Shopify's total tax is {total_tax}",
                        order.name
                    ),
                )
                .with_amount(vat.checked_sub(&total_tax)?),
            );
        }
    }

    if order.edited {
        // An edit keeps what it removed in the line items (`quantity`,
        // `originalTotalSet` and the tax lines include removed units, 2026-01
        // schema) and adds what it added as new ones, with no date on either:
        // the sale above is the order as it stands now, not as it stood at
        // the end of its month. Shopify dates each edit only in the order's
        // sales agreements (`OrderEditAgreement.happenedAt`).
        let removed = match removed_units(order) {
            Some(lines) if !lines.is_empty() => format!(
                "; units removed by an edit and still in the line totals: {}",
                lines.join(", ")
            ),
            _ => String::new(),
        };
        let source = ctx.source.clone();
        ctx.after_placement(
            None,
            &source,
            "edited",
            format!(
                "{} was edited after it was placed: its sale, booked in the month it was \
                 placed, is read from its line items as they stand, which keep units an \
                 edit removed and hold items an edit added whenever it was made; check \
                 the sale against the order's edits{removed}",
                order.name
            ),
            total,
        );
    }

    if order.cancelled_at.is_none()
        && order.display_financial_status == Some(FinancialStatus::Expired)
    {
        // `EXPIRED`: "Payment wasn't captured before the payment provider's
        // deadline on an authorized order" (2026-01 schema). What was
        // authorized stays a payment through its gateway (`payments_of`),
        // so the month does not depend on the day it is closed, but that
        // gateway will never settle it: until the order is cancelled
        // (reversed in the cancellation's month) or paid another way, its
        // clearing account stays open, and an accountant has to know why.
        let source = ctx.source.clone();
        ctx.after_placement(
            None,
            &source,
            "displayFinancialStatus",
            format!(
                "{}: the payment authorization expired before it was captured, so its \
                 gateway will not settle the sale booked in the month it was placed; \
                 cancel the order in Shopify (reversed in the month of the cancellation) \
                 or book the payment received another way",
                order.name
            ),
            total,
        );
    }

    let payments = payments_of(ctx, &order.transactions, false)?;
    Ok(Some(Sale {
        source: ctx.source.clone(),
        document_number: order.name.clone(),
        occurred_at: order.processed_at,
        currency,
        lines: lines.lines,
        customer: ctx.customer.clone(),
        payments,
        test: order.test,
    }))
}

/// Successful money-moving transactions: SALE/CAPTURE for a sale, REFUND
/// for a refund; CHANGE given in cash reduces the payment it belongs to.
/// For a sale, what a gateway authorized and has not captured (nor voided)
/// yet is a payment through that gateway too: with manual capture (Shopify's
/// setting; Klarna and PayPal keep an authorization for weeks) the order is
/// paid through the gateway it was authorized with, whether the capture came
/// before the close or comes after it, so the month's booking does not
/// depend on the day it is closed.
fn payments_of(
    ctx: &mut Ctx<'_>,
    transactions: &[OrderTransaction],
    refund: bool,
) -> Result<Vec<Payment>, MoneyError> {
    let mut out: Vec<Payment> = Vec::new();
    let mut held: Vec<Held<'_>> = Vec::new();
    for t in transactions {
        let amount = shop(&t.amount_set)?;
        // Made only for a review item: most transactions need none.
        let src = || SourceRef::new(Provider::Shopify, "order_transaction", t.id.as_str());
        let unknown = match (&t.kind, &t.status) {
            (OrderTransactionKind::Unknown(kind), _) => Some(("kind", kind)),
            (_, OrderTransactionStatus::Unknown(status)) => Some(("status", status)),
            _ => None,
        };
        if let Some((field, value)) = unknown {
            ctx.review.push(
                review(
                    ReviewReason::UnknownType,
                    &src(),
                    format!(
                        "{}: transaction {field} {value:?} is not known",
                        ctx.order.name
                    ),
                )
                .with_field(field)
                .with_amount(amount),
            );
            continue;
        }
        if t.status != OrderTransactionStatus::Success {
            continue;
        }
        let gateway = t.gateway.clone().unwrap_or_else(|| Text::new("unknown"));
        if !refund {
            match t.kind {
                OrderTransactionKind::Authorization => {
                    let h = Held::of(&mut held, &gateway, amount.currency());
                    h.authorized = h.authorized.checked_add(&amount)?;
                    h.first.get_or_insert(t);
                    continue;
                }
                OrderTransactionKind::Capture => {
                    let h = Held::of(&mut held, &gateway, amount.currency());
                    h.settled = h.settled.checked_add(&amount)?;
                }
                // A void of a later month is that month's cancellation: the
                // sale's month still had the authorization.
                OrderTransactionKind::Void
                    if t.processed_at
                        .is_none_or(|at| same_month(at, ctx.order.processed_at)) =>
                {
                    let h = Held::of(&mut held, &gateway, amount.currency());
                    h.settled = h.settled.checked_add(&amount)?;
                }
                // A void of a later month on an order that is not cancelled
                // (the rest of an authorization released after a partial
                // capture, say): the sale's month keeps it as paid through
                // the gateway, which will not settle it.
                OrderTransactionKind::Void if ctx.order.cancelled_at.is_none() => {
                    let message = format!(
                        "{}: {amount} of the authorization through {gateway} was voided in a \
                         later month than the order's without the order being cancelled; the \
                         order's month booked it as paid through {gateway}, which will not \
                         settle it",
                        ctx.order.name
                    );
                    ctx.after_placement(t.processed_at, &src(), "kind", message, amount);
                }
                _ => {}
            }
        }
        let moves = match (&t.kind, refund) {
            (OrderTransactionKind::Sale | OrderTransactionKind::Capture, false)
            | (OrderTransactionKind::Refund, true) => true,
            (OrderTransactionKind::Change, false) => {
                if let Some(p) = out.iter_mut().rev().find(|p| p.gateway == gateway) {
                    p.amount = p.amount.checked_sub(&amount)?;
                }
                false
            }
            _ => false,
        };
        if !moves {
            continue;
        }
        out.push(Payment {
            channel: payment_channel(&gateway),
            gateway,
            amount,
            reference: Some(Text::new(t.id.numeric().unwrap_or(t.id.as_str()))),
            processed_at: t.processed_at,
        });
    }
    for h in held {
        let open = h.authorized.checked_sub(&h.settled)?;
        let Some(first) = h.first else { continue };
        if open.amount().is_sign_positive() && !open.is_zero() {
            out.push(Payment {
                channel: payment_channel(&h.gateway),
                gateway: h.gateway,
                amount: open,
                reference: Some(Text::new(first.id.numeric().unwrap_or(first.id.as_str()))),
                processed_at: first.processed_at,
            });
        }
    }
    Ok(out)
}

/// The lines with units an edit removed, as `2 × name`: `quantity`
/// ("including refunded and removed units") less `currentQuantity`
/// ("excluding refunded and removed units") less the units refunded (2026-01
/// schema). `None` when that cannot be counted: a line without
/// `currentQuantity`, or a refund whose lines are not all read.
fn removed_units(order: &Order) -> Option<Vec<String>> {
    if order
        .refunds
        .iter()
        .any(|r| r.refund_line_items.page_info.has_next_page)
    {
        return None;
    }
    let mut out = Vec::new();
    for item in &order.line_items.nodes {
        // Checked: a quantity is whatever the provider sent.
        let refunded = order
            .refunds
            .iter()
            .flat_map(|r| &r.refund_line_items.nodes)
            .filter(|r| r.line_item.id == item.id)
            .try_fold(0_i64, |sum, r| sum.checked_add(r.quantity))?;
        let removed = item
            .quantity
            .checked_sub(item.current_quantity?)?
            .checked_sub(refunded)?;
        if removed > 0 {
            out.push(format!("{removed} × {}", item.name));
        }
    }
    Some(out)
}

/// Whether the order was cancelled before any payment (its authorization
/// voided or expired).
fn cancelled_unpaid(order: &Order) -> bool {
    order.cancelled_at.is_some()
        && matches!(
            order.display_financial_status,
            Some(FinancialStatus::Voided | FinancialStatus::Expired)
        )
}

/// Whether two instants fall in the same calendar month in Stockholm.
fn same_month(a: time::OffsetDateTime, b: time::OffsetDateTime) -> bool {
    let (a, b) = (stockholm_date(a), stockholm_date(b));
    (a.year(), a.month()) == (b.year(), b.month())
}

/// What a gateway authorized for an order and what of it was captured or
/// voided since.
struct Held<'t> {
    gateway: Text,
    authorized: Money,
    settled: Money,
    /// The first authorization.
    first: Option<&'t OrderTransaction>,
}

impl<'t> Held<'t> {
    fn of<'h>(held: &'h mut Vec<Held<'t>>, gateway: &str, currency: Currency) -> &'h mut Held<'t> {
        let i = match held.iter().position(|h| h.gateway == gateway) {
            Some(i) => i,
            None => {
                held.push(Held {
                    gateway: Text::new(gateway),
                    authorized: Money::zero(currency),
                    settled: Money::zero(currency),
                    first: None,
                });
                held.len() - 1
            }
        };
        &mut held[i]
    }
}

fn refund_of(ctx: &mut Ctx<'_>, r: &Refund) -> Result<CoreRefund, MoneyError> {
    let order = ctx.order;
    let currency = order.currency_code;
    let src = SourceRef::new(Provider::Shopify, "refund", r.id.as_str());
    let mut lines = Lines::new(currency);
    for item in &r.refund_line_items.nodes {
        let base = shop(&item.subtotal_set)?;
        if item.line_item.is_gift_card {
            lines.add_gift_card(base)?;
            continue;
        }
        let tax = shop(&item.total_tax_set)?;
        let (net, vat) = net_and_vat(base, tax, order.taxes_included)?;
        let (rate, treatment) =
            ctx.classify(&item.line_item.name, &item.line_item.tax_lines, true, base);
        lines.add(LineKind::Goods, rate, treatment, net, vat)?;
    }
    for ship in &r.refund_shipping_lines.nodes {
        let base = shop(&ship.subtotal_amount_set)?;
        let tax = shop(&ship.tax_amount_set)?;
        let (net, vat) = net_and_vat(base, tax, order.taxes_included)?;
        let (rate, treatment) = ctx.classify(
            &ship.shipping_line.title,
            &ship.shipping_line.tax_lines,
            true,
            base,
        );
        lines.add(LineKind::Shipping, rate, treatment, net, vat)?;
    }
    for adj in &r.order_adjustments.nodes {
        // A negative adjustment is money given back beyond the items; the
        // tax comes on top of the amount.
        let net = shop(&adj.amount_set)?.negated();
        let vat = shop(&adj.tax_amount_set)?.negated();
        if net.is_zero() && vat.is_zero() {
            continue;
        }
        let reason = adj
            .reason
            .as_ref()
            .map_or_else(|| "no reason".to_owned(), ToString::to_string);
        let why = format!("refund adjustment ({reason}) without a VAT rate");
        ctx.review.push(
            review(
                ReviewReason::TaxTreatment,
                &src,
                format!("{}: {why}", order.name),
            )
            .with_amount(net.checked_add(&vat)?),
        );
        lines.add(
            LineKind::Other,
            None,
            TaxTreatment::Undetermined { reason: why },
            net,
            vat,
        )?;
    }
    let truncated = r.refund_line_items.page_info.has_next_page
        || r.refund_shipping_lines.page_info.has_next_page
        || r.order_adjustments.page_info.has_next_page
        || r.transactions.page_info.has_next_page;
    let refunded = shop(&r.total_refunded_set)?;
    if truncated {
        ctx.review.push(
            review(
                ReviewReason::Incomplete,
                &src,
                format!(
                    "refund of {} has more lines than one query returns",
                    order.name
                ),
            )
            .with_amount(refunded),
        );
    }
    let payments = payments_of(ctx, &r.transactions.nodes, true)?;
    let lines_total = lines.total()?;
    if lines_total != refunded {
        ctx.review.push(
            review(
                ReviewReason::AmountMismatch,
                &src,
                format!(
                    "refund of {}: the lines sum to {lines_total}, Shopify refunded {refunded}",
                    order.name
                ),
            )
            .with_amount(lines_total.checked_sub(&refunded)?),
        );
    }
    Ok(CoreRefund {
        source: src,
        sale: ctx.source.clone(),
        document_number: order.name.clone(),
        occurred_at: r.created_at.unwrap_or(r.processed_at),
        currency,
        lines: lines.lines,
        customer: ctx.customer.clone(),
        payments,
        // The sale is the order, placed when it was processed.
        sale_occurred_at: Some(order.processed_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sweden's rates written from their text read as the formatted ones.
    #[test]
    fn a_line_is_described_as_its_kind_and_rate_format() {
        let kinds = [
            LineKind::Goods,
            LineKind::Service,
            LineKind::Shipping,
            LineKind::GiftCard,
            LineKind::Tip,
            LineKind::Discount,
            LineKind::Other,
        ];
        let rates = [
            "25", "12", "6", "0", "25.0", "12.5", "19", "7.7", "-6", "0.000",
        ];
        for kind in kinds {
            assert_eq!(describe(kind, None), kind_label(kind));
            for rate in rates {
                let rate = VatRate::from_percent(rate.parse().unwrap());
                let expected = match kind {
                    LineKind::GiftCard | LineKind::Tip => kind_label(kind).to_owned(),
                    _ => format!("{} {rate}", kind_label(kind)),
                };
                assert_eq!(describe(kind, Some(rate)), expected, "{kind:?} {rate}");
            }
        }
    }

    #[test]
    fn gateways_map_to_channels() {
        assert_eq!(
            payment_channel("shopify_payments"),
            PaymentChannel::Provider(Provider::Shopify)
        );
        assert_eq!(
            payment_channel("Klarna Checkout"),
            PaymentChannel::Provider(Provider::Klarna)
        );
        assert_eq!(
            payment_channel("paypal"),
            PaymentChannel::Provider(Provider::PayPal)
        );
        assert_eq!(payment_channel("gift_card"), PaymentChannel::GiftCard);
        for g in ["manual", "Swish", "Faktura", "Cash on Delivery (COD)"] {
            assert_eq!(payment_channel(g), PaymentChannel::External, "{g}");
        }
    }

    #[test]
    fn treatments() {
        let o = NormalizeOptions::default();
        let r25 = Some(VatRate::from_percent(Decimal::from(25)));
        let r19 = Some(VatRate::from_percent(Decimal::from(19)));
        let de: CountryCode = "DE".parse().unwrap();
        let us: CountryCode = "US".parse().unwrap();
        assert_eq!(
            treatment_for(CountryCode::SE, None, r25, true, &o),
            TaxTreatment::Domestic
        );
        assert_eq!(
            treatment_for(de, None, r19, true, &o),
            TaxTreatment::EuOss { country: de }
        );
        assert_eq!(
            treatment_for(de, Some("DE123456789"), None, true, &o),
            TaxTreatment::EuB2bReverseCharge
        );
        assert_eq!(
            treatment_for(us, None, None, true, &o),
            TaxTreatment::ExportOutsideEu
        );
        assert!(matches!(
            treatment_for(CountryCode::SE, None, r19, true, &o),
            TaxTreatment::Undetermined { .. }
        ));
        let below = NormalizeOptions {
            eu_consumer_vat: EuConsumerVat::SwedishVat,
            ..o
        };
        assert_eq!(
            treatment_for(de, None, r25, true, &below),
            TaxTreatment::EuB2cSwedishVat
        );
    }
}
