//! The rules around the table: periods, test orders, unknown types, coverage,
//! reconciliation, granularity, ids and texts.

use bookkeeping_core::*;
use journal_mapping::*;
use time::macros::{date, datetime};

use crate::helpers::*;

#[test]
fn test_sales_and_sales_of_other_months_are_not_booked() {
    let mut test = shop_sale("t", vec![domestic(25, "80.00", "20.00")]);
    test.test = true;
    let april = sale(
        Provider::Shopify,
        "a",
        datetime!(2026-03-31 22:30 UTC),
        vec![domestic(25, "80.00", "20.00")],
    );
    let march_last = sale(
        Provider::Shopify,
        "m",
        datetime!(2026-03-31 21:30 UTC),
        vec![domestic(25, "80.00", "20.00")],
    );
    let mut mp = mapper(Policy::default());
    mp.add_sale(&test);
    mp.add_sale(&april);
    mp.add_sale(&march_last);
    let j = balanced(mp.finish());
    assert_eq!(j.vouchers.len(), 1);
    assert_eq!(j.vouchers[0].date, date!(2026 - 03 - 31));
    let c = j.coverage.provider(Provider::Shopify).unwrap();
    assert_eq!(
        (
            c.sales,
            c.sales_booked,
            c.test_sales,
            c.sales_outside_period
        ),
        (3, 1, 1, 1)
    );
}

#[test]
fn per_day_granularity_sums_a_days_sales_per_account() {
    let mut mp = mapper(Policy::default());
    for i in 0..3 {
        mp.add_sale(&shop_sale(
            &i.to_string(),
            vec![domestic(25, "26.66", "6.67")],
        ));
    }
    mp.add_sale(&sale(
        Provider::Shopify,
        "next",
        datetime!(2026-03-03 09:00 UTC),
        vec![domestic(25, "80.00", "20.00")],
    ));
    let j = balanced(mp.finish());
    assert_eq!(j.vouchers.len(), 2);
    let v = &j.vouchers[0];
    assert_eq!(v.kind, VoucherKind::SalesDay);
    assert_eq!(v.text, "Shopify försäljning 2026-03-02");
    assert_eq!(
        rows(v),
        expect(&[("1580", "99.99"), ("3001", "-79.98"), ("2611", "-20.01")])
    );
    assert_eq!(v.sources.len(), 3);
}

#[test]
fn unknown_settlement_kind_goes_to_suspense_with_a_review_item() {
    let s = shop_sale("u", vec![domestic(25, "80.00", "20.00")]);
    let p = payout(
        Provider::Shopify,
        "p",
        vec![
            sline(
                Provider::Shopify,
                "c",
                SettlementKind::Charge,
                sek("100.00"),
                vec![],
                Some(s.source.clone()),
            ),
            sline(
                Provider::Shopify,
                "x",
                SettlementKind::Unknown("advance".into()),
                sek("40.00"),
                vec![],
                None,
            ),
        ],
    );
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    mp.add_payout(&p);
    let j = balanced(mp.finish());
    let pv = j
        .vouchers
        .iter()
        .find(|v| v.kind == VoucherKind::Payout)
        .unwrap();
    assert_eq!(
        rows(pv),
        expect(&[("1930", "140"), ("1580", "-100"), ("2999", "-40")])
    );
    assert!(
        j.review
            .iter()
            .any(|r| r.reason == ReviewReason::UnknownType && r.amount == Some(sek("40.00")))
    );
    assert!(!j.reconciliations[0].is_reconciled());
}

#[test]
fn payout_that_does_not_add_up_is_unreconciled_with_the_difference() {
    let s = shop_sale("d", vec![domestic(25, "80.00", "20.00")]);
    let mut p = payout(
        Provider::Shopify,
        "p",
        vec![sline(
            Provider::Shopify,
            "c",
            SettlementKind::Charge,
            sek("100.00"),
            vec![],
            Some(s.source.clone()),
        )],
    );
    p.amount = sek("90.00"); // 10 withheld without a line
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    mp.add_payout(&p);
    let j = balanced(mp.finish());
    let pv = j
        .vouchers
        .iter()
        .find(|v| v.kind == VoucherKind::Payout)
        .unwrap();
    assert_eq!(
        rows(pv),
        expect(&[("1930", "90"), ("2999", "10"), ("1580", "-100")])
    );
    let rec = &j.reconciliations[0];
    assert_eq!(
        rec.discrepancies,
        vec![Discrepancy::LinesDoNotAddUp {
            difference: sek("-10.00")
        }]
    );
    let item = j
        .review
        .iter()
        .find(|r| r.message.starts_with("payout does not reconcile"))
        .unwrap();
    assert!(item.message.contains("reserve"), "{}", item.message);
    assert_eq!(j.summary().providers[0].totals.payouts_unreconciled, 1);
}

#[test]
fn payout_without_breakdown_is_booked_and_flagged() {
    let mut p = payout(Provider::Stripe, "po_manual", vec![]);
    p.amount = sek("500.00");
    let mut mp = mapper(Policy::default());
    mp.add_payout(&p);
    let j = balanced(mp.finish());
    assert_eq!(rows(only(&j)), expect(&[("1930", "500"), ("1580", "-500")]));
    assert_eq!(
        j.reconciliations[0].discrepancies,
        vec![Discrepancy::NoBreakdown]
    );
    assert!(
        j.review
            .iter()
            .any(|r| r.reason == ReviewReason::NoBreakdown)
    );
}

