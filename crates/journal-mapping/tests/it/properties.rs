//! Property tests: every voucher balances to the öre, re-running gives the
//! same journal, and the clearing account nets to zero when the inputs reconcile.

use std::collections::BTreeSet;

use bookkeeping_core::*;
use journal_mapping::*;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use time::macros::date;

use crate::helpers::*;

#[derive(Debug, Clone)]
struct LineSpec {
    rate: i64,
    treatment: u8,
    net_minor: i64,
}

#[derive(Debug, Clone)]
struct SaleSpec {
    provider: Provider,
    currency: Currency,
    day: u8,
    lines: Vec<LineSpec>,
    fee_minor: i64,
    refund_permille: Option<u16>,
    settle_rate_permille: i64,
}

fn amount_minor() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(1i64),
        Just(3333),
        Just(999_999),
        1i64..2_000_000,
        1i64..100
    ]
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        prop_oneof![Just(25i64), Just(12), Just(6)],
        0u8..5,
        amount_minor(),
    )
        .prop_map(|(rate, treatment, net_minor)| LineSpec {
            rate,
            treatment,
            net_minor,
        })
}

fn sale_spec() -> impl Strategy<Value = SaleSpec> {
    (
        prop_oneof![
            Just(Provider::Shopify),
            Just(Provider::Klarna),
            Just(Provider::Stripe)
        ],
        prop_oneof![
            Just(Currency::SEK),
            Just(Currency::SEK),
            Just(Currency::EUR),
            Just(Currency::NOK),
            Just(Currency::JPY)
        ],
        1u8..=28,
        prop::collection::vec(line_spec(), 1..4),
        0i64..500,
        prop::option::of(1u16..=1000),
        900i64..1100,
    )
        .prop_map(
            |(provider, currency, day, lines, fee_minor, refund_permille, settle_rate_permille)| {
                SaleSpec {
                    provider,
                    currency,
                    day,
                    lines,
                    fee_minor,
                    refund_permille,
                    settle_rate_permille,
                }
            },
        )
}

