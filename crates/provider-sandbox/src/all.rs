//! All four simulated providers at once, over one scenario.

use std::sync::Arc;

use crate::faults::Faults;
use crate::klarna::KlarnaSandbox;
use crate::paypal::PayPalSandbox;
use crate::scenario::{Scenario, ScenarioConfig};
use crate::shopify::ShopifySandbox;
use crate::stripe::StripeSandbox;

/// Simulated Shopify, Klarna, Stripe and PayPal servers on loopback, serving
/// one generated month. The servers stop when this is dropped.
///
/// ```no_run
/// use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
/// use bookkeeping_core::Period;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let period = Period::month(2026, time::Month::March)?;
/// let sandbox = Sandbox::start(&ScenarioConfig::small(period), Faults::none()).await;
/// println!("Stripe at {}", sandbox.stripe.uri());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sandbox {
    /// The month the servers serve.
    pub scenario: Arc<Scenario>,
    /// Simulated Shopify Admin GraphQL API.
    pub shopify: ShopifySandbox,
    /// Simulated Klarna Settlements API.
    pub klarna: KlarnaSandbox,
    /// Simulated Stripe API.
    pub stripe: StripeSandbox,
    /// Simulated PayPal REST API.
    pub paypal: PayPalSandbox,
}

impl Sandbox {
    /// Generates the scenario for `config` and starts the four servers, all
    /// injecting `faults`.
    pub async fn start(config: &ScenarioConfig, faults: Faults) -> Sandbox {
        Sandbox::start_with(Arc::new(Scenario::generate(config)), faults).await
    }

    /// Starts the four servers over an already generated scenario.
    pub async fn start_with(scenario: Arc<Scenario>, faults: Faults) -> Sandbox {
        let (shopify, klarna, stripe, paypal) = tokio::join!(
            crate::shopify::start(&scenario, faults.clone()),
            crate::klarna::start(&scenario, faults.clone()),
            crate::stripe::start(&scenario, faults.clone()),
            crate::paypal::start(&scenario, faults),
        );
        Sandbox {
            scenario,
            shopify,
            klarna,
            stripe,
            paypal,
        }
    }

    /// Requests received per provider (faulted ones included), in the order
    /// Shopify, Klarna, Stripe, PayPal.
    pub fn requests(&self) -> [(&'static str, u64); 4] {
        [
            ("shopify", self.shopify.requests()),
            ("klarna", self.klarna.requests()),
            ("stripe", self.stripe.requests()),
            ("paypal", self.paypal.requests()),
        ]
    }
}