#[test]
fn failed_payouts_are_not_booked() {
    let mut p = payout(Provider::Stripe, "po_f", vec![]);
    p.amount = sek("500.00");
    p.status = PayoutStatus::Failed;
    let mut mp = mapper(Policy::default());
    mp.add_payout(&p);
    let j = mp.finish();
    assert!(j.vouchers.is_empty());
    assert_eq!(j.review.len(), 1);
}

#[test]
fn coverage_lists_the_reports_still_needed() {
    let mut manual = shop_sale("m1", vec![domestic(25, "80.00", "20.00")]);
    manual.payments = vec![Payment {
        gateway: "Swish".into(),
        ..pay(PaymentChannel::External, sek("100.00"))
    }];
    let klarna = payout(
        Provider::Klarna,
        "k",
        vec![SettlementLine {
            reference: Some("5001".into()),
            ..sline(
                Provider::Klarna,
                "kc",
                SettlementKind::Charge,
                sek("300.00"),
                vec![],
                None,
            )
        }],
    );
    // Two Stripe charges with no Stripe invoice (Checkout, Payment Links or an
    // invoice issued elsewhere): a charge's `description` is the merchant's
    // text (https://docs.stripe.com/api/charges/object#charge_object-description).
    let charge = |id: &str, amount: &str, text: &str| SettlementLine {
        description: text.into(),
        reference: Some(format!("pi_{id}")),
        ..sline(
            Provider::Stripe,
            id,
            SettlementKind::Charge,
            sek(amount),
            vec![],
            None,
        )
    };
    let stripe = payout(
        Provider::Stripe,
        "s",
        vec![
            charge("ch1", "200.00", "Faktura 1234"),
            charge("ch2", "50.00", "Faktura 1235"),
        ],
    );
    let map = |policy: Policy| {
        let mut mp = mapper(policy);
        mp.add_sale(&manual);
        mp.add_payout(&klarna);
        mp.add_payout(&stripe);
        balanced(mp.finish())
    };
    let j = map(Policy::default());
    let needed: Vec<(Provider, NeededReportKind, u64, rust_decimal::Decimal)> = j
        .coverage
        .needed
        .iter()
        .map(|n| (n.provider, n.kind.clone(), n.count, n.amount_sek))
        .collect();
    assert_eq!(
        needed,
        vec![
            (
                Provider::Shopify,
                NeededReportKind::Gateway {
                    gateway: "Swish".into()
                },
                1,
                d("100")
            ),
            (Provider::Klarna, NeededReportKind::SalesReport, 1, d("300")),
            (Provider::Stripe, NeededReportKind::Invoices, 2, d("250")),
        ]
    );
    // By default a Stripe payment without a Stripe invoice is a sale kassabok
    // cannot see: the money stays on the clearing account (−250), each charge
    // is a review item naming its description, date and amount, and the
    // payout does not reconcile. The Swish sale's money waits on 1510 (+100).
    assert_eq!(j.balance("1510"), d("100"));
    assert_eq!(j.balance("1580"), d("-550"));
    let stripe_rec = j
        .reconciliations
        .iter()
        .find(|r| r.provider == Provider::Stripe)
        .unwrap();
    assert!(!stripe_rec.is_reconciled());
    assert_eq!(stripe_rec.difference_sek, d("250"));
    let review = j.review.to_vec();
    let items: Vec<(&str, Option<Money>)> = review
        .iter()
        .filter(|r| r.reason == ReviewReason::UnknownSale)
        .map(|r| (r.message.as_str(), r.amount))
        .collect();
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(
        items[0],
        (
            "Stripe payment pi_ch1 on 2026-03-02 without a Stripe invoice or a known sale: \"Faktura 1234\"; its revenue and VAT are not booked (the money is on the clearing account)",
            Some(sek("200.00"))
        )
    );
    assert!(!j.coverage.is_complete());
    // review.md lists every item: date, id, amount, description.
    let md = j.review_markdown();
    assert!(md.contains("Swish"), "{md}");
    assert!(
        md.contains("the sales report is needed for the VAT"),
        "{md}"
    );
    for row in [
        "| 2026-03-02 | #m1 | 100.00 | Swish |",
        "| 2026-03-02 | 5001 | 300.00 | line |",
        "| 2026-03-02 | pi_ch1 | 200.00 | Faktura 1234 |",
        "| 2026-03-02 | pi_ch2 | 50.00 | Faktura 1235 |",
    ] {
        assert!(md.contains(row), "{row} in {md}");
    }
    // The journal's JSON holds every item in full (the listings are stored
    // compactly and serialize as lists): read back, it is the same journal
    // and writes the same review.md.
    let json = serde_json::to_string(&j).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["review"].as_array().map(Vec::len),
        Some(j.review.len())
    );
    assert!(
        json.contains("Stripe payment pi_ch2 on 2026-03-02 without a Stripe invoice"),
        "{json}"
    );
    assert_eq!(
        value["booked_lines"].as_array().map(Vec::len),
        Some(j.booked_lines.len())
    );
    let back: journal_mapping::Journal = serde_json::from_str(&json).unwrap();
    assert_eq!(back, j);
    assert_eq!(back.review_markdown(), md);

    // A firm that issues its invoices in another program says so: each
    // payment then settles the receivable that program booked (1510).
    let j = map(Policy::default().with_external_invoices(true));
    let stripe_needed = j.coverage.needed.last().unwrap();
    assert_eq!(stripe_needed.kind, NeededReportKind::ExternalInvoices);
    assert_eq!(stripe_needed.items.len(), 2);
    assert_eq!(j.balance("1510"), d("-150"));
    assert!(
        j.reconciliations
            .iter()
            .all(|r| r.provider != Provider::Stripe || r.is_reconciled())
    );
    assert!(
        !j.review
            .iter()
            .any(|r| r.reason == ReviewReason::UnknownSale)
    );
}

