//! Stripe disputes decided against the account, as
//! [`PayoutRecord::DisputeLost`] records for the mapping (which books them as
//! a refund or a bad debt, by the firm's policy).
//!
//! A dispute withdraws its amount when it opens (a `dispute` balance
//! transaction, booked on the disputed receivable); a won dispute returns it
//! (`dispute_reversal`); a lost one moves no money. Stripe's `Dispute` object
//! says `status: lost` but not when it was decided (it has `created`, the
//! opening, and `evidence_details.due_by`; the `dispute` schema of Stripe's
//! OpenAPI, stripe/openapi `spec3.json`). The dated record of the decision is
//! the `charge.dispute.closed` event: "Occurs when a dispute is closed and the
//! dispute status changes to `lost`, `warning_closed`, or `won`"
//! (<https://docs.stripe.com/api/events/types#event_types-charge.dispute.closed>),
//! with the dispute as `data.object` and the instant as `created`.
//!
//! Stripe keeps events for a limited time: `GET /v1/events` lists "events,
//! going back up to 30 days" (<https://docs.stripe.com/api/events/list>; its
//! filters `type` and `created[gte|lt]` are used here). A close must not
//! depend on the day it runs, so the decisions come from two places, merged
//! by dispute id:
//!
//! - the Events API, for the period;
//! - the events the host stored from its webhook endpoint
//!   ([`DisputeDecisions`], the request bodies as Stripe sent them), given
//!   with [`StripeSource::dispute_decisions`].
//!
//! When part of the period lies before what either covers (more than 30 days
//! before the run, and before the host's store is complete), the run says so
//! with a review item naming the day up to which decisions may be missing:
//! nothing is booked on a guessed date, and nothing is silently left out.

use std::collections::BTreeMap;
use std::sync::Arc;

use bookkeeping_core::{
    Currency, DisputeLost, PayoutRecord, Period, Provider, RecordStream, ReviewItem, ReviewReason,
    Sale, SalesRecord, SourceError, SourceRef, stockholm_date,
};
use futures::stream::{self, StreamExt};
use provider_http::{Malformed, end_after_error};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::error::Error;
use crate::ids::{BalanceTransactionId, EventId, InvoiceId};
use crate::models::{Dispute, DisputeStatus, InvoicePaymentStatus};
use crate::normalize::TaxRates;
use crate::resources::{ListStream, StripeObject, TimeRange, pair};
use crate::{StripeClient, StripeSource, amount::money};

/// How far back `GET /v1/events` lists events: "List events, going back up
/// to 30 days" (<https://docs.stripe.com/api/events/list>).
pub const EVENT_RETENTION: Duration = Duration::days(30);

/// The event type that dates a dispute's decision.
pub const DISPUTE_CLOSED: &str = "charge.dispute.closed";

const STRIPE: Provider = Provider::Stripe;

/// A balance transaction of a dispute: "List of zero, one, or two balance
/// transactions that show funds withdrawn and reinstated to your Stripe
/// account as a result of this dispute" (`dispute.balance_transactions`,
/// stripe/openapi). Its amount is in the account's settlement currency,
/// which is the currency the withdrawal was booked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeFunds {
    /// `txn_…`.
    pub id: BalanceTransactionId,
    /// Minor units of `currency`; negative when funds were withdrawn.
    pub amount: i64,
    /// The settlement currency.
    pub currency: Currency,
}

/// The dispute a `charge.dispute.closed` event carries (`data.object`): the
/// [`Dispute`] with the balance transactions of its funds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedDispute {
    /// The dispute (`status` says how it closed).
    #[serde(flatten)]
    pub dispute: Dispute,
    /// The funds withdrawn and reinstated.
    #[serde(default)]
    pub balance_transactions: Vec<DisputeFunds>,
}

/// The `data` of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedDisputeData {
    /// The dispute as it was when it closed.
    pub object: ClosedDispute,
}

/// A `charge.dispute.closed` event, as `GET /v1/events` lists it and a
/// webhook delivers it (the Event object,
/// <https://docs.stripe.com/api/events/object>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisputeClosedEvent {
    /// `evt_…`.
    pub id: EventId,
    /// The event type: `charge.dispute.closed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the dispute closed: the day the outcome is booked.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// Whether it happened in live mode.
    pub livemode: Option<bool>,
    /// The dispute.
    pub data: ClosedDisputeData,
}

