//! The one driver behind [`Close`](super::Close) and [`fetch`](super::fetch):
//! every source of a period read concurrently, its records handed on in the
//! order the mapper needs them.
//!
//! The mapper's journal depends on the order records reach it (a payout
//! settles the sales added before it; review items keep their order), so the
//! records leave here in *lane* order: the period's earlier sales and refunds first, then
//! each sales source in turn (the shops' order systems before the payment providers' records
//! of the same purchases), each payout source in turn, each statement
//! source in turn, every source's records in its own order. The sources are
//! read at the same time all the same: the source whose turn it is hands its
//! records on as they arrive, and each of the others reads ahead into a queue
//! of at most `read_ahead` records, then waits its turn.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use bookkeeping_core::{
    Currency, DisputeLost, PayoutRecord, PayoutSource, Period, Provider, RecordStream, Refund,
    Sale, SalesRecord, SalesSource, SettlementKind, SettlementLine, SourceError, StatementBatch,
    StatementClass, StatementSource, stockholm_date,
};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, Stream, StreamExt};

use super::{lookback_period, unknown_record};
use crate::deadline::Clock;

/// A record as it leaves the driver.
#[derive(Debug)]
pub(crate) enum Arrival {
    Sale(SalesRecord),
    Payout(PayoutRecord),
    Statements(StatementBatch),
}

impl Arrival {
    /// How much the record counts for progress, the per-provider totals and
    /// read-ahead: one, and a payout its lines too (that is what a host waits
    /// for), a statement batch its lines and review items.
    fn weight(&self) -> usize {
        match self {
            Arrival::Sale(_) => 1,
            Arrival::Payout(PayoutRecord::Payout(p)) => p.lines.len() + 1,
            Arrival::Payout(_) => 1,
            Arrival::Statements(batch) => {
                batch
                    .statements
                    .iter()
                    .map(|s| s.lines.len())
                    .sum::<usize>()
                    + batch.review.len()
            }
        }
    }

    /// Every currency the record's amounts are in.
    fn currencies(&self, out: &mut BTreeSet<Currency>) {
        match self {
            Arrival::Sale(SalesRecord::Sale(s)) => {
                out.insert(s.currency);
            }
            Arrival::Sale(SalesRecord::Refund(r)) => {
                out.insert(r.currency);
            }
            Arrival::Payout(PayoutRecord::Payout(p)) => {
                out.insert(p.amount.currency());
                for l in &p.lines {
                    out.insert(l.gross.currency());
                    out.extend(l.original.map(|o| o.currency()));
                }
            }
            Arrival::Payout(PayoutRecord::Line(b)) => {
                out.insert(b.line.gross.currency());
                out.extend(b.line.original.map(|o| o.currency()));
            }
            Arrival::Payout(PayoutRecord::DisputeLost(d)) => {
                out.insert(d.amount.currency());
            }
            Arrival::Statements(batch) => out.extend(batch.statements.iter().map(|s| s.currency)),
            _ => {}
        }
    }
}

/// `lost` with the sale its [`DisputeLost::reference`] names, when that sale
/// is of a day before `period` and a sales source of another provider has
/// exactly one sale of that number ([`SalesSource::sale_by_document`]):
/// a Klarna `REVERSAL` names the Shopify order it reverses only by the
/// shop's order number (`merchant_reference1`), and the order is usually
/// weeks older than the settlement that books the loss. The mapping then
/// reverses that sale's revenue and VAT, as a close of both months does,
/// instead of booking the loss on suspense. A dispute that already carries
/// its sale, names none, or is decided outside `period` is left as it is,
/// and so is every dispute once the close's `budget` of lookups
/// ([`MAX_SALE_LOOKUPS`]) is spent.
///
/// # Errors
/// The [`SourceError`] of a sales source that cannot be read.
async fn with_named_sale(
    mut lost: DisputeLost,
    sales: &[&dyn SalesSource],
    period: &Period,
    budget: &mut usize,
) -> Result<DisputeLost, SourceError> {
    let Some(reference) = lost.reference.clone() else {
        return Ok(lost);
    };
    if lost.earlier_sale.is_some() || !period.contains(lost.decided_at) || *budget == 0 {
        return Ok(lost);
    }
    // Within the same bound as the payments' lookups.
    *budget -= 1;
    if let Some(sale) = sale_named(sales, &reference, Some(lost.provider)).await?
        && stockholm_date(sale.occurred_at) < period.first()
    {
        lost.earlier_sale = Some(Box::new(sale));
    }
    Ok(lost)
}

