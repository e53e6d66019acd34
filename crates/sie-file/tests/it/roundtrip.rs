//! write → parse gives back the same document, for generated documents.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use sie_file::{
    Account, AccountKind, Balance, BalanceKind, Dimension, FiscalYear, Generated, Object,
    ParseOptions, Program, SieDocument, SieType, Transaction, TransactionKind, Voucher,
    WriteOptions, parse, parse_file, write,
};
use time::Date;

/// Letters, Swedish letters, quotes, backslashes, braces and other punctuation.
const ALPHABET: &[char] = &[
    'a', 'b', 'K', 'Z', '0', '7', ' ', ' ', 'å', 'ä', 'ö', 'Å', 'Ä', 'Ö', 'é', 'É', 'ü', '"', '\\',
    '{', '}', '#', '-', '.', ',', '/', '%', '&', '\'', '(', ')', ':', '[', ']',
];

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..=max)
        .prop_map(String::from_iter)
}

fn non_empty(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 1..=max)
        .prop_map(String::from_iter)
}

fn date() -> impl Strategy<Value = Date> {
    (1990i32..2040, 1u16..=365).prop_map(|(y, d)| Date::from_ordinal_date(y, d).unwrap())
}

fn amount() -> impl Strategy<Value = Decimal> {
    (-10_000_000_000i64..10_000_000_000, 0u32..=2).prop_map(|(n, scale)| Decimal::new(n, scale))
}

fn quantity() -> impl Strategy<Value = Decimal> {
    (-1_000_000i64..1_000_000, 0u32..=4).prop_map(|(n, scale)| Decimal::new(n, scale))
}

fn account_number() -> impl Strategy<Value = String> {
    "[1-8][0-9]{3}"
}

fn transaction(kind: TransactionKind) -> impl Strategy<Value = Transaction> {
    (
        account_number(),
        proptest::collection::vec(("[0-9]{1,2}", non_empty(10)), 0..3),
        amount(),
        proptest::option::of(date()),
        proptest::option::of(non_empty(50)),
        proptest::option::of(quantity()),
    )
        .prop_map(
            move |(account, objects, amount, date, text, quantity)| Transaction {
                kind,
                account,
                objects,
                amount,
                date,
                text,
                quantity,
            },
        )
}

fn any_transaction() -> impl Strategy<Value = Transaction> {
    prop_oneof![
        4 => transaction(TransactionKind::Normal),
        1 => transaction(TransactionKind::Added),
        1 => transaction(TransactionKind::Removed),
    ]
}

fn voucher() -> impl Strategy<Value = Voucher> {
    (
        text(4),
        proptest::option::of(non_empty(6)),
        date(),
        text(50),
        proptest::option::of(date()),
        proptest::collection::vec(any_transaction(), 1..6),
        account_number(),
    )
        .prop_map(
            |(series, number, date, text, registered, transactions, balancing)| {
                let mut voucher = Voucher {
                    series,
                    number,
                    date,
                    text,
                    registered,
                    transactions,
                };
                let sum = voucher.sum();
                voucher.transactions.push(Transaction::new(balancing, -sum));
                voucher
            },
        )
}

fn account_kind() -> impl Strategy<Value = AccountKind> {
    proptest::sample::select(vec![
        AccountKind::Asset,
        AccountKind::Liability,
        AccountKind::Cost,
        AccountKind::Income,
    ])
}

fn accounts() -> impl Strategy<Value = Vec<Account>> {
    proptest::collection::btree_map(
        account_number(),
        (
            text(40),
            proptest::option::of(account_kind()),
            proptest::option::of("[0-9]{4}"),
        ),
        0..8,
    )
    .prop_map(|map: BTreeMap<_, _>| {
        map.into_iter()
            .map(|(number, (name, kind, sru))| Account {
                number,
                name,
                kind,
                sru,
            })
            .collect()
    })
}

