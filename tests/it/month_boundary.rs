//! Two consecutive sandbox months, closed one at a time and as one period:
//! the period rule of docs/accounting.md ("Periods") at the month's edge.
//!
//! Provider facts the sandbox plays (and these tests rely on):
//! - Stripe lists balance transactions by `created` whether paid out or not
//!   (<https://docs.stripe.com/api/balance_transactions/list>), and a payout's
//!   `arrival_date` is the date it is expected at the bank
//!   (<https://docs.stripe.com/api/payouts/object#payout_object-arrival_date>);
//!   an invoice is `open` until paid (<https://docs.stripe.com/invoicing/overview#invoice-lifecycle>).
//! - Shopify Payments balance transactions carry `transactionDate` and an
//!   `associatedPayout` whose id is null until paid out, and are filtered by
//!   `processed_at` (`ShopifyPaymentsBalanceTransaction`,
//!   `ShopifyPaymentsAccount.balanceTransactions` in
//!   /work/shared/fixtures/shopify/admin-graphql-2026-01.schema.graphql).

use std::collections::BTreeMap;
use std::sync::Arc;

use kassabok::core::{Period, Provider, SourceRef, stockholm_midnight};
use kassabok::mapping::{Journal, OutstandingKind, SieExport, VoucherKind};
use provider_sandbox::scenario::{BoundaryKind, Scenario};
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use rust_decimal::Decimal;
use time::macros::date;
use time::{Date, Duration, Month, OffsetDateTime};

use crate::support::close;

fn april() -> Period {
    Period::month(2026, Month::April).unwrap()
}

fn march() -> Period {
    crate::support::march()
}

/// March and April 2026, with the boundary cases at the end of March.
fn scenario() -> Scenario {
    let both = Period::new(date!(2026 - 03 - 01), date!(2026 - 04 - 30)).unwrap();
    Scenario::generate(&ScenarioConfig::small(both))
}

/// `days` days after `period` ends, at `hour`:00 in Stockholm.
fn after(period: Period, days: i64, hour: i64) -> OffsetDateTime {
    stockholm_midnight(period.last() + Duration::days(days)) + Duration::hours(hour)
}

/// Closes `period` against the sandbox as it stands at `now`.
async fn close_at(scenario: &Scenario, period: Period, now: OffsetDateTime) -> Journal {
    let sandbox = Sandbox::start_with(Arc::new(scenario.at(now)), Faults::none()).await;
    let (_, journal) = close(&sandbox, period).await;
    for v in &journal.vouchers {
        assert!(v.is_balanced(), "{v:?}");
    }
    journal
}

fn sie(journal: &Journal) -> Vec<u8> {
    let mut export = SieExport::new("Kaffekompaniet i Göteborg AB", date!(2026 - 06 - 10));
    export.org_nr = Some("556677-8899".to_owned());
    kassabok::sie::write(
        &journal.to_sie(&export),
        &kassabok::sie::WriteOptions::default(),
    )
    .unwrap()
}

/// Every provider line a journal booked: the vouchers' sources (orders,
/// refunds, invoices, PayPal lines, balance transactions not yet paid out)
/// and the settlement lines booked inside payout vouchers. Payouts
/// themselves are left out: a payout is cited by the month that books its
/// lines and by the month it reaches the bank.
///
/// The payment of an invoice is an event of its own (1510 → 1580 in the
/// month it is paid), so invoice-payment vouchers are left out too.
fn booked(journal: &Journal) -> Vec<SourceRef> {
    let mut out: Vec<SourceRef> = journal
        .vouchers
        .iter()
        .filter(|v| v.kind != VoucherKind::InvoicePayment)
        // A lost dispute names the sale it concerned after its own source:
        // a reference, not a booking of that sale.
        .flat_map(|v| {
            let own = if v.kind == VoucherKind::DisputeLost {
                1
            } else {
                v.sources.len()
            };
            v.sources.iter().take(own).cloned()
        })
        .chain(journal.booked_lines.iter())
        .filter(|s| s.kind != "payout")
        .collect();
    out.sort();
    out.dedup();
    out
}

fn case(scenario: &Scenario, kind: BoundaryKind) -> &provider_sandbox::scenario::BoundaryCase {
    scenario
        .boundary_case(kind)
        .unwrap_or_else(|| panic!("the scenario has a {kind:?} case"))
}

