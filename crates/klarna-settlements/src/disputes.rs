//! Klarna disputes decided against the shop, as
//! [`PayoutRecord::DisputeLost`] records for the mapping (which books them as
//! a refund or a bad debt, by the firm's policy).
//!
//! Klarna's settlement reports say what a `REVERSAL` is: the total of all
//! "reversal" events, "refund transactions, registered by Klarna in disputed
//! orders in favour of the customer. This contains fraudulent cases seen as
//! merchant loss eg. due to missing tracking data"; and a
//! `REVERSAL_MERCHANT_PROTECTION` is credited back to the merchant, so that
//! `− total_reversal_amount = − reversal + reversal_merchant_protection`
//! (<https://docs.klarna.com/payments/after-payments/settlements/settlement-files/>,
//! "Calculation of settlement amount" and "Fields description"). With Klarna
//! Payments the shop is paid when it captures and the customer's invoice is
//! paused while a dispute runs; the decision against the shop is the
//! reversal itself. So a reversal in a settlement *is* the money lost, and
//! the settlement dates it: no separate Disputes API is needed to book it.
//!
//! Each reversal is grouped with the merchant-protection credits of the same
//! dispute (`reversal_reference`, the dispute's KRN; the order when Klarna
//! gives none) in the same settlement: what protection does not credit back
//! is lost, on the settlement's payout date (the whole settlement is booked
//! in its payout's month, docs/accounting.md "Periods"). A credit with no
//! reversal in its settlement compensates a loss booked with an earlier
//! settlement: a review item asks to set it against that loss.

use std::collections::BTreeMap;

use bookkeeping_core::{
    DisputeLost, Money, PayoutRecord, Provider, ReviewItem, ReviewReason, SourceRef,
};
use provider_http::Listed;

use crate::models::{Payout, Transaction, TransactionType};

/// One dispute's movements in a settlement.
#[derive(Default)]
struct Movements<'a> {
    reversed: i64,
    protected: i64,
    first: Option<&'a Transaction>,
}