#[test]
fn lines_of_an_earlier_period_are_carried_over_not_unknown() {
    let mut l = sline(
        Provider::Shopify,
        "c",
        SettlementKind::Charge,
        sek("100.00"),
        vec![],
        None,
    );
    l.occurred_at = datetime!(2026-02-27 12:00 UTC);
    let p = payout(Provider::Shopify, "p", vec![l]);
    let mut mp = mapper(Policy::default());
    mp.add_payout(&p);
    let j = balanced(mp.finish());
    let rec = &j.reconciliations[0];
    assert!(rec.is_reconciled(), "{rec:?}");
    assert_eq!(
        (rec.carried_over_lines, rec.carried_over_sek),
        (1, d("100"))
    );
    assert!(j.coverage.needed.is_empty());
}

/// The period rule (docs/accounting.md, "Periods"): a Shopify Payments line
/// is booked in the month of its balance transaction's `transactionDate`
/// (ShopifyPaymentsBalanceTransaction, /work/shared/fixtures/shopify/
/// admin-graphql-2026-01.schema.graphql), the transfer to the bank in the
/// payout's month, whatever the granularity; two monthly runs add up to one
/// run over both months, account by account.
#[test]
fn payout_lines_are_booked_in_their_own_month() {
    let feb = Period::month(2026, time::Month::February).unwrap();
    let q = Period::new(date!(2026 - 02 - 01), date!(2026 - 03 - 31)).unwrap();
    let mk = |at: time::OffsetDateTime, id: &str| {
        let mut l = sline(
            Provider::Shopify,
            id,
            SettlementKind::Charge,
            sek("100.00"),
            vec![fee(
                Provider::Shopify,
                FeeKind::Processing,
                sek("2.00"),
                None,
            )],
            None,
        );
        l.occurred_at = at;
        l
    };
    let p = payout(
        Provider::Shopify,
        "po_x",
        vec![
            mk(datetime!(2026-02-27 12:00 UTC), "a"),
            mk(datetime!(2026-03-02 12:00 UTC), "b"),
        ],
    );
    for granularity in [Granularity::PerDay, Granularity::PerPayout] {
        let policy = Policy::default()
            .with_granularity(granularity)
            .with_fee_class(Provider::Shopify, None, FeeVatClass::Exempt);
        // Over both months: the payout is one voucher with the bank.
        let mut mp = Mapper::new(Chart::default(), policy.clone(), rates(), q);
        mp.add_payout(&p);
        let j = balanced(mp.finish());
        assert_eq!(j.vouchers.len(), 1);
        assert_eq!(j.vouchers[0].date, date!(2026 - 03 - 05));
        assert_eq!(
            rows(&j.vouchers[0]),
            expect(&[("1930", "196"), ("6570", "4"), ("1580", "-200")])
        );
        // February books its line's fee on its last day, the net left on 1580.
        let mut f = Mapper::new(Chart::default(), policy.clone(), rates(), feb);
        f.add_payout(&p);
        let fj = balanced(f.finish());
        assert_eq!(fj.vouchers.len(), 1);
        let febv = &fj.vouchers[0];
        assert_eq!(febv.date, date!(2026 - 02 - 28));
        assert_eq!(febv.text, "Shopify utbetalning po_x avser 2026-02");
        assert_eq!(rows(febv), expect(&[("6570", "2"), ("1580", "-2")]));
        assert!(fj.reconciliations.is_empty());
        // March books its own line and the transfer, February's line as one
        // clearing amount, and reconciles the whole payout.
        let mut mm = Mapper::new(Chart::default(), policy, rates(), march());
        mm.add_payout(&p);
        let mj = balanced(mm.finish());
        assert_eq!(mj.vouchers.len(), 1);
        let marv = &mj.vouchers[0];
        assert_eq!(marv.date, date!(2026 - 03 - 05));
        assert_eq!(
            rows(marv),
            expect(&[("1930", "196"), ("6570", "2"), ("1580", "-198")])
        );
        // The March line's sale is not part of this test: unknown, not lost.
        let rec = &mj.reconciliations[0];
        assert_eq!(
            (
                rec.carried_over_lines,
                rec.carried_over_sek,
                rec.difference_sek
            ),
            (1, d("98"), d("100"))
        );
        assert_months_add_up(&fj, &mj, &j, &["1930", "6570", "1580"]);
    }
}