impl DisputeClosedEvent {
    /// The dispute.
    pub fn dispute(&self) -> &ClosedDispute {
        &self.data.object
    }
}

impl StripeObject for DisputeClosedEvent {
    fn object_id(&self) -> &str {
        self.id.as_str()
    }
}

/// The `charge.dispute.closed` events a host stored from its webhook
/// endpoint, so that a close run more than 30 days after its period still
/// dates every decision (Stripe's Events API no longer lists them then).
///
/// `complete_since` is the instant from which the store holds every such
/// event (when the endpoint began receiving them): a period starting earlier
/// than that and than the Events API's 30 days gets a review item.
///
/// ```
/// use stripe_invoicing::DisputeDecisions;
/// use time::macros::datetime;
///
/// let mut decisions = DisputeDecisions::new(datetime!(2026-01-01 00:00 UTC));
/// let body = br#"{"id": "evt_1", "object": "event", "type": "charge.dispute.closed",
///   "created": 1775640600, "livemode": true, "api_version": "2026-07-29.dahlia",
///   "data": {"object": {"id": "du_1", "object": "dispute", "amount": 125000,
///     "currency": "sek", "charge": "ch_1", "payment_intent": "pi_1", "status": "lost",
///     "created": 1774000000,
///     "balance_transactions": [{"id": "txn_1", "object": "balance_transaction",
///       "amount": -125000, "currency": "sek", "fee": 15000, "net": -140000}]}}}"#;
/// decisions.add_json(body)?;
/// assert_eq!(decisions.len(), 1);
/// // Another event type is refused, naming the event and the field.
/// let other = br#"{"id": "evt_2", "type": "charge.succeeded", "created": 1775640600,
///   "data": {"object": {}}}"#;
/// let err = decisions.add_json(other).unwrap_err();
/// assert_eq!((err.id.as_deref(), err.field.as_str()), (Some("evt_2"), "type"));
/// # Ok::<(), stripe_invoicing::disputes::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeDecisions {
    complete_since: OffsetDateTime,
    by_dispute: BTreeMap<String, DisputeClosedEvent>,
}

impl DisputeDecisions {
    /// An empty store, complete from `complete_since`.
    pub fn new(complete_since: OffsetDateTime) -> Self {
        DisputeDecisions {
            complete_since,
            by_dispute: BTreeMap::new(),
        }
    }

    /// From when the store holds every `charge.dispute.closed` event.
    pub fn complete_since(&self) -> OffsetDateTime {
        self.complete_since
    }

    /// Adds a webhook request body as Stripe sent it.
    ///
    /// # Errors
    /// An [`EventError`] naming the event id and the field when the body is
    /// not a `charge.dispute.closed` event that decodes.
    pub fn add_json(&mut self, body: &[u8]) -> Result<(), EventError> {
        let raw: Value = serde_json::from_slice(body).map_err(|e| EventError {
            id: None,
            field: String::new(),
            message: format!("not JSON: {e}"),
        })?;
        let id = raw.get("id").and_then(Value::as_str).map(str::to_owned);
        let event_type = raw.get("type").and_then(Value::as_str).unwrap_or_default();
        if event_type != DISPUTE_CLOSED {
            return Err(EventError {
                id,
                field: "type".to_owned(),
                message: format!("{event_type:?} is not {DISPUTE_CLOSED}"),
            });
        }
        let event = Malformed::decode(STRIPE, "event", &["/id"], raw).map_err(|m| {
            let m = name_the_field(m);
            EventError {
                id: m.id,
                field: m.field,
                message: m.message,
            }
        })?;
        self.add(event);
        Ok(())
    }

    /// Adds a decoded event (one of another type is ignored). The same
    /// dispute twice keeps the earlier close.
    pub fn add(&mut self, event: DisputeClosedEvent) {
        if event.event_type != DISPUTE_CLOSED {
            return;
        }
        let key = event.dispute().dispute.id.as_str().to_owned();
        match self.by_dispute.get(&key) {
            Some(known) if (known.created, &known.id) <= (event.created, &event.id) => {}
            _ => {
                self.by_dispute.insert(key, event);
            }
        }
    }

