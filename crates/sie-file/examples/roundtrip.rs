//! Writes a small SIE 4I file, reads it back and checks that nothing changed.
//!
//! `cargo run -p sie-file --example roundtrip [PATH]` (default: `target/sie-example.si`).

use std::error::Error;

use rust_decimal_macros::dec;
use sie_file::{
    Account, Generated, Program, SieDocument, Transaction, Voucher, WriteOptions, parse, validate,
    write,
};
use time::macros::date;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/sie-example.si".to_owned());

    let doc = SieDocument {
        program: Program {
            name: "kassabok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        generated: Some(Generated {
            date: date!(2026 - 02 - 01),
            sign: None,
        }),
        org_number: Some("556677-8899".into()),
        company_name: "Kaffebönan i Åre AB".into(),
        accounts: vec![
            Account::new("1580", "Fordringar för kontokort och kuponger"),
            Account::new("1930", "Företagskonto"),
            Account::new("6570", "Bankkostnader"),
        ],
        vouchers: vec![
            Voucher::new("K", date!(2026 - 01 - 31), "Stripe utbetalning po_123")
                .with(Transaction::new("1930", dec!(4850.00)))
                .with(Transaction::new("6570", dec!(150.00)).text("Avgifter januari"))
                .with(Transaction::new("1580", dec!(-5000.00))),
        ],
        ..SieDocument::default()
    };

    let options = WriteOptions {
        include_ksumma: true,
        ..WriteOptions::default()
    };
    let bytes = write(&doc, &options)?;
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &bytes)?;
    println!("wrote {} bytes to {path}:", bytes.len());
    print!(
        "{}",
        sie_file::encoding::decode_with(&bytes, sie_file::Encoding::Cp437).replace("\r\n", "\n")
    );

    let back = parse(&std::fs::read(&path)?)?;
    assert_eq!(back, doc, "the file reads back identically");
    let report = validate(&back);
    println!("read back: {} voucher(s); {report}", back.vouchers.len());
    Ok(())
}
