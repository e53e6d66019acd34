//! Gaps in the invoice numbers a close read: invoices it did not list.
//!
//! Stripe numbers an invoice when it is finalized, in sequence and without
//! gaps: "To ensure invoices are numbered sequentially and without gaps,
//! invoices that can be deleted (drafts) are only assigned numbers when
//! finalized" (Stripe changelog 2020-03-02, "Invoices can now be numbered
//! sequentially across your account"). A number is a prefix, a hyphen and
//! the sequence (`RKTRIDE-0002`; the prefix is the account's, or each
//! customer's under customer-level numbering).
//!
//! Stripe lists invoices by creation time only, so a close reads those
//! created from its lookback (default 92 days) before the period: a draft
//! created earlier and finalized in the period is not listed, and its sale
//! would be booked in no month. Its number is still in the sequence: a
//! number missing between two listed invoices both finalized in the period
//! is an invoice finalized in the period that the close did not read (every
//! invoice created in the lookback is listed, whatever its status). It
//! becomes a review item (a merchant may also skip numbers on purpose, by
//! setting the next number higher, which the item asks to check). A gap
//! next to an invoice of another month is not reported: the missing
//! invoice may be that month's.

use std::collections::BTreeMap;

use bookkeeping_core::{Period, Provider, ReviewItem, ReviewReason, stockholm_date};
use time::OffsetDateTime;

use crate::models::Invoice;

/// At most this many gaps are reported one by one; the rest in one item.
const GAPS_LISTED: usize = 20;

/// The numbers of the invoices a close listed, by prefix.
#[derive(Debug, Default)]
pub(crate) struct InvoiceNumbers {
    /// Prefix → sequence → whether that invoice was finalized in the period.
    by_prefix: BTreeMap<String, BTreeMap<u64, bool>>,
}

impl InvoiceNumbers {
    /// Notes `invoice`'s number, whatever its status (a void invoice keeps
    /// its number); a draft has none, and a number not of Stripe's shape is
    /// left out.
    pub(crate) fn add(&mut self, invoice: &Invoice, period: &Period) {
        let (Some(number), Some(finalized)) =
            (&invoice.number, invoice.status_transitions.finalized_at)
        else {
            return;
        };
        let Some((prefix, sequence)) = split(number) else {
            return;
        };
        let in_period = finalized_in(finalized, period);
        let seen = self
            .by_prefix
            .entry(prefix.to_owned())
            .or_default()
            .entry(sequence)
            .or_default();
        *seen |= in_period;
    }

    /// One review item per run of missing numbers between two invoices
    /// finalized in the period, at most [`GAPS_LISTED`] and then one for
    /// the rest.
    pub(crate) fn gaps(&self) -> Vec<ReviewItem> {
        let mut gaps = Vec::new();
        for (prefix, sequences) in &self.by_prefix {
            let mut previous: Option<(u64, bool)> = None;
            for (&sequence, &in_period) in sequences {
                if let Some((before, before_in_period)) = previous
                    && sequence > before + 1
                    && in_period
                    && before_in_period
                {
                    gaps.push((prefix.as_str(), before, sequence));
                }
                previous = Some((sequence, in_period));
            }
        }
        let mut items: Vec<ReviewItem> = gaps
            .iter()
            .take(GAPS_LISTED)
            .map(|&(prefix, before, after)| {
                let missing = after - before - 1;
                let which = if missing == 1 {
                    format!("{prefix}-{:04} is", before + 1)
                } else {
                    format!("{prefix}-{:04} to {prefix}-{:04} ({missing} numbers) are", before + 1, after - 1)
                };
                ReviewItem::new(
                    Provider::Stripe,
                    ReviewReason::Incomplete,
                    format!(
                        "invoice {which} missing between {prefix}-{before:04} and {prefix}-{after:04}, \
                         both made final in the period: Stripe numbers invoices without gaps \
                         when it makes them final, so an invoice created before the invoice lookback \
                         and made final in the period was not read, and its sale is not booked; book \
                         it, or widen the lookback (unless the numbers were skipped on purpose)"
                    ),
                )
                .with_field("number")
            })
            .collect();
        if gaps.len() > GAPS_LISTED {
            items.push(
                ReviewItem::new(
                    Provider::Stripe,
                    ReviewReason::Incomplete,
                    format!(
                        "{} more gaps in the invoice numbers read, not listed one by one",
                        gaps.len() - GAPS_LISTED
                    ),
                )
                .with_field("number"),
            );
        }
        items
    }
}