    /// How many disputes it holds.
    pub fn len(&self) -> usize {
        self.by_dispute.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.by_dispute.is_empty()
    }

    /// The events, one per dispute, by dispute id.
    pub fn events(&self) -> impl Iterator<Item = &DisputeClosedEvent> {
        self.by_dispute.values()
    }
}

/// A stored event that cannot be taken: `Display` names the provider, the
/// event and the field, e.g. `stripe: event evt_2: field \`type\`: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stripe: event {}: field `{field}`: {message}", id.as_deref().unwrap_or("(no id)"))]
pub struct EventError {
    /// The event's id, as far as it could be read.
    pub id: Option<String>,
    /// The field that is wrong (`type`, `data.object.status`); empty when
    /// the body is not JSON.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl StripeClient {
    /// The `charge.dispute.closed` events created in `created`
    /// (`GET /v1/events?type=charge.dispute.closed&created[gte]=…&created[lt]=…`),
    /// newest first, as far back as Stripe keeps them ([`EVENT_RETENTION`]).
    pub fn list_dispute_closed_events(&self, created: TimeRange) -> ListStream<DisputeClosedEvent> {
        let mut query = vec![pair("type", DISPUTE_CLOSED)];
        query.extend(created.query("created"));
        self.list("event", "/v1/events".to_owned(), query, None)
    }
}

