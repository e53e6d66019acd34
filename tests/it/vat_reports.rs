//! The accountant's reports for the sandbox month, against figures computed
//! by hand from the scenario the sandbox serves: foreign sales booked at the
//! Riksbank's rates with no manual setup, the OSS return at the ECB's rate
//! of the month's last day, the EC sales list per customer VAT number.

use std::collections::BTreeMap;

use kassabok::core::{Currency, ReviewReason, stockholm_date};
use kassabok::mapping::{Chart, Policy};
use kassabok::rates::{EcbClient, EcbRates, RiksbankClient, RiksbankRates};
use kassabok::reports::{EcSalesList, OssReport, ReturnPeriod};
use provider_sandbox::rates::{riksbank_rate, start_ecb, start_riksbank};
use provider_sandbox::scenario::OrderTax;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use rust_decimal::{Decimal, RoundingStrategy};
use time::Duration;

use crate::support::{close, march};

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[tokio::test]
async fn oss_and_ec_sales_list_of_the_sandbox_month() {
    let period = march();
    let sandbox = Sandbox::start(&ScenarioConfig::small(period), Faults::none()).await;
    let (fetched, _) = close(&sandbox, period).await;
    let until = period.last() + Duration::days(40);
    let (rb, ecb_server) = (
        start_riksbank(until, Faults::none()).await,
        start_ecb(until, Faults::none()).await,
    );

    // Booking: the Riksbank's rates, fetched once per currency.
    let riksbank = RiksbankRates::new(
        RiksbankClient::builder()
            .base_url(rb.uri())
            .build()
            .unwrap(),
    );
    riksbank
        .prefetch(
            [Currency::EUR, Currency::USD],
            period.first() - Duration::days(62),
            period.last() + Duration::days(31),
        )
        .await
        .unwrap();
    let journal = fetched.map(Chart::bas2025(), Policy::default(), &riksbank, period);
    assert!(journal.is_balanced());
    assert!(
        !journal
            .review
            .iter()
            .any(|r| r.reason == ReviewReason::Currency),
        "every foreign amount has a rate: {:#?}",
        journal.review
    );
    assert!(!riksbank.used().is_empty());

    // OSS: the ECB's rate for 31 March 2026 (a Tuesday), in the sandbox the
    // market's 11.1664 + 0.0025.
    let ecb = EcbRates::new(
        EcbClient::builder()
            .base_url(ecb_server.uri())
            .build()
            .unwrap(),
    );
    for (currency, day) in OssReport::rates_needed(period, &fetched.sales) {
        ecb.oss_rate(currency, day).await.unwrap();
    }
    let oss = OssReport::build(period, &fetched.sales, &ecb);
    assert!(oss.review.is_empty(), "{:#?}", oss.review);
    let sek_per_eur = Decimal::new(111_689, 4);

    // By hand: the scenario's OSS orders of the month, net and VAT in öre per
    // (country, rate): lines and shipping at their gross minus VAT, minus the
    // month's refunds of them.
    let mut by_hand: BTreeMap<(String, Decimal), (i64, i64)> = BTreeMap::new();
    for o in &sandbox.scenario.orders {
        let OrderTax::Oss(country) = &o.tax else {
            continue;
        };
        if period.contains_date(stockholm_date(o.processed_at)) {
            for l in o.lines.iter().filter(|l| !l.gift_card) {
                let e = by_hand
                    .entry((country.to_string(), l.vat_rate.normalize()))
                    .or_default();
                e.0 += l.gross() - l.vat;
                e.1 += l.vat;
            }
            if let Some(s) = &o.shipping {
                let e = by_hand
                    .entry((country.to_string(), s.vat_rate.normalize()))
                    .or_default();
                e.0 += s.price - s.vat;
                e.1 += s.vat;
            }
        }
        for r in o
            .refunds
            .iter()
            .filter(|r| period.contains_date(stockholm_date(r.created_at)))
        {
            for rl in &r.lines {
                let line = o.lines.iter().find(|l| l.id == rl.line_id).unwrap();
                let e = by_hand
                    .entry((country.to_string(), line.vat_rate.normalize()))
                    .or_default();
                e.0 -= rl.subtotal - rl.vat;
                e.1 -= rl.vat;
            }
        }
    }
    assert!(!by_hand.is_empty(), "the sandbox month has OSS sales");
    let month: Vec<_> = oss
        .rows
        .iter()
        .filter(|r| r.period == ReturnPeriod::month_of(period.first()) && r.corrects.is_none())
        .collect();
    assert_eq!(month.len(), by_hand.len(), "{month:#?}");
    for ((country, rate), (net, vat)) in &by_hand {
        let row = month
            .iter()
            .find(|r| r.country.as_str() == country && r.vat_rate.percent() == *rate)
            .unwrap_or_else(|| panic!("no OSS line {country} {rate}"));
        let eur = |ore: i64| round2(Decimal::new(ore, 2) / sek_per_eur);
        assert_eq!(
            (row.taxable_eur, row.vat_eur),
            (eur(*net), eur(*vat)),
            "{country} {rate}"
        );
        assert_eq!(row.rates[0].per_eur, sek_per_eur);
    }

    // EC sales list. By hand: Shopify's EU B2B orders (goods, SEK, no VAT)
    // per VAT number, and Stripe's reverse-charge invoices (services by
    // default, in EUR at the Riksbank's rate of the invoice date).
    let ec = EcSalesList::build(period, &fetched.sales, &riksbank);
    let mut goods: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut services: BTreeMap<String, Decimal> = BTreeMap::new();
    for o in &sandbox.scenario.orders {
        if o.tax != OrderTax::EuB2b || !period.contains_date(stockholm_date(o.processed_at)) {
            continue;
        }
        let ore: i64 = o.lines.iter().map(|l| l.gross() - l.vat).sum::<i64>()
            + o.shipping.as_ref().map_or(0, |s| s.price - s.vat);
        *goods.entry(o.vat_number.clone().unwrap()).or_default() += Decimal::new(ore, 2);
    }
    for inv in &sandbox.scenario.invoices {
        let day = stockholm_date(inv.finalized_at);
        if !period.contains_date(day) || inv.customer.tax_exempt != "reverse" {
            continue;
        }
        // The last rate the Riksbank published on or before the invoice date.
        let rate = (0..7)
            .find_map(|back| riksbank_rate(inv.currency, day - Duration::days(back)))
            .unwrap();
        let cents: i64 = inv.lines.iter().map(|l| l.amount).sum();
        *services
            .entry(inv.customer.vat_number.clone().unwrap())
            .or_default() += round2(Decimal::new(cents, 2) * rate);
    }
    assert!(
        !goods.is_empty() && !services.is_empty(),
        "the sandbox month has both"
    );
    assert_eq!(
        ec.rows.len(),
        goods.len() + services.len(),
        "{:#?}",
        ec.rows
    );
    for row in &ec.rows {
        assert_eq!(
            row.goods_sek,
            goods.get(&row.vat_number).copied(),
            "{}",
            row.vat_number
        );
        assert_eq!(
            row.services_sek,
            services.get(&row.vat_number).copied(),
            "{}",
            row.vat_number
        );
        assert_eq!(row.triangular_sek, None);
    }
    assert!(ec.review.is_empty(), "{:#?}", ec.review);
}
