//! Money as bookkeeping needs it: exact amounts in minor units, no mixing of currencies, and a
//! total split over lines so that the parts add up to the öre.
//!
//! ```sh
//! cargo run -p bookkeeping-core --example money
//! ```

use bookkeeping_core::{Currency, Money, Period};
use rust_decimal::Decimal;
use time::Month;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A 100.00 SEK discount spread over three lines of 1:1:1 weight: 33.34 + 33.33 + 33.33.
    let discount = Money::from_minor_units(10_000, Currency::SEK)?;
    let parts = discount.allocate(&[Decimal::ONE, Decimal::ONE, Decimal::ONE])?;
    for (line, part) in parts.iter().enumerate() {
        println!("line {}: {part}", line + 1);
    }

    // Amounts in different currencies never add up by accident.
    let eur = Money::from_minor_units(1_000, Currency::EUR)?;
    match discount.checked_add(&eur) {
        Ok(sum) => println!("unexpected: {sum}"),
        Err(err) => println!("refused: {err}"),
    }

    // Periods are Stockholm dates; the providers speak UTC.
    let march = Period::month(2026, Month::March)?;
    println!("{march:?} has {} days", march.days());
    Ok(())
}
