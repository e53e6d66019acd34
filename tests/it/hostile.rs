//! The hostile month: customer-typed HTML, Markdown, line breaks, NUL, bidi
//! overrides, escape sequences, emoji, SIE records and formula starts in
//! every provider's customer-controlled fields (provider_sandbox::hostile).
//! The close completes, books what the plain month books, and the SIE file,
//! the journal CSV and the review stay well formed with nothing of the
//! hostile text turned into markup or a record.

use kassabok::core::Provider;
use kassabok::mapping::{Journal, OutstandingKind, SieExport};
use provider_sandbox::hostile::{HOSTILE, hostile};
use provider_sandbox::scenario::Scenario;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::sync::Arc;
use time::macros::date;

use crate::support::{close, march};

fn sie(journal: &Journal) -> Vec<u8> {
    let mut export = SieExport::new("Kaffekompaniet i Göteborg AB", date!(2026 - 04 - 02));
    export.org_nr = Some("556677-8899".to_owned());
    // The strict writer, as month_close uses it: a character CP437 cannot
    // hold must not stop the close.
    kassabok::sie::write(
        &journal.to_sie(&export),
        &kassabok::sie::WriteOptions::default(),
    )
    .expect("a hostile month still writes an SIE file")
}

fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n') || kassabok::core::text::is_hidden_format(c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_month_closes_well_formed_with_nothing_forged() {
    let plain = Scenario::generate(&ScenarioConfig::small(march()));
    let month = Arc::new(hostile(plain.clone()));
    // Every provider's customer text is hostile.
    assert!(month.orders.iter().all(|o| o.name != plain.orders[0].name));
    assert!(month.invoices.iter().all(|i| i.number.len() > 12));
    assert!(
        month
            .paypal
            .transactions
            .iter()
            .filter_map(|t| t.invoice_id.as_deref())
            .any(|i| i.contains('<') || i.contains('\r') || i.contains('\0') || i.contains('['))
    );

    let calm = Sandbox::start_with(Arc::new(plain), Faults::none()).await;
    let (_, expected) = close(&calm, march()).await;
    let sandbox = Sandbox::start_with(month, Faults::none()).await;
    // The close completes.
    let (fetched, journal) = close(&sandbox, march()).await;
    for p in Provider::ALL {
        assert!(fetched.records.get(&p).copied().unwrap_or(0) > 0, "{p}");
    }

    // It books what the plain month books: the same vouchers, amounts and
    // reconciliations; only texts differ.
    assert!(journal.is_balanced());
    assert_eq!(journal.vouchers().len(), expected.vouchers().len());
    assert_eq!(journal.totals, expected.totals);
    for (v, e) in journal.vouchers().iter().zip(expected.vouchers()) {
        assert_eq!((v.date, v.kind, v.provider), (e.date, e.kind, e.provider));
        let amounts = |v: &kassabok::mapping::Voucher| {
            v.postings
                .iter()
                .map(|p| (p.account.clone(), p.amount))
                .collect::<Vec<_>>()
        };
        assert_eq!(amounts(v), amounts(e), "{}", v.text);
    }
    let unreconciled = |j: &Journal| {
        j.reconciliations()
            .iter()
            .filter(|r| !r.is_reconciled())
            .count()
    };
    assert_eq!(unreconciled(&journal), unreconciled(&expected));
    // The texts SIE cannot hold are listed for review, with provider, object
    // and field.
    let replaced: Vec<_> = journal
        .review_items()
        .iter()
        .filter(|r| r.message.starts_with("written to the SIE file as"))
        .collect();
    assert!(!replaced.is_empty());
    assert!(
        replaced
            .iter()
            .all(|r| r.source.is_some() && r.field.is_some())
    );

    check_outputs(&journal);
    // One voucher per document puts every document number (Shopify order
    // names, Stripe invoice numbers) into voucher texts.
    let per_document = fetched.map(
        kassabok::mapping::Chart::bas2025(),
        kassabok::mapping::Policy::default()
            .with_granularity(kassabok::mapping::Granularity::PerDocument),
        crate::support::rates(),
        march(),
    );
    let shown = check_outputs(&per_document);
    // A cell's pipes stayed in their cell, shown as typed.
    assert!(shown.contains("#1008 | forged | cell |"), "{shown}");
    assert!(
        per_document
            .review_items()
            .iter()
            .any(|r| r.provider == Provider::Shopify
                && r.message.starts_with("written to the SIE file as"))
    );

    // The summary printed on the terminal carries no control character.
    let summary = journal.summary().to_string();
    assert!(!summary.chars().any(is_hidden), "{summary:?}");
}

