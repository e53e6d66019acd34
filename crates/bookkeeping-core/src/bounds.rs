//! Amounts no shop books: a provider can send an amount at the edge of what a
//! `Decimal` holds (a Shopify `MoneyV2.amount` or a PayPal `value` is a
//! decimal string of any length, `"79228162514264337593543950335"`). Such an
//! amount converted to SEK, or multiplied by another amount to share it out,
//! overflows the `Decimal` and would stop the close. A record with an amount
//! beyond [`MAX_AMOUNT`] is sent to review, naming the field, and the rest of
//! the month is booked.
//!
//! ```
//! use bookkeeping_core::bounds::{Bounded, MAX_AMOUNT};
//! use bookkeeping_core::*;
//! use time::macros::datetime;
//!
//! let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
//! let mut sale = Sale {
//!     source: SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/1"),
//!     document_number: "#1001".into(),
//!     occurred_at: datetime!(2026-03-02 10:15 UTC),
//!     currency: Currency::SEK,
//!     lines: vec![SaleLine {
//!         kind: LineKind::Goods,
//!         description: "Kaffe".into(),
//!         net: sek("80.00"),
//!         vat: sek("20.00"),
//!         vat_rate: None,
//!         treatment: TaxTreatment::Domestic,
//!     }],
//!     customer: Customer::default(),
//!     payments: vec![],
//!     test: false,
//! };
//! assert!(sale.unbookable_review().is_none());
//! sale.lines[0].net = sek("79228162514264337593543950335");
//! let item = sale.unbookable_review().unwrap();
//! assert_eq!(item.field.as_deref(), Some("lines[0].net"));
//! assert_eq!(item.reason, ReviewReason::Malformed);
//! assert!(MAX_AMOUNT < sek("79228162514264337593543950335").amount());
//! ```

use rust_decimal::Decimal;

use crate::{
    BalanceLine, DisputeLost, Fee, Money, Payout, Refund, ReviewItem, ReviewReason, Sale,
    SettlementLine, SourceRef, Statement,
};

/// The largest amount (in any currency, in its major unit) kassabok books:
/// 10^12, a million million. Far above any sale, fee or payout a shop has,
/// and small enough that two such amounts multiplied (a share of a payout
/// split by amounts), or a million of them converted at any exchange rate up
/// to 10 000 and added up, stay within a `Decimal` (about 7.9 × 10^28).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// Whether `amount` is within ±[`MAX_AMOUNT`].
pub fn is_bookable(amount: &Money) -> bool {
    amount.amount().abs() <= MAX_AMOUNT
}

/// A record whose amounts can be checked against [`MAX_AMOUNT`] before it is
/// booked or reported.
pub trait Bounded {
    /// The first amount beyond ±[`MAX_AMOUNT`]: the field's path in the
    /// record (`lines[2].fees[0].amount`) and the amount.
    fn unbookable(&self) -> Option<(String, Money)>;

    /// The record's provider object.
    fn bounded_source(&self) -> &SourceRef;

    /// The review item for a record with an amount beyond ±[`MAX_AMOUNT`]
    /// ([`ReviewReason::Malformed`], naming the object and the field);
    /// `None` when every amount is within it.
    fn unbookable_review(&self) -> Option<ReviewItem> {
        let (field, amount) = self.unbookable()?;
        let source = self.bounded_source();
        Some(
            ReviewItem::new(
                source.provider,
                ReviewReason::Malformed,
                format!(
                    "the amount {} {} is beyond what kassabok books (±{MAX_AMOUNT}): not booked or reported",
                    amount.amount(),
                    amount.currency()
                ),
            )
            .with_source(source.clone())
            .with_field(field),
        )
    }
}

/// A field's path in a record (`net`, `lines[2].vat`), written out only for
/// the amount found beyond the bound: every record is checked before it is
/// booked, and almost none has such an amount.
#[derive(Clone, Copy)]
struct Path {
    /// The list the field's item is in, or `""` for a field of the record.
    list: &'static str,
    index: usize,
    field: &'static str,
}

impl Path {
    /// A field of the record itself.
    const fn of(field: &'static str) -> Path {
        Path {
            list: "",
            index: 0,
            field,
        }
    }

    /// A field of item `index` of `list`.
    const fn item(list: &'static str, index: usize, field: &'static str) -> Path {
        Path { list, index, field }
    }