/// The sale numbered `reference` of the first sales source that has one
/// ([`SalesSource::sale_by_document`]), leaving out the sources of `except`.
///
/// # Errors
/// The [`SourceError`] of a sales source that cannot be read.
async fn sale_named(
    sales: &[&dyn SalesSource],
    reference: &str,
    except: Option<Provider>,
) -> Result<Option<Sale>, SourceError> {
    for source in sales.iter().filter(|s| Some(s.provider()) != except) {
        if let Some(sale) = source.sale_by_document(reference).await? {
            return Ok(Some(sale));
        }
    }
    Ok(None)
}

/// [`sale_named`] of several numbers at once, one answer per number in their
/// order: each sales source (but those of `except`) is asked for the numbers
/// no source before it had, all together ([`SalesSource::sales_by_documents`]:
/// Shopify searches 25 order names a request).
///
/// # Errors
/// The [`SourceError`] of a sales source that cannot be read.
async fn sales_by_numbers(
    sales: &[&dyn SalesSource],
    names: &[&str],
    except: Option<Provider>,
) -> Result<Vec<Option<Sale>>, SourceError> {
    let mut found: Vec<Option<Sale>> = vec![None; names.len()];
    for source in sales.iter().filter(|s| Some(s.provider()) != except) {
        let open: Vec<usize> = (0..names.len()).filter(|&i| found[i].is_none()).collect();
        if open.is_empty() {
            break;
        }
        let wanted: Vec<&str> = open.iter().map(|&i| names[i]).collect();
        let answers = source.sales_by_documents(&wanted).await?;
        for (i, answer) in open.into_iter().zip(answers) {
            found[i] = answer;
        }
    }
    Ok(found)
}

/// Sales a close looks up by their number at most (`named_sales`, and the
/// lost disputes' `with_named_sale`): a statement of thousands of receipts
/// for sales that no sales source has (a shop that also sells elsewhere)
/// must not become thousands of requests.
/// The lines past it are booked as they would be without a lookup: a
/// receipt on suspense with its review item, a payout line on the clearing
/// account as a sale not known.
pub const MAX_SALE_LOOKUPS: usize = 200;