/// A Stripe payout created on 31 March whose `arrival_date` is 2 April
/// (<https://docs.stripe.com/api/payouts/object#payout_object-arrival_date>):
/// March books its March line with the fee, leaves the net on 1580 and lists
/// the payout in transit; a balance transaction of 31 March that no payout
/// carries (<https://docs.stripe.com/api/balance_transactions/list>, listed by
/// `created`) is booked in March and listed as not paid out; a line that
/// comes both ways is booked once.
#[test]
fn march_books_its_lines_and_lists_what_is_in_transit_or_not_paid_out() {
    let fee2 = |id: &str, amount: &str| {
        let mut f = fee(Provider::Stripe, FeeKind::Processing, sek(amount), None);
        f.source = SourceRef::new(Provider::Stripe, "balance_transaction", id);
        f
    };
    let mut a = sline(
        Provider::Stripe,
        "txn_a",
        SettlementKind::Charge,
        sek("100.00"),
        vec![fee2("txn_a", "2.00")],
        None,
    );
    a.occurred_at = datetime!(2026-03-30 10:00 UTC);
    let mut p = payout(Provider::Stripe, "po_31", vec![a.clone()]);
    p.created_at = datetime!(2026-03-31 04:00 UTC);
    p.arrival_date = date!(2026 - 04 - 02);
    p.status = PayoutStatus::InTransit;
    let mut b = sline(
        Provider::Stripe,
        "txn_b",
        SettlementKind::Charge,
        sek("50.00"),
        vec![fee2("txn_b", "1.00")],
        None,
    );
    b.occurred_at = datetime!(2026-03-31 20:00 UTC);
    let policy = Policy::default().with_fee_class(Provider::Stripe, None, FeeVatClass::Exempt);
    let mut mp = mapper(policy);
    mp.add_payout(&p);
    for line in [&b, &b, &a] {
        mp.add_balance_line(&BalanceLine {
            provider: Provider::Stripe,
            line: line.clone(),
        });
    }
    let j = balanced(mp.finish());
    assert_eq!(j.vouchers.len(), 2, "{:#?}", j.vouchers);
    let part = &j.vouchers[1];
    assert_eq!(part.date, date!(2026 - 03 - 31));
    assert_eq!(part.text, "Stripe utbetalning po_31 avser 2026-03");
    // The charge settles 1580 (its sale is not part of this test), the net
    // stays on 1580: what is left is the fee.
    assert_eq!(rows(part), expect(&[("1580", "-2"), ("6570", "2")]));
    let unpaid = &j.vouchers[0];
    assert_eq!(unpaid.text, "Stripe ej utbetalt 2026-03-31");
    assert_eq!(rows(unpaid), expect(&[("1580", "-1"), ("6570", "1")]));
    assert_eq!(
        j.booked_lines.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec!["txn_a", "txn_b"]
    );
    assert!(j.reconciliations.is_empty());
    assert_eq!(j.outstanding.len(), 2);
    let of = |id: &str| j.outstanding.iter().find(|o| o.source.id == id).unwrap();
    assert_eq!(
        of("po_31").kind,
        OutstandingKind::PayoutInTransit {
            arrival_date: date!(2026 - 04 - 02)
        }
    );
    assert_eq!(of("po_31").amount_sek, d("98"));
    assert_eq!(of("txn_b").kind, OutstandingKind::NotPaidOut);
    assert_eq!(of("txn_b").amount_sek, d("49"));
    let md = j.review_markdown();
    assert!(
        md.contains("| stripe | po_31 | 2026-03-31 | 2026-04-02 | 98.00 SEK | 98.00 |"),
        "{md}"
    );
    assert!(
        md.contains("| stripe | txn_b | 2026-03-31 | 49.00 SEK | 49.00 |"),
        "{md}"
    );
}

#[test]
fn missing_exchange_rate_is_a_review_item() {
    let s = sale(
        Provider::Shopify,
        "gbp",
        T,
        vec![line(
            TaxTreatment::Domestic,
            Some(25),
            m("80.00", Currency::GBP),
            m("20.00", Currency::GBP),
        )],
    );
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    let j = mp.finish();
    assert!(j.vouchers.is_empty());
    assert_eq!(j.review.to_vec()[0].reason, ReviewReason::Currency);
}

#[test]
fn missing_vat_rate_and_unknown_treatment_go_to_suspense() {
    let s = shop_sale(
        "nv",
        vec![
            line(TaxTreatment::Domestic, None, sek("80.00"), sek("20.00")),
            line(
                TaxTreatment::Undetermined {
                    reason: "no country".into(),
                },
                Some(25),
                sek("8.00"),
                sek("2.00"),
            ),
        ],
    );
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    let j = balanced(mp.finish());
    assert_eq!(rows(only(&j)), expect(&[("1580", "110"), ("2999", "-110")]));
    let reasons: Vec<ReviewReason> = j.review.iter().map(|r| r.reason.clone()).collect();
    assert_eq!(
        reasons,
        vec![ReviewReason::VatRate, ReviewReason::TaxTreatment]
    );
}

#[test]
fn a_rate_without_an_account_is_booked_on_suspense_and_flagged() {
    let s = shop_sale("r19", vec![domestic(19, "100.00", "19.00")]);
    let mut mp = mapper(Policy::default());
    mp.add_sale(&s);
    let j = balanced(mp.finish());
    assert_eq!(
        rows(only(&j)),
        expect(&[("1580", "119"), ("2999", "-100"), ("2999", "-19")])
    );
    assert!(j.review.iter().any(|r| r.message.contains("no account")));
}

