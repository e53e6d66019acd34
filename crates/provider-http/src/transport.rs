//! [`Transport`] and [`transport_setters!`]: the one builder convention of the provider
//! clients.
//!
//! A provider client's builder (`StripeClient::builder`, `KlarnaClient::builder`, …) takes
//! what is required (credentials, a shop) and offers provider options of its own. The
//! transport options (base URL, retries, rate limit, timeout, limits) are the same for every
//! provider: the builder keeps them in a [`Transport`], gets their setters from
//! [`transport_setters!`], and [`Transport::apply`]s them to its [`HttpClientBuilder`] after
//! setting its provider's defaults, so a value the host set always wins.

use std::time::Duration;

use crate::{HttpClientBuilder, Limits, RateLimit, RetryPolicy};

/// The transport options a host may set on any provider client's builder; each is `None`
/// until set, and then replaces the provider's default.
///
/// ```
/// use std::time::Duration;
/// use provider_http::{HttpClient, RateLimit, Transport};
///
/// let mut transport = Transport::default();
/// transport.base_url = Some("http://127.0.0.1:9".to_owned());
/// transport.timeout = Some(Duration::from_secs(5));
///
/// // The provider's defaults first, then what the host set.
/// let builder = HttpClient::builder("stripe", "https://api.stripe.com")
///     .rate_limit(RateLimit::per_second(20));
/// let client = transport.apply(builder).build().unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Transport {
    /// Replaces the provider's base URL ([`HttpClientBuilder::base_url`]): the test hook.
    pub base_url: Option<String>,
    /// Replaces the retry policy ([`HttpClientBuilder::retry`]).
    pub retry: Option<RetryPolicy>,
    /// Replaces the provider's steady request rate ([`HttpClientBuilder::rate_limit`]).
    pub rate_limit: Option<RateLimit>,
    /// No steady request rate at all (tests, the sandbox); wins over `rate_limit`.
    pub no_rate_limit: bool,
    /// Replaces the time allowed for one attempt ([`HttpClientBuilder::timeout`]).
    pub timeout: Option<Duration>,
    /// Replaces the request deadline and response-size cap ([`HttpClientBuilder::limits`]).
    pub limits: Option<Limits>,
}

impl Transport {
    /// Sets on `builder` every option the host set, leaving the others as they are.
    pub fn apply(&self, mut builder: HttpClientBuilder) -> HttpClientBuilder {
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(retry) = &self.retry {
            builder = builder.retry(retry.clone());
        }
        if let Some(limit) = self.rate_limit {
            builder = builder.rate_limit(limit);
        }
        if self.no_rate_limit {
            builder = builder.no_rate_limit();
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(limits) = self.limits {
            builder = builder.limits(limits);
        }
        builder
    }
}

/// Checks a client's page size: every client refuses a size outside `1..=max` in its
/// `build()` (none clamps it silently), with this message in its configuration error.
///
/// # Errors
///
/// `page size {size} is outside 1..={max}`.
///
/// ```
/// assert_eq!(provider_http::check_page_size(100, 250), Ok(100));
/// assert_eq!(
///     provider_http::check_page_size(0, 250).unwrap_err(),
///     "page size 0 is outside 1..=250"
/// );
/// ```
pub fn check_page_size(size: u32, max: u32) -> Result<u32, String> {
    if (1..=max).contains(&size) {
        Ok(size)
    } else {
        Err(format!("page size {size} is outside 1..={max}"))
    }
}

/// Writes the transport setters of a provider client's builder: `base_url`, `retry`,
/// `rate_limit`, `no_rate_limit`, `timeout` and `limits`, each storing its value in the
/// builder's `transport: `[`Transport`] field. Invoke it inside the builder's `impl` block;
/// the builder's `build()` calls [`Transport::apply`].
///
/// Every client documents its defaults (retries, rate limit, timeout) on its `builder()`.
///
/// ```
/// use provider_http::{HttpClient, HttpError, Transport};
///
/// /// A client builder.
/// pub struct DemoBuilder {
///     transport: Transport,
/// }
///
/// impl DemoBuilder {
///     provider_http::transport_setters!();
///
///     /// Builds the HTTP client.
///     pub fn build(self) -> Result<HttpClient, HttpError> {
///         self.transport.apply(HttpClient::builder("demo", "https://example.com")).build()
///     }
/// }
///
/// let client = DemoBuilder { transport: Transport::default() }
///     .base_url("http://127.0.0.1:9")
///     .no_rate_limit()
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/");
/// ```
#[macro_export]
macro_rules! transport_setters {
    () => {
        /// Sends requests to another server: **the test hook** (a wiremock server, the
        /// kassabok sandbox) and the way to reach another environment or a proxy. It must be
        /// `https`, or plain `http` to a loopback address; checked by `build()`.
        #[must_use]
        pub fn base_url(mut self, url: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.transport.base_url = ::std::option::Option::Some(url.into());
            self
        }

        /// The retry policy (default: [`RetryPolicy::default`]($crate::RetryPolicy), 4
        /// attempts with backoff from 500 ms, honouring `Retry-After` up to 60 s). Tests use
        /// short delays.
        #[must_use]
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.transport.retry = ::std::option::Option::Some(policy);
            self
        }

        /// The steady request rate of this client and its clones (default: the provider's,
        /// see `builder()`).
        #[must_use]
        pub fn rate_limit(mut self, limit: $crate::RateLimit) -> Self {
            self.transport.rate_limit = ::std::option::Option::Some(limit);
            self
        }

        /// No client-side rate limit (tests, the sandbox).
        #[must_use]
        pub fn no_rate_limit(mut self) -> Self {
            self.transport.no_rate_limit = true;
            self
        }

        /// The time allowed for one attempt, reading the body included (default: see
        /// `builder()`).
        #[must_use]
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.transport.timeout = ::std::option::Option::Some(timeout);
            self
        }

        /// The request deadline (every retry and wait included) and the response-size cap
        /// (default [`Limits::default`]($crate::Limits): 60 s and 64 MiB): a stalled or
        /// flooding server fails the request soon, with an error naming the endpoint.
        #[must_use]
        pub fn limits(mut self, limits: $crate::Limits) -> Self {
            self.transport.limits = ::std::option::Option::Some(limits);
            self
        }
    };
}

/// Writes a client builder's own setters (provider options: a region, a page size), each
/// storing its argument in the builder's field of the same name and returning `Self`,
/// `#[must_use]`, with the documentation written before it. The transport setters come from
/// [`transport_setters!`]; a setter that does more than store its value (a shorthand, a
/// conversion, a clamp) is written by hand.
///
/// ```
/// /// Where requests go.
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// pub enum Region {
///     /// Europe.
///     Eu,
///     /// North America.
///     Na,
/// }
///
/// /// A client builder.
/// pub struct DemoBuilder {
///     region: Region,
///     page_size: u32,
/// }
///
/// impl DemoBuilder {
///     provider_http::builder_setters! {
///         /// The region (default EU).
///         region: Region,
///         /// Items per page, 1 to 500 (default 500).
///         page_size: u32,
///     }
/// }
///
/// let builder = DemoBuilder { region: Region::Eu, page_size: 500 }
///     .region(Region::Na)
///     .page_size(100);
/// assert_eq!((builder.region, builder.page_size), (Region::Na, 100));
/// ```
#[macro_export]
macro_rules! builder_setters {
    ($( $(#[$attr:meta])* $field:ident: $ty:ty ),* $(,)?) => {$(
        $(#[$attr])*
        #[must_use]
        pub fn $field(mut self, $field: $ty) -> Self {
            self.$field = $field;
            self
        }
    )*};
}