/// The order numbers that payments of the period in `record` name
/// (`reference`) and that no record read so far carries (`known`): PayPal
/// receipts, and Klarna and Shopify Payments captures. At most `budget` of
/// them, which it is charged for. Stripe's lines are left out: they name
/// Stripe invoices, which the Stripe source lists months back already.
fn unknown_sales(
    record: &Arrival,
    period: &Period,
    known: impl Fn(&str) -> bool,
    budget: &mut usize,
) -> Vec<String> {
    let capture = |line: &SettlementLine| {
        line.kind == SettlementKind::Charge
            && line.gross.amount().is_sign_positive()
            && period.contains(line.occurred_at)
    };
    let references: Vec<&str> = match record {
        Arrival::Statements(batch) => batch
            .statements
            .iter()
            .flat_map(|st| &st.lines)
            .filter(|line| {
                line.class == StatementClass::Payment
                    && line.amount.amount().is_sign_positive()
                    && period.contains(line.booked_at)
            })
            .filter_map(|line| line.reference.as_deref())
            .collect(),
        Arrival::Payout(PayoutRecord::Payout(p)) if p.provider != Provider::Stripe => p
            .lines
            .iter()
            .filter(|line| capture(line))
            .filter_map(|line| line.reference.as_deref())
            .collect(),
        Arrival::Payout(PayoutRecord::Line(b)) if b.provider != Provider::Stripe => b
            .line
            .reference
            .as_deref()
            .filter(|_| capture(&b.line))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let mut wanted: Vec<String> = Vec::new();
    for reference in references {
        if wanted.len() < *budget && !known(reference) && !wanted.iter().any(|r| r == reference) {
            wanted.push(reference.to_owned());
        }
    }
    *budget -= wanted.len();
    wanted
}

/// The sales of days before `period` (or of the day after it, see
/// [`LATER_SALE_WINDOW`]) that the payments `wanted` (from
/// [`unknown_sales`]) name by their number, asked of the sales sources
/// together ([`sales_by_numbers`]). An order authorized at checkout is
/// captured when it ships, which may be weeks later (a PayPal authorization
/// "is valid for 29 days", developer.paypal.com/docs/checkout/advanced/
/// authorization-honor; Klarna's standard authorization period is 28 days,
/// docs.klarna.com/payments/web-payments/additional-resources/use-cases/
/// extended-authorization-expiration), long after the days before the
/// period that a close reads: without its sale a PayPal receipt was booked on
/// suspense, and a Klarna or Shopify Payments capture counted as a sale not
/// known, which left its payout unreconciled.
///
/// # Errors
/// The [`SourceError`] of a sales source that cannot be read.
async fn named_sales(
    wanted: Vec<String>,
    sales: &[&dyn SalesSource],
    period: &Period,
) -> Result<Vec<Sale>, SourceError> {
    let names: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let found = sales_by_numbers(sales, &names, None).await?;
    // Before the period, or just after it: a payment can come before its
    // order by seconds (PayPal's receipt at checkout, then Shopify's order),
    // across the month's end. A sale of the period itself was read with it.
    let soon_after = period.end_utc() + LATER_SALE_WINDOW;
    Ok(found
        .into_iter()
        .flatten()
        .filter(|sale| {
            stockholm_date(sale.occurred_at) < period.first()
                || (sale.occurred_at >= period.end_utc() && sale.occurred_at < soon_after)
        })
        .collect())
}

/// Whether `provider`'s sales are a payment provider's own records of
/// purchases made in a shop's order system (Klarna's sales documents of the
/// orders it was paid for), not the shop's orders themselves.
fn is_payment_record(provider: Provider) -> bool {
    matches!(provider, Provider::Klarna | Provider::PayPal)
}

/// Whether `sale` is numbered by its provider's own id, not by a shop's
/// order number: Klarna's sales report numbers a document without a
/// `merchant_reference1` by Klarna's order id, which is also the start of the
/// document's id (`{order_id}/{capture day}`). No shop's order has that
/// number, so it is not looked up.
fn numbered_by_own_id(sale: &Sale) -> bool {
    let id: &str = sale.source.id.as_ref();
    id.strip_prefix(sale.document_number.as_str())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The shop's order that a payment provider's record of a purchase
/// ([`is_payment_record`]) in `period` is another record of, when that
/// order is older than the days read before the period. A Klarna capture
/// can follow its order by weeks (Klarna's standard authorization period is
/// 28 days, docs.klarna.com/payments/web-payments/additional-resources/
/// use-cases/extended-authorization-expiration), and Klarna's sales report
/// dates its document by the capture: the order was booked as a sale by its
/// own month's close, and without it here the mapper, which books a
/// purchase once when it has both records, booked the revenue a second time.
///
/// Asked only when another provider's sales source is in the close and no
/// sale of the document's number was handed on yet (`known`: the shops' order
/// systems' lanes come first, so every order of the period and of the days
/// before it is known by then), within the close's budget of lookups.
fn needs_shop_order(sale: &Sale, sales: &[&dyn SalesSource], period: &Period, known: bool) -> bool {
    let provider = sale.source.provider;
    is_payment_record(provider)
        && period.contains(sale.occurred_at)
        && sales.iter().any(|s| s.provider() != provider)
        && !sale.document_number.trim().is_empty()
        && !numbered_by_own_id(sale)
        && !known
}

/// Payment providers' records held back until their shop orders are looked
/// up together ([`SalesSource::sales_by_documents`]): a Shopify source
/// searches 25 order numbers a request, so a month of Klarna documents the
/// shop does not have (sales made elsewhere) costs a few requests, not one
/// or two a document.
const SALES_PER_LOOKUP: usize = 50;

/// [`needs_shop_order`]'s records, their orders looked up together: each
/// record with the older order it is another record of, when one was found.
/// A document number already in the batch is looked up once (the record
/// after it is then known). Past the close's `budget` a record is `unchecked`.
///
/// # Errors
/// The [`SourceError`] of a sales source that cannot be read.
async fn shop_orders_of(
    pending: Vec<Arrival>,
    sales: &[&dyn SalesSource],
    period: &Period,
    budget: &mut usize,
    unchecked: &mut Vec<(bookkeeping_core::SourceRef, String)>,
) -> Result<Vec<(Arrival, Option<Sale>)>, SourceError> {
    let sale_of = |a: &Arrival| match a {
        Arrival::Sale(SalesRecord::Sale(sale)) => {
            Some((sale.document_number.to_string(), sale.source.clone()))
        }
        _ => None,
    };
    let mut asked: Vec<String> = Vec::new();
    let mut slot: Vec<Option<usize>> = Vec::with_capacity(pending.len());
    let mut provider = None;
    for record in &pending {
        let Some((number, source)) = sale_of(record) else {
            slot.push(None);
            continue;
        };
        provider = Some(source.provider);
        if asked.contains(&number) {
            // Its order, if found, is handed on before the first record.
            slot.push(None);
        } else if *budget == 0 {
            unchecked.push((source, number));
            slot.push(None);
        } else {
            *budget -= 1;
            slot.push(Some(asked.len()));
            asked.push(number);
        }
    }
    let names: Vec<&str> = asked.iter().map(String::as_str).collect();
    let mut found = sales_by_numbers(sales, &names, provider).await?;
    Ok(pending
        .into_iter()
        .zip(slot)
        .map(|(record, at)| {
            let order = at
                .and_then(|at| found[at].take())
                .filter(|order| stockholm_date(order.occurred_at) < period.first());
            (record, order)
        })
        .collect())
}

/// One review item for the payment providers' records of purchases that
/// [`shop_orders_of`] could not check once the close's lookups were spent
/// (field `document_number`): each may be a second booking of an order an
/// earlier month booked. The first ten are named, by the shop's order number
/// and the provider's document id.
fn unchecked_review(
    unchecked: &[(bookkeeping_core::SourceRef, String)],
) -> Option<bookkeeping_core::ReviewItem> {
    let (first, _) = unchecked.first()?;
    let named: Vec<String> = unchecked
        .iter()
        .take(10)
        .map(|(source, number)| format!("{number} ({})", source.id))
        .collect();
    let more = unchecked.len().saturating_sub(named.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(
        bookkeeping_core::ReviewItem::new(
            first.provider,
            bookkeeping_core::ReviewReason::Incomplete,
            format!(
                "{} {} of the period not checked against the shop's older orders (the close's \
                 {MAX_SALE_LOOKUPS} lookups were spent): {}{more}; a purchase whose order an \
                 earlier month booked is booked twice",
                unchecked.len(),
                if unchecked.len() == 1 {
                    "sales document"
                } else {
                    "sales documents"
                },
                named.join(", "),
            ),
        )
        .with_source(first.clone())
        .with_field("document_number"),
    )
}

/// How long after the period a sale a payment of the period names is still
/// taken for matching: a payment comes before its order by seconds, not
/// days.
const LATER_SALE_WINDOW: time::Duration = time::Duration::days(1);

/// What a lane reads: a sale or refund of the days before the period (for
/// matching only), or a record of the period.
enum Read {
    Earlier(Sale),
    EarlierRefund(Refund),
    Period(Arrival),
}

/// Where the driver hands records, in lane order.
pub(crate) trait Sink {
    /// A sale of the [`SALES_LOOKBACK_DAYS`](super::SALES_LOOKBACK_DAYS)
    /// before the period (all of them come before the period's records).
    fn earlier_sale(&mut self, sale: Sale);
    /// A refund of the same days, like [`Sink::earlier_sale`].
    fn earlier_refund(&mut self, refund: Refund);
    /// A sale just after the period that a payment of the period names,
    /// for matching only, like [`Sink::earlier_sale`].
    fn later_sale(&mut self, sale: Sale);
    /// Whether a sale numbered `document` was handed on (earlier or of the
    /// period; every sales lane comes before the payouts): a lost dispute
    /// that names it needs no lookup.
    fn knows_sale(&self, document: &str) -> bool;
    /// A record of the period.
    fn record(&mut self, record: Arrival);
    /// Every payout source has handed on its last record (called once,
    /// before the first statement batch).
    fn payouts_done(&mut self);
}

/// Called with each foreign currency the first time a record in it is about
/// to be handed on (a host fetches the rates the mapper will ask for).
pub(crate) type Prepare<'p, E> =
    dyn Fn(Currency) -> BoxFuture<'p, Result<(), E>> + Send + Sync + 'p;

/// What to read.
pub(crate) struct Plan<'a> {
    pub(crate) period: &'a Period,
    pub(crate) sales: Vec<&'a dyn SalesSource>,
    pub(crate) payouts: Vec<&'a dyn PayoutSource>,
    pub(crate) statements: Vec<&'a dyn StatementSource>,
    pub(crate) clock: Option<Clock>,
    /// Records (by [`Arrival::weight`]) a source may read ahead of its turn.
    pub(crate) read_ahead: usize,
    pub(crate) progress: Option<&'a (dyn Fn(Provider, usize) + Sync)>,
}

/// Reads `plan` into `sink`; returns the records read per provider (the
/// earlier sales, read only for matching, do not count).
///
/// # Errors
/// The first [`SourceError`] of any source, or the first error of `prepare`.
pub(crate) async fn drive<E: From<SourceError>>(
    plan: Plan<'_>,
    sink: &mut impl Sink,
    prepare: Option<&Prepare<'_, E>>,
) -> Result<BTreeMap<Provider, usize>, E> {
    let prepared = BTreeSet::from([Currency::SEK]);
    let clock = plan.clock.as_ref();

    // The days before the period, only so that a receipt finds its sale:
    // their lanes come first, read at the same time as the period's.
    let lookback = lookback_period(plan.period);
    let mut providers: Vec<Option<Provider>> = Vec::new();
    let mut lanes: Vec<BoxStream<'_, Result<(Read, usize), SourceError>>> = Vec::new();
    if let Some(lookback) = &lookback {
        for s in &plan.sales {
            providers.push(None);
            lanes.push(
                clocked(clock, s.provider(), s.sales(lookback))
                    .filter_map(|rec| async move {
                        match rec {
                            Ok(SalesRecord::Sale(sale)) => Some(Ok((Read::Earlier(sale), 1))),
                            // A line of the period may settle a refund made
                            // just before it (PayPal's refund after midnight).
                            Ok(SalesRecord::Refund(refund)) => {
                                Some(Ok((Read::EarlierRefund(refund), 1)))
                            }
                            Ok(_) => None,
                            Err(e) => Some(Err(e)),
                        }
                    })
                    .boxed(),
            );
        }
    }

    let period = plan.period;
    // A payment provider's own records of purchases (Klarna's sales
    // documents) after the shop's order systems', so that when one arrives
    // every order of the period is known and only a purchase whose order is
    // older than the days read above is looked up ([`shop_orders_of`]).
    let mut sales_lanes = plan.sales.clone();
    sales_lanes.sort_by_key(|s| is_payment_record(s.provider()));
    for s in &sales_lanes {
        providers.push(Some(s.provider()));
        lanes.push(lane(clock, s.provider(), s.sales(period), sales_arrival));
    }
    for s in &plan.payouts {
        providers.push(Some(s.provider()));
        lanes.push(lane(clock, s.provider(), s.payouts(period), payout_arrival));
    }
    let payouts_end = lanes.len();
    for s in &plan.statements {
        let provider = s.provider();
        providers.push(Some(provider));
        let clock = plan.clock;
        lanes.push(
            futures::stream::once(async move {
                let batch = match clock {
                    Some(clock) => clock.statements(provider, s.statements(period)).await,
                    None => s.statements(period).await,
                }?;
                let arrival = Arrival::Statements(batch);
                let weight = arrival.weight();
                Ok((Read::Period(arrival), weight))
            })
            .boxed(),
        );
    }

    let mut records: BTreeMap<Provider, usize> = BTreeMap::new();
    let mut counted = |lane: usize, weight: usize| {
        // The earlier sales, read only for matching, do not count.
        let Some(provider) = providers[lane] else {
            return;
        };
        *records.entry(provider).or_default() += weight;
        if let Some(progress) = plan.progress {
            progress(provider, weight);
        }
    };
    let mut payouts_open = true;
    let mut ctx = HandOn {
        sales: &plan.sales,
        period,
        lookups: MAX_SALE_LOOKUPS,
        unchecked: Vec::new(),
        prepared,
        prepare,
    };
    // Payment providers' records waiting for their orders' lookup.
    let mut pending: Vec<Arrival> = Vec::new();
    {
        let mut ordered = Ordered::new(lanes, plan.read_ahead).on_arrival(&mut counted);
        while let Some(next) = ordered.next().await {
            let record = match next? {
                (_, Read::Earlier(sale)) => {
                    let mut currencies = BTreeSet::from([sale.currency]);
                    prepare_new(&mut currencies, &mut ctx.prepared, ctx.prepare).await?;
                    sink.earlier_sale(sale);
                    continue;
                }
                (_, Read::EarlierRefund(refund)) => {
                    let mut currencies = BTreeSet::from([refund.currency]);
                    prepare_new(&mut currencies, &mut ctx.prepared, ctx.prepare).await?;
                    sink.earlier_refund(refund);
                    continue;
                }
                (lane, Read::Period(record)) => (lane, record),
            };
            let (lane, record) = record;
            // A payment provider's record of a purchase whose shop order is
            // older than the days read before the period gets that order,
            // so the purchase is booked once (by the order's own month):
            // such records wait until a batch of them is looked up together;
            // any other record hands the waiting ones on first, so the sink
            // sees every record in the lanes' order.
            let waits = match &record {
                Arrival::Sale(SalesRecord::Sale(sale)) => {
                    let known = sink.knows_sale(&sale.document_number);
                    needs_shop_order(sale, &plan.sales, period, known)
                        .then_some(sale.source.provider)
                }
                _ => None,
            };
            let other_provider = pending.first().is_some_and(|first| match first {
                Arrival::Sale(SalesRecord::Sale(sale)) => Some(sale.source.provider) != waits,
                _ => true,
            });
            if waits.is_none() || other_provider {
                let batch = std::mem::take(&mut pending);
                hand_on_batch(batch, &mut ctx, sink).await?;
            }
            if payouts_open && lane >= payouts_end {
                sink.payouts_done();
                payouts_open = false;
            }
            if waits.is_some() {
                pending.push(record);
                if pending.len() >= SALES_PER_LOOKUP {
                    let batch = std::mem::take(&mut pending);
                    hand_on_batch(batch, &mut ctx, sink).await?;
                }
                continue;
            }
            // A lost dispute that names its sale only by the shop's order
            // number gets that sale from the sales sources when it is older
            // than the period (and than the earlier sales read above).
            let record = match record {
                Arrival::Payout(PayoutRecord::DisputeLost(lost))
                    if lost
                        .reference
                        .as_deref()
                        .is_some_and(|r| !sink.knows_sale(r)) =>
                {
                    let lost = with_named_sale(lost, ctx.sales, period, &mut ctx.lookups).await?;
                    Arrival::Payout(PayoutRecord::DisputeLost(lost))
                }
                other => other,
            };
            hand_on(record, &mut ctx, sink).await?;
        }
        let batch = std::mem::take(&mut pending);
        hand_on_batch(batch, &mut ctx, sink).await?;
    }
    let unchecked = ctx.unchecked;
    if let Some(item) = unchecked_review(&unchecked) {
        sink.record(Arrival::Sale(SalesRecord::Review(item)));
    }
    if payouts_open {
        sink.payouts_done();
    }
    // Every provider that was read shows, with 0 when it had nothing.
    for provider in providers.iter().flatten() {
        records.entry(*provider).or_default();
    }
    Ok(records)
}

/// What handing a period's record on needs besides the sink.
struct HandOn<'a, 'p, 'q, E> {
    sales: &'a [&'a dyn SalesSource],
    period: &'a Period,
    /// Lookups of sales by number left ([`MAX_SALE_LOOKUPS`]).
    lookups: usize,
    /// Payment providers' records of purchases not checked against the
    /// shops' older orders once the lookups were spent.
    unchecked: Vec<(bookkeeping_core::SourceRef, String)>,
    prepared: BTreeSet<Currency>,
    prepare: Option<&'p Prepare<'q, E>>,
}

