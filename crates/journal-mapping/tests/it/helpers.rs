//! Hand-made records.

use bookkeeping_core::*;
use journal_mapping::{Chart, FixedRates, Journal, Mapper, Policy, Voucher};
use rust_decimal::Decimal;
use time::macros::{date, datetime};
use time::{Month, OffsetDateTime};

pub(crate) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(crate) fn m(s: &str, c: Currency) -> Money {
    Money::parse(s, c).unwrap()
}

pub(crate) fn sek(s: &str) -> Money {
    m(s, Currency::SEK)
}

pub(crate) fn rate(p: i64) -> VatRate {
    VatRate::from_percent(Decimal::from(p))
}

pub(crate) fn march() -> Period {
    Period::month(2026, Month::March).unwrap()
}

pub(crate) fn rates() -> FixedRates {
    FixedRates::new()
        .with(Currency::EUR, date!(2026 - 01 - 01), d("11.50"))
        .with(Currency::EUR, date!(2026 - 03 - 10), d("11.20"))
        .with(Currency::USD, date!(2026 - 01 - 01), d("10.00"))
        .with(Currency::NOK, date!(2026 - 01 - 01), d("0.95"))
        .with(Currency::JPY, date!(2026 - 01 - 01), d("0.0712"))
}

pub(crate) const T: OffsetDateTime = datetime!(2026-03-02 10:15 UTC);

pub(crate) fn line(treatment: TaxTreatment, r: Option<i64>, net: Money, vat: Money) -> SaleLine {
    SaleLine {
        kind: LineKind::Goods,
        description: "Vara".into(),
        net,
        vat,
        vat_rate: r.map(rate),
        treatment,
    }
}

pub(crate) fn domestic(r: i64, net: &str, vat: &str) -> SaleLine {
    line(TaxTreatment::Domestic, Some(r), sek(net), sek(vat))
}

pub(crate) fn pay(channel: PaymentChannel, amount: Money) -> Payment {
    Payment {
        gateway: match &channel {
            PaymentChannel::Provider(p) => p.as_str().into(),
            PaymentChannel::GiftCard => "gift_card".into(),
            _ => "manual".into(),
        },
        channel,
        amount,
        reference: None,
        processed_at: None,
    }
}

pub(crate) fn sale(provider: Provider, id: &str, at: OffsetDateTime, lines: Vec<SaleLine>) -> Sale {
    let currency = lines.first().map_or(Currency::SEK, |l| l.net.currency());
    let total = Money::sum(currency, lines.iter().flat_map(|l| [&l.net, &l.vat])).unwrap();
    Sale {
        source: SourceRef::new(provider, "order", id),
        document_number: format!("#{id}").into(),
        occurred_at: at,
        currency,
        lines,
        customer: Customer::default(),
        payments: vec![pay(PaymentChannel::Provider(provider), total)],
        test: false,
    }
}

pub(crate) fn shop_sale(id: &str, lines: Vec<SaleLine>) -> Sale {
    sale(Provider::Shopify, id, T, lines)
}

pub(crate) fn fee(provider: Provider, kind: FeeKind, amount: Money, vat: Option<Money>) -> Fee {
    Fee {
        source: SourceRef::new(provider, "fee", "f1"),
        provider,
        kind,
        amount,
        vat,
        occurred_at: T,
        description: "fee".into(),
    }
}

pub(crate) fn sline(
    provider: Provider,
    id: &str,
    kind: SettlementKind,
    gross: Money,
    fees: Vec<Fee>,
    related: Option<SourceRef>,
) -> SettlementLine {
    let f = Money::sum(gross.currency(), fees.iter().map(|f| &f.amount)).unwrap();
    SettlementLine {
        source: SourceRef::new(provider, "balance_transaction", id),
        kind,
        occurred_at: T,
        net: gross.checked_sub(&f).unwrap(),
        gross,
        fees,
        related,
        reference: None,
        original: None,
        exchange_rate: None,
        description: "line".into(),
    }
}

