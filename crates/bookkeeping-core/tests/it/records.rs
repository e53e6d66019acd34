//! The records' own checks and their serde form.

use bookkeeping_core::*;
use rust_decimal_macros::dec;
use time::macros::{date, datetime};

fn sek(a: rust_decimal::Decimal) -> Money {
    Money::new(a, Currency::SEK)
}

fn fee(amount: rust_decimal::Decimal) -> Fee {
    Fee {
        source: SourceRef::new(Provider::Stripe, "balance_transaction", "txn_1"),
        provider: Provider::Stripe,
        kind: FeeKind::Processing,
        amount: sek(amount),
        vat: None,
        occurred_at: datetime!(2026-03-03 12:00 UTC),
        description: "Stripe processing fees".into(),
    }
}

fn line(
    gross: rust_decimal::Decimal,
    fee_amount: rust_decimal::Decimal,
    net: rust_decimal::Decimal,
) -> SettlementLine {
    SettlementLine {
        source: SourceRef::new(Provider::Stripe, "balance_transaction", "txn_1"),
        kind: SettlementKind::Charge,
        occurred_at: datetime!(2026-03-03 12:00 UTC),
        gross: sek(gross),
        fees: vec![fee(fee_amount)],
        net: sek(net),
        related: None,
        reference: None,
        original: None,
        exchange_rate: None,
        description: "Payment".into(),
    }
}

#[test]
fn settlement_line_check_finds_a_line_that_does_not_add_up() {
    assert_eq!(
        line(dec!(100), dec!(3.25), dec!(96.75)).check().unwrap(),
        None
    );
    assert_eq!(
        line(dec!(100), dec!(3.25), dec!(96.70)).check().unwrap(),
        Some(sek(dec!(-0.05)))
    );
}

#[test]
fn payout_unexplained_is_lines_minus_amount() {
    let payout = Payout {
        source: SourceRef::new(Provider::Stripe, "payout", "po_1"),
        provider: Provider::Stripe,
        status: PayoutStatus::Paid,
        created_at: datetime!(2026-03-04 00:00 UTC),
        arrival_date: date!(2026 - 03 - 06),
        amount: sek(dec!(193.50)),
        bank_reference: Some("STRIPE PO_1".into()),
        failed_at: None,
        lines: vec![
            line(dec!(100), dec!(3.25), dec!(96.75)),
            line(dec!(100), dec!(3.25), dec!(96.75)),
        ],
    };
    assert_eq!(payout.unexplained().unwrap(), sek(dec!(0)));
    assert_eq!(payout.fees().count(), 2);
}

#[test]
fn statement_balance_check() {
    let l = |amount| StatementLine {
        source: SourceRef::new(Provider::PayPal, "transaction", "5TY05013RG002845M"),
        booked_at: datetime!(2026-03-03 12:00 UTC),
        amount: sek(amount),
        balance_after: None,
        event_code: "T0006".into(),
        class: StatementClass::Payment,
        counterparty: None,
        text: "Payment".into(),
        reference: None,
        related: None,
    };
    let mut st = Statement {
        account: SourceRef::new(Provider::PayPal, "balance", "SEK"),
        currency: Currency::SEK,
        opening: Some(sek(dec!(1000))),
        closing: Some(sek(dec!(1096.51))),
        lines: vec![l(dec!(100)), l(dec!(-3.49))],
        complete: true,
    };
    assert_eq!(st.unexplained().unwrap(), Some(sek(dec!(0))));
    st.closing = Some(sek(dec!(1096.50)));
    assert_eq!(st.unexplained().unwrap(), Some(sek(dec!(0.01))));
    st.opening = None;
    assert_eq!(st.unexplained().unwrap(), None);
}