fn round_to(x: Decimal, c: Currency) -> Decimal {
    x.round_dp_with_strategy(
        c.exponent().unwrap(),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

fn build(specs: &[SaleSpec]) -> MappingInput {
    let rates = rates();
    let mut input = MappingInput::default();
    let mut lines_by_provider: Vec<(Provider, Vec<SettlementLine>)> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let c = s.currency;
        let at = time::Date::from_calendar_date(2026, time::Month::March, s.day)
            .unwrap()
            .with_hms(12, 0, 0)
            .unwrap()
            .assume_utc();
        let sale_lines: Vec<SaleLine> = s
            .lines
            .iter()
            .map(|l| {
                let net = Money::from_minor_units(l.net_minor, c).unwrap();
                let r = rate(l.rate);
                let (treatment, vat) = match l.treatment {
                    0 | 1 => (
                        TaxTreatment::Domestic,
                        round_to(net.amount() * r.fraction(), c),
                    ),
                    2 => (TaxTreatment::Exempt, Decimal::ZERO),
                    3 => (TaxTreatment::ExportOutsideEu, Decimal::ZERO),
                    _ => (
                        TaxTreatment::EuOss {
                            country: "DE".parse().unwrap(),
                        },
                        round_to(net.amount() * r.fraction(), c),
                    ),
                };
                SaleLine {
                    kind: LineKind::Goods,
                    description: "x".into(),
                    net,
                    vat: Money::new(vat, c),
                    vat_rate: Some(r),
                    treatment,
                }
            })
            .collect();
        let s_ = sale(s.provider, &format!("o{i}"), at, sale_lines);
        let total = s_.total().unwrap();
        // The provider settles in SEK at its own rate, near the booking rate.
        let book_rate = rates.sek_per_unit(c, s_.occurred_at.date()).unwrap();
        let settle_rate = if c == Currency::SEK {
            Decimal::ONE
        } else {
            book_rate * Decimal::new(s.settle_rate_permille, 3)
        };
        let gross = Money::new(
            round_to(total.amount() * settle_rate, Currency::SEK),
            Currency::SEK,
        );
        let fee_amt = Money::from_minor_units(
            s.fee_minor.min(gross.to_minor_units().unwrap()),
            Currency::SEK,
        )
        .unwrap();
        let vat = (s.provider == Provider::Klarna).then(|| {
            Money::new(
                round_to(fee_amt.amount() / Decimal::from(5), Currency::SEK),
                Currency::SEK,
            )
        });
        let mut charge = sline(
            s.provider,
            &format!("c{i}"),
            SettlementKind::Charge,
            gross,
            vec![Fee {
                occurred_at: at,
                ..fee(s.provider, FeeKind::Processing, fee_amt, vat)
            }],
            Some(s_.source.clone()),
        );
        charge.occurred_at = at;
        if c != Currency::SEK {
            charge.original = Some(total);
            charge.exchange_rate = Some(settle_rate);
        }
        let mut lines = vec![charge];
        if let Some(pm) = s.refund_permille {
            let back = round_to(total.amount() * Decimal::from(pm) / Decimal::from(1000), c);
            if !back.is_zero() {
                let back = Money::new(back, c);
                let rf = Refund {
                    source: SourceRef::new(s.provider, "refund", format!("r{i}")),
                    sale: s_.source.clone(),
                    document_number: s_.document_number.clone(),
                    occurred_at: at + time::Duration::hours(1),
                    currency: c,
                    lines: vec![],
                    customer: Customer::default(),
                    sale_occurred_at: None,
                    payments: vec![pay(PaymentChannel::Provider(s.provider), back)],
                };
                let g = Money::new(
                    -round_to(back.amount() * settle_rate, Currency::SEK),
                    Currency::SEK,
                );
                let mut rl = sline(
                    s.provider,
                    &format!("rl{i}"),
                    SettlementKind::Refund,
                    g,
                    vec![],
                    Some(rf.source.clone()),
                );
                rl.occurred_at = rf.occurred_at;
                if c != Currency::SEK {
                    rl.original = Some(back.negated());
                }
                lines.push(rl);
                input.refunds.push(rf);
            }
        }
        match lines_by_provider.iter_mut().find(|(p, _)| *p == s.provider) {
            Some((_, v)) => v.extend(lines),
            None => lines_by_provider.push((s.provider, lines)),
        }
        input.sales.push(s_);
    }
    for (p, lines) in lines_by_provider {
        let mut po = payout(p, &format!("po_{p}"), lines);
        po.arrival_date = date!(2026 - 03 - 31);
        input.payouts.push(po);
    }
    input
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![
            Just(Granularity::PerDocument),
            Just(Granularity::PerDay),
            Just(Granularity::PerPayout)
        ],
        prop_oneof![
            Just(AccountingMethod::Faktureringsmetod),
            Just(AccountingMethod::Kontantmetod)
        ],
        prop_oneof![
            Just(FeeVatClass::Exempt),
            Just(FeeVatClass::ReverseCharge { memo: true }),
            Just(FeeVatClass::SwedishVat)
        ],
    )
        .prop_map(|(g, m, c)| {
            Policy::default()
                .with_granularity(g)
                .with_method(m)
                .with_fee_class(Provider::Stripe, None, c)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn vouchers_balance_ids_are_stable_and_clearing_nets_to_zero(
        specs in prop::collection::vec(sale_spec(), 1..12),
        policy in policy(),
    ) {
        let input = build(&specs);
        let j = map(&input, Chart::default(), policy.clone(), rates(), march());
        for v in &j.vouchers {
            prop_assert!(v.is_balanced(), "{} {:?}", v.text, v.postings);
            for p in &v.postings {
                prop_assert!(p.amount.scale() <= 2 && !p.amount.is_zero(), "{p:?}");
            }
            prop_assert!(v.text.chars().count() <= 50);
        }
        // Re-running gives the same journal, the same ids and the same bytes.
        let again = map(&input, Chart::default(), policy, rates(), march());
        prop_assert_eq!(&j, &again);
        let ids: BTreeSet<&str> = j.vouchers.iter().map(|v| v.id.as_str()).collect();
        prop_assert_eq!(ids.len(), j.vouchers.len());
        // The inputs reconcile, so every payout does and the clearing account nets to zero.
        prop_assert_eq!(j.reconciliations.len(), input.payouts.len());
        for r in &j.reconciliations {
            prop_assert!(r.is_reconciled(), "{r:?}");
        }
        prop_assert_eq!(j.balance("1580"), Decimal::ZERO);
        prop_assert_eq!(j.balance("2999"), Decimal::ZERO);
        prop_assert!(j.coverage.needed.is_empty(), "{:?}", j.coverage.needed);
    }

    #[test]
    fn allocation_of_refunds_sums_exactly(net in amount_minor(), back_permille in 1u16..=1000) {
        let s = shop_sale("p", vec![
            domestic(25, &Money::from_minor_units(net, Currency::SEK).unwrap().amount().to_string(), "0.01"),
            domestic(12, "33.33", "4.00"),
        ]);
        let total = s.total().unwrap();
        let back = round_to(total.amount() * Decimal::from(back_permille) / Decimal::from(1000), Currency::SEK);
        prop_assume!(!back.is_zero());
        let rf = Refund {
            source: SourceRef::new(Provider::Shopify, "refund", "r"),
            sale: s.source.clone(),
            document_number: "#p".into(),
            occurred_at: T,
            currency: Currency::SEK,
            lines: vec![],
            customer: Customer::default(),
            sale_occurred_at: None,
            payments: vec![pay(PaymentChannel::Provider(Provider::Shopify), Money::new(back, Currency::SEK))],
        };
        let mut m = mapper(Policy::default().with_granularity(Granularity::PerDocument));
        m.add_sale(&s);
        m.add_refund(&rf);
        let j = m.finish();
        let v = j.vouchers.iter().find(|v| v.kind == VoucherKind::Refund).unwrap();
        prop_assert!(v.is_balanced());
        prop_assert_eq!(v.amount_on("1580"), -back);
        prop_assert_eq!(v.amount_on("3740"), Decimal::ZERO);
    }

    #[test]
    fn a_payout_that_does_not_add_up_is_flagged_and_still_balances(
        specs in prop::collection::vec(sale_spec(), 1..6),
        delta in prop_oneof![Just(1i64), Just(-1), -1_000_000i64..1_000_000].prop_filter("not zero", |d| *d != 0),
    ) {
        let mut input = build(&specs);
        let bad = &mut input.payouts[0];
        bad.amount = bad.amount.checked_add(&Money::from_minor_units(delta, Currency::SEK).unwrap()).unwrap();
        let bad = bad.source.clone();
        let j = map(&input, Chart::default(), Policy::default(), rates(), march());
        for v in &j.vouchers {
            prop_assert!(v.is_balanced());
        }
        let rec = j.reconciliations.iter().find(|r| r.payout == bad).unwrap();
        prop_assert_eq!(
            &rec.discrepancies,
            &vec![Discrepancy::LinesDoNotAddUp { difference: Money::from_minor_units(delta, Currency::SEK).unwrap() }]
        );
        prop_assert_eq!(j.balance("2999"), -Decimal::new(delta, 2));
        prop_assert_eq!(j.balance("1580"), Decimal::ZERO);
        prop_assert!(j.review.iter().any(|r| r.source.as_ref() == Some(&bad)));
    }

    #[test]
    fn paypal_balances_settle_their_sales(
        sales in prop::collection::vec((prop_oneof![Just(Currency::SEK), Just(Currency::EUR)], amount_minor(), 0i64..300), 1..10),
        conversion in 0i64..50_000,
        withdrawal in 0i64..100_000,
    ) {
        let mut input = MappingInput::default();
        let mut lines: Vec<(Currency, StatementLine)> = Vec::new();
        let pl = |id: String, class: StatementClass, amount: Money, reference: Option<String>| StatementLine {
            source: SourceRef::new(Provider::PayPal, "transaction", id),
            booked_at: T,
            amount,
            balance_after: None,
            event_code: "T0000".into(),
            class,
            counterparty: None,
            text: String::new(),
            reference,
            related: None,
        };
        for (i, (c, net, fee_minor)) in sales.iter().enumerate() {
            let net = Money::from_minor_units(*net, *c).unwrap();
            let mut s = sale(Provider::Shopify, &format!("pp{i}"), T, vec![line(TaxTreatment::Exempt, None, net, Money::zero(*c))]);
            s.payments = vec![pay(PaymentChannel::Provider(Provider::PayPal), net)];
            lines.push((*c, pl(format!("P{i}"), StatementClass::Payment, net, Some(s.document_number.to_string()))));
            lines.push((*c, pl(format!("P{i}"), StatementClass::Fee, Money::from_minor_units(-fee_minor, *c).unwrap(), None)));
            input.sales.push(s);
        }
        let eur = Money::from_minor_units(-conversion, Currency::EUR).unwrap();
        let sek_in = Money::new(round_to(-eur.amount() * d("11.37"), Currency::SEK), Currency::SEK);
        lines.push((Currency::EUR, pl("C1".into(), StatementClass::Conversion, eur, None)));
        lines.push((Currency::SEK, pl("C2".into(), StatementClass::Conversion, sek_in, None)));
        lines.push((Currency::SEK, pl("W1".into(), StatementClass::Withdrawal, Money::from_minor_units(-withdrawal, Currency::SEK).unwrap(), None)));
        for c in [Currency::SEK, Currency::EUR] {
            input.statements.push(Statement {
                account: SourceRef::new(Provider::PayPal, "balance", c.code()),
                currency: c,
                opening: None,
                closing: None,
                lines: lines.iter().filter(|(lc, _)| *lc == c).map(|(_, l)| l.clone()).collect(),
                complete: true,
            });
        }
        let j = map(&input, Chart::default(), Policy::default(), rates(), march());
        for v in &j.vouchers {
            prop_assert!(v.is_balanced(), "{:?}", v.postings);
        }
        prop_assert_eq!(j.balance("1580"), Decimal::ZERO);
        prop_assert_eq!(j.balance("2999"), Decimal::ZERO);
        prop_assert!(j.review.is_empty(), "{:?}", j.review);
        // The SEK balance account moved by exactly the SEK lines.
        let sek_lines: Decimal = input.statements[0].lines.iter().map(|l| l.amount.amount()).sum();
        prop_assert_eq!(j.balance("1941"), sek_lines);
    }
}
