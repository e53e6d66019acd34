//! Shopify Payments payouts and balance transactions into payouts and settlement lines.

use super::*;

/// The settlement kind of a balance transaction type, and for lines that
/// are a fee on their own, the fee's kind.
fn settlement_kind(t: &BalanceTransactionType) -> (SettlementKind, Option<FeeKind>) {
    use BalanceTransactionType as T;
    match t {
        T::Charge => (SettlementKind::Charge, None),
        T::Refund | T::RefundFailure => (SettlementKind::Refund, None),
        T::DisputeWithdrawal | T::ChargebackHold => (SettlementKind::Dispute, None),
        T::DisputeReversal | T::ChargebackHoldRelease => (SettlementKind::DisputeReversal, None),
        T::Adjustment | T::ChargeAdjustment | T::RefundAdjustment => {
            (SettlementKind::Adjustment, None)
        }
        T::ReservedFunds | T::ReservedFundsWithdrawal => (SettlementKind::ReserveHeld, None),
        T::ReservedFundsReversal => (SettlementKind::ReserveReleased, None),
        T::Transfer | T::TransferFailure | T::TransferCancel | T::TransferRefund => {
            (SettlementKind::Transfer, None)
        }
        T::ChargebackFee | T::ChargebackFeeRefund => (SettlementKind::Fee, Some(FeeKind::Dispute)),
        // A label bought through Shopify Shipping is freight, not a payment fee.
        T::ShippingLabel => (SettlementKind::Fee, Some(FeeKind::Shipping)),
        T::BillingDebit => (SettlementKind::Fee, Some(FeeKind::Subscription)),
        T::ApplicationFeeRefund => (SettlementKind::Fee, Some(FeeKind::App)),
        T::Unknown(s) => (SettlementKind::Unknown(s.to_ascii_lowercase()), None),
    }
}

fn payout_status(s: &PayoutStatus) -> CorePayoutStatus {
    match s {
        PayoutStatus::Scheduled => CorePayoutStatus::Pending,
        PayoutStatus::InTransit => CorePayoutStatus::InTransit,
        PayoutStatus::Paid => CorePayoutStatus::Paid,
        PayoutStatus::Failed => CorePayoutStatus::Failed,
        PayoutStatus::Canceled => CorePayoutStatus::Canceled,
        other => CorePayoutStatus::Unknown(other.as_str().to_owned()),
    }
}

/// Normalizes a payout and its balance transactions. Review items say what
/// does not add up (a line whose net is not amount − fee, lines that do not
/// explain the payout) and which types are unknown.
///
/// # Errors
/// [`MoneyError`] when the payout's own amount has no valid currency.
pub fn normalize_payout(
    payout: &Payout,
    transactions: &[BalanceTransaction],
) -> Result<(bookkeeping_core::Payout, Vec<ReviewItem>), MoneyError> {
    normalize_payout_joined(payout, transactions, &HashMap::new())
}

/// [`normalize_payout`], with each `REFUND` line joined to the refund it
/// settles: `refunds` maps an order transaction's numeric id (a balance
/// transaction's `sourceOrderTransactionId`) to the refund holding that
/// transaction ([`ShopifyClient::refunds_by_transaction`](crate::ShopifyClient::refunds_by_transaction)).
/// A joined line's `related` is the refund, so an order with two refunds
/// settles each one; a line that does not join keeps only the order name
/// as its `reference`.
///
/// # Errors
/// [`MoneyError`] when the payout's own amount has no valid currency.
pub fn normalize_payout_joined(
    payout: &Payout,
    transactions: &[BalanceTransaction],
    refunds: &HashMap<String, RefundId>,
) -> Result<(bookkeeping_core::Payout, Vec<ReviewItem>), MoneyError> {
    let source = SourceRef::new(Provider::Shopify, "payout", payout.id.as_str());
    let mut reviews = Vec::new();
    let mut amount = payout.net.to_money()?;
    if payout.transaction_type == PayoutTransactionType::Withdrawal {
        amount = amount.negated();
    }
    if let PayoutTransactionType::Unknown(t) = &payout.transaction_type {
        reviews.push(
            review(
                ReviewReason::UnknownType,
                &source,
                format!("payout direction {t:?} is not known"),
            )
            .with_field("transactionType")
            .with_amount(amount),
        );
    }
    if let PayoutStatus::Unknown(s) = &payout.status {
        reviews.push(
            review(
                ReviewReason::UnknownType,
                &source,
                format!("payout status {s:?} is not known"),
            )
            .with_field("status"),
        );
    }
    let mut lines = Vec::with_capacity(transactions.len());
    for t in transactions {
        match settlement_line(t, refunds) {
            Ok((line, mut r)) => {
                lines.push(line);
                reviews.append(&mut r);
            }
            Err(e) => {
                let src = SourceRef::new(Provider::Shopify, "balance_transaction", t.id.as_str());
                reviews.push(review(
                    ReviewReason::Currency,
                    &src,
                    format!("balance transaction amounts could not be read: {e}"),
                ));
            }
        }
    }
    let out = bookkeeping_core::Payout {
        source: source.clone(),
        provider: Provider::Shopify,
        status: payout_status(&payout.status),
        created_at: payout.issued_at,
        arrival_date: stockholm_date(payout.issued_at),
        amount,
        bank_reference: payout.external_trace_id.clone(),
        failed_at: None,
        lines,
    };
    if let Some(item) = check_charges_summary(payout, transactions, &source) {
        reviews.push(item);
    }
    reviews.extend(out.unexplained_review());
    Ok((out, reviews))
}

