//! `provider-http`: the one HTTP layer every kassabok provider client uses.
//!
//! An [`HttpClient`] is built once per provider account and does, for every request:
//!
//! - **base URL**: paths are appended to a base URL that must be `https` (plain `http` only for
//!   loopback hosts, so tests and the sandbox work and nothing else can be pointed at);
//!   [`HttpClientBuilder::base_url`] is the test hook. Redirects are not followed.
//! - **authentication** ([`Auth`]): bearer, basic, a custom header, or OAuth2 tokens from a
//!   [`TokenSource`] (cached, refreshed before expiry and once on a 401; see
//!   [`ClientCredentials`]). Credentials are [`SecretString`]s, header values are marked
//!   sensitive, and every `Debug` redacts them.
//! - **timeouts** and the `User-Agent` `kassabok/<version>` ([`USER_AGENT`]).
//! - **limits** ([`Limits`]): a deadline per request with every retry and wait inside it
//!   (60 s), and a response-size cap checked on `Content-Length` and while streaming (64 MiB).
//! - **rate limiting** ([`RateLimit`], [`RateLimiter`]): a steady rate per client, and pauses
//!   at runtime (`Retry-After`, or provider pacing such as Shopify's query cost).
//! - **retries** ([`RetryPolicy`]): idempotent requests only, bounded exponential backoff with
//!   jitter, `Retry-After` in seconds or as an HTTP date; connect/timeout errors, 408, 409, 425,
//!   429 and 500–504 are retryable, and a per-provider [`RetryClassifier`], written in the
//!   provider's crate, reads the provider's own signals (`stripe-invoicing`'s
//!   `StripeClassifier` for `Stripe-Should-Retry`, `shopify-bookkeeping`'s `ShopifyClassifier` for
//!   GraphQL `THROTTLED` answers sent with status 200). This crate knows no provider.
//! - **errors** ([`HttpError`]): provider, method, path (never the query), status, the
//!   provider's code, message and request id (through an [`ErrorDecoder`]), the start of the
//!   body, decode errors with the JSON path of the failing field, attempts made,
//!   [`is_retryable`](HttpError::is_retryable) and [`retry_after`](HttpError::retry_after).
//! - **tracing**: one `http_request` span per request (provider, method, path) with a debug
//!   event per attempt (attempt, status, elapsed ms) and a warning when a request fails. No
//!   header or query string is ever logged.
//!
//! [`paginate`] turns "fetch the page at this cursor" into a `Stream` of items that ends after
//! the first error and refuses a cursor that repeats; [`Lanes`] reads several lists at once
//! (each payout's transactions) and hands their items on in list order, within a memory budget.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use provider_http::{
//!     Auth, HttpClient, HttpError, Page, RateLimit, RetryPolicy, SecretString,
//! };
//!
//! #[derive(serde::Deserialize)]
//! struct Payout {
//!     id: String,
//!     amount: i64,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct List<T> {
//!     data: Vec<T>,
//!     has_more: bool,
//! }
//!
//! # async fn run() -> Result<(), HttpError> {
//! let key = SecretString::from(std::env::var("STRIPE_SECRET_KEY").unwrap_or_default());
//! let client = HttpClient::builder("stripe", "https://api.stripe.com")
//!     // .base_url(mock_server.uri())  // in tests
//!     .auth(Auth::Bearer(key))
//!     .header("Stripe-Version", "2025-03-31.basil")
//!     .user_agent_suffix(concat!("stripe-invoicing/", env!("CARGO_PKG_VERSION")))
//!     // .classifier(stripe_invoicing::StripeClassifier)  // the provider's retry signals
//!     .rate_limit(RateLimit::per_second(20))
//!     .retry(RetryPolicy::default().max_attempts(3))
//!     .build()?;
//!
//! // One request.
//! let list: List<Payout> = client
//!     .get_json("/v1/payouts", &[("limit", "100".to_owned())])
//!     .await?;
//! println!("{} payouts on the first page", list.data.len());
//!
//! // Every page.
//! let payouts: Vec<Payout> = client
//!     .paginate(None, |cursor: Option<String>| {
//!         let client = client.clone();
//!         async move {
//!             let mut query = vec![("limit", "100".to_owned())];
//!             query.extend(cursor.map(|c| ("starting_after", c)));
//!             let list: List<Payout> = client.get_json("/v1/payouts", &query).await?;
//!             let next = list.has_more.then(|| list.data.last().map(|p| p.id.clone())).flatten();
//!             Ok(Page::new(list.data, next))
//!         }
//!     })
//!     .try_collect()
//!     .await?;
//! println!("{} payouts, {} öre", payouts.len(), payouts.iter().map(|p| p.amount).sum::<i64>());
//! # Ok(())
//! # }
//! ```
//!
//! # Provider hooks
//!
//! Everything provider-specific plugs into the builder:
//!
//! | Hook | Stripe | Shopify | Klarna | PayPal |
//! |---|---|---|---|---|
//! | [`Auth`] | `Bearer(secret key)` | `Header { x-shopify-access-token }` | `Basic { username, password }` | `Token(ClientCredentials)` |
//! | [`RetryClassifier`] | `StripeClassifier` (in `stripe-invoicing`) | `ShopifyClassifier` (in `shopify-bookkeeping`) | default | default |
//! | [`ErrorDecoder`] | default (`error.code`, `Request-Id`) | default (`errors`, `X-Request-Id`) | default (`error_code`, `correlation_id`) | default (`name`, `debug_id`) |
//! | [`RateLimit`] | 25/s test, 100/s live | pace from the query cost with [`RateLimiter::throttle`] (`shopify-bookkeeping`'s `shopify_throttle_wait`) | 50/s playground, 200/s live | unpublished (about 50/min per IP is reported) |
//!
//! A response that the HTTP layer accepted but the provider crate finds to be a failure (a
//! GraphQL `errors` list with status 200) becomes an error with [`HttpClient::api_error`].
//!
//! # Retries, in detail
//!
//! An attempt fails on a transport error or on a response that is not 2xx (or that the
//! classifier declares a failure). It is retried when the failure is retryable, the request is
//! idempotent (a connect failure is retried for any request: nothing was sent) and attempts
//! remain. The wait is the provider's (`Retry-After`, classifier) if it says one and that is at
//! most [`RetryPolicy::honour_retry_after_up_to`]: then the whole client (its rate limiter)
//! pauses for it, so concurrent requests do not run into the same limit. A longer requested
//! wait ends the retries at once; the error's [`retry_after`](HttpError::retry_after) tells
//! the caller. Otherwise the wait is the exponential backoff. With [`Auth::Token`], a 401 fetches
//! a new token and repeats the request once, outside the retry budget.
//!
//! # Shared model macros
//!
//! Every provider crate declares its ids and its enum-like strings with the same two macros,
//! one definition instead of a copy per crate:
//!
//! - [`provider_id!`]: `String` newtypes for object ids (`new`, `as_str`, `Display`, a
//!   `Debug` such as `PayoutId("po_123")`, `From<&str>`/`From<String>`, ordering and hashing,
//!   serde as a plain string), documented with the provider's name ("as Stripe wrote it").
//! - [`open_enum!`]: `#[non_exhaustive]` enums with the known values as variants and anything
//!   else as `Unknown(String)`, kept as the provider wrote it and surfaced for review, never
//!   dropped (`as_str`, `is_unknown`, `From<&str>`, `Display`, serde as the provider's
//!   spelling).
//!
//! ```
//! provider_http::provider_id! {
//!     provider: "Klarna",
//!     /// A Klarna order id.
//!     pub struct OrderId;
//! }
//!
//! provider_http::open_enum! {
//!     provider: "Klarna",
//!     /// What a money movement is.
//!     pub enum TransactionType {
//!         /// `SALE`.
//!         Sale => "SALE",
//!         /// `FEE`.
//!         Fee => "FEE",
//!     }
//! }
//!
//! assert_eq!(OrderId::from("a1").to_string(), "a1");
//! assert_eq!(TransactionType::from("FEE"), TransactionType::Fee);
//! assert!(TransactionType::from("HOLDBACK").is_unknown());
//! ```
//!
//! Provider-specific extras (a Shopify GID's numeric tail, `AsRef<str>` on Klarna's ids)
//! stay in the provider crate as separate `impl` blocks.
//!
//! # Dependencies
//!
//! - `reqwest` (with `rustls` by default, `native-tls` as an opt-in feature): the HTTP client,
//!   connection pool and TLS.
//! - `tokio`: timers for backoff, rate limiting and token expiry; the async mutex that makes
//!   concurrent requests share one token refresh.
//! - `futures`: the `Stream` returned by [`paginate`].
//! - `async-trait`: [`TokenSource`] is used as `dyn TokenSource` and has an async method.
//! - `secrecy`: [`SecretString`] for every credential.
//! - `serde`, `serde_json`: request bodies and response decoding, and the serde impls of
//!   [`provider_id!`] and [`open_enum!`]; `serde_path_to_error`: the
//!   JSON path of the field that failed to decode.
//! - `thiserror`: the error enums.
//! - `httpdate`: `Retry-After` given as an HTTP date.
//! - `fastrand`: backoff jitter (no cryptographic randomness needed).
//! - `bytes`: request and response bodies without copies across retries.
//! - `tracing`: one span per request, never with credentials.
//! - `url`: base URL validation and joining, query and form encoding.
#![deny(missing_docs)]
// On docs.rs, each feature-gated item carries a badge naming the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod attempt;
mod auth;
mod builder;
mod client;
pub mod decimal;
mod decode;
mod error;
pub mod fields;
mod lanes;
mod listed;
mod macros;
mod paginate;
mod rate_limit;
mod request;
mod retry;
pub mod scan;
mod surrogates;
mod transport;