#[test]
fn bas2026_chart_uses_the_configured_card_receivable() {
    let s = shop_sale("b", vec![domestic(25, "80.00", "20.00")]);
    for (chart, acct) in [
        (Chart::bas2026(), "1686"),
        (Chart::bas2026().with_card_receivable("1580"), "1580"),
        (
            Chart::default().with(
                Role::Clearing {
                    provider: Provider::Shopify,
                },
                "1581",
            ),
            "1581",
        ),
    ] {
        let mut mp = Mapper::new(chart, Policy::default(), rates(), march());
        mp.add_sale(&s);
        let j = mp.finish();
        assert_eq!(j.balance(acct), d("100"), "{acct}");
        assert!(j.accounts.iter().any(|(a, _)| a == acct));
    }
}

#[test]
fn ids_are_deterministic_and_texts_are_limited() {
    let mut s = shop_sale("id", vec![domestic(25, "80.00", "20.00")]);
    s.document_number = ("#".to_owned() + &"9".repeat(80)).into();
    let run = || {
        let mut mp = mapper(Policy::default().with_granularity(Granularity::PerDocument));
        mp.add_sale(&s);
        mp.finish()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.vouchers[0].id.as_str().len(), 16);
    assert!(a.vouchers[0].text.chars().count() <= 50);
    let mut other = s.clone();
    other.source.id = "id2".into();
    let mut mp = mapper(Policy::default().with_granularity(Granularity::PerDocument));
    mp.add_sale(&other);
    assert_ne!(mp.finish().vouchers[0].id, a.vouchers[0].id);
}

#[test]
fn map_orders_sales_before_settlements() {
    let s = shop_sale("mm", vec![domestic(25, "80.00", "20.00")]);
    let p = payout(
        Provider::Shopify,
        "p",
        vec![sline(
            Provider::Shopify,
            "c",
            SettlementKind::Charge,
            sek("100.00"),
            vec![],
            Some(s.source.clone()),
        )],
    );
    let input = MappingInput {
        sales: vec![s],
        payouts: vec![p],
        review: vec![ReviewItem::new(
            Provider::Shopify,
            ReviewReason::Malformed,
            "order 7 could not be decoded",
        )],
        ..MappingInput::default()
    };
    let j = balanced(map(
        &input,
        Chart::default(),
        Policy::default(),
        rates(),
        march(),
    ));
    assert_eq!(j.balance("1580"), d("0"));
    assert_eq!(j.review.len(), 1);
    let summary = j.summary();
    let sh = &summary.providers[0];
    assert_eq!(sh.provider, Provider::Shopify);
    assert_eq!((sh.totals.vouchers, sh.totals.payouts_reconciled), (2, 1));
    assert_eq!(sh.totals.sales_sek, d("100"));
    assert_eq!(sh.totals.paid_out_sek, d("100"));
    assert!(summary.to_string().contains("shopify"));
}

#[test]
fn refunds_of_test_orders_are_not_booked() {
    let mut test = shop_sale("t2", vec![domestic(25, "80.00", "20.00")]);
    test.test = true;
    let rf = Refund {
        source: SourceRef::new(Provider::Shopify, "refund", "tr"),
        sale: test.source.clone(),
        document_number: "#t2".into(),
        occurred_at: T,
        currency: Currency::SEK,
        lines: vec![domestic(25, "80.00", "20.00")],
        customer: Customer::default(),
        sale_occurred_at: None,
        payments: vec![],
    };
    let mut mp = mapper(Policy::default());
    mp.add_sale(&test);
    mp.add_refund(&rf);
    let j = mp.finish();
    assert!(j.vouchers.is_empty(), "{:?}", j.vouchers);
}

#[test]
fn lump_refund_of_a_sale_with_a_discount_rate_splits_by_signed_weight() {
    // 25 % goods 200+50, a discount on its own 12 % line −100−12: total 138.
    let s = shop_sale(
        "disc",
        vec![
            domestic(25, "200.00", "50.00"),
            domestic(12, "-100.00", "-12.00"),
        ],
    );
    let rf = Refund {
        source: SourceRef::new(Provider::Shopify, "refund", "dr"),
        sale: s.source.clone(),
        document_number: "#disc".into(),
        occurred_at: T,
        currency: Currency::SEK,
        lines: vec![],
        customer: Customer::default(),
        sale_occurred_at: None,
        payments: vec![pay(
            PaymentChannel::Provider(Provider::Shopify),
            sek("69.00"),
        )],
    };
    let mut mp = mapper(Policy::default().with_granularity(Granularity::PerDocument));
    mp.add_sale(&s);
    mp.add_refund(&rf);
    let j = balanced(mp.finish());
    let v = j
        .vouchers
        .iter()
        .find(|v| v.kind == VoucherKind::Refund)
        .unwrap();
    // Half of every role comes back; nothing lands on 3740.
    assert_eq!(
        rows(v),
        expect(&[
            ("3001", "100"),
            ("2611", "25"),
            ("3002", "-50"),
            ("2621", "-6"),
            ("1580", "-69")
        ])
    );
}