#[test]
fn records_round_trip_through_json() {
    let rec = SalesRecord::Sale(Sale {
        source: SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/1"),
        document_number: "#1001".into(),
        occurred_at: datetime!(2026-03-02 10:15 UTC),
        currency: Currency::SEK,
        lines: vec![SaleLine {
            kind: LineKind::Goods,
            description: "Te".into(),
            net: sek(dec!(80)),
            vat: sek(dec!(20)),
            vat_rate: Some(VatRate::from_percent(dec!(25.00))),
            treatment: TaxTreatment::EuOss {
                country: CountryCode::new("DE").unwrap(),
            },
        }],
        customer: Customer {
            country: Some(CountryCode::new("DE").unwrap()),
            vat_number: None,
        },
        payments: vec![Payment {
            gateway: "Klarna".into(),
            channel: PaymentChannel::Provider(Provider::Klarna),
            amount: sek(dec!(100)),
            reference: Some("abc".into()),
            processed_at: None,
        }],
        test: false,
    });
    let json = serde_json::to_value(&rec).unwrap();
    assert_eq!(json["record"], "sale");
    assert_eq!(json["lines"][0]["vat_rate"], "25");
    assert_eq!(json["lines"][0]["treatment"]["type"], "eu_oss");
    assert_eq!(json["payments"][0]["channel"]["provider"], "klarna");
    let back: SalesRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, rec);
}

#[test]
fn vat_rates_compare_by_value() {
    assert_eq!(
        VatRate::from_percent(dec!(25.00)),
        VatRate::from_percent(dec!(25))
    );
    assert_eq!(
        VatRate::from_fraction(dec!(0.12)),
        VatRate::from_percent(dec!(12))
    );
    // Ordered, compared and hashed as the numbers are, at one scale or two,
    // of either sign (a provider's rate is input).
    use std::hash::BuildHasher;
    let keyed = std::hash::RandomState::new();
    let numbers = [
        dec!(-25),
        dec!(-5.5),
        dec!(0),
        dec!(0.5),
        dec!(6),
        dec!(7.69),
        dec!(12),
        dec!(25),
        dec!(25.5),
        dec!(100),
        dec!(1e6),
        dec!(0.000001),
        // Twenty-seven places: its hundredth has more than a `Decimal` holds.
        dec!(0.000000000000000000000000001),
    ];
    for a in numbers {
        for b in numbers {
            let (ra, rb) = (VatRate::from_percent(a), VatRate::from_percent(b));
            assert_eq!(ra.cmp(&rb), a.cmp(&b), "{a} {b}");
            assert_eq!(ra == rb, a == b, "{a} {b}");
            if ra == rb {
                assert_eq!(keyed.hash_one(ra), keyed.hash_one(rb), "{a} {b}");
            }
        }
        // Its fraction is its hundredth, digits and scale as a division
        // gives them; Sweden's rates are known whatever scale they came in.
        let rate = VatRate::from_percent(a);
        assert_eq!(rate.fraction(), a / dec!(100), "{a}");
        assert_eq!(
            rate.fraction().to_string(),
            (a.normalize() / dec!(100)).to_string(),
            "{a}"
        );
        assert_eq!(
            rate.is_swedish(),
            [dec!(25), dec!(12), dec!(6)].contains(&a),
            "{a}"
        );
        // Another scale of the same number: the same rate, the same hash.
        let mut scaled = a;
        scaled.rescale(a.scale().max(8));
        let (ra, rs) = (VatRate::from_percent(a), VatRate::from_percent(scaled));
        assert_eq!(ra, rs);
        assert_eq!(keyed.hash_one(ra), keyed.hash_one(rs));
    }
}

#[test]
fn providers_and_dates_serialize_as_people_write_them() {
    assert_eq!(
        serde_json::to_string(&Provider::PayPal).unwrap(),
        "\"paypal\""
    );
    assert_eq!(
        serde_json::from_str::<Provider>("\"paypal\"").unwrap(),
        Provider::PayPal
    );
    let p = Period::month(2026, time::Month::March).unwrap();
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"first":"2026-03-01","last":"2026-03-31"}"#
    );
}