    fn written(self) -> String {
        if self.list.is_empty() {
            self.field.to_owned()
        } else {
            format!("{}[{}].{}", self.list, self.index, self.field)
        }
    }
}

/// The first of `amounts` beyond the bound, with its field's path.
fn first<'a>(amounts: impl IntoIterator<Item = (Path, &'a Money)>) -> Option<(String, Money)> {
    amounts
        .into_iter()
        .find(|(_, m)| !is_bookable(m))
        .map(|(path, m)| (path.written(), *m))
}

fn document(lines: &[crate::SaleLine], payments: &[crate::Payment]) -> Option<(String, Money)> {
    let lines = lines.iter().enumerate().flat_map(|(i, l)| {
        [
            (Path::item("lines", i, "net"), &l.net),
            (Path::item("lines", i, "vat"), &l.vat),
        ]
    });
    let payments = payments
        .iter()
        .enumerate()
        .map(|(i, p)| (Path::item("payments", i, "amount"), &p.amount));
    first(lines.chain(payments))
}

impl Bounded for Sale {
    fn unbookable(&self) -> Option<(String, Money)> {
        document(&self.lines, &self.payments)
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for Refund {
    fn unbookable(&self) -> Option<(String, Money)> {
        document(&self.lines, &self.payments)
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for Fee {
    fn unbookable(&self) -> Option<(String, Money)> {
        first(
            std::iter::once((Path::of("amount"), &self.amount))
                .chain(self.vat.iter().map(|v| (Path::of("vat"), v))),
        )
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for SettlementLine {
    fn unbookable(&self) -> Option<(String, Money)> {
        first(
            [
                (Path::of("gross"), &self.gross),
                (Path::of("net"), &self.net),
            ]
            .into_iter()
            .chain(self.original.iter().map(|o| (Path::of("original"), o))),
        )
        .or_else(|| {
            self.fees.iter().enumerate().find_map(|(i, f)| {
                f.unbookable()
                    .map(|(field, m)| (format!("fees[{i}].{field}"), m))
            })
        })
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for BalanceLine {
    fn unbookable(&self) -> Option<(String, Money)> {
        self.line.unbookable()
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.line.source
    }
}

impl Bounded for Payout {
    fn unbookable(&self) -> Option<(String, Money)> {
        first([(Path::of("amount"), &self.amount)]).or_else(|| {
            self.lines.iter().enumerate().find_map(|(i, l)| {
                l.unbookable()
                    .map(|(field, m)| (format!("lines[{i}].{field}"), m))
            })
        })
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for DisputeLost {
    fn unbookable(&self) -> Option<(String, Money)> {
        first([(Path::of("amount"), &self.amount)]).or_else(|| {
            let sale = self.earlier_sale.as_deref()?;
            sale.unbookable()
                .map(|(field, m)| (format!("earlier_sale.{field}"), m))
        })
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.source
    }
}

impl Bounded for Statement {
    fn unbookable(&self) -> Option<(String, Money)> {
        let balances = self
            .opening
            .iter()
            .map(|m| (Path::of("opening"), m))
            .chain(self.closing.iter().map(|m| (Path::of("closing"), m)));
        let lines = self.lines.iter().enumerate().flat_map(|(i, l)| {
            std::iter::once((Path::item("lines", i, "amount"), &l.amount)).chain(
                l.balance_after
                    .iter()
                    .map(move |b| (Path::item("lines", i, "balance_after"), b)),
            )
        });
        first(balances.chain(lines))
    }
    fn bounded_source(&self) -> &SourceRef {
        &self.account
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_a_million_million() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_i64));
        // Two amounts at the bound multiply, and a million of them at a rate
        // of 10 000 add up, without overflow.
        assert!(MAX_AMOUNT.checked_mul(MAX_AMOUNT).is_some());
        let converted = MAX_AMOUNT * Decimal::from(10_000);
        assert!(converted.checked_mul(Decimal::from(1_000_000)).is_some());
    }

    #[test]
    fn a_field_path_is_written_as_before() {
        assert_eq!(Path::of("amount").written(), "amount");
        assert_eq!(
            Path::item("lines", 3, "balance_after").written(),
            "lines[3].balance_after"
        );
    }
}