impl StripeSource {
    /// The disputes lost in `period` (their `charge.dispute.closed` event
    /// created in it), as [`PayoutRecord::DisputeLost`] dated by the event,
    /// for the amount withdrawn (its balance transactions, in the settlement
    /// currency); then review items: a decision that cannot be booked, an
    /// event that does not decode, and the days whose decisions may be
    /// missing (see the module). The stream ends after the first `Err`.
    ///
    /// The sale is the Stripe invoice the disputed PaymentIntent paid (found
    /// with `GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=…`),
    /// else the charge; an invoice issued before `period` is carried,
    /// normalized as the sales listing does, as [`DisputeLost::earlier_sale`].
    pub fn lost_disputes<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.clone().lost_dispute_records(*period)
    }

    /// [`lost_disputes`](Self::lost_disputes), owning what it reads.
    pub(crate) fn lost_dispute_records(
        self,
        period: Period,
    ) -> RecordStream<'static, PayoutRecord> {
        let source = Arc::new(self);
        let reader = Arc::clone(&source);
        let records =
            stream::once(async move { reader.decisions(&period).await }).flat_map(move |batch| {
                match batch {
                    Ok((events, head)) => {
                        let head = stream::iter(head.into_iter().map(Ok)).boxed();
                        let source = Arc::clone(&source);
                        let lost = stream::iter(events)
                            .then(move |event| {
                                let source = Arc::clone(&source);
                                async move { source.lost_records(&event, &period).await }
                            })
                            .flat_map(stream::iter)
                            .boxed();
                        head.chain(lost).boxed()
                    }
                    Err(e) => stream::once(async move { Err(SourceError::from(e)) }).boxed(),
                }
            });
        end_after_error(records).boxed()
    }

    /// The closing events of `period`, one per dispute, oldest first, with
    /// the review items of reading them.
    async fn decisions(
        &self,
        period: &Period,
    ) -> Result<(Vec<DisputeClosedEvent>, Vec<PayoutRecord>), Error> {
        let mut merged = match &self.options().dispute_decisions {
            Some(stored) => (**stored).clone(),
            None => DisputeDecisions::new(OffsetDateTime::UNIX_EPOCH),
        };
        let mut head = Vec::new();
        let mut listing = self
            .client()
            .list_dispute_closed_events(TimeRange::of_period(period));
        while let Some(item) = listing.next().await {
            match item?.into_result() {
                Ok(event) => merged.add(event),
                Err(m) => head.push(PayoutRecord::Review(name_the_field(m).review())),
            }
        }
        head.extend(self.coverage_review(period).map(PayoutRecord::Review));
        let mut events: Vec<DisputeClosedEvent> = merged
            .by_dispute
            .into_values()
            .filter(|e| period.contains(e.created))
            .collect();
        events.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        Ok((events, head))
    }

    /// The review item for the part of `period` that neither the Events API
    /// nor the host's stored events cover, if any.
    fn coverage_review(&self, period: &Period) -> Option<ReviewItem> {
        let now = self.options().as_of.unwrap_or_else(OffsetDateTime::now_utc);
        let listed_from = now - EVENT_RETENTION;
        let covered_from = match &self.options().dispute_decisions {
            Some(stored) => stored.complete_since().min(listed_from),
            None => listed_from,
        };
        if period.start_utc() >= covered_from {
            return None;
        }
        // The last day that may miss decisions: the one before `covered_from`
        // when that is a Stockholm midnight, else the day it falls in.
        let until = stockholm_date(covered_from - Duration::SECOND).min(period.last());
        Some(
            ReviewItem::new(
                STRIPE,
                ReviewReason::Incomplete,
                format!(
                    "lost Stripe disputes decided from {} to {until} may be missing: Stripe lists \
                     charge.dispute.closed events only 30 days back and no stored webhook events \
                     cover those days; pass them with StripeSource::dispute_decisions",
                    period.first()
                ),
            )
            .with_field(DISPUTE_CLOSED),
        )
    }

    /// The records of one closing event: a lost dispute (with its earlier
    /// sale) and review items, or nothing for a dispute not lost.
    async fn lost_records(
        &self,
        event: &DisputeClosedEvent,
        period: &Period,
    ) -> Vec<Result<PayoutRecord, SourceError>> {
        let closed = event.dispute();
        let dispute = &closed.dispute;
        let source = SourceRef::new(STRIPE, "dispute", dispute.id.as_str());
        let review = |reason, message: String| {
            ReviewItem::new(STRIPE, reason, message).with_source(source.clone())
        };
        match &dispute.status {
            DisputeStatus::Lost => {}
            DisputeStatus::Unknown(status) => {
                return vec![Ok(PayoutRecord::Review(
                    review(
                        ReviewReason::UnknownType,
                        format!(
                            "dispute closed with status {status:?}, which kassabok does not know"
                        ),
                    )
                    .with_field("data.object.status"),
                ))];
            }
            // Won: the dispute_reversal balance transaction returned the money.
            _ => return Vec::new(),
        }
        let amount = match withdrawn(closed) {
            Ok(amount) => amount,
            Err(item) => return vec![Ok(PayoutRecord::Review(*item))],
        };
        let mut out = Vec::new();
        let (sale, earlier_sale) = match self.disputed_sale(dispute, period).await {
            Ok(found) => found,
            Err(Error::Malformed(m)) => {
                out.push(Ok(PayoutRecord::Review(m.review())));
                (None, None)
            }
            Err(e) => return vec![Err(SourceError::from(e))],
        };
        let sale = sale.or_else(|| Some(SourceRef::new(STRIPE, "charge", dispute.charge.as_str())));
        out.insert(
            0,
            Ok(PayoutRecord::DisputeLost(DisputeLost {
                source,
                provider: STRIPE,
                sale,
                decided_at: event.created,
                amount,
                earlier_sale: earlier_sale.map(Box::new),
                reference: None,
            })),
        );
        out
    }

    /// The invoice the disputed PaymentIntent paid, and its sale when it was
    /// issued before `period`.
    async fn disputed_sale(
        &self,
        dispute: &Dispute,
        period: &Period,
    ) -> Result<(Option<SourceRef>, Option<Sale>), Error> {
        let Some(intent) = &dispute.payment_intent else {
            return Ok((None, None));
        };
        let query = vec![
            pair("payment[type]", "payment_intent"),
            pair("payment[payment_intent]", intent.as_str()),
            pair("status", InvoicePaymentStatus::Paid.as_str()),
        ];
        let mut listing = self.client().list::<crate::models::InvoicePayment>(
            "invoice_payment",
            "/v1/invoice_payments".to_owned(),
            query,
            None,
        );
        let Some(item) = listing.next().await else {
            return Ok((None, None));
        };
        let payment = item?.into_result()?;
        let id = InvoiceId::new(payment.invoice.as_str());
        let sale_ref = SourceRef::new(STRIPE, "invoice", id.as_str());
        let earlier = self.earlier_invoice_sale(&id, period).await?;
        Ok((Some(sale_ref), earlier))
    }

    /// The sale of invoice `id` when it was issued before `period`,
    /// normalized as the sales listing normalizes it.
    async fn earlier_invoice_sale(
        &self,
        id: &InvoiceId,
        period: &Period,
    ) -> Result<Option<Sale>, Error> {
        let invoice = self.client().invoice(id).await?;
        // Booked in the month it was created or later (its date in effect
        // may be earlier in that month, never in an earlier one:
        // `booking_instant`): an invoice created in the period is the period's.
        let (Some(before), Ok(first)) = (
            period.first().previous_day(),
            stockholm_date(invoice.created).replace_day(1),
        ) else {
            return Ok(None);
        };
        let Ok(its_time) = Period::new(first, before) else {
            return Ok(None);
        };
        let rates = self.tax_rates().await?;
        let records = self.invoice_records(Ok(invoice), &rates, &its_time).await?;
        Ok(records.into_iter().find_map(|r| match r {
            SalesRecord::Sale(s) if s.source.id == id.as_str() => Some(s),
            _ => None,
        }))
    }
}