fn balance() -> impl Strategy<Value = Balance> {
    (
        proptest::sample::select(vec![
            BalanceKind::Opening,
            BalanceKind::Closing,
            BalanceKind::Result,
        ]),
        -2i32..=0,
        account_number(),
        amount(),
        proptest::option::of(quantity()),
    )
        .prop_map(|(kind, year, account, amount, quantity)| Balance {
            kind,
            year,
            account,
            amount,
            quantity,
        })
}

fn document() -> impl Strategy<Value = SieDocument> {
    let identification = (
        0u8..=1,
        non_empty(20),
        text(10),
        date(),
        proptest::option::of(non_empty(10)),
        proptest::option::of("[0-9]{6}-[0-9]{4}"),
        non_empty(40),
        proptest::collection::vec((-2i32..=0, date(), date()), 0..3),
        proptest::option::of("[A-Z0-9]{1,8}"),
        proptest::option::of("[A-Z]{3}"),
    );
    let content = (
        accounts(),
        proptest::collection::vec(("[0-9]{1,2}", text(20)), 0..3),
        proptest::collection::vec(("[0-9]{1,2}", non_empty(10), text(20)), 0..3),
        proptest::collection::vec(balance(), 0..4),
        proptest::collection::vec(voucher(), 0..5),
    );
    (identification, content).prop_map(
        |(
            (flag, name, version, gen_date, sign, org, company, years, kptyp, currency),
            (accounts, dims, objects, balances, vouchers),
        )| SieDocument {
            flag,
            program: Program { name, version },
            generated: Some(Generated {
                date: gen_date,
                sign,
            }),
            org_number: org,
            company_name: company,
            fiscal_years: years
                .into_iter()
                .map(|(index, start, end)| FiscalYear { index, start, end })
                .collect(),
            chart_type: kptyp,
            currency,
            accounts,
            dimensions: dims
                .into_iter()
                .map(|(number, name)| Dimension { number, name })
                .collect(),
            objects: objects
                .into_iter()
                .map(|(dimension, id, name)| Object {
                    dimension,
                    id,
                    name,
                })
                .collect(),
            balances,
            vouchers,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_parse_is_identity(doc in document(), ksumma in any::<bool>()) {
        let options = WriteOptions { include_ksumma: ksumma, ..WriteOptions::default() };
        let bytes = write(&doc, &options).unwrap();
        let parsed = parse_file(&bytes, &ParseOptions::default()).unwrap();
        prop_assert_eq!(&parsed.document, &doc);
        prop_assert_eq!(parsed.ksumma.is_some(), ksumma);
        prop_assert!(parsed.ksumma.is_none_or(|k| k.is_valid()));
        prop_assert_eq!(parsed.sie_type, Some(4));
        prop_assert_eq!(parsed.format.as_deref(), Some("PC8"));
        // Writing what was read gives the same bytes.
        prop_assert_eq!(write(&parsed.document, &options).unwrap(), bytes);
    }

    #[test]
    fn sie_4e_round_trips_too(mut doc in document(), start in date()) {
        // 4E wants a fiscal year and a number on every voucher.
        if doc.fiscal_years.is_empty() {
            doc.fiscal_years.push(FiscalYear { index: 0, start, end: start });
        }
        for (i, voucher) in doc.vouchers.iter_mut().enumerate() {
            voucher.number = Some((i + 1).to_string());
        }
        let options = WriteOptions { sie_type: SieType::E4, ..WriteOptions::default() };
        let bytes = write(&doc, &options).unwrap();
        prop_assert_eq!(parse(&bytes).unwrap(), doc);
    }

    #[test]
    fn swedish_texts_and_quotes_survive(voucher_text in text(50), row_text in non_empty(50)) {
        let mut doc = crate::payout_document();
        doc.vouchers[0].text = voucher_text.clone();
        doc.vouchers[0].transactions[0].text = Some(row_text.clone());
        let back = parse(&write(&doc, &WriteOptions::default()).unwrap()).unwrap();
        prop_assert_eq!(&back.vouchers[0].text, &voucher_text);
        prop_assert_eq!(back.vouchers[0].transactions[0].text.as_deref(), Some(row_text.as_str()));
    }
}
