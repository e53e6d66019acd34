//! [`StripeClient`] and its builder.

use std::time::Duration;

use bookkeeping_core::LineKind;
use provider_http::{Auth, ExposeSecret, HttpClient, RateLimit, SecretString, Transport};

use crate::StripeClassifier;
use crate::models::InvoiceStatus;
use crate::source::SourceOptions;

/// The Stripe API version every request pins with `Stripe-Version`: the
/// current shape, where invoices have `total_taxes`, lines have `taxes`, and
/// payments of invoices are `invoice_payments` (since `2025-03-31.basil`).
pub const API_VERSION: &str = "2026-07-29.dahlia";

/// Stripe's API address.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";

/// Requests per second with a live key: below Stripe's default per-endpoint
/// limit of 25 requests/s (the global live limit is 100/s).
pub const LIVE_RATE_LIMIT: u32 = 20;

/// Requests per second with a test-mode key (`sk_test_…`, `rk_test_…`): below
/// the 25 requests/s of test mode, which is shared by all requests.
pub const TEST_RATE_LIMIT: u32 = 10;

/// A client for one Stripe account: payouts, balance transactions and Stripe
/// Invoicing. Cheap to clone; clones share connections and the rate limiter.
///
/// The client carries transport only. It is a source of sales and payouts
/// with the default [`SourceOptions`]; a [`StripeSource`](crate::StripeSource)
/// is the same client with the host's bookkeeping options.
///
/// `Debug` never shows the secret key.
#[derive(Clone, Debug)]
pub struct StripeClient {
    pub(crate) http: HttpClient,
    pub(crate) account: Option<String>,
    /// What the deprecated builder setters chose (the defaults otherwise):
    /// the options of the client's own source-trait implementations.
    pub(crate) source_options: SourceOptions,
}

impl StripeClient {
    /// Starts a client with a secret (`sk_…`) or restricted (`rk_…`) key. A
    /// restricted key needs read access to payouts, balance transactions,
    /// charges, invoices, credit notes and tax rates.
    ///
    /// Defaults: `https://api.stripe.com`, [`LIVE_RATE_LIMIT`] requests per
    /// second, or [`TEST_RATE_LIMIT`] for a test-mode key; provider-http's
    /// retry policy (4 attempts, `Retry-After` and `Stripe-Should-Retry`
    /// honoured); 80 s per attempt, as Stripe's SDKs.
    ///
    /// ```
    /// use stripe_invoicing::StripeClient;
    ///
    /// let client = StripeClient::builder("sk_test_123")
    ///     .base_url("http://127.0.0.1:9") // the test hook
    ///     .build()?;
    /// assert_eq!(client.http().base_url().as_str(), "http://127.0.0.1:9/");
    /// # Ok::<(), stripe_invoicing::Error>(())
    /// ```
    pub fn builder(secret_key: impl Into<SecretString>) -> StripeClientBuilder {
        StripeClientBuilder {
            secret_key: secret_key.into(),
            account: None,
            transport: Transport::default(),
            source_options: SourceOptions::default(),
        }
    }

    /// The HTTP client underneath (base URL, rate limiter, retry policy).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The connected account requests act for (`Stripe-Account`), if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
}

/// Builds a [`StripeClient`]; see [`StripeClient::builder`]. `Debug` never shows
/// the key ([`SecretString`] redacts itself).
#[derive(Debug)]
pub struct StripeClientBuilder {
    secret_key: SecretString,
    account: Option<String>,
    transport: Transport,
    source_options: SourceOptions,
}

impl StripeClientBuilder {
    provider_http::transport_setters!();

    /// Acts for a connected account (Stripe Connect): sends
    /// `Stripe-Account: acct_…` with every request.
    #[must_use]
    pub fn account(mut self, account_id: &str) -> Self {
        self.account = Some(account_id.to_owned());
        self
    }

    /// Which invoice statuses the client's own
    /// [`SalesSource::sales`](bookkeeping_core::SalesSource::sales) lists.
    #[deprecated(
        since = "0.1.0",
        note = "a bookkeeping option, not transport: use `StripeSource::new(client).invoice_statuses(..)`"
    )]
    #[must_use]
    pub fn invoice_statuses(mut self, statuses: &[InvoiceStatus]) -> Self {
        self.source_options.invoice_statuses = statuses.to_vec();
        self
    }

    /// How long before a period invoices may have been created and still be
    /// booked in it, for the client's own source traits.
    #[deprecated(
        since = "0.1.0",
        note = "a bookkeeping option, not transport: use `StripeSource::new(client).invoice_lookback(..)`"
    )]
    #[must_use]
    pub fn invoice_lookback(mut self, lookback: time::Duration) -> Self {
        self.source_options.invoice_lookback = lookback;
        self
    }

    /// What invoice lines are, for the client's own source traits.
    #[deprecated(
        since = "0.1.0",
        note = "a bookkeeping option, not transport: use `StripeSource::new(client).invoice_line_kind(..)`"
    )]
    #[must_use]
    pub fn invoice_line_kind(mut self, kind: LineKind) -> Self {
        self.source_options.invoice_line_kind = kind;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Http`](crate::Error::Http) with a configuration error when the
    /// base URL is not `https` (or loopback `http`), or the key or account id
    /// is not a valid header value.
    pub fn build(self) -> Result<StripeClient, crate::Error> {
        let key = self.secret_key.expose_secret();
        let test_mode = key.starts_with("sk_test_") || key.starts_with("rk_test_");
        let rate = RateLimit::per_second(if test_mode {
            TEST_RATE_LIMIT
        } else {
            LIVE_RATE_LIMIT
        });
        let builder = HttpClient::builder("stripe", DEFAULT_BASE_URL)
            .auth(Auth::Bearer(self.secret_key.clone()))
            .header("Stripe-Version", API_VERSION)
            .user_agent_suffix(concat!("stripe-invoicing/", env!("CARGO_PKG_VERSION")))
            .classifier(StripeClassifier)
            .rate_limit(rate)
            // As Stripe's SDKs: some list pages take long to assemble.
            .timeout(Duration::from_secs(80));
        let mut builder = self.transport.apply(builder);
        if let Some(account) = &self.account {
            builder = builder.header("Stripe-Account", account);
        }
        Ok(StripeClient {
            http: builder.build()?,
            account: self.account,
            source_options: self.source_options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deprecated builder setters keep working: they set the options the
    /// client's own source traits use.
    #[test]
    #[allow(deprecated)]
    fn deprecated_builder_options_reach_the_clients_own_source() {
        let client = StripeClient::builder("sk_test_123")
            .invoice_statuses(&[InvoiceStatus::Paid])
            .invoice_lookback(time::Duration::days(31))
            .invoice_line_kind(LineKind::Goods)
            .build()
            .unwrap();
        let expected = SourceOptions::default()
            .with_invoice_statuses(&[InvoiceStatus::Paid])
            .with_invoice_lookback(time::Duration::days(31))
            .with_invoice_line_kind(LineKind::Goods);
        assert_eq!(client.source_options, expected);
        let plain = StripeClient::builder("sk_test_123").build().unwrap();
        assert_eq!(plain.source_options, SourceOptions::default());
    }
}