pub(crate) fn payout(provider: Provider, id: &str, lines: Vec<SettlementLine>) -> Payout {
    let currency = lines.first().map_or(Currency::SEK, |l| l.net.currency());
    let amount = Money::sum(currency, lines.iter().map(|l| &l.net)).unwrap();
    Payout {
        source: SourceRef::new(provider, "payout", id),
        provider,
        status: PayoutStatus::Paid,
        created_at: datetime!(2026-03-04 08:00 UTC),
        arrival_date: date!(2026 - 03 - 05),
        amount,
        bank_reference: None,
        failed_at: None,
        lines,
    }
}

pub(crate) fn mapper(policy: Policy) -> Mapper<FixedRates> {
    Mapper::new(Chart::default(), policy, rates(), march())
}

/// The postings of a voucher as (account, amount) pairs, sorted.
pub(crate) fn rows(v: &Voucher) -> Vec<(String, Decimal)> {
    let mut r: Vec<(String, Decimal)> = v
        .postings
        .iter()
        .map(|p| (p.account.clone(), p.amount.normalize()))
        .collect();
    r.sort();
    r
}

pub(crate) fn expect(pairs: &[(&str, &str)]) -> Vec<(String, Decimal)> {
    let mut r: Vec<(String, Decimal)> = pairs
        .iter()
        .map(|(a, x)| ((*a).to_owned(), d(x).normalize()))
        .collect();
    r.sort();
    r
}

/// Asserts every voucher balances and returns the journal.
pub(crate) fn balanced(j: Journal) -> Journal {
    for v in &j.vouchers {
        assert!(
            v.is_balanced(),
            "voucher {} does not balance: {:?}",
            v.text,
            rows(v)
        );
    }
    j
}

pub(crate) fn only(j: &Journal) -> &Voucher {
    assert_eq!(j.vouchers.len(), 1, "{:#?}", j.vouchers);
    &j.vouchers[0]
}

