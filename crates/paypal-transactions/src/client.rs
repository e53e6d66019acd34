//! [`PayPalClient`] and its builder.

use std::time::Duration;

use provider_http::{Auth, ClientCredentials, HttpClient, RateLimit, SecretString, Transport};
use time::OffsetDateTime;

use crate::models::{BalancesResponse, format_request_time};
use crate::{BALANCES_PATH, Error, TOKEN_PATH};

/// Which PayPal environment a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api-m.paypal.com`.
    #[default]
    Live,
    /// `https://api-m.sandbox.paypal.com`.
    Sandbox,
}

impl Environment {
    /// The API host of the environment (paths are appended to it; PayPal's OpenAPI
    /// `servers` entry already ends in `/v1/reporting`, which must not be doubled).
    pub fn base_url(&self) -> &'static str {
        match self {
            Environment::Live => "https://api-m.paypal.com",
            Environment::Sandbox => "https://api-m.sandbox.paypal.com",
        }
    }
}

/// A PayPal REST client for Transaction Search and Balances.
///
/// Cheap to clone; clones share the connection pool, the rate limiter and the cached
/// access token. `Debug` shows the client id but never the secret or a token.
#[derive(Clone, Debug)]
pub struct PayPalClient {
    pub(crate) http: HttpClient,
    client_id: String,
    environment: Environment,
    pub(crate) page_size: u32,
    pub(crate) min_window: time::Duration,
}

impl PayPalClient {
    /// A builder for a client with the app's REST credentials (client id and secret from
    /// the PayPal developer dashboard). Live environment unless told otherwise.
    ///
    /// Defaults: the environment's host (token, search and balance calls all go to the
    /// base URL); 50 requests a minute with bursts of 10 (PayPal publishes no limit; this
    /// follows what integrators observed, a 5-minute IP block beyond roughly 50 a minute);
    /// provider-http's retry policy (4 attempts) and timeout (30 s per attempt).
    ///
    /// ```
    /// use paypal_transactions::PayPalClient;
    ///
    /// let client = PayPalClient::builder("client-id", "secret")
    ///     .base_url("http://127.0.0.1:9") // the test hook
    ///     .no_rate_limit()
    ///     .build()?;
    /// assert_eq!(client.http().base_url().as_str(), "http://127.0.0.1:9/");
    /// # Ok::<(), paypal_transactions::Error>(())
    /// ```
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> PayPalClientBuilder {
        PayPalClientBuilder {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            environment: Environment::Live,
            transport: Transport::default(),
            token_refresh_margin: Duration::from_secs(300),
            page_size: crate::PAGE_SIZE,
            min_window: time::Duration::minutes(1),
        }
    }

    /// The app's client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The HTTP client underneath (for its rate limiter and retry policy).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The balances of every currency at `as_of` (`GET /v1/reporting/balances?as_of_time=`),
    /// or the last refreshed balances when `None`.
    ///
    /// # Errors
    /// [`Error::Token`] when no access token could be had, [`Error::Http`] when the call
    /// failed or the answer could not be decoded (naming the field).
    pub async fn balances(&self, as_of: Option<OffsetDateTime>) -> Result<BalancesResponse, Error> {
        let mut query = Vec::new();
        if let Some(t) = as_of {
            query.push(("as_of_time", format_request_time(t)));
        }
        self.http
            .get_json(BALANCES_PATH, &query)
            .await
            .map_err(Error::from_http)
    }
}

/// Builds a [`PayPalClient`]; see [`PayPalClient::builder`]. `Debug` never shows the
/// secret ([`SecretString`] redacts itself).
#[derive(Debug)]
pub struct PayPalClientBuilder {
    client_id: String,
    client_secret: SecretString,
    environment: Environment,
    transport: Transport,
    token_refresh_margin: Duration,
    page_size: u32,
    min_window: time::Duration,
}

impl PayPalClientBuilder {
    provider_http::builder_setters! {
        /// Chooses the environment (default [`Environment::Live`]).
        environment: Environment,
        /// How long before `expires_in` runs out the token is refreshed (default 5 minutes;
        /// never later than half-way through the token's life).
        token_refresh_margin: Duration,
        /// Items per search page, 1 to 500 (default 500, PayPal's maximum).
        page_size: u32,
    }

    /// Shorthand for [`Environment::Sandbox`].
    #[must_use]
    pub fn sandbox(self) -> Self {
        self.environment(Environment::Sandbox)
    }

    provider_http::transport_setters!();

    /// The shortest window a `RESULTSET_TOO_LARGE` answer is split down to before giving up
    /// (default 1 minute).
    #[must_use]
    pub fn min_window(mut self, window: Duration) -> Self {
        self.min_window = time::Duration::try_from(window).unwrap_or(time::Duration::MINUTE);
        self
    }

    /// Builds the client. No request is made: the first call fetches the token.
    ///
    /// # Errors
    /// [`Error::Config`] when the client id is empty or the page size is out of range;
    /// [`Error::Http`] when the base URL is not `https` (or loopback `http`) or a credential
    /// is not a valid header value.
    pub fn build(self) -> Result<PayPalClient, Error> {
        if self.client_id.trim().is_empty() {
            return Err(Error::Config("client id is empty".to_owned()));
        }
        provider_http::check_page_size(self.page_size, crate::PAGE_SIZE).map_err(Error::Config)?;
        // No `scope` parameter: PayPal grants the scopes enabled on the app (the reporting
        // calls need `…/reporting/search/read` and `…/reporting/balances/read`).
        let credentials =
            ClientCredentials::new(TOKEN_PATH, self.client_id.clone(), self.client_secret);
        let http = HttpClient::builder("paypal", self.environment.base_url())
            .auth(Auth::token(credentials))
            .user_agent_suffix(concat!("paypal-transactions/", env!("CARGO_PKG_VERSION")))
            .token_refresh_margin(self.token_refresh_margin)
            // PayPal publishes no limit: integrators observed a 5-minute IP
            // block beyond roughly 50 requests a minute.
            .rate_limit(RateLimit::per_interval(50, Duration::from_secs(60)).burst(10));
        let http = self.transport.apply(http);
        let http = http.build().map_err(Error::from_http)?;
        Ok(PayPalClient {
            http,
            client_id: self.client_id,
            environment: self.environment,
            page_size: self.page_size,
            min_window: self.min_window.max(time::Duration::SECOND),
        })
    }
}
