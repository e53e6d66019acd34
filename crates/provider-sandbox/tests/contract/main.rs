//! Contract tests: every answer the sandbox serves, and the JSON fixtures the client
//! crates test with, checked against what each provider publishes. A field the sandbox
//! invents, or a type it gets wrong, fails here.
//!
//! - PayPal: the OpenAPI schemas of `reporting_transactions_v1.json`
//!   (github.com/paypal/paypal-rest-api-specifications, copied to
//!   `crates/paypal-transactions/tests/fixtures/paypal/`).
//! - Klarna: Klarna's Settlements API 1.0.0-rc2 OpenAPI
//!   (`crates/klarna-settlements/tests/fixtures/klarna/settlements-api-v1.openapi.json`),
//!   cross-checked with the field types of Klarna's official Java SDK models
//!   (github.com/klarna/kco_rest_java, `com.klarna.rest.api.settlements.model`).
//! - Stripe: field names and JSON types of Stripe's own OpenAPI fixtures
//!   (`crates/stripe-invoicing/tests/fixtures/stripe/fixtures3.json`, from stripe/openapi).

mod klarna;
mod paypal;
mod stripe;

use std::path::PathBuf;

use bookkeeping_core::Period;
use provider_sandbox::contract::Violation;
use provider_sandbox::{Scenario, ScenarioConfig};
use serde_json::Value;
use time::Month;

/// A file of the workspace, by its path from the workspace root.
pub(crate) fn workspace_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// A JSON file of the workspace (a UTF-8 BOM skipped).
pub(crate) fn json_file(path: &str) -> Value {
    let full = workspace_file(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The JSON files directly in a workspace directory, sorted by name.
pub(crate) fn json_files_in(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace_file(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    names.sort();
    names
}

/// The generated shop, as the sandboxes serve it.
pub(crate) fn scenario() -> Scenario {
    Scenario::generate(&ScenarioConfig::small(
        Period::month(2026, Month::March).expect("period"),
    ))
}

/// Fails with every violation, named by what was checked.
pub(crate) fn assert_conforms(what: &str, violations: &[Violation]) {
    assert!(
        violations.is_empty(),
        "{what} breaks the published definition:\n{}",
        violations
            .iter()
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A GET with the given authorization header; the status and the JSON body.
pub(crate) async fn get(url: &str, authorization: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(url)
        .header("authorization", authorization)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    let body = resp.text().await.expect("body");
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}"));
    (status, json)
}
