//! Builds the four provider clients against a running sandbox.

use std::sync::Arc;

use kassabok::close::{Fetched, Sources, fetch};
use kassabok::core::{Currency, Period};
use kassabok::klarna::{Credentials, KlarnaClient};
use kassabok::mapping::{Chart, FixedRates, Journal, Policy};
use kassabok::paypal::PayPalClient;
use kassabok::shopify::ShopifyClient;
use kassabok::stripe::{DisputeDecisions, StripeClient, StripeSource};
use provider_sandbox::Sandbox;
use rust_decimal::Decimal;
use time::macros::date;

/// March 2026: food VAT is still 12 %.
pub(crate) fn march() -> Period {
    Period::month(2026, time::Month::March).unwrap()
}

/// The four provider clients, pointed at `sandbox`.
pub(crate) struct Clients {
    pub(crate) shopify: ShopifyClient,
    pub(crate) klarna: KlarnaClient,
    pub(crate) stripe: StripeSource,
    pub(crate) paypal: PayPalClient,
}

impl Clients {
    /// A `Close` of `period` with the four clients, each once, in the order
    /// [`sources`] lists them for `fetch`, and the policy and rates of
    /// [`close`].
    pub(crate) fn into_close<'a>(self, period: Period) -> kassabok::Close<'a, FixedRates> {
        kassabok::Close::new(period)
            .source(self.shopify)
            .source(self.klarna)
            .source(self.stripe)
            .source(self.paypal)
            .chart(Chart::bas2025())
            .policy(policy())
            .rates(rates())
    }
}

/// The clients of all four providers, pointed at `sandbox`.
pub(crate) fn clients(sandbox: &Sandbox) -> Clients {
    Clients {
        shopify: ShopifyClient::builder(sandbox.shopify.shop(), sandbox.shopify.access_token())
            .base_url(sandbox.shopify.uri())
            .build()
            .unwrap(),
        klarna: KlarnaClient::builder(Credentials::basic(
            sandbox.klarna.username(),
            sandbox.klarna.password(),
        ))
        .base_url(sandbox.klarna.uri())
        .build()
        .unwrap(),
        stripe: StripeSource::new(
            StripeClient::builder(sandbox.stripe.secret_key())
                .base_url(sandbox.stripe.uri())
                .build()
                .unwrap(),
        )
        .dispute_decisions(stripe_webhook_events(sandbox)),
        paypal: PayPalClient::builder(sandbox.paypal.client_id(), sandbox.paypal.client_secret())
            .base_url(sandbox.paypal.uri())
            .build()
            .unwrap(),
    }
}

/// The `charge.dispute.closed` events the sandbox shop's webhook endpoint
/// stored (it has received them since before the scenario): a close dates
/// every lost Stripe dispute whatever day it runs, even after Stripe's Events
/// API stopped listing them (30 days).
pub(crate) fn stripe_webhook_events(sandbox: &Sandbox) -> DisputeDecisions {
    let mut decisions = DisputeDecisions::new(time::macros::datetime!(2025-01-01 00:00 UTC));
    for body in sandbox.stripe.webhook_events() {
        decisions
            .add_json(&body)
            .expect("the sandbox sends charge.dispute.closed events");
    }
    decisions
}

/// The clients of all four providers, pointed at `sandbox`, in the roles
/// `fetch` takes them.
pub(crate) fn sources(sandbox: &Sandbox) -> Sources {
    let c = clients(sandbox);
    let shopify = Arc::new(c.shopify);
    let stripe = Arc::new(c.stripe);
    Sources {
        sales: vec![shopify.clone(), stripe.clone()],
        payouts: vec![shopify, Arc::new(c.klarna), stripe],
        statements: vec![Arc::new(c.paypal)],
    }
}

/// The policy of the sandbox shop: it issues some invoices in its accounting
/// program and takes card payments of them through Stripe.
pub(crate) fn policy() -> Policy {
    Policy::default().with_external_invoices(true)
}

/// Rates a host would supply; fixed so the journal is reproducible.
pub(crate) fn rates() -> FixedRates {
    FixedRates::new()
        .with(
            Currency::EUR,
            date!(2026 - 01 - 01),
            Decimal::new(114_000, 4),
        )
        .with(
            Currency::USD,
            date!(2026 - 01 - 01),
            Decimal::new(104_500, 4),
        )
}

/// Fetches the period from the sandbox and maps it with the default chart and
/// policy, saying what the sandbox shop does: it issues some invoices in its
/// accounting program and takes card payments of them through Stripe.
pub(crate) async fn close(sandbox: &Sandbox, period: Period) -> (Fetched, Journal) {
    let fetched = fetch(&sources(sandbox), &period, &|_, _| {})
        .await
        .expect("the sandbox answers every request");
    let journal = fetched.map(Chart::bas2025(), policy(), rates(), period);
    (fetched, journal)
}