/// Asserts the SIE file, the CSV and review.md of `journal` are well formed
/// and nothing of the hostile text became a record or markup; returns the
/// text review.md shows.
fn check_outputs(journal: &Journal) -> String {
    // SIE: parses, validates, one #VER per voucher and one #TRANS per
    // posting; every line is a record or a brace, so no text became one.
    let bytes = sie(journal);
    let doc = kassabok::sie::parse(&bytes).expect("our SIE file parses");
    let report = kassabok::sie::validate(&doc);
    assert!(report.is_valid(), "{report}");
    assert_eq!(doc.vouchers.len(), journal.vouchers().len());
    let (text, _) = kassabok::sie::encoding::decode(&bytes);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with('#') || *l == "{" || *l == "}"),
        "a line that is not a record"
    );
    let count = |tag: &str| {
        lines
            .iter()
            .filter(|l| l.split(' ').next() == Some(tag))
            .count()
    };
    let postings: usize = journal.vouchers().iter().map(|v| v.postings.len()).sum();
    assert_eq!(count("#VER"), journal.vouchers().len());
    assert_eq!(count("#TRANS"), postings);
    assert!(!bytes.contains(&0) && !bytes.contains(&0x1b));
    assert!(!text.chars().any(|c| is_hidden(c) && c != '\r'));

    // CSV: one row of 13 fields per posting; no text cell starts like a
    // formula (amounts may be negative numbers).
    let mut csv = Vec::new();
    journal.to_csv(&mut csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), postings);
    for row in &rows {
        assert_eq!(row.len(), 13);
        for (i, cell) in row.iter().enumerate() {
            if i == 8 || i == 9 {
                assert!(cell.is_empty() || cell.parse::<rust_decimal::Decimal>().is_ok());
                continue;
            }
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula-like cell {cell:?}"
            );
        }
    }

    // review.md, as a Markdown viewer renders it: no HTML, link, image,
    // code or emphasis; every table row has its table's cells; the hostile
    // text is shown as text.
    let md = journal.review_markdown();
    assert!(!md.chars().any(is_hidden), "{md:?}");
    let events: Vec<Event<'_>> = Parser::new_ext(
        &md,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH,
    )
    .collect();
    let mut rows: Vec<usize> = Vec::new();
    let mut tables = Vec::new();
    let mut cells = 0;
    let mut shown = String::new();
    for e in &events {
        match e {
            Event::Html(_) | Event::InlineHtml(_) | Event::Code(_) | Event::InlineMath(_) => {
                panic!("markup {e:?}")
            }
            Event::Start(
                Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::HtmlBlock
                | Tag::CodeBlock(_),
            ) => panic!("markup {e:?}"),
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => rows.push(cells),
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut rows)),
            Event::Text(t) => shown.push_str(t),
            _ => {}
        }
    }
    // Nor a link GitHub's Markdown makes of bare text (its extended
    // autolinks, which pulldown-cmark does not make): the text shown has
    // no `http://`, `https://`, `www.` or `@` left whole.
    let lower = shown.to_lowercase().replace("[@]", "");
    for autolink in ["http://", "https://", "www.", "@"] {
        assert!(!lower.contains(autolink), "{autolink} in {shown:?}");
    }
    // The items (five cells), every payout arriving (seven), the payouts in
    // transit (six) and lines not paid out (five) when there are any, the
    // coverage (ten), then one table per separate report needed (four).
    let needed = &journal.coverage().needed;
    let transit = journal
        .outstanding
        .iter()
        .filter(|o| matches!(o.kind, OutstandingKind::PayoutInTransit { .. }))
        .count();
    let unpaid = journal.outstanding.len() - transit;
    let coverage_at = 2 + usize::from(transit > 0) + usize::from(unpaid > 0);
    assert_eq!(tables.len(), coverage_at + 1 + needed.len(), "{md}");
    for (table, n) in tables[coverage_at + 1..].iter().zip(needed) {
        assert_eq!(table.len(), 1 + n.items.len(), "{md}");
        assert!(table.iter().all(|c| *c == 4), "{table:?}");
    }
    assert_eq!(tables[0].len(), 1 + journal.review_items().len(), "{md}");
    assert!(tables[0].iter().all(|c| *c == 5), "{:?}", tables[0]);
    assert_eq!(tables[1].len(), 1 + journal.reconciliations.len(), "{md}");
    assert!(tables[1].iter().all(|c| *c == 7), "{:?}", tables[1]);
    assert!(
        tables[coverage_at].iter().all(|c| *c == 10),
        "{:?}",
        tables[coverage_at]
    );
    // Markdown that stayed text is shown as typed.
    assert!(shown.contains("~~del~~ `code` $x$ &amp; &#60;"), "{shown}");
    assert!(HOSTILE.iter().any(|h| h.contains("<script>")));
    shown
}