/// Records that waited for their shop orders, handed on in their order,
/// each after the older order it is another record of ([`shop_orders_of`]).
async fn hand_on_batch<E: From<SourceError>>(
    batch: Vec<Arrival>,
    ctx: &mut HandOn<'_, '_, '_, E>,
    sink: &mut impl Sink,
) -> Result<(), E> {
    if batch.is_empty() {
        return Ok(());
    }
    let found = shop_orders_of(
        batch,
        ctx.sales,
        ctx.period,
        &mut ctx.lookups,
        &mut ctx.unchecked,
    )
    .await?;
    for (record, order) in found {
        if let Some(order) = order {
            let mut currencies = BTreeSet::from([order.currency]);
            prepare_new(&mut currencies, &mut ctx.prepared, ctx.prepare).await?;
            sink.earlier_sale(order);
        }
        hand_on(record, ctx, sink).await?;
    }
    Ok(())
}

/// A period's record handed on to `sink`: first the older sales its
/// payments name, for matching only, then the rates of its currencies,
/// then the record.
async fn hand_on<E: From<SourceError>>(
    record: Arrival,
    ctx: &mut HandOn<'_, '_, '_, E>,
    sink: &mut impl Sink,
) -> Result<(), E> {
    let period = ctx.period;
    // Payments of sales older than the days read before the period
    // get those sales, for matching only.
    if !ctx.sales.is_empty() {
        let wanted = unknown_sales(&record, period, |r| sink.knows_sale(r), &mut ctx.lookups);
        if !wanted.is_empty() {
            for sale in named_sales(wanted, ctx.sales, period).await? {
                let mut currencies = BTreeSet::from([sale.currency]);
                prepare_new(&mut currencies, &mut ctx.prepared, ctx.prepare).await?;
                if stockholm_date(sale.occurred_at) < period.first() {
                    sink.earlier_sale(sale);
                } else {
                    sink.later_sale(sale);
                }
            }
        }
    }
    if ctx.prepare.is_some() {
        let mut currencies = BTreeSet::new();
        record.currencies(&mut currencies);
        prepare_new(&mut currencies, &mut ctx.prepared, ctx.prepare).await?;
    }
    sink.record(record);
    Ok(())
}

