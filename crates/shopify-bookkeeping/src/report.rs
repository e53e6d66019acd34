//! The coverage report: payments that Shopify's data alone cannot book.
//!
//! Shopify's orders are the sales report of every gateway, but only Shopify
//! Payments' payouts come through this crate. A payment through Klarna or
//! PayPal is settled in that provider's own report (integrated in kassabok
//! by `klarna-settlements` and `paypal-transactions`); a payment through any
//! other gateway (manual, Swish, invoice, cash on delivery) needs a report
//! from that gateway, which kassabok does not integrate.

use bookkeeping_core::{Money, MoneyError, PaymentChannel, Provider, Refund, Sale, SourceRef};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A payment of an order (or a refund) that Shopify Payments did not settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsidePayment {
    /// The order (or refund).
    pub source: SourceRef,
    /// The order name.
    pub document_number: String,
    /// The gateway as the shop named it.
    pub gateway: String,
    /// The provider whose own report settles it, when kassabok integrates it
    /// (Klarna, PayPal); `None` for a gateway kassabok does not integrate.
    pub integrated: Option<Provider>,
    /// The amount (positive; for a refund, the amount paid back).
    pub amount: Money,
    /// Whether this is money paid back.
    pub refund: bool,
    /// When it was processed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub processed_at: Option<OffsetDateTime>,
}

fn outside(
    source: &SourceRef,
    document_number: &str,
    payments: &[bookkeeping_core::Payment],
    refund: bool,
) -> Vec<OutsidePayment> {
    payments
        .iter()
        .filter_map(|p| {
            let integrated = match &p.channel {
                PaymentChannel::Provider(Provider::Shopify) | PaymentChannel::GiftCard => {
                    return None;
                }
                PaymentChannel::Provider(other) => Some(*other),
                _ => None,
            };
            Some(OutsidePayment {
                source: source.clone(),
                document_number: document_number.to_owned(),
                gateway: p.gateway.to_string(),
                integrated,
                amount: p.amount,
                refund,
                processed_at: p.processed_at,
            })
        })
        .collect()
}

/// The payments of `sale` not settled by Shopify Payments.
pub fn outside_payments(sale: &Sale) -> Vec<OutsidePayment> {
    outside(&sale.source, &sale.document_number, &sale.payments, false)
}

/// The refund payments of `refund` not made through Shopify Payments.
pub fn outside_refund_payments(refund: &Refund) -> Vec<OutsidePayment> {
    outside(
        &refund.source,
        &refund.document_number,
        &refund.payments,
        true,
    )
}

/// Totals per gateway, for the coverage report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayTotal {
    /// The gateway.
    pub gateway: String,
    /// The integrated provider, if any.
    pub integrated: Option<Provider>,
    /// Payments.
    pub count: usize,
    /// Paid in, minus paid back.
    pub net: Money,
}

/// Sums `payments` per gateway (in first-seen order).
///
/// # Errors
/// [`MoneyError::CurrencyMismatch`] when one gateway has several currencies.
pub fn totals_by_gateway(payments: &[OutsidePayment]) -> Result<Vec<GatewayTotal>, MoneyError> {
    let mut out: Vec<GatewayTotal> = Vec::new();
    for p in payments {
        let signed = if p.refund {
            p.amount.negated()
        } else {
            p.amount
        };
        match out.iter_mut().find(|t| t.gateway == p.gateway) {
            Some(t) => {
                t.count += 1;
                t.net = t.net.checked_add(&signed)?;
            }
            None => out.push(GatewayTotal {
                gateway: p.gateway.clone(),
                integrated: p.integrated,
                count: 1,
                net: signed,
            }),
        }
    }
    Ok(out)
}
