//! Simulated Shopify, Klarna, Stripe and PayPal servers on loopback, serving a
//! generated month of a Swedish shop that is consistent across providers.
//!
//! Used by the main example (`cargo run --example month_close` runs against
//! it when no credentials are set), the provider crates' examples (likewise),
//! the end-to-end tests and the benchmarks. `cargo run -p provider-sandbox
//! --example sandbox_month` starts the four servers and asks each as a client.
//! Not published: it is a development tool, not part of the library.
//!
//! - [`scenario`]: the provider-neutral month ([`Scenario`], deterministic from a seed,
//!   scalable in orders).
//! - [`faults`]: fault injection ([`Faults`]: 429 with `Retry-After`, 5xx, slow answers,
//!   latency) and request counting ([`RequestCounter`]).
//! - [`rates`]: the Riksbank's SWEA API and the ECB's reference-rate files, with their
//!   publication calendars.
//! - One module per provider that renders the scenario in that API's real shapes on a
//!   wiremock server.
//! - [`contract`]: strict checks of JSON against a provider's published OpenAPI schemas;
//!   the contract tests (`tests/contract`) run every answer of the sandbox through them.
//! - [`shopify_cost`]: Shopify's requested query cost and its leaky bucket;
//!   [`shopify_bulk`]: its bulk query operations.
//! - [`server`]: the servers in a process of their own (the `sandbox-server` binary), for
//!   benchmarks whose client must not share its process with the servers' rendering.
//!
//! Dependencies: `wiremock` (the servers), `fastrand` (seeded, deterministic data),
//! `serde_json` (the payloads), `tokio`, `time`, `rust_decimal`, `apollo-compiler` (the
//! Shopify queries, parsed against the 2026-01 schema to count their cost), `regex` (the
//! schemas' `pattern`s in [`contract`]). Tests: `reqwest` (to ask the sandbox like a client
//! would).

pub mod all;
pub mod contract;
pub mod faults;
pub mod hostile;
pub mod klarna;
pub mod paypal;
pub mod rates;
pub mod scenario;
mod selection;
pub mod server;
pub mod shopify;
pub mod shopify_bulk;
pub mod shopify_cost;
pub mod stripe;
pub mod synthetic;

/// Standard base64 with padding (RFC 4648): expected Basic credentials, opaque cursors.
pub(crate) fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// The inverse of [`base64`], padding optional (a cursor may come back without it).
pub(crate) fn unbase64(input: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(input).ok()
}

pub use all::Sandbox;
pub use faults::{Faults, Faulty, Injected, MAX_FAULTS_PER_REQUEST, RequestCounter};
pub use scenario::{Scenario, ScenarioConfig};