/// A lane of the period: `stream` of `provider` (cut off by `clock` when
/// there is one), each record made an [`Arrival`] by `arrival` and weighed.
fn lane<'a, T: Send + 'a>(
    clock: Option<&Clock>,
    provider: Provider,
    stream: RecordStream<'a, T>,
    arrival: fn(Provider, T) -> Arrival,
) -> BoxStream<'a, Result<(Read, usize), SourceError>> {
    clocked(clock, provider, stream)
        .map(move |rec| {
            let arrival = arrival(provider, rec?);
            let weight = arrival.weight();
            Ok((Read::Period(arrival), weight))
        })
        .boxed()
}

/// A sales record; a kind newer than this facade becomes a review item.
fn sales_arrival(provider: Provider, rec: SalesRecord) -> Arrival {
    Arrival::Sale(match rec {
        known @ (SalesRecord::Sale(_) | SalesRecord::Refund(_) | SalesRecord::Review(_)) => known,
        other => SalesRecord::Review(unknown_record(provider, format!("{other:?}"))),
    })
}

/// A payout record; a kind newer than this facade becomes a review item.
fn payout_arrival(provider: Provider, rec: PayoutRecord) -> Arrival {
    Arrival::Payout(match rec {
        known @ (PayoutRecord::Payout(_)
        | PayoutRecord::Line(_)
        | PayoutRecord::Review(_)
        | PayoutRecord::DisputeLost(_)) => known,
        other => PayoutRecord::Review(unknown_record(provider, format!("{other:?}"))),
    })
}