fn books(journal: &Journal, provider: Provider, id_suffix: &str) -> bool {
    booked(journal)
        .iter()
        .any(|s| s.provider == provider && s.id.ends_with(id_suffix))
}

/// The journals of March (closed on 1 April) and April (closed on 1 May),
/// each checked against the same close run 40 days after the month's end.
struct Months {
    scenario: Scenario,
    march: Journal,
    april: Journal,
}

async fn months() -> Months {
    let scenario = scenario();
    let march = close_at(&scenario, march(), after(march(), 1, 8)).await;
    let april = close_at(&scenario, april(), after(april(), 1, 8)).await;
    Months {
        scenario,
        march,
        april,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_month_is_the_same_whatever_day_the_close_runs() {
    let scenario = scenario();
    for period in [march(), april()] {
        let early = close_at(&scenario, period, after(period, 1, 8)).await;
        let late = close_at(&scenario, period, after(period, 40, 12)).await;
        assert_eq!(early.vouchers, late.vouchers, "{period}");
        assert_eq!(early.booked_lines, late.booked_lines, "{period}");
        assert_eq!(sie(&early), sie(&late), "{period}");
        assert_eq!(early.outstanding, late.outstanding, "{period}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_line_is_booked_in_exactly_one_month() {
    let m = months().await;
    let (in_march, in_april) = (booked(&m.march), booked(&m.april));
    let both: Vec<&SourceRef> = in_march.iter().filter(|s| in_april.contains(s)).collect();
    assert!(both.is_empty(), "booked in March and in April: {both:#?}");
    // Within a month, no line is booked twice.
    for j in [&m.march, &m.april] {
        let mut lines = j.booked_lines.to_vec();
        lines.dedup();
        assert_eq!(lines.len(), j.booked_lines.len());
    }

    // Nothing dated in the two months is lost: every order, refund, Stripe
    // invoice, Stripe and Shopify Payments balance transaction and PayPal
    // line of March or April, and every line of a Klarna settlement paid out
    // in them, is booked in one of the two.
    let s = &m.scenario;
    let period = s.config.period;
    let in_either = |provider: Provider, id: &str| {
        books(&m.march, provider, id) || books(&m.april, provider, id)
    };
    let mut missing = Vec::new();
    for o in &s.orders {
        if !in_either(Provider::Shopify, &format!("/{}", o.id))
            && !in_either(Provider::Shopify, &o.id.to_string())
        {
            missing.push(format!("order {}", o.name));
        }
        for r in &o.refunds {
            if period.contains(r.created_at) && !in_either(Provider::Shopify, &r.id.to_string()) {
                missing.push(format!("refund {} of {}", r.id, o.name));
            }
        }
    }
    for inv in &s.invoices {
        if !in_either(Provider::Stripe, &inv.id) {
            missing.push(format!("invoice {}", inv.number));
        }
    }
    for (provider, payouts) in [
        (Provider::Shopify, &s.shopify_payouts),
        (Provider::Stripe, &s.stripe_payouts),
    ] {
        for item in payouts.iter().flat_map(|p| &p.items) {
            if period.contains(item.occurred_at) && !in_either(provider, &item.id) {
                missing.push(format!("{provider} line {}", item.id));
            }
        }
    }
    // Klarna publishes a settlement's lines with it: each settlement paid
    // out in the two months is booked whole by exactly one of them, its own.
    for p in s
        .klarna_payouts
        .iter()
        .filter(|p| period.contains(p.created_at))
    {
        let cites = |j: &Journal| {
            j.vouchers.iter().any(|v| {
                v.sources
                    .iter()
                    .any(|x| x.provider == Provider::Klarna && x.id == p.id)
            })
        };
        let months = [march(), april()];
        let booked_in: Vec<_> = [&m.march, &m.april]
            .into_iter()
            .zip(months)
            .filter(|(j, _)| cites(j))
            .map(|(_, month)| month)
            .collect();
        assert_eq!(
            booked_in.len(),
            1,
            "Klarna settlement {} booked in {booked_in:?}",
            p.id
        );
        assert!(booked_in[0].contains(p.created_at), "{}", p.id);
    }
    for t in &s.paypal.transactions {
        if period.contains(t.initiated_at) && !in_either(Provider::PayPal, &t.id) {
            missing.push(format!("paypal {} {}", t.event_code, t.id));
        }
    }
    assert!(missing.is_empty(), "booked in neither month: {missing:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_monthly_closes_add_up_to_one_close_of_both_months() {
    let m = months().await;
    let both = close_at(
        &m.scenario,
        m.scenario.config.period,
        after(april(), 40, 12),
    )
    .await;
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for (sign, j) in [
        (Decimal::ONE, &m.march),
        (Decimal::ONE, &m.april),
        (-Decimal::ONE, &both),
    ] {
        for v in &j.vouchers {
            for p in &v.postings {
                *sums.entry(p.account.clone()).or_default() += sign * p.amount;
            }
        }
    }
    let differs: Vec<_> = sums.iter().filter(|(_, d)| !d.is_zero()).collect();
    let on = |j: &Journal, account: &str| -> Vec<String> {
        j.vouchers
            .iter()
            .filter(|v| {
                v.postings.iter().any(|p| {
                    differs
                        .iter()
                        .any(|(a, _)| *a == account && p.account == account)
                })
            })
            .map(|v| format!("{} {} {:?}", v.date, v.text, v.sources))
            .collect()
    };
    assert!(
        differs.is_empty(),
        "per account, March + April − (March..April): {differs:#?}\nMarch: {:#?}\nApril: {:#?}\nboth: {:#?}",
        on(&m.march, "2999"),
        on(&m.april, "2999"),
        on(&both, "2999")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_boundary_case_lands_in_the_month_the_rule_gives() {
    let m = months().await;
    let s = &m.scenario;
    let last_of_march: Date = date!(2026 - 03 - 31);

    // A Stripe payout created on 31 March that arrives on 2 April: its
    // charge and fee are March's, its transfer to 1930 April's, and March's
    // review lists it in transit.
    let c = case(s, BoundaryKind::StripePayoutArrivesNextMonth);
    let po = c.payout.clone().unwrap();
    let plan = s.stripe_payouts.iter().find(|p| p.id == po).unwrap();
    assert_eq!(plan.arrival_date, date!(2026 - 04 - 02));
    let item = &plan.items[0];
    assert!(books(&m.march, Provider::Stripe, &item.id));
    assert!(!books(&m.april, Provider::Stripe, &item.id));
    let part = m
        .march
        .vouchers
        .iter()
        .find(|v| v.text.contains(&po) || v.sources.iter().any(|x| x.id == po))
        .expect("March books the payout's March lines");
    assert_eq!(part.date, last_of_march);
    assert_eq!(part.amount_on("1930"), Decimal::ZERO);
    let fee = Decimal::new(item.fee, 2);
    assert_eq!(part.amount_on("1580"), -fee, "{part:#?}");
    let transfer = m
        .april
        .vouchers
        .iter()
        .find(|v| v.sources.iter().any(|x| x.id == po))
        .expect("April books the transfer");
    assert_eq!(transfer.date, date!(2026 - 04 - 02));
    assert_eq!(transfer.amount_on("1930"), Decimal::new(plan.amount(), 2));
    assert_eq!(transfer.amount_on("1580"), -Decimal::new(plan.amount(), 2));
    assert!(m.march.outstanding.iter().any(|o| o.source.id == po
        && matches!(o.kind, OutstandingKind::PayoutInTransit { arrival_date } if arrival_date == plan.arrival_date)));
    let review = m.march.review_markdown();
    assert!(review.contains(&po), "{review}");
    let rec = m
        .april
        .reconciliations
        .iter()
        .find(|r| r.payout.id == po)
        .unwrap();
    assert!(rec.is_reconciled(), "{rec:?}");
    assert_eq!(rec.carried_over_lines, 1);

    // A Shopify Payments charge still pending at the end of March: booked in
    // March and listed as not paid out; April's payout only carries it.
    let c = case(s, BoundaryKind::ShopifyChargePendingAtMonthEnd);
    let po = c.payout.clone().unwrap();
    let plan = s.shopify_payouts.iter().find(|p| p.id == po).unwrap();
    let item = &plan.items[0];
    assert!(books(&m.march, Provider::Shopify, &item.id));
    assert!(!books(&m.april, Provider::Shopify, &item.id));
    assert!(
        m.march
            .outstanding
            .iter()
            .any(|o| o.kind == OutstandingKind::NotPaidOut
                && o.source.id.ends_with(&item.id)
                && o.amount_sek == Decimal::new(item.net(), 2))
    );
    assert!(review.contains(&item.id), "{review}");
    let rec = m
        .april
        .reconciliations
        .iter()
        .find(|r| r.payout.id.ends_with(&po))
        .unwrap();
    assert!(rec.is_reconciled(), "{rec:?}");
    assert_eq!(rec.carried_over_lines, 1);

    // A Klarna sale of 30 March settled on 3 April: the sale is March's, the
    // whole settlement (line, fee and transfer) April's.
    let c = case(s, BoundaryKind::KlarnaSettledNextMonth);
    let order = &s.orders[c.order.unwrap()];
    let plan = s
        .klarna_payouts
        .iter()
        .find(|p| Some(&p.id) == c.payout.as_ref())
        .unwrap();
    assert!(books(&m.march, Provider::Shopify, &order.id.to_string()));
    let cites = |j: &Journal| {
        j.vouchers
            .iter()
            .filter(|v| v.sources.iter().any(|x| x.id == plan.id))
            .map(|v| v.date)
            .collect::<Vec<_>>()
    };
    assert_eq!(cites(&m.april), vec![date!(2026 - 04 - 03)]);
    assert!(cites(&m.march).is_empty());
    let rec = m
        .april
        .reconciliations
        .iter()
        .find(|r| r.payout.id == plan.id)
        .unwrap();
    assert!(rec.is_reconciled(), "{rec:?}");
    assert_eq!(rec.carried_over_lines, 1, "the sale is March's: {rec:?}");

    // A PayPal receipt three minutes after midnight for a sale two minutes
    // before it: the sale is March's, the receipt April's, and it settles
    // the clearing account instead of going to suspense.
    let c = case(s, BoundaryKind::PayPalReceiptAfterMidnight);
    let order = &s.orders[c.order.unwrap()];
    let receipt = s
        .paypal
        .transactions
        .iter()
        .find(|t| t.order == c.order && t.event_code == "T0006")
        .unwrap();
    assert!(books(&m.march, Provider::Shopify, &order.id.to_string()));
    assert!(books(&m.april, Provider::PayPal, &receipt.id));
    assert!(
        !m.april
            .review
            .iter()
            .any(|r| r.source.as_ref().is_some_and(|x| x.id == receipt.id)),
        "{:#?}",
        m.april.review
    );
    let day = m
        .april
        .vouchers
        .iter()
        .find(|v| v.sources.iter().any(|x| x.id == receipt.id))
        .unwrap();
    assert_eq!(day.date, date!(2026 - 04 - 01));
    assert_eq!(day.amount_on("2999"), Decimal::ZERO, "{day:#?}");
    assert_eq!(
        day.amount_on("1580"),
        -Decimal::new(receipt.gross, 2),
        "{day:#?}"
    );

    // An order at 00:30 on 1 April in Stockholm (22:30 UTC on 31 March) is April's.
    let c = case(s, BoundaryKind::OrderAfterMidnight);
    let order = &s.orders[c.order.unwrap()];
    assert_eq!(order.processed_at.date(), date!(2026 - 03 - 31));
    assert!(books(&m.april, Provider::Shopify, &order.id.to_string()));
    assert!(!books(&m.march, Provider::Shopify, &order.id.to_string()));

    // A refund on 2 April of an order of 28 March: the order is March's, the refund April's.
    let c = case(s, BoundaryKind::RefundNextMonth);
    let order = &s.orders[c.order.unwrap()];
    let refund = &order.refunds[0];
    assert!(books(&m.march, Provider::Shopify, &order.id.to_string()));
    assert!(books(&m.april, Provider::Shopify, &refund.id.to_string()));
    assert!(!books(&m.march, Provider::Shopify, &refund.id.to_string()));

    // A Stripe invoice issued on 27 March and paid on 4 April: the sale (on
    // the customer receivable) is March's, its charge April's.
    let c = case(s, BoundaryKind::StripeInvoiceOpenAtMonthEnd);
    let inv = &s.invoices[c.invoice.unwrap()];
    assert!(books(&m.march, Provider::Stripe, &inv.id));
    assert!(!books(&m.april, Provider::Stripe, &inv.id));
    let charge = s
        .stripe_payouts
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.invoice == c.invoice)
        .unwrap();
    assert!(books(&m.april, Provider::Stripe, &charge.id));
    assert!(!books(&m.march, Provider::Stripe, &charge.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streaming_close_books_the_boundary_months_like_fetch_and_map() {
    // The boundary cases need the days before a month (a receipt just after
    // midnight settles a sale just before it): `Close` reads them too, and
    // the journal is the same even when every client waits for its turn.
    let scenario = scenario();
    for period in [march(), april()] {
        let now = after(period, 10, 9);
        let expected = close_at(&scenario, period, now).await;
        let sandbox = Sandbox::start_with(Arc::new(scenario.at(now)), Faults::none()).await;
        let closed = crate::support::clients(&sandbox)
            .into_close(period)
            .read_ahead(1)
            .run()
            .await
            .unwrap();
        assert_eq!(closed.journal, expected, "{period:?}");
    }
}

/// A Stripe dispute on a March invoice, opened in March (its `dispute`
/// balance transaction withdraws the invoice's total) and lost in April
/// (the `charge.dispute.closed` event with `status: lost`, Stripe's `event`
/// and `dispute` schemas, stripe/openapi `spec3.json`): March books the
/// withdrawal on the disputed receivable (1589) and no loss; April books the
/// loss once, on the event's Stockholm day, reversing March's sale of the
/// invoice (its revenue and VAT, per rate) and clearing 1589. Each close is
/// the one of `months()`, run the day after its month with the sandbox
/// shop's stored webhook events; the test above shows the same vouchers 40
/// days later, when Stripe's Events API no longer lists the decision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stripe_dispute_opened_in_march_and_lost_in_april_is_booked_once_in_april() {
    use provider_sandbox::scenario::{ItemKind, STRIPE_DISPUTE_DECIDED_AFTER};

    let m = months().await;
    let item = m
        .scenario
        .stripe_payouts
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.kind == ItemKind::Dispute)
        .expect("the scenario disputes one Stripe charge");
    let invoice = &m.scenario.invoices[item.invoice.expect("an invoice's charge")];
    let decided = item.occurred_at + STRIPE_DISPUTE_DECIDED_AFTER;
    assert!(march().contains(invoice.finalized_at) && march().contains(item.occurred_at));
    assert!(april().contains(decided));
    let invoice_ref = SourceRef::new(Provider::Stripe, "invoice", invoice.id.as_str());
    let lost = |j: &Journal| -> Vec<kassabok::mapping::Voucher> {
        j.vouchers
            .iter()
            .filter(|v| v.kind == VoucherKind::DisputeLost && v.provider == Provider::Stripe)
            .cloned()
            .collect()
    };

    // March: the sale and the withdrawal, no Stripe loss.
    assert!(lost(&m.march).is_empty(), "{:#?}", lost(&m.march));
    assert!(books(&m.march, Provider::Stripe, &invoice.id));
    let sek = |minor: i64| Decimal::new(minor, 2);
    // Stripe's share of the disputed receivable (Shopify's disputes use it too).
    let disputed = |j: &Journal| {
        j.vouchers
            .iter()
            .filter(|v| v.provider == Provider::Stripe)
            .flat_map(|v| &v.postings)
            .filter(|p| p.account == "1589")
            .map(|p| p.amount)
            .sum::<Decimal>()
    };
    assert_eq!(disputed(&m.march), sek(invoice.total()));

    // April: the loss, once, reversing the March sale's revenue and VAT.
    let april_lost = lost(&m.april);
    let [v] = april_lost.as_slice() else {
        panic!("one lost dispute in April: {april_lost:#?}");
    };
    assert_eq!(v.date, kassabok::core::stockholm_date(decided));
    assert_eq!(v.sources.get(1), Some(&invoice_ref));
    let mut want: BTreeMap<&str, Decimal> = BTreeMap::new();
    for line in &invoice.lines {
        let (revenue, vat) = match line.tax_rate.normalize().to_string().as_str() {
            "25" => ("3001", "2611"),
            "12" => ("3002", "2621"),
            "6" => ("3003", "2631"),
            other => panic!("the disputed invoice has a line at {other} %"),
        };
        *want.entry(revenue).or_default() += sek(line.amount);
        *want.entry(vat).or_default() += sek(line.tax);
    }
    *want.entry("1589").or_default() -= sek(invoice.total());
    let mut got: BTreeMap<&str, Decimal> = BTreeMap::new();
    for p in &v.postings {
        *got.entry(p.account.as_str()).or_default() += p.amount;
    }
    assert_eq!(got, want);
    assert_eq!(disputed(&m.april), -sek(invoice.total()));
    // The sale itself stays March's.
    assert!(
        !m.april
            .vouchers
            .iter()
            .any(|v| v.kind == VoucherKind::Sale && v.sources.first() == Some(&invoice_ref))
    );
}