impl StripeSource {
    /// Every tax rate of the account, for normalizing one invoice (one that
    /// does not decode was reported by the sales run of its month).
    async fn tax_rates(&self) -> Result<TaxRates, Error> {
        let mut rates = TaxRates::new();
        let mut listing = self.client().list_tax_rates();
        while let Some(item) = listing.next().await {
            if let Ok(rate) = item?.into_result() {
                rates.insert(rate);
            }
        }
        Ok(rates)
    }
}

/// `m` naming the dispute's field that failed: serde reports any field of a
/// flattened struct as the struct's place (`data.object`), so the dispute is
/// decoded again on its own to say which (`data.object.amount`).
fn name_the_field(mut m: Malformed) -> Malformed {
    if m.field != "data.object" {
        return m;
    }
    let Some(object) = m.raw.pointer("/data/object").cloned() else {
        return m;
    };
    let funds = object
        .get("balance_transactions")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let inner = match Malformed::decode::<Dispute>(STRIPE, "dispute", &["/id"], object) {
        Err(inner) => Some(inner),
        Ok(_) => Malformed::decode::<Vec<DisputeFunds>>(STRIPE, "dispute", &[], funds)
            .err()
            .map(|mut inner| {
                inner.field = format!("balance_transactions{}", bracketed(&inner.field));
                inner
            }),
    };
    if let Some(inner) = inner {
        m.field = format!("data.object.{}", inner.field);
        m.message = inner.message;
    }
    m
}

/// A path inside a list, after the list's name: `[0].amount` as it is, a
/// field with a dot before it.
fn bracketed(path: &str) -> String {
    if path.starts_with('[') {
        path.to_owned()
    } else {
        format!(".{path}")
    }
}