/// `stream` of `provider`, cut off by `clock` when there is one.
fn clocked<'a, T: Send + 'a>(
    clock: Option<&Clock>,
    provider: Provider,
    stream: RecordStream<'a, T>,
) -> RecordStream<'a, T> {
    match clock {
        Some(clock) => clock.stream(provider, stream),
        None => stream,
    }
}

/// Calls `prepare` for each of `currencies` not yet `prepared`.
async fn prepare_new<E>(
    currencies: &mut BTreeSet<Currency>,
    prepared: &mut BTreeSet<Currency>,
    prepare: Option<&Prepare<'_, E>>,
) -> Result<(), E> {
    let Some(prepare) = prepare else {
        return Ok(());
    };
    for c in std::mem::take(currencies) {
        if prepared.insert(c) {
            prepare(c).await?;
        }
    }
    Ok(())
}

/// One source's records: those that arrived before its turn, and whether it
/// has ended.
struct Lane<'a, T> {
    stream: BoxStream<'a, Result<(T, usize), SourceError>>,
    queue: VecDeque<T>,
    queued: usize,
    done: bool,
}

/// Lanes read concurrently, yielded in lane order: `(lane, record)`. Ends
/// after the first error (a run with a source that failed is not complete).
struct Ordered<'a, 'f, T> {
    lanes: Vec<Lane<'a, T>>,
    head: usize,
    read_ahead: usize,
    failed: bool,
    on_arrival: Option<&'f mut (dyn FnMut(usize, usize) + Send)>,
}