/// `RKTRIDE-0002` → (`RKTRIDE`, 2): the prefix is all before the last
/// hyphen, the sequence its digits after it.
fn split(number: &str) -> Option<(&str, u64)> {
    let (prefix, sequence) = number.rsplit_once('-')?;
    if prefix.is_empty() || sequence.is_empty() || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((prefix, sequence.parse().ok()?))
}

fn finalized_in(at: OffsetDateTime, period: &Period) -> bool {
    period.contains_date(stockholm_date(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month::March;
    use time::macros::datetime;

    /// The first invoice of the March fixture, numbered and made final
    /// as given.
    fn invoice(number: Option<&str>, finalized_at: Option<OffsetDateTime>) -> Invoice {
        let list: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/stripe/month_2026_03/invoices_paid.json"
        ))
        .expect("the fixture");
        let mut v = list["data"][0].clone();
        v["number"] = serde_json::json!(number);
        v["status_transitions"]["finalized_at"] =
            serde_json::json!(finalized_at.map(OffsetDateTime::unix_timestamp));
        serde_json::from_value(v).expect("an invoice")
    }

    #[test]
    fn numbers_split_at_the_last_hyphen() {
        assert_eq!(split("RKTRIDE-0002"), Some(("RKTRIDE", 2)));
        assert_eq!(split("KK-2026-0010"), Some(("KK-2026", 10)));
        assert_eq!(split("0002"), None);
        assert_eq!(split("ABC-"), None);
        assert_eq!(split("ABC-12a"), None);
        assert_eq!(split("ABC-99999999999999999999999"), None);
    }

    /// A gap between two invoices of the period is reported; one next to
    /// an invoice of an earlier month is not (it may be that month's).
    #[test]
    fn a_gap_next_to_the_periods_invoices_is_reported_once() {
        let march = Period::month(2026, March).unwrap();
        let feb = datetime!(2026-02-10 10:00 UTC);
        let mar = datetime!(2026-03-10 10:00 UTC);
        let mut numbers = InvoiceNumbers::default();
        for (n, at) in [
            ("ABC-0003", feb),
            ("ABC-0005", feb),
            ("ABC-0006", mar),
            ("ABC-0009", mar),
            ("ABC-0010", mar),
            ("ABC-0013", datetime!(2026-04-01 10:00 UTC)),
            ("CUSTX-0001", mar),
        ] {
            numbers.add(&invoice(Some(n), Some(at)), &march);
        }
        numbers.add(&invoice(None, None), &march);
        let gaps = numbers.gaps();
        assert_eq!(gaps.len(), 1, "{gaps:#?}");
        assert!(
            gaps[0].message.starts_with(
                "invoice ABC-0007 to ABC-0008 (2 numbers) are missing between ABC-0006 and ABC-0009"
            ),
            "{}",
            gaps[0].message
        );
        assert_eq!(gaps[0].field.as_deref(), Some("number"));
    }

    /// A provider that lies about its numbers (a billion apart, thousands
    /// of gaps) gets a bounded report.
    #[test]
    fn many_gaps_are_reported_in_bounded_items() {
        let march = Period::month(2026, March).unwrap();
        let mar = datetime!(2026-03-10 10:00 UTC);
        let mut numbers = InvoiceNumbers::default();
        for n in (0..1000u64).map(|i| i * 2) {
            numbers.add(&invoice(Some(&format!("ABC-{n:04}")), Some(mar)), &march);
        }
        numbers.add(&invoice(Some("ABC-999999999999"), Some(mar)), &march);
        let gaps = numbers.gaps();
        assert_eq!(gaps.len(), GAPS_LISTED + 1);
        assert!(
            gaps[GAPS_LISTED].message.starts_with("980 more gaps"),
            "{}",
            gaps[GAPS_LISTED].message
        );
    }
}
