//! Amounts a provider can send that no shop sells: a decimal at the edge of
//! what `Decimal` holds. The mapper must not panic on them: the record goes
//! to review and the rest of the month is booked.

use bookkeeping_core::*;
use journal_mapping::Policy;

use crate::helpers::*;

/// The largest amount `Decimal` holds (28 nines and change).
const HUGE: &str = "79228162514264337593543950335";

#[test]
fn huge_amounts_do_not_panic_the_mapper() {
    let eur = |s: &str| m(s, Currency::EUR);
    let cases: Vec<Sale> = vec![
        // net + VAT overflows.
        {
            let mut s = shop_sale("h1", vec![domestic(25, "80.00", "20.00")]);
            s.lines[0].net = sek(HUGE);
            s.lines[0].vat = sek(HUGE);
            s.payments[0].amount = sek(HUGE);
            s
        },
        // Converting to SEK overflows.
        {
            let mut s = shop_sale(
                "h2",
                vec![line(TaxTreatment::Domestic, Some(25), eur("1"), eur("0"))],
            );
            s.lines[0].net = eur("7922816251426433759354395033");
            s.payments[0].amount = eur("7922816251426433759354395033");
            s
        },
        // Two lines that each fit but not together.
        {
            let mut s = shop_sale("h3", vec![domestic(25, "1", "0"), domestic(25, "1", "0")]);
            s.lines[0].net = sek(HUGE);
            s.lines[1].net = sek(HUGE);
            s.payments[0].amount = sek(HUGE);
            s
        },
    ];
    for policy in [
        Policy::default(),
        Policy::default().with_granularity(journal_mapping::Granularity::PerDocument),
    ] {
        let mut mp = mapper(policy);
        let good = shop_sale("ok", vec![domestic(25, "80.00", "20.00")]);
        mp.add_sale(&good);
        for s in &cases {
            mp.add_sale(s);
        }
        let j = mp.finish();
        assert!(j.is_balanced());
        assert!(!j.vouchers.is_empty());
        for s in &cases {
            assert!(
                j.review_items()
                    .iter()
                    .any(|r| r.source.as_ref() == Some(&s.source)),
                "{} not in review: {:#?}",
                s.source,
                j.review_items()
            );
        }
    }
}

#[test]
fn huge_payouts_and_statements_go_to_review_and_the_rest_is_booked() {
    let mut over = payout(
        Provider::Stripe,
        "po_huge",
        vec![sline(
            Provider::Stripe,
            "txn_huge",
            SettlementKind::Charge,
            sek("100.00"),
            vec![],
            None,
        )],
    );
    over.lines[0].gross = sek(HUGE);
    over.lines[0].net = sek(HUGE);
    over.amount = sek(HUGE);
    // At the bound, in a foreign currency with a fee: booked, no overflow.
    let eur = |s: &str| m(s, Currency::EUR);
    let at_bound = payout(
        Provider::Stripe,
        "po_bound",
        vec![sline(
            Provider::Stripe,
            "txn_bound",
            SettlementKind::Charge,
            eur("1000000000000"),
            vec![fee(
                Provider::Stripe,
                FeeKind::Processing,
                eur("999999999999.99"),
                None,
            )],
            None,
        )],
    );
    let statement = Statement {
        account: SourceRef::new(Provider::PayPal, "balance", "SEK"),
        currency: Currency::SEK,
        opening: Some(sek("0")),
        closing: Some(sek(HUGE)),
        lines: vec![StatementLine {
            source: SourceRef::new(Provider::PayPal, "transaction", "1AB"),
            booked_at: T,
            amount: sek(HUGE),
            balance_after: None,
            event_code: "T0006".into(),
            class: StatementClass::Payment,
            counterparty: None,
            text: "payment".into(),
            reference: None,
            related: None,
        }],
        complete: true,
    };
    let mut mp = mapper(Policy::default());
    mp.add_sale(&shop_sale("ok", vec![domestic(25, "80.00", "20.00")]));
    mp.add_payout(&over);
    mp.add_payout(&at_bound);
    mp.add_statement(&statement);
    let j = balanced(mp.finish());
    let field = |s: &SourceRef| {
        j.review_items()
            .iter()
            .find(|r| r.source.as_ref() == Some(s) && r.reason == ReviewReason::Malformed)
            .and_then(|r| r.field.clone())
    };
    assert_eq!(field(&over.source).as_deref(), Some("amount"));
    assert_eq!(field(&statement.account).as_deref(), Some("closing"));
    assert_eq!(field(&at_bound.source), None);
    // The sale and the payout at the bound are booked.
    assert!(j.vouchers.iter().any(|v| matches!(
        v.kind,
        journal_mapping::VoucherKind::Sale | journal_mapping::VoucherKind::SalesDay
    )));
    assert!(
        j.vouchers
            .iter()
            .any(|v| v.sources.contains(&at_bound.source))
    );
}