impl<'a, 'f, T> Ordered<'a, 'f, T> {
    fn new(
        streams: Vec<BoxStream<'a, Result<(T, usize), SourceError>>>,
        read_ahead: usize,
    ) -> Self {
        Ordered {
            lanes: streams
                .into_iter()
                .map(|stream| Lane {
                    stream,
                    queue: VecDeque::new(),
                    queued: 0,
                    done: false,
                })
                .collect(),
            head: 0,
            read_ahead: read_ahead.max(1),
            failed: false,
            on_arrival: None,
        }
    }

    /// Calls `f(lane, weight)` as each record arrives, before its turn.
    fn on_arrival(mut self, f: &'f mut (dyn FnMut(usize, usize) + Send)) -> Self {
        self.on_arrival = Some(f);
        self
    }
}

// Records are only moved in and out of the queues, never pinned.
impl<T> Unpin for Ordered<'_, '_, T> {}

impl<T> Stream for Ordered<'_, '_, T> {
    type Item = Result<(usize, T), SourceError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.failed {
                return Poll::Ready(None);
            }
            while let Some(lane) = this.lanes.get_mut(this.head) {
                if let Some(record) = lane.queue.pop_front() {
                    return Poll::Ready(Some(Ok((this.head, record))));
                }
                if !lane.done {
                    break;
                }
                lane.queued = 0;
                this.head += 1;
            }
            if this.head == this.lanes.len() {
                return Poll::Ready(None);
            }
            // Each lane that may read is polled once; a lane whose queue is
            // full is not polled, so it stops asking its provider until its
            // turn comes (the loop polls it again once the head moves).
            let mut moved = false;
            for (i, lane) in this.lanes.iter_mut().enumerate().skip(this.head) {
                if lane.done || (i != this.head && lane.queued >= this.read_ahead) {
                    continue;
                }
                match lane.stream.poll_next_unpin(cx) {
                    Poll::Ready(Some(Ok((record, weight)))) => {
                        if let Some(f) = this.on_arrival.as_mut() {
                            f(i, weight);
                        }
                        if i != this.head {
                            lane.queued += weight;
                        }
                        lane.queue.push_back(record);
                        moved = true;
                    }
                    Poll::Ready(Some(Err(e))) => {
                        this.failed = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(None) => {
                        lane.done = true;
                        moved = true;
                    }
                    Poll::Pending => {}
                }
            }
            if !moved {
                return Poll::Pending;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    fn lane(items: Vec<u32>) -> BoxStream<'static, Result<(u32, usize), SourceError>> {
        stream::iter(items.into_iter().map(|i| Ok((i, 1)))).boxed()
    }

    #[tokio::test]
    async fn lanes_come_out_in_lane_order_whatever_the_arrival_order() {
        // The second lane is ready first; its records still come after the first lane's.
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let first = rx.map(|i: u32| Ok((i, 1))).boxed();
        let ordered = Ordered::new(vec![first, lane(vec![10, 11])], usize::MAX);
        tx.unbounded_send(1).unwrap();
        tx.unbounded_send(2).unwrap();
        drop(tx);
        let out: Vec<_> = ordered.map(|r| r.unwrap()).collect().await;
        assert_eq!(out, vec![(0, 1), (0, 2), (1, 10), (1, 11)]);
    }

    #[tokio::test]
    async fn a_waiting_lane_reads_ahead_no_further_than_allowed() {
        let (tx, rx) = futures::channel::mpsc::unbounded::<u32>();
        let first = rx.map(|i| Ok((i, 1))).boxed();
        let mut arrived = Vec::new();
        let mut on_arrival = |lane: usize, _w: usize| arrived.push(lane);
        {
            let mut ordered =
                Ordered::new(vec![first, lane((0..100).collect())], 3).on_arrival(&mut on_arrival);
            // The head has nothing yet: the other lane reads 3 ahead, then stops.
            let pending = futures::poll!(ordered.next());
            assert!(pending.is_pending());
            tx.unbounded_send(7).unwrap();
            drop(tx);
            assert_eq!(ordered.next().await.unwrap().unwrap(), (0, 7));
            let rest: Vec<_> = ordered.map(|r| r.unwrap().1).collect().await;
            assert_eq!(rest, (0..100).collect::<Vec<_>>());
        }
        assert_eq!(arrived[..3], [1, 1, 1]);
        assert_eq!(
            arrived[3], 0,
            "the fourth record of lane 1 waited for its turn"
        );
    }

    #[tokio::test]
    async fn an_error_in_any_lane_ends_the_stream() {
        let failing = stream::iter(vec![Err(SourceError::new(
            Provider::Klarna,
            bookkeeping_core::SourceErrorKind::Network,
            "broke off",
        ))])
        .boxed();
        let (_tx, rx) = futures::channel::mpsc::unbounded::<u32>();
        let never = rx.map(|i| Ok((i, 1))).boxed();
        let mut ordered = Ordered::new(vec![never, failing], usize::MAX);
        let err = ordered.next().await.unwrap().unwrap_err();
        assert_eq!(err.provider, Provider::Klarna);
        assert!(ordered.next().await.is_none());
    }
}
