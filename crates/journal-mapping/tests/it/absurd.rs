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

/// The sum per account over all vouchers.
fn balances(
    j: &journal_mapping::Journal,
) -> std::collections::BTreeMap<String, rust_decimal::Decimal> {
    let mut out = std::collections::BTreeMap::new();
    for v in &j.vouchers {
        for p in &v.postings {
            *out.entry(p.account.clone()).or_default() += p.amount;
        }
    }
    out.retain(|_, a: &mut rust_decimal::Decimal| !a.is_zero());
    out
}

/// A provider that lists the same object twice (on two pages, or a cursor
/// that goes back a page) must not get it booked twice: the month books what
/// it books with each object once, and the repeat is listed for review (a
/// balance line may be listed both in a payout and on its own, so its repeat
/// is no finding).
fn in_march(at: time::OffsetDateTime) -> bool {
    march().contains_date(stockholm_date(at))
}

#[test]
fn an_object_listed_twice_is_booked_once() {
    use journal_mapping::{Chart, Granularity, map};
    let once = small_month();
    let mut twice = small_month();
    twice.sales.extend(once.sales.clone());
    twice.refunds.extend(once.refunds.clone());
    twice.payouts.extend(once.payouts.clone());
    twice.balance_lines.extend(once.balance_lines.clone());
    twice.disputes_lost.extend(once.disputes_lost.clone());
    assert!(!once.sales.is_empty() && !once.refunds.is_empty() && !once.payouts.is_empty());
    for granularity in [Granularity::PerDay, Granularity::PerDocument] {
        let policy = Policy::default().with_granularity(granularity);
        let expected = map(&once, Chart::default(), policy.clone(), rates(), march());
        let got = balanced(map(&twice, Chart::default(), policy, rates(), march()));
        assert_eq!(balances(&got), balances(&expected), "{granularity:?}");
        assert_eq!(
            got.vouchers.len(),
            expected.vouchers.len(),
            "{granularity:?}"
        );
        let repeats = got
            .review_items()
            .iter()
            .filter(|r| r.message.contains("listed twice"))
            .count();
        assert_eq!(
            repeats,
            // A test order, or one of another month, is not booked here,
            // so its repeat is no finding.
            once.sales
                .iter()
                .filter(|s| !s.test && in_march(s.occurred_at))
                .count()
                + once
                    .refunds
                    .iter()
                    .filter(|r| in_march(r.occurred_at))
                    .count()
                + once.payouts.len()
                + once.disputes_lost.len(),
            "{granularity:?}: {:#?}",
            got.review_items()
        );
    }
}

/// Dates at the ends of what `time` holds (a provider's `created` of
/// 253402300000 is 9999-12-31 23:46:40 UTC, already the year 10000 in
/// Stockholm): the records are outside the month, and nothing panics.
#[test]
fn dates_at_the_ends_of_the_calendar_do_not_panic() {
    use time::macros::{date, datetime};
    let last = datetime!(9999-12-31 23:46:40 UTC);
    let first = datetime!(-9999-01-01 00:00 UTC);
    let mut mp = mapper(Policy::default());
    mp.add_sale(&shop_sale("ok", vec![domestic(25, "80.00", "20.00")]));
    for (id, at) in [("late", last), ("early", first)] {
        let s = sale(
            Provider::Shopify,
            id,
            at,
            vec![domestic(25, "80.00", "20.00")],
        );
        mp.add_sale(&s);
        mp.add_earlier_sale(&s);
        let mut line = sline(
            Provider::Stripe,
            &format!("txn_{id}"),
            SettlementKind::Charge,
            sek("100.00"),
            vec![fee(
                Provider::Stripe,
                FeeKind::Processing,
                sek("2.00"),
                None,
            )],
            Some(s.source.clone()),
        );
        line.occurred_at = at;
        let mut p = payout(Provider::Stripe, &format!("po_{id}"), vec![line.clone()]);
        p.created_at = at;
        p.arrival_date = at.date();
        mp.add_payout(&p);
        mp.add_balance_line(&BalanceLine {
            provider: Provider::Stripe,
            line,
        });
    }
    let j = balanced(mp.finish());
    assert!(
        j.vouchers
            .iter()
            .all(|v| v.date >= date!(2026 - 03 - 01) && v.date <= date!(2026 - 03 - 31))
    );
    assert!(!j.vouchers.is_empty());
}

/// Amounts with all the decimals a `Decimal` holds (a decimal string of a
/// provider is read as sent): the vouchers still balance to the öre, and
/// the SIE file writes with two decimals and reads back balanced.
#[cfg(feature = "sie")]
#[test]
fn amounts_with_28_decimals_book_to_the_ore() {
    let mut s = shop_sale("p", vec![domestic(25, "80.00", "20.00")]);
    s.lines[0].net = sek("80.0049999999999999999999999");
    s.lines[0].vat = sek("19.9999999999999999999999999");
    s.payments[0].amount = sek("100.0049999999999999999999998");
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    mp.add_sale(&shop_sale("ok", vec![domestic(25, "80.00", "20.00")]));
    let j = balanced(mp.finish());
    for v in &j.vouchers {
        for p in &v.postings {
            assert!(p.amount.scale() <= 2, "{} {}", v.text, p.amount);
        }
    }
    let export =
        journal_mapping::SieExport::new("Kaffebutiken AB", time::macros::date!(2026 - 04 - 02));
    let bytes =
        sie_file::write(&j.to_sie(&export), &sie_file::WriteOptions::default()).expect("writes");
    let back = sie_file::parse(&bytes).expect("parses");
    assert!(back.vouchers.iter().all(|v| v.is_balanced()));
    assert!(sie_file::validate(&back).is_valid());
}

/// A VAT rate is the provider's number too: a domestic line whose rate is
/// beyond any real one (`VatRate` of the largest `Decimal`), on an amount
/// at the bound, cannot be checked by multiplying it out. The line is
/// booked as charged, with a review item, and nothing panics.
#[test]
fn a_rate_beyond_any_real_one_is_reviewed_not_a_panic() {
    let mut s = shop_sale("rate", vec![domestic(25, "800000000000", "200000000000")]);
    s.lines[0].vat_rate = Some(VatRate::from_percent(HUGE.parse().unwrap()));
    s.payments[0].amount = sek("1000000000000");
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    let j = mp.finish();
    assert!(j.is_balanced());
    assert!(
        j.review_items()
            .iter()
            .any(|r| r.reason == ReviewReason::VatRate && r.message.contains("beyond any amount")),
        "{:#?}",
        j.review_items()
    );
}