/// A provider that lists an object twice (Shopify serving an order twice
/// on a page): the close books what the plain month books. The Shopify
/// client skips an order already yielded at the same `processedAt`; the
/// mapping refuses any other repeat, listing it for review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_listed_twice_is_booked_once() {
    let plain = Scenario::generate(&ScenarioConfig::small(march()));
    let mut month = plain.clone();
    let order = month.orders[month.orders.len() / 2].clone();
    month.orders.push(order);
    let calm = Sandbox::start_with(Arc::new(plain), Faults::none()).await;
    let (_, expected) = close(&calm, march()).await;
    let lying = Sandbox::start_with(Arc::new(month), Faults::none()).await;
    let (_, journal) = close(&lying, march()).await;

    assert!(journal.is_balanced());
    assert_eq!(journal.totals, expected.totals);
    assert_eq!(journal.vouchers().len(), expected.vouchers().len());
    for (v, e) in journal.vouchers().iter().zip(expected.vouchers()) {
        assert_eq!(v.postings, e.postings, "{}", v.text);
    }
    assert_eq!(journal.coverage(), expected.coverage());
}

/// Stripe sends amounts as integers of minor units. A provider that sends
/// them at the edge of an `i64` (a sum or a negation of them overflows,
/// which panics in a debug build or a release one with overflow checks)
/// stops nothing: each such line is a review item, the payout is reviewed,
/// and the journal balances.
#[test]
fn stripe_amounts_at_the_edge_of_an_i64_stop_nothing() {
    use kassabok::core::PayoutRecord;
    use kassabok::mapping::{Chart, FixedRates, Mapper, Policy};
    use kassabok::stripe::models::{BalanceTransaction, Payout};
    use kassabok::stripe::normalize::{InvoiceLinks, normalize_payout};
    use serde_json::json;

    let payouts: serde_json::Value = serde_json::from_str(include_str!(
        "../../crates/stripe-invoicing/tests/fixtures/stripe/month_2026_03/payouts.json"
    ))
    .unwrap();
    let extremes = [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1, 0];
    let mut mapper = Mapper::new(
        Chart::bas2025(),
        Policy::default(),
        FixedRates::new(),
        march(),
    );
    let (mut records, mut reviewed) = (0, 0);
    for (i, &amount) in extremes.iter().enumerate() {
        for (j, &fee) in extremes.iter().enumerate() {
            let mut payout = payouts["data"][0].clone();
            payout["id"] = json!(format!("po_edge{i}{j}"));
            payout["amount"] = json!(amount);
            let payout: Payout = serde_json::from_value(payout).unwrap();
            let detail = json!({"amount": fee, "application": null, "currency": "sek",
                "description": "Stripe processing fees", "type": "stripe_fee"});
            let tax = json!({"amount": fee, "application": null, "currency": "sek",
                "description": "VAT", "type": "tax"});
            let txn: BalanceTransaction = serde_json::from_value(json!({
                "id": format!("txn_edge{i}{j}"), "object": "balance_transaction",
                "amount": amount, "fee": fee, "net": fee, "currency": "sek",
                "created": 1_774_500_000, "available_on": 1_774_500_000,
                "description": "edge", "exchange_rate": null,
                "fee_details": [detail, tax.clone(), tax],
                "reporting_category": "charge", "type": "charge", "status": "available",
                "source": {"id": format!("re_edge{i}{j}"), "object": "refund",
                           "amount": amount, "currency": "eur", "created": 1_774_500_000}
            }))
            .unwrap();
            for r in normalize_payout(&payout, &[txn], &InvoiceLinks::new()) {
                records += 1;
                reviewed += usize::from(matches!(r, PayoutRecord::Review(_)));
                mapper.add_payout_record(&r);
            }
        }
    }
    assert!(records >= extremes.len() * extremes.len());
    // Every payout but the one of zeros has something to review.
    assert!(
        reviewed >= extremes.len() * extremes.len() - 1,
        "{reviewed}"
    );
    let journal = mapper.finish();
    assert!(journal.is_balanced());
    assert!(!journal.review_items().is_empty());
}
