//! Integration tests for `sie-file`: one binary, one module per concern.

mod fixtures;
mod fuzz;
mod golden;
mod malformed;
mod roundtrip;
mod validation;
mod writer;

use rust_decimal::Decimal;
use sie_file::{Generated, Program, SieDocument, Transaction, Voucher};
use time::{Date, Month};

/// A date, for brevity.
pub(crate) fn date(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap()
}

/// A small 4I document in the shape journal-mapping produces.
pub(crate) fn payout_document() -> SieDocument {
    SieDocument {
        program: Program {
            name: "kassabok".into(),
            version: "0.1.0".into(),
        },
        generated: Some(Generated {
            date: date(2026, 1, 15),
            sign: None,
        }),
        org_number: Some("556677-8899".into()),
        company_name: "Företaget AB".into(),
        vouchers: vec![
            Voucher::new("F", date(2026, 1, 14), "Shopify utbetalning 12345")
                .with(Transaction::new("1930", Decimal::new(980_000, 2)))
                .with(Transaction::new("6570", Decimal::new(20_000, 2)).text("Avgift \"Shopify\""))
                .with(Transaction::new("1580", Decimal::new(-1_000_000, 2))),
            Voucher::new("F", date(2026, 1, 14), "Klarna-utbetalning åäö ÅÄÖ é")
                .with(
                    Transaction::new("1930", Decimal::new(5_050, 2))
                        .object("1", "100")
                        .object("6", "P1"),
                )
                .with(Transaction::new("1580", Decimal::new(-5_050, 2))),
        ],
        ..SieDocument::default()
    }
}
