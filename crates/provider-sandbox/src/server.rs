//! The sandbox in a process of its own: what `sandbox-server` (this crate's
//! binary) prints about the servers it started, so that a benchmark can run
//! its clients against servers whose rendering does not share the client's
//! process.
//!
//! The binary prints one [`Endpoints`] as a JSON line on stdout, then answers
//! each line `requests` on stdin with one [`Requests`] JSON line, and exits
//! when stdin closes (so the servers never outlive the process that started
//! them).
//!
//! ```text
//! sandbox-server [--month 2026-03] [--seed 2026] [--orders 1200] [--invoices 60]
//!     [--payouts 30] [--latency-ms 50] [--plan unlimited|standard]
//! sandbox-server --synthetic-stripe 1000000 [--payouts 30] [--latency-ms 0]
//! ```

use serde::{Deserialize, Serialize};

use crate::all::Sandbox;
use crate::synthetic::SyntheticStripe;

/// Where a client finds a simulated provider, and how it signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Base URL (`…ClientBuilder::base_url`).
    pub uri: String,
    /// Shopify: the shop's name; Klarna: the username; PayPal: the client id;
    /// Stripe: empty.
    pub user: String,
    /// Shopify: the access token; Klarna: the password; PayPal: the client
    /// secret; Stripe: the secret key.
    pub secret: String,
}

/// The servers a `sandbox-server` process runs. Providers it does not run
/// are `None` (`--synthetic-stripe` runs only Stripe).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Endpoints {
    /// Simulated Shopify Admin GraphQL API.
    pub shopify: Option<Endpoint>,
    /// Simulated Klarna Settlements API.
    pub klarna: Option<Endpoint>,
    /// Simulated Stripe API (the synthetic one with `--synthetic-stripe`).
    pub stripe: Option<Endpoint>,
    /// Simulated PayPal REST API.
    pub paypal: Option<Endpoint>,
    /// Stripe payout ids, oldest first, of the synthetic Stripe (empty otherwise).
    pub stripe_payout_ids: Vec<String>,
}

impl Endpoints {
    /// The endpoints of the four servers of `sandbox`.
    pub fn of(sandbox: &Sandbox) -> Endpoints {
        Endpoints {
            shopify: Some(Endpoint {
                uri: sandbox.shopify.uri(),
                user: sandbox.shopify.shop().to_owned(),
                secret: sandbox.shopify.access_token().to_owned(),
            }),
            klarna: Some(Endpoint {
                uri: sandbox.klarna.uri(),
                user: sandbox.klarna.username().to_owned(),
                secret: sandbox.klarna.password().to_owned(),
            }),
            stripe: Some(Endpoint {
                uri: sandbox.stripe.uri(),
                user: String::new(),
                secret: sandbox.stripe.secret_key().to_owned(),
            }),
            paypal: Some(Endpoint {
                uri: sandbox.paypal.uri(),
                user: sandbox.paypal.client_id().to_owned(),
                secret: sandbox.paypal.client_secret().to_owned(),
            }),
            stripe_payout_ids: Vec::new(),
        }
    }

    /// The endpoint of a synthetic Stripe, with its payout ids.
    pub fn of_synthetic(stripe: &SyntheticStripe) -> Endpoints {
        Endpoints {
            stripe: Some(Endpoint {
                uri: stripe.uri(),
                user: String::new(),
                secret: stripe.secret_key().to_owned(),
            }),
            stripe_payout_ids: (0..stripe.config().payouts)
                .map(|i| stripe.payout_id(i))
                .collect(),
            ..Endpoints::default()
        }
    }
}

/// Requests each server has received so far, faulted ones included (0 for a
/// provider the process does not run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Requests {
    /// Shopify.
    pub shopify: u64,
    /// Klarna.
    pub klarna: u64,
    /// Stripe.
    pub stripe: u64,
    /// PayPal.
    pub paypal: u64,
}

impl Requests {
    /// The counts of `sandbox`'s servers.
    pub fn of(sandbox: &Sandbox) -> Requests {
        Requests {
            shopify: sandbox.shopify.requests(),
            klarna: sandbox.klarna.requests(),
            stripe: sandbox.stripe.requests(),
            paypal: sandbox.paypal.requests(),
        }
    }
}