#[test]
fn provider_adjustments_leave_the_payout_unreconciled_until_decided() {
    let p = payout(
        Provider::Shopify,
        "adj",
        vec![sline(
            Provider::Shopify,
            "a",
            SettlementKind::Adjustment,
            sek("-12.00"),
            vec![],
            None,
        )],
    );
    let mut mp = mapper(Policy::default());
    mp.add_payout(&p);
    let j = balanced(mp.finish());
    assert_eq!(rows(only(&j)), expect(&[("2999", "12"), ("1930", "-12")]));
    assert_eq!(
        j.reconciliations[0].discrepancies,
        vec![Discrepancy::UnknownLines { count: 1 }]
    );
}

#[test]
fn records_from_the_source_traits_stream_in() {
    let s = shop_sale("rec", vec![domestic(25, "80.00", "20.00")]);
    let p = payout(
        Provider::Shopify,
        "p",
        vec![sline(
            Provider::Shopify,
            "c",
            SettlementKind::Charge,
            sek("100.00"),
            vec![],
            Some(s.source.clone()),
        )],
    );
    let mut mp = mapper(Policy::default());
    mp.add_sales_record(&SalesRecord::Sale(s));
    mp.add_sales_record(&SalesRecord::Review(ReviewItem::new(
        Provider::Shopify,
        ReviewReason::Malformed,
        "bad order",
    )));
    mp.add_payout_record(&PayoutRecord::Payout(p));
    mp.add_statement_batch(&StatementBatch {
        statements: vec![],
        review: vec![ReviewItem::new(
            Provider::PayPal,
            ReviewReason::Incomplete,
            "not refreshed",
        )],
    });
    let j = balanced(mp.finish());
    assert_eq!(j.vouchers.len(), 2);
    assert_eq!(j.balance("1580"), d("0"));
    assert_eq!(j.review.len(), 2);
    assert_eq!(
        j.coverage
            .provider(Provider::PayPal)
            .unwrap()
            .provider_review_items,
        1
    );
}

#[test]
fn chart_and_policy_round_trip_through_serde() {
    let chart = Chart::bas2026()
        .with(
            Role::OssVat {
                country: "DE".parse().unwrap(),
            },
            "2671",
        )
        .with(
            Role::PayPal {
                currency: Currency::USD,
            },
            "1950",
        )
        .with_name("1950", "PayPal USD");
    let policy = Policy::default()
        .with_fee_class(
            Provider::Stripe,
            Some(FeeCategory::App),
            FeeVatClass::ReverseCharge { memo: true },
        )
        .with_granularity(Granularity::PerPayout);
    let c: Chart = serde_json::from_str(&serde_json::to_string(&chart).unwrap()).unwrap();
    let p: Policy = serde_json::from_str(&serde_json::to_string(&policy).unwrap()).unwrap();
    assert_eq!(c, chart);
    assert_eq!(p, policy);
    assert_eq!(c.account_name("1950"), "PayPal USD");
    assert_eq!(
        c.account(&Role::PayPal {
            currency: Currency::USD
        })
        .as_deref(),
        Some("1950")
    );
}

/// Shopify order #2001 paid through Klarna, and Klarna's sales report's
/// record of the same purchase.
fn order_2001_and_klarnas_record() -> (Sale, Sale) {
    let mut order = shop_sale("2001", vec![domestic(25, "80.00", "20.00")]);
    order.payments = vec![pay(
        PaymentChannel::Provider(Provider::Klarna),
        sek("100.00"),
    )];
    let mut klarna_doc = sale(
        Provider::Klarna,
        "2001",
        T,
        vec![domestic(25, "80.00", "20.00")],
    );
    klarna_doc.document_number = "2001".into();
    (order, klarna_doc)
}

#[test]
fn the_same_purchase_from_two_providers_is_booked_once() {
    let (order, klarna_doc) = order_2001_and_klarnas_record();
    // An unrelated Stripe invoice that happens to share the number is booked.
    let mut other = sale(Provider::Stripe, "x", T, vec![domestic(25, "8.00", "2.00")]);
    other.document_number = "#2001".into();
    let mut mp = mapper(Policy::default());
    mp.add_sale(&order);
    mp.add_sale(&klarna_doc);
    mp.add_sale(&other);
    let j = balanced(mp.finish());
    assert_eq!(j.balance("3001"), d("-88"));
    assert_eq!(j.review.len(), 1);
    assert!(
        j.review.to_vec()[0]
            .message
            .contains("already booked from Shopify data"),
        "{}",
        j.review.to_vec()[0].message
    );
}