/// A small March of a Swedish web shop across all four providers.
pub(crate) fn small_month() -> journal_mapping::MappingInput {
    use PaymentChannel::{External, GiftCard};
    let prov = PaymentChannel::Provider;
    let at = |day: u8| {
        time::Date::from_calendar_date(2026, Month::March, day)
            .unwrap()
            .with_hms(10, 0, 0)
            .unwrap()
            .assume_utc()
    };
    let mut s1 = sale(
        Provider::Shopify,
        "1001",
        at(2),
        vec![domestic(25, "80.00", "20.00")],
    );
    s1.payments[0].gateway = "shopify_payments".into();
    let mut s2 = sale(
        Provider::Shopify,
        "1002",
        at(3),
        vec![
            domestic(12, "200.00", "24.00"),
            domestic(25, "33.33", "8.33"),
        ],
    );
    s2.payments = vec![pay(prov(Provider::Klarna), sek("265.66"))];
    let mut s3 = sale(
        Provider::Shopify,
        "1003",
        at(6),
        vec![domestic(25, "400.00", "100.00")],
    );
    s3.payments = vec![Payment {
        gateway: "Swish".into(),
        ..pay(External, sek("500.00"))
    }];
    let mut s4 = sale(Provider::Shopify, "1004", at(7), vec![]);
    s4.lines = vec![SaleLine {
        kind: LineKind::GiftCard,
        description: "Presentkort".into(),
        net: sek("300.00"),
        vat: sek("0"),
        vat_rate: None,
        treatment: TaxTreatment::Exempt,
    }];
    s4.payments = vec![pay(prov(Provider::Shopify), sek("300.00"))];
    let mut s5 = sale(
        Provider::Shopify,
        "1005",
        at(8),
        vec![domestic(25, "160.00", "40.00")],
    );
    s5.payments = vec![
        pay(GiftCard, sek("150.00")),
        pay(prov(Provider::Shopify), sek("50.00")),
    ];
    let mut s6 = sale(
        Provider::Shopify,
        "1006",
        at(9),
        vec![domestic(25, "80.00", "20.00")],
    );
    s6.payments = vec![pay(prov(Provider::PayPal), sek("100.00"))];
    let mut test = sale(
        Provider::Shopify,
        "1007",
        at(9),
        vec![domestic(25, "80.00", "20.00")],
    );
    test.test = true;
    let april = sale(
        Provider::Shopify,
        "1008",
        datetime!(2026-03-31 22:30 UTC),
        vec![domestic(25, "80.00", "20.00")],
    );
    let de: CountryCode = "DE".parse().unwrap();
    let mut eur = sale(
        Provider::Stripe,
        "ch_eur",
        at(4),
        vec![line(
            TaxTreatment::EuOss { country: de },
            Some(19),
            m("100.00", Currency::EUR),
            m("19.00", Currency::EUR),
        )],
    );
    eur.customer.country = Some(de);
    let mut inv = sale(
        Provider::Stripe,
        "in_1",
        at(5),
        vec![line(
            TaxTreatment::EuB2bReverseCharge,
            Some(0),
            sek("2000.00"),
            sek("0"),
        )],
    );
    inv.source = SourceRef::new(Provider::Stripe, "invoice", "in_1");
    inv.document_number = "INV-0001".into();
    inv.customer = Customer {
        country: Some("FI".parse().unwrap()),
        vat_number: Some("FI12345678".into()),
    };
    inv.payments = vec![Payment {
        processed_at: Some(at(10)),
        ..pay(prov(Provider::Stripe), sek("2000.00"))
    }];

    let refund = Refund {
        source: SourceRef::new(Provider::Shopify, "refund", "r1"),
        sale: s1.source.clone(),
        document_number: "#1001".into(),
        occurred_at: at(11),
        currency: Currency::SEK,
        lines: vec![],
        customer: Customer::default(),
        payments: vec![pay(prov(Provider::Shopify), sek("33.33"))],
        sale_occurred_at: None,
    };

    let mut shop_payout = payout(
        Provider::Shopify,
        "sp1",
        vec![
            sline(
                Provider::Shopify,
                "bt1",
                SettlementKind::Charge,
                sek("100.00"),
                vec![fee(
                    Provider::Shopify,
                    FeeKind::Processing,
                    sek("2.45"),
                    None,
                )],
                Some(s1.source.clone()),
            ),
            sline(
                Provider::Shopify,
                "bt2",
                SettlementKind::Charge,
                sek("300.00"),
                vec![fee(
                    Provider::Shopify,
                    FeeKind::Processing,
                    sek("6.25"),
                    None,
                )],
                Some(s4.source.clone()),
            ),
            sline(
                Provider::Shopify,
                "bt3",
                SettlementKind::Charge,
                sek("50.00"),
                vec![fee(
                    Provider::Shopify,
                    FeeKind::Processing,
                    sek("1.33"),
                    None,
                )],
                Some(s5.source.clone()),
            ),
            sline(
                Provider::Shopify,
                "bt4",
                SettlementKind::Refund,
                sek("-33.33"),
                vec![],
                Some(refund.source.clone()),
            ),
        ],
    );
    shop_payout.arrival_date = time::macros::date!(2026 - 03 - 13);
    let mut klarna_line = sline(
        Provider::Klarna,
        "k1",
        SettlementKind::Charge,
        sek("265.66"),
        vec![fee(
            Provider::Klarna,
            FeeKind::Processing,
            sek("8.75"),
            Some(sek("1.75")),
        )],
        None,
    );
    klarna_line.reference = Some("1002".into());
    let mut klarna = payout(
        Provider::Klarna,
        "ks1",
        vec![
            klarna_line,
            sline(
                Provider::Klarna,
                "k2",
                SettlementKind::ReserveHeld,
                sek("-50.00"),
                vec![],
                None,
            ),
        ],
    );
    klarna.arrival_date = time::macros::date!(2026 - 03 - 16);
    let mut eur_line = sline(
        Provider::Stripe,
        "txn_eur",
        SettlementKind::Charge,
        sek("1320.00"),
        vec![fee(
            Provider::Stripe,
            FeeKind::Processing,
            sek("19.80"),
            None,
        )],
        Some(eur.source.clone()),
    );
    eur_line.original = Some(m("119.00", Currency::EUR));
    eur_line.exchange_rate = Some(d("11.0924"));
    let mut stripe = payout(
        Provider::Stripe,
        "po_1",
        vec![
            eur_line,
            sline(
                Provider::Stripe,
                "txn_inv",
                SettlementKind::Charge,
                sek("2000.00"),
                vec![fee(
                    Provider::Stripe,
                    FeeKind::Processing,
                    sek("30.00"),
                    None,
                )],
                Some(inv.source.clone()),
            ),
            sline(
                Provider::Stripe,
                "txn_dp",
                SettlementKind::Dispute,
                sek("-1320.00"),
                vec![fee(Provider::Stripe, FeeKind::Dispute, sek("150.00"), None)],
                Some(eur.source.clone()),
            ),
            sline(
                Provider::Stripe,
                "txn_cl",
                SettlementKind::Unknown("climate_order_purchase".into()),
                sek("-5.00"),
                vec![],
                None,
            ),
        ],
    );
    stripe.arrival_date = time::macros::date!(2026 - 03 - 18);

    let pl = |id: &str, class: StatementClass, amount: Money, reference: Option<&str>, day: u8| {
        StatementLine {
            source: SourceRef::new(Provider::PayPal, "transaction", id),
            booked_at: at(day),
            amount,
            balance_after: None,
            event_code: "T0006".into(),
            class,
            counterparty: None,
            text: "PayPal".into(),
            reference: reference.map(str::to_owned),
            related: None,
        }
    };
    let paypal_sek = Statement {
        account: SourceRef::new(Provider::PayPal, "balance", "SEK"),
        currency: Currency::SEK,
        opening: Some(sek("0")),
        closing: Some(sek("198.75")),
        lines: vec![
            pl(
                "PP1",
                StatementClass::Payment,
                sek("100.00"),
                Some("#1006"),
                9,
            ),
            pl("PP1", StatementClass::Fee, sek("-3.90"), None, 9),
            pl(
                "PP2",
                StatementClass::Payment,
                sek("75.00"),
                Some("#4711"),
                12,
            ),
            pl("PP3", StatementClass::Conversion, sek("227.65"), None, 20),
            pl("PP4", StatementClass::Withdrawal, sek("-200.00"), None, 25),
        ],
        complete: true,
    };
    let paypal_eur = Statement {
        account: SourceRef::new(Provider::PayPal, "balance", "EUR"),
        currency: Currency::EUR,
        opening: Some(m("20.00", Currency::EUR)),
        closing: Some(m("0.00", Currency::EUR)),
        lines: vec![pl(
            "PP3",
            StatementClass::Conversion,
            m("-20.00", Currency::EUR),
            None,
            20,
        )],
        complete: true,
    };
    journal_mapping::MappingInput {
        sales: vec![s1, s2, s3, s4, s5, s6, test, april, eur, inv],
        refunds: vec![refund],
        payouts: vec![shop_payout, klarna, stripe],
        balance_lines: vec![],
        statements: vec![paypal_sek, paypal_eur],
        disputes_lost: vec![],
        fees: vec![],
        review: vec![],
    }
}

/// Two monthly closes add up, on each of `accounts`, to one close of both
/// months.
pub(crate) fn assert_months_add_up(
    first: &Journal,
    second: &Journal,
    both: &Journal,
    accounts: &[&str],
) {
    for account in accounts {
        assert_eq!(
            first.balance(account) + second.balance(account),
            both.balance(account),
            "{account}"
        );
    }
}
