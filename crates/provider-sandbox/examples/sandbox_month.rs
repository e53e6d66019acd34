//! Starts the four simulated providers over a generated March 2026, with the
//! fault mix a client must absorb (`Faults::chaos`), and asks each once the
//! way a client would: what a test of your own integration starts from.
//!
//! ```text
//! cargo run -p provider-sandbox --example sandbox_month
//! ```
//!
//! Every fifth request is refused with 429 and `Retry-After`, every seventh
//! with 503, every fourth answered slowly (`Faults::chaos`): the example waits
//! the server's `Retry-After` and asks again, as `provider-http` does, and
//! prints each refusal.

use std::error::Error;
use std::time::Duration;

use bookkeeping_core::Period;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use reqwest::{RequestBuilder, StatusCode};

/// Sends the request until it is answered 2xx (at most 5 attempts), waiting
/// the server's `Retry-After` (seconds) after a 429 or 503; the body.
async fn ask(what: &str, request: impl Fn() -> RequestBuilder) -> Result<String, Box<dyn Error>> {
    for attempt in 1..=5 {
        let response = request().send().await?;
        let status = response.status();
        if status.is_success() {
            if attempt > 1 {
                println!("  {what}: answered at attempt {attempt}");
            }
            return Ok(response.text().await?);
        }
        if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
            return Err(format!("{what}: {status}").into());
        }
        let wait = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1);
        println!("  {what}: attempt {attempt}: {status}, retrying after {wait} s");
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    Err(format!("{what}: no answer after 5 attempts").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let period = Period::month(2026, time::Month::March)?;
    let sandbox = Sandbox::start(&ScenarioConfig::small(period), Faults::chaos()).await;
    let s = &sandbox.scenario;
    println!(
        "March 2026: {} Shopify orders, {} Stripe invoices; payouts: Shopify {}, Klarna {}, Stripe {}",
        s.orders.len(),
        s.invoices.len(),
        s.shopify_payouts.len(),
        s.klarna_payouts.len(),
        s.stripe_payouts.len(),
    );
    let http = reqwest::Client::new();

    println!("Stripe at {}", sandbox.stripe.uri());
    // Each payout and its balance transactions, a page at a time: enough
    // requests to meet the injected faults.
    let mut after: Option<String> = None;
    loop {
        let url = match &after {
            Some(id) => format!(
                "{}/v1/payouts?limit=1&starting_after={id}",
                sandbox.stripe.uri()
            ),
            None => format!("{}/v1/payouts?limit=1", sandbox.stripe.uri()),
        };
        let page = ask("GET /v1/payouts", || {
            http.get(&url).bearer_auth(sandbox.stripe.secret_key())
        })
        .await?;
        let page: serde_json::Value = serde_json::from_str(&page)?;
        let Some(p) = page["data"].get(0) else { break };
        let id = p["id"].as_str().unwrap_or_default().to_owned();
        let lines = ask("GET /v1/balance_transactions", || {
            http.get(format!(
                "{}/v1/balance_transactions?payout={id}&limit=100",
                sandbox.stripe.uri()
            ))
            .bearer_auth(sandbox.stripe.secret_key())
        })
        .await?;
        let lines: serde_json::Value = serde_json::from_str(&lines)?;
        println!(
            "  payout {id}: {} {} arriving {} (unix), {} balance transactions on its first page",
            p["amount"],
            p["currency"],
            p["arrival_date"],
            lines["data"].as_array().map_or(0, Vec::len)
        );
        if page["has_more"] != true {
            break;
        }
        after = Some(id);
    }

    println!("Klarna at {}", sandbox.klarna.uri());
    let settlements = ask("GET /settlements/v1/payouts?size=3", || {
        http.get(format!(
            "{}/settlements/v1/payouts?size=3",
            sandbox.klarna.uri()
        ))
        .basic_auth(sandbox.klarna.username(), Some(sandbox.klarna.password()))
    })
    .await?;
    println!("  {} bytes of payouts", settlements.len());

    println!("PayPal at {}", sandbox.paypal.uri());
    let token = ask("POST /v1/oauth2/token", || {
        http.post(format!("{}/v1/oauth2/token", sandbox.paypal.uri()))
            .basic_auth(
                sandbox.paypal.client_id(),
                Some(sandbox.paypal.client_secret()),
            )
            .form(&[("grant_type", "client_credentials")])
    })
    .await?;
    let token: serde_json::Value = serde_json::from_str(&token)?;
    println!("  a token that expires in {} s", token["expires_in"]);

    println!("Shopify at {}", sandbox.shopify.uri());
    let count = ask("orders count (GraphQL)", || {
        http.post(format!(
            "{}{}",
            sandbox.shopify.uri(),
            "/admin/api/2026-01/graphql.json"
        ))
        .header("X-Shopify-Access-Token", sandbox.shopify.access_token())
        .json(&serde_json::json!({ "query": "{ ordersCount(limit: null) { count precision } }" }))
    })
    .await?;
    let count: serde_json::Value = serde_json::from_str(&count)?;
    println!("  ordersCount: {}", count["data"]["ordersCount"]);

    println!("requests received (faulted ones included):");
    for (provider, n) in sandbox.requests() {
        println!("  {provider}: {n}");
    }
    Ok(())
}