pub use async_trait::async_trait;
/// The text types the [`provider_id!`] newtypes hold.
#[doc(hidden)]
pub use bookkeeping_core::text as __text;
/// The `http` crate's types (`Method`, `StatusCode`, `HeaderName`, …) that this crate's API
/// speaks. Re-exported instead of reqwest, so reqwest's version is not part of the public API:
/// `http` 1.x is the stable vocabulary that reqwest, hyper and axum share.
pub use http;
pub use secrecy::{ExposeSecret, SecretString};
/// serde, for the code [`provider_id!`] and [`open_enum!`] generate in other crates.
#[doc(hidden)]
pub use serde as __serde;

pub use auth::{AccessToken, Auth, ClientCredentials, TokenSource};
pub use builder::HttpClientBuilder;
pub use client::{HttpClient, USER_AGENT};
pub use decode::{DefaultErrorDecoder, ErrorDecoder, strip_bom};
pub use error::{
    ApiError, ErrorDetails, HttpError, HttpErrorKind, MAX_ERROR_BODY, PaginationError, RawBody,
    RequestInfo, TransportKind,
};
pub use lanes::{LaneItem, Lanes};
pub use listed::{Listed, Malformed};
pub use paginate::{MAX_EMPTY_PAGES, MAX_PAGES, Page, end_after_error, flatten_batches, paginate};
pub use rate_limit::{RateLimit, RateLimiter};
pub use request::{DEFAULT_MAX_RESPONSE_BYTES, HttpResponse, Idempotency, Limits, RequestSpec};
pub use retry::{
    DefaultClassifier, Jitter, RetryClassifier, RetryDecision, RetryPolicy, is_retryable_status,
    parse_retry_after,
};
pub use surrogates::mend_lone_surrogates;
pub use transport::{Transport, check_page_size};