/// The same refund from two providers' data: a Shopify refund of #2001 paid
/// back through Klarna, and Klarna's sales report's record of it (a `RETURN`
/// numbered with the shop's order number). Booked once, as the purchase is;
/// the one not booked is said and listed in `booked_elsewhere`, so the VAT
/// reports leave it out too. Two equal partial refunds are two refunds: the
/// second Klarna record matches the second Shopify refund, not the first
/// again; and a Klarna refund with no Shopify record of it is booked.
#[test]
fn the_same_refund_from_two_providers_is_booked_once() {
    let (order, klarna_doc) = order_2001_and_klarnas_record();
    let refund = |provider: Provider, id: &str, sale: &Sale| Refund {
        source: SourceRef::new(provider, "refund", id),
        sale: sale.source.clone(),
        document_number: "#2001".into(),
        occurred_at: T,
        currency: Currency::SEK,
        lines: vec![domestic(25, "20.00", "5.00")],
        customer: Customer::default(),
        sale_occurred_at: None,
        payments: vec![pay(
            PaymentChannel::Provider(Provider::Klarna),
            sek("25.00"),
        )],
    };
    let mut mp = mapper(Policy::default());
    mp.add_sale(&order);
    mp.add_sale(&klarna_doc);
    // Two partial refunds of 25 in Shopify, each recorded by Klarna too, and
    // a third one Klarna alone holds.
    mp.add_refund(&refund(Provider::Shopify, "r1", &order));
    mp.add_refund(&refund(Provider::Shopify, "r2", &order));
    mp.add_refund(&refund(Provider::Klarna, "k1", &klarna_doc));
    mp.add_refund(&refund(Provider::Klarna, "k2", &klarna_doc));
    mp.add_refund(&refund(Provider::Klarna, "k3", &klarna_doc));
    let j = balanced(mp.finish());
    // Sold 80 net, three refunds of 20 net: 20 left.
    assert_eq!(j.balance("3001"), d("-20"));
    assert_eq!(j.balance("2611"), d("-5"));
    let elsewhere: Vec<&str> = j.booked_elsewhere.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(elsewhere, ["2001", "k1", "k2"]);
    let twice = j
        .review
        .iter()
        .filter(|r| r.message.contains("not booked twice"))
        .count();
    assert_eq!(twice, 3);
    let k1 = SalesRecord::Refund(refund(Provider::Klarna, "k1", &klarna_doc));
    let k3 = SalesRecord::Refund(refund(Provider::Klarna, "k3", &klarna_doc));
    assert!(j.is_booked_elsewhere(&k1));
    assert!(!j.is_booked_elsewhere(&k3));
}

/// Refunds that share one document number (an integration that sends one
/// reference for every order): each was compared with every refund booked
/// before it, looking for its twin from another provider's data, so a month
/// of many took time growing with the square of their number. They are now
/// kept by document, provider, currency and total, the matched ones dropped
/// from the front. 3,000 Shopify refunds of #2001 and 3,000 Klarna records
/// of them, in turn: each Klarna record is the next Shopify refund's twin,
/// and nothing is booked twice.
#[test]
fn many_refunds_of_one_document_number_are_each_matched_once() {
    let (order, klarna_doc) = order_2001_and_klarnas_record();
    let refund = |provider: Provider, id: String, sale: &Sale| Refund {
        source: SourceRef::new(provider, "refund", id),
        sale: sale.source.clone(),
        document_number: "#2001".into(),
        occurred_at: T,
        currency: Currency::SEK,
        lines: vec![domestic(25, "0.08", "0.02")],
        customer: Customer::default(),
        sale_occurred_at: None,
        payments: vec![pay(PaymentChannel::Provider(Provider::Klarna), sek("0.10"))],
    };
    const N: usize = 3_000;
    let mut mp = mapper(Policy::default());
    mp.add_sale(&order);
    mp.add_sale(&klarna_doc);
    for i in 0..N {
        mp.add_refund(&refund(Provider::Shopify, format!("r{i}"), &order));
    }
    for i in 0..N {
        mp.add_refund(&refund(Provider::Klarna, format!("k{i}"), &klarna_doc));
    }
    let j = balanced(mp.finish());
    // The sale (80 net) once, and N refunds of 0.08 net once each.
    assert_eq!(
        j.balance("3001"),
        d("-80") + d("0.08") * rust_decimal::Decimal::from(N)
    );
    let klarna_elsewhere = j
        .booked_elsewhere
        .iter()
        .filter(|s| s.provider == Provider::Klarna && s.kind == "refund")
        .count();
    assert_eq!(klarna_elsewhere, N);
}

#[test]
fn an_unreconciled_payout_states_its_difference_in_sek() {
    let stripe = payout(
        Provider::Klarna,
        "s",
        vec![sline(
            Provider::Klarna,
            "ch",
            SettlementKind::Charge,
            sek("200.00"),
            vec![],
            None,
        )],
    );
    let mut mp = mapper(Policy::default());
    mp.add_payout(&stripe);
    let j = balanced(mp.finish());
    let rec = &j.reconciliations[0];
    assert_eq!(rec.difference_sek, d("200"));
    assert_eq!(
        rec.discrepancies,
        vec![Discrepancy::UnknownSales {
            count: 1,
            amount_sek: d("200")
        }]
    );
    let item = j
        .review
        .iter()
        .find(|r| r.message.starts_with("payout does not reconcile"))
        .unwrap();
    assert_eq!(item.amount, Some(sek("200.00")));
    assert!(j.review_markdown().contains("difference 200.00 SEK"));
}