/// The amount a lost dispute withdrew, from its balance transactions, or the
/// review item saying why it cannot be read.
fn withdrawn(dispute: &ClosedDispute) -> Result<bookkeeping_core::Money, Box<ReviewItem>> {
    let source = SourceRef::new(STRIPE, "dispute", dispute.dispute.id.as_str());
    let review = |reason, message: String| {
        Box::new(
            ReviewItem::new(STRIPE, reason, message)
                .with_source(source.clone())
                .with_field("data.object.balance_transactions"),
        )
    };
    let Some(first) = dispute.balance_transactions.first() else {
        return Err(review(
            ReviewReason::Incomplete,
            "lost dispute without a balance transaction: Stripe withdrew nothing for it".to_owned(),
        ));
    };
    let currency = first.currency;
    if dispute
        .balance_transactions
        .iter()
        .any(|t| t.currency != currency)
    {
        return Err(review(
            ReviewReason::Currency,
            "lost dispute whose balance transactions are in more than one currency".to_owned(),
        ));
    }
    let overflow = |e: bookkeeping_core::MoneyError| review(ReviewReason::Malformed, e.to_string());
    let net = crate::amount::sum_minor(dispute.balance_transactions.iter().map(|t| t.amount))
        .map_err(overflow)?;
    if net >= 0 {
        return Err(review(
            ReviewReason::AmountMismatch,
            format!("lost dispute whose balance transactions withdrew nothing (net {net})"),
        ));
    }
    // `net` is negative: as a `Decimal`, negated without overflow.
    money(net, currency)
        .map(|m| m.negated())
        .map_err(|e| review(ReviewReason::Currency, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `charge.dispute.closed` event as Stripe sends it (the Event object
    /// with the Dispute as `data.object`, stripe/openapi `spec3.json`).
    fn event(id: &str, created: i64, status: &str, amount: &str) -> Vec<u8> {
        format!(
            r#"{{"id": "{id}", "object": "event", "type": "charge.dispute.closed",
              "api_version": "2026-07-29.dahlia", "created": {created}, "livemode": true,
              "pending_webhooks": 1, "request": {{"id": null, "idempotency_key": null}},
              "data": {{"object": {{"id": "du_1", "object": "dispute", "amount": {amount},
                "currency": "sek", "charge": "ch_1", "payment_intent": "pi_1",
                "status": "{status}", "created": 1774000000, "reason": "fraudulent",
                "balance_transactions": [{{"id": "txn_1", "object": "balance_transaction",
                  "amount": -125000, "currency": "sek", "fee": 15000, "net": -140000}}]}}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn the_same_dispute_twice_keeps_the_earlier_close() {
        let mut d = DisputeDecisions::new(OffsetDateTime::UNIX_EPOCH);
        d.add_json(&event("evt_2", 1_775_700_000, "lost", "125000"))
            .unwrap();
        d.add_json(&event("evt_1", 1_775_640_600, "lost", "125000"))
            .unwrap();
        d.add_json(&event("evt_2", 1_775_700_000, "lost", "125000"))
            .unwrap();
        assert_eq!(d.len(), 1);
        let only = d.events().next().unwrap();
        assert_eq!(only.id.as_str(), "evt_1");
        assert_eq!(only.dispute().dispute.status, DisputeStatus::Lost);
        assert_eq!(only.dispute().balance_transactions[0].amount, -125_000);
    }

    #[test]
    fn a_stored_event_that_does_not_decode_names_its_id_and_field() {
        let mut d = DisputeDecisions::new(OffsetDateTime::UNIX_EPOCH);
        let err = d
            .add_json(&event("evt_9", 1_775_640_600, "lost", "\"1250.00\""))
            .unwrap_err();
        assert_eq!(err.id.as_deref(), Some("evt_9"));
        assert_eq!(err.field, "data.object.amount");
        assert!(err.to_string().starts_with("stripe: event evt_9:"), "{err}");
        let bad_funds = String::from_utf8(event("evt_8", 1_775_640_600, "lost", "125000"))
            .unwrap()
            .replace("\"amount\": -125000", "\"amount\": \"-1250.00\"");
        let err = d.add_json(bad_funds.as_bytes()).unwrap_err();
        assert_eq!(err.field, "data.object.balance_transactions[0].amount");
        let err = d.add_json(b"not json").unwrap_err();
        assert_eq!(err.id, None);
        assert!(d.is_empty());
    }

    #[test]
    fn what_a_lost_dispute_withdrew_comes_from_its_balance_transactions() {
        let mut d = DisputeDecisions::new(OffsetDateTime::UNIX_EPOCH);
        d.add_json(&event("evt_1", 1_775_640_600, "lost", "125000"))
            .unwrap();
        let closed = d.events().next().unwrap().dispute();
        assert_eq!(
            withdrawn(closed).unwrap(),
            bookkeeping_core::Money::parse("1250.00", Currency::SEK).unwrap()
        );
        let mut none = closed.clone();
        none.balance_transactions.clear();
        assert_eq!(
            withdrawn(&none).unwrap_err().reason,
            ReviewReason::Incomplete
        );
        let mut reinstated = closed.clone();
        reinstated.balance_transactions.push(DisputeFunds {
            id: BalanceTransactionId::new("txn_2"),
            amount: 125_000,
            currency: Currency::SEK,
        });
        assert_eq!(
            withdrawn(&reinstated).unwrap_err().reason,
            ReviewReason::AmountMismatch
        );
    }
}