/// Compares the payout summary's charges (gross and fee) with the `CHARGE`
/// lines: Shopify's own totals must agree with the lines kassabok books.
fn check_charges_summary(
    payout: &Payout,
    transactions: &[BalanceTransaction],
    source: &SourceRef,
) -> Option<ReviewItem> {
    let currency = payout.net.currency_code;
    let mut gross = zero(currency);
    let mut fees = zero(currency);
    for t in transactions
        .iter()
        .filter(|t| t.kind == BalanceTransactionType::Charge)
    {
        gross = gross.checked_add(&t.amount.to_money().ok()?).ok()?;
        fees = fees.checked_add(&t.fee.to_money().ok()?).ok()?;
    }
    let summary_gross = payout.summary.charges_gross.to_money().ok()?;
    let summary_fee = payout.summary.charges_fee.to_money().ok()?;
    if gross == summary_gross && fees == summary_fee {
        return None;
    }
    Some(
        review(
            ReviewReason::AmountMismatch,
            source,
            format!(
                "the payout summary has charges {summary_gross} with fees {summary_fee}, \
                 the charge lines sum to {gross} with fees {fees}"
            ),
        )
        .with_field("summary.chargesGross")
        .with_amount(gross.checked_sub(&summary_gross).ok()?),
    )
}

/// One balance transaction as a settlement line (as a payout carries it),
/// with review items for what is unknown.
///
/// # Errors
/// [`MoneyError`] when its amounts have no valid currency.
/// A refund line is joined to its refund through `refunds` (order
/// transaction id → refund), as [`normalize_payout_joined`] does.
pub fn normalize_balance_transaction(
    t: &BalanceTransaction,
    refunds: &HashMap<String, RefundId>,
) -> Result<(SettlementLine, Vec<ReviewItem>), MoneyError> {
    settlement_line(t, refunds)
}

fn settlement_line(
    t: &BalanceTransaction,
    refunds: &HashMap<String, RefundId>,
) -> Result<(SettlementLine, Vec<ReviewItem>), MoneyError> {
    let source = SourceRef::new(Provider::Shopify, "balance_transaction", t.id.as_str());
    let mut reviews = Vec::new();
    let amount = t.amount.to_money()?;
    let fee = t.fee.to_money()?;
    let net = t.net.to_money()?;
    let (kind, fee_kind) = settlement_kind(&t.kind);
    if let SettlementKind::Unknown(_) = kind {
        reviews.push(
            review(
                ReviewReason::UnknownType,
                &source,
                format!(
                    "balance transaction type {:?} is not known",
                    t.kind.as_str()
                ),
            )
            .with_field("type")
            .with_amount(net),
        );
    }
    let description = t.kind.as_str().to_ascii_lowercase();
    let make_fee = |kind: FeeKind, amount: Money| Fee {
        source: source.clone(),
        provider: Provider::Shopify,
        kind,
        amount,
        vat: None,
        occurred_at: t.transaction_date,
        description: description.clone(),
    };
    let (gross, fees) = match fee_kind {
        // A fee on its own line: the whole net is the fee.
        Some(k) => (zero(net.currency()), vec![make_fee(k, net.negated())]),
        None => {
            let k = match kind {
                SettlementKind::Dispute | SettlementKind::DisputeReversal => FeeKind::Dispute,
                _ => FeeKind::Processing,
            };
            let fees = if fee.is_zero() {
                Vec::new()
            } else {
                vec![make_fee(k, fee)]
            };
            (amount, fees)
        }
    };
    let settles_refund = matches!(kind, SettlementKind::Refund);
    let line = SettlementLine {
        source: source.clone(),
        kind,
        occurred_at: t.transaction_date,
        gross,
        fees,
        net,
        // A refund line settles a refund: the one holding the order
        // transaction behind the line (`sourceOrderTransactionId`), never
        // the sale. Unjoined, only the order name (`reference`) is left.
        related: if settles_refund {
            t.source_order_transaction_id
                .as_ref()
                .and_then(|id| refunds.get(id))
                .map(|r| SourceRef::new(Provider::Shopify, "refund", r.as_str()))
        } else {
            t.associated_order
                .as_ref()
                .map(|o| SourceRef::new(Provider::Shopify, "order", o.id.as_str()))
        },
        reference: t.associated_order.as_ref().map(|o| o.name.clone()),
        original: None,
        exchange_rate: None,
        description,
    };
    if let Some(diff) = line.check()? {
        reviews.push(
            review(
                ReviewReason::AmountMismatch,
                &source,
                format!("net {net} is not amount {amount} minus fee {fee}"),
            )
            .with_amount(diff),
        );
    }
    Ok((line, reviews))
}