/// BAS accounts carry their BAS names in `#KONTO` (2614 as in the bas.se
/// kontotabell: "Beräknad utgående moms på tjänsteförvärv från utlandet,
/// 25 %"); kassabok's own numbers (1588, 1589, 1941–1949, 2670, 2999, 3109)
/// are marked as such, never given a name that passes for BAS, and listed
/// for the accountant; the host can map every role to its own chart.
#[test]
fn own_accounts_are_marked_and_every_role_can_be_mapped() {
    let j = crate::snapshots::journal();
    let name = |a: &str| {
        j.accounts
            .iter()
            .find(|(n, _)| n == a)
            .map(|(_, name)| name.as_str())
    };
    assert_eq!(
        name("2614"),
        Some("Beräknad utgående moms på tjänsteförvärv från utlandet, 25 %")
    );
    assert_eq!(name("1930"), Some("Företagskonto"));
    assert_eq!(name("1589"), Some("Tvistiga kortbetalningar (kassabok)"));
    let own: Vec<&str> = j.own_accounts.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        own,
        ["1588", "1589", "1941", "1942", "2670", "2999", "3109"]
    );
    for (a, n) in &j.own_accounts {
        assert!(n.ends_with("(kassabok)"), "{a} {n}");
    }
    assert!(
        j.review_markdown()
            .contains("## Accounts kassabok chose (7)")
    );

    // Every role the mapper books can be put on the firm's own account.
    let p = Provider::Stripe;
    let roles = [
        Role::Bank,
        Role::Clearing { provider: p },
        Role::Disputed { provider: p },
        Role::Reserve { provider: p },
        Role::GatewayReceivable,
        Role::CustomerReceivable,
        Role::PayPal {
            currency: Currency::SEK,
        },
        Role::SalesDomestic { rate: rate(25) },
        Role::SalesExempt,
        Role::Tips,
        Role::SalesExport,
        Role::SalesEuB2b,
        Role::SalesEuB2bServices,
        Role::SalesExportServices,
        Role::SalesEuB2c { rate: rate(25) },
        Role::SalesOss {
            country: "DE".parse().unwrap(),
        },
        Role::OutputVat { rate: rate(25) },
        Role::OssVat {
            country: "DE".parse().unwrap(),
        },
        Role::InputVat,
        Role::ForeignFeeVat {
            provider: p,
            category: FeeCategory::Processing,
        },
        Role::ReverseChargeOutputVat,
        Role::ReverseChargeInputVat,
        Role::ReverseChargeBase,
        Role::ReverseChargeBaseContra,
        Role::Fee {
            provider: p,
            category: FeeCategory::Shipping,
        },
        Role::SupplierPayable,
        Role::GiftCardLiability,
        Role::BadDebt,
        Role::FxGain,
        Role::FxLoss,
        Role::Rounding,
        Role::Suspense,
    ];
    let mut chart = Chart::default();
    for (i, role) in (8000..).zip(roles) {
        chart.set(role, i.to_string());
    }
    for (i, role) in (8000..).zip(roles) {
        assert_eq!(chart.account(&role), Some(i.to_string()), "{role:?}");
    }
    let chart = chart.with_name("8003", "Stripe reserv");
    assert_eq!(chart.origin("8003"), AccountOrigin::Host);
    assert_eq!(chart.account_name("8003"), "Stripe reserv");
    assert_eq!(chart.origin("8004"), AccountOrigin::Host);
    assert_eq!(chart.origin("2611"), AccountOrigin::Bas);
    assert_eq!(Chart::default().origin("1942"), AccountOrigin::Kassabok);
}

/// Kontantmetod over the same boundary: a sale is paid when its money reaches
/// the firm, so the payout created on 31 March that arrives on 2 April
/// (<https://docs.stripe.com/api/payouts/object#payout_object-arrival_date>)
/// is booked whole in April and nothing of it in March; the line of 31 March
/// that no payout carries yet is listed as not paid out in March and booked
/// by neither month. Each line lands once across March and April.
#[test]
fn kontantmetod_books_a_payout_whole_in_the_month_it_reaches_the_bank() {
    let mut a = sline(
        Provider::Stripe,
        "txn_a",
        SettlementKind::Charge,
        sek("100.00"),
        vec![],
        None,
    );
    a.occurred_at = datetime!(2026-03-30 10:00 UTC);
    let mut p = payout(Provider::Stripe, "po_31", vec![a]);
    p.created_at = datetime!(2026-03-31 04:00 UTC);
    p.arrival_date = date!(2026 - 04 - 02);
    let mut b = sline(
        Provider::Stripe,
        "txn_b",
        SettlementKind::Charge,
        sek("50.00"),
        vec![],
        None,
    );
    b.occurred_at = datetime!(2026-03-31 20:00 UTC);
    let policy = Policy::default().with_method(AccountingMethod::Kontantmetod);
    let april = Period::month(2026, time::Month::April).unwrap();
    let close = |period: Period, status: PayoutStatus| {
        let mut p = p.clone();
        p.status = status;
        let mut mp = Mapper::new(Chart::default(), policy.clone(), rates(), period);
        mp.add_payout(&p);
        mp.add_balance_line(&BalanceLine {
            provider: Provider::Stripe,
            line: b.clone(),
        });
        balanced(mp.finish())
    };
    let march = close(march(), PayoutStatus::InTransit);
    assert!(march.vouchers.is_empty(), "{:#?}", march.vouchers);
    assert!(march.booked_lines.is_empty());
    let kinds: Vec<_> = march
        .outstanding
        .iter()
        .map(|o| (o.source.id.as_str(), o.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("txn_b", OutstandingKind::NotPaidOut),
            (
                "po_31",
                OutstandingKind::PayoutInTransit {
                    arrival_date: date!(2026 - 04 - 02)
                }
            ),
        ]
    );

    let april = close(april, PayoutStatus::Paid);
    assert_eq!(april.vouchers.len(), 1, "{:#?}", april.vouchers);
    assert_eq!(april.vouchers[0].date, date!(2026 - 04 - 02));
    assert_eq!(
        april.booked_lines.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec!["txn_a"]
    );
    assert!(april.outstanding.is_empty());
}