/// The disputes `payout`'s settlement decided against the shop (its
/// `REVERSAL`s less the `REVERSAL_MERCHANT_PROTECTION` credits of the same
/// dispute), as [`PayoutRecord::DisputeLost`] dated by the payout, with the
/// sale of the capture day it names as the sale (`sale`: Klarna's order and the
/// day, as the sales report names it; `reference`: the shop's order
/// number, `merchant_reference1`), then review items for credits that have
/// no reversal in the settlement. Transactions in another currency than the
/// payout's are left to the payout's own review items.
///
/// ```
/// use klarna_settlements::disputes::lost_disputes;
/// use klarna_settlements::models::{Payout, Transaction};
/// use klarna_settlements::Listed;
/// use bookkeeping_core::PayoutRecord;
///
/// let payout: Payout = serde_json::from_value(serde_json::json!({
///     "totals": {"sale_amount": 0, "return_amount": 0, "reversal_amount": 45000,
///       "fee_amount": 0, "commission_amount": 0, "tax_amount": 0, "charge_amount": 0,
///       "credit_amount": 0, "holdback_amount": 0, "release_amount": 0, "repay_amount": 0,
///       "settlement_amount": -45000, "fee_correction_amount": 0},
///     "payment_reference": "XISA3100501", "payout_date": "2026-04-14T08:00:00Z",
///     "currency_code": "SEK", "merchant_settlement_type": "NET", "merchant_id": "K123456"
/// })).unwrap();
/// let reversal: Transaction = serde_json::from_value(serde_json::json!({
///     "amount": 45000, "type": "REVERSAL", "detailed_type": "REVERSAL",
///     "sale_date": "2026-03-02T10:00:00Z", "capture_date": "2026-04-10T09:00:00Z",
///     "order_id": "f3b1c1e2-5a7d-4a8e-9d61-0c6a8f1e2b3c", "merchant_reference1": "#1234",
///     "currency_code": "SEK",
///     "reversal_reference": "krn:klarna:eu1:dispute:goods_not_received:263099944398666"
/// })).unwrap();
/// let records = lost_disputes(&payout, &[Listed::Item(reversal)]);
/// let [PayoutRecord::DisputeLost(lost)] = records.as_slice() else { panic!("{records:?}") };
/// assert_eq!(lost.amount.to_string(), "450.00 SEK");
/// assert_eq!(lost.reference.as_deref(), Some("#1234"));
/// ```
pub fn lost_disputes(payout: &Payout, transactions: &[Listed<Transaction>]) -> Vec<PayoutRecord> {
    let currency = payout.currency_code;
    let mut by_dispute: BTreeMap<String, Movements<'_>> = BTreeMap::new();
    for t in transactions.iter().filter_map(Listed::item) {
        if t.currency_code != currency {
            continue;
        }
        let protection = match t.transaction_type {
            TransactionType::Reversal => false,
            TransactionType::ReversalMerchantProtection => true,
            _ => continue,
        };
        let Some(key) = t
            .reversal_reference
            .clone()
            .or_else(|| t.order_id.as_ref().map(|o| o.as_str().to_owned()))
        else {
            continue;
        };
        let m = by_dispute.entry(key).or_default();
        // Klarna reports magnitudes; the type gives the direction.
        // Saturating: Klarna's integers are whatever it sent; a sum beyond
        // an `i64` is beyond what kassabok books anyway (the amount check
        // below refuses it).
        let magnitude = t.amount.saturating_abs();
        if protection {
            m.protected = m.protected.saturating_add(magnitude);
        } else {
            m.reversed = m.reversed.saturating_add(magnitude);
        }
        m.first = m.first.or(Some(t));
    }
    let mut lost = Vec::new();
    let mut review = Vec::new();
    for (key, m) in by_dispute {
        let Some(t) = m.first else { continue };
        let source = SourceRef::new(Provider::Klarna, "dispute", key.as_str());
        // Both are magnitudes (0 ..= i64::MAX): their difference fits.
        let net = m.reversed - m.protected;
        let Ok(amount) = Money::from_minor_units(net.saturating_abs(), currency) else {
            continue;
        };
        if net > 0 {
            lost.push(PayoutRecord::DisputeLost(DisputeLost {
                source,
                provider: Provider::Klarna,
                // The sale of the capture day the reversal names, as the
                // sales report names it (`report::parse_sales_report`); a
                // sale from the shop's own report is found by `reference`.
                sale: t.order_id.as_ref().map(|o| {
                    let id = crate::report::capture_document_id(o.as_str(), t.capture_date);
                    SourceRef::new(Provider::Klarna, "order", id)
                }),
                decided_at: payout.payout_date,
                amount,
                earlier_sale: None,
                reference: t.merchant_reference1.clone(),
            }));
        } else if net < 0 {
            review.push(PayoutRecord::Review(
                ReviewItem::new(
                    Provider::Klarna,
                    ReviewReason::Policy,
                    format!(
                        "Klarna's merchant protection credited {amount} for a dispute with no \
                         reversal in settlement {}: it compensates a loss booked with an earlier \
                         settlement; set it against that loss",
                        payout.payment_reference
                    ),
                )
                .with_source(source)
                .with_amount(amount),
            ));
        }
    }
    lost.extend(review);
    lost
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payout() -> Payout {
        serde_json::from_value(json!({
            "totals": {"sale_amount": 0, "return_amount": 0, "reversal_amount": 0,
              "fee_amount": 0, "commission_amount": 0, "tax_amount": 0, "charge_amount": 0,
              "credit_amount": 0, "holdback_amount": 0, "release_amount": 0, "repay_amount": 0,
              "settlement_amount": 0, "fee_correction_amount": 0},
            "payment_reference": "XISA3100501", "payout_date": "2026-04-14T08:00:00Z",
            "currency_code": "SEK", "merchant_settlement_type": "NET", "merchant_id": "K123456"
        }))
        .unwrap()
    }

    fn txn(kind: &str, amount: i64, krn: &str, order: &str) -> Listed<Transaction> {
        Listed::Item(
            serde_json::from_value(json!({
                "amount": amount, "type": kind, "detailed_type": "REVERSAL",
                "sale_date": "2026-03-02T10:00:00Z", "capture_date": "2026-04-10T09:00:00Z",
                "order_id": order, "merchant_reference1": "#1234", "currency_code": "SEK",
                "reversal_reference": krn, "capture_id": "", "refund_id": ""
            }))
            .unwrap(),
        )
    }

    const KRN: &str = "krn:klarna:eu1:dispute:fraud:263099944398666";
    const ORDER: &str = "f3b1c1e2-5a7d-4a8e-9d61-0c6a8f1e2b3c";

    #[test]
    fn a_reversal_is_a_lost_dispute_on_the_payout_date() {
        let records = lost_disputes(&payout(), &[txn("REVERSAL", 45_000, KRN, ORDER)]);
        let [PayoutRecord::DisputeLost(lost)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!(
            lost.source,
            SourceRef::new(Provider::Klarna, "dispute", KRN)
        );
        // The sale of the capture day, as the sales report names it.
        assert_eq!(
            lost.sale,
            Some(SourceRef::new(
                Provider::Klarna,
                "order",
                format!("{ORDER}/2026-04-10")
            ))
        );
        assert_eq!(lost.reference.as_deref(), Some("#1234"));
        assert_eq!(lost.decided_at, payout().payout_date);
        assert_eq!(
            lost.amount,
            Money::parse("450.00", bookkeeping_core::Currency::SEK).unwrap()
        );
    }

    #[test]
    fn merchant_protection_credits_what_it_covers() {
        let covered = lost_disputes(
            &payout(),
            &[
                txn("REVERSAL", 45_000, KRN, ORDER),
                txn("REVERSAL_MERCHANT_PROTECTION", 45_000, KRN, ORDER),
            ],
        );
        assert!(covered.is_empty(), "{covered:?}");

        let partly = lost_disputes(
            &payout(),
            &[
                txn("REVERSAL", 45_000, KRN, ORDER),
                txn("REVERSAL_MERCHANT_PROTECTION", 30_000, KRN, ORDER),
            ],
        );
        let [PayoutRecord::DisputeLost(lost)] = partly.as_slice() else {
            panic!("{partly:?}")
        };
        assert_eq!(
            lost.amount,
            Money::parse("150.00", bookkeeping_core::Currency::SEK).unwrap()
        );
    }

    #[test]
    fn a_credit_without_its_reversal_is_a_review_item() {
        let records = lost_disputes(
            &payout(),
            &[txn("REVERSAL_MERCHANT_PROTECTION", 45_000, KRN, ORDER)],
        );
        let [PayoutRecord::Review(item)] = records.as_slice() else {
            panic!("{records:?}")
        };
        assert_eq!(item.reason, ReviewReason::Policy);
        assert_eq!(
            item.amount,
            Some(Money::parse("450.00", bookkeeping_core::Currency::SEK).unwrap())
        );
        assert!(item.message.contains("XISA3100501"), "{}", item.message);
    }

    #[test]
    fn other_transactions_are_not_disputes() {
        let mut sale = txn("SALE", 45_000, "", ORDER);
        if let Listed::Item(t) = &mut sale {
            t.reversal_reference = None;
        }
        assert!(lost_disputes(&payout(), &[sale]).is_empty());
    }
}
