//! `vat-reports`: the EU VAT reports a Swedish web shop's accountant files
//! besides the VAT return, from the same sales and refunds kassabok books.
//!
//! - [`OssReport`]: the OSS return (unionsordningen) — consumer sales taxed
//!   in the buyer's member state ([`TaxTreatment::EuOss`]), per country and
//!   VAT rate, taxable amount and VAT in euro at the ECB rate of the period's
//!   last day (or the next day of publication); per month and per quarter;
//!   refunds of earlier periods as corrections of those periods.
//! - [`EcSalesList`]: the EC sales list (periodisk sammanställning) — sales
//!   with reverse charge ([`TaxTreatment::EuB2bReverseCharge`]) per month and
//!   customer VAT number, goods / triangular trade / services in SEK, as CSV
//!   and in Skatteverket's SKV 574008 file ([`EcSalesList::to_skv574008`]).
//!   A sale without a valid-looking VAT number is a review item
//!   ([`eu_vat_number`]), never a silent line.
//!
//! The rules, and where each rate comes from, are in docs/accounting.md
//! ([`journal_mapping::accounting`]).
//!
//! Give the reports the records the journal booked: a sale or refund it did
//! not book because another provider's record of the same purchase was
//! booked (a Shopify order paid through Klarna, and Klarna's sales report of
//! it) must be left out here too, or the purchase is reported twice
//! (`records.iter().filter(|r| !journal.is_booked_elsewhere(r))`, see
//! [`journal_mapping::Journal::booked_elsewhere`]).
//!
//! ```
//! use bookkeeping_core::*;
//! use journal_mapping::FixedRates;
//! use rust_decimal::Decimal;
//! use time::{Month, macros::{date, datetime}};
//! use vat_reports::{EcSalesList, OssReport};
//!
//! let sek = |s: &str| Money::parse(s, Currency::SEK);
//! let sale = Sale {
//!     source: SourceRef::new(Provider::Shopify, "order", "1004"),
//!     document_number: "#1004".into(),
//!     occurred_at: datetime!(2026-03-10 12:00 UTC),
//!     currency: Currency::SEK,
//!     lines: vec![SaleLine {
//!         kind: LineKind::Goods,
//!         description: "Kaffe".into(),
//!         net: sek("1116.89")?,
//!         vat: sek("212.21")?,
//!         vat_rate: Some(VatRate::from_percent(Decimal::from(19))),
//!         treatment: TaxTreatment::EuOss { country: CountryCode::new("DE")? },
//!     }],
//!     customer: Customer { country: Some(CountryCode::new("DE")?), vat_number: None },
//!     payments: vec![],
//!     test: false,
//! };
//! let records = vec![SalesRecord::Sale(sale)];
//! let march = Period::month(2026, Month::March)?;
//! // The ECB published 11.1689 SEK per euro on 31 March.
//! let ecb = |c: Currency, _| (c == Currency::SEK).then(|| (date!(2026 - 03 - 31), Decimal::new(111_689, 4)));
//! let oss = OssReport::build(march, &records, &ecb);
//! assert_eq!(oss.rows[0].taxable_eur, Decimal::new(10_000, 2)); // 1116.89 / 11.1689
//! assert_eq!(oss.rows[0].vat_eur, Decimal::new(1_900, 2));
//! let ec = EcSalesList::build(march, &records, &FixedRates::new());
//! assert!(ec.rows.is_empty()); // no sale to a business
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `bookkeeping-core` (the records), `journal-mapping` (the
//! rate traits, so the reports use the rates the journal books with),
//! `rust_decimal`, `time`, `serde`, `csv` (quoting), `thiserror`.
#![deny(missing_docs)]

mod ec_sales;
mod oss;
mod period;
mod vat_number;

pub use ec_sales::{EcSalesList, EcSalesRow, SkvError, SkvReporter};
pub use oss::{EurRate, OssReport, OssRow};
pub use period::ReturnPeriod;
pub use vat_number::eu_vat_number;

#[cfg(doc)]
use bookkeeping_core::TaxTreatment;

/// `records` with each sale and refund that has a line `reported` once: a
/// provider that lists an object twice (on two pages, or a cursor that goes
/// back a page) must not get it reported twice. The first listing is kept;
/// the journal's mapping lists the repeat for review, so the reports do not
/// list it again. Only the records with a reported line are remembered (a
/// month of a million domestic sales adds nothing); the others pass, and
/// the report skips them anyway.
pub(crate) fn listed_once(
    records: &[bookkeeping_core::SalesRecord],
    reported: impl Fn(&bookkeeping_core::SaleLine) -> bool,
) -> impl Iterator<Item = &bookkeeping_core::SalesRecord> {
    use bookkeeping_core::SalesRecord;
    let mut seen = std::collections::HashSet::new();
    records.iter().filter(move |r| {
        let (source, lines) = match r {
            SalesRecord::Sale(s) => (&s.source, &s.lines),
            SalesRecord::Refund(f) => (&f.source, &f.lines),
            _ => return true,
        };
        !lines.iter().any(&reported) || seen.insert(source)
    })
}

/// The Stockholm day each sale of `records` was made, for the refunds among
/// them: a refund is reported against its sale's day (the OSS return corrects
/// the sale's quarter, the EC sales list converts at the sale's rate).
pub(crate) struct SaleDays<'r>(
    std::collections::HashMap<&'r bookkeeping_core::SourceRef, time::Date>,
);

impl<'r> SaleDays<'r> {
    pub(crate) fn of(records: &'r [bookkeeping_core::SalesRecord]) -> Self {
        SaleDays(
            records
                .iter()
                .filter_map(|r| match r {
                    bookkeeping_core::SalesRecord::Sale(s) => {
                        Some((&s.source, bookkeeping_core::stockholm_date(s.occurred_at)))
                    }
                    _ => None,
                })
                .collect(),
        )
    }

    /// The day `refund`'s sale was made: the sale's among the records, else
    /// the day the refund carries (`Refund::sale_occurred_at`).
    pub(crate) fn of_refund(&self, refund: &bookkeeping_core::Refund) -> Option<time::Date> {
        self.0.get(&refund.sale).copied().or(refund
            .sale_occurred_at
            .map(bookkeeping_core::stockholm_date))
    }
}
