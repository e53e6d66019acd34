//! [`ShopifyClient`] and its builder: shop validation, authentication, the
//! pinned API version, GraphQL errors and cost-based pacing.

use provider_http::http::header::HeaderName;
use provider_http::{
    Auth, HttpClient, HttpError, HttpResponse, Idempotency, RequestSpec, SecretString, Transport,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::bulk::{BULK_MAX_FILE_BYTES, BULK_THRESHOLD, BulkMode, BulkPolling};
use crate::error::{Error, GraphQlError, UserError};
use crate::normalize::NormalizeOptions;
use crate::throttle::{ShopifyClassifier, shopify_throttle_wait};

/// The Admin API version every request uses (`/admin/api/2026-01/graphql.json`).
/// Balance-transaction fields need at least 2024-07; Shopify supports a
/// version for at least twelve months.
pub const API_VERSION: &str = "2026-01";

/// Shopify's largest page (`first: 250`).
pub const MAX_PAGE_SIZE: u32 = 250;

/// Shopify paginates at most 25,000 objects per query; longer listings are
/// sliced by date (see [`ShopifyClientBuilder::per_query_cap`]).
pub const PER_QUERY_CAP: u64 = 25_000;

/// The GraphQL endpoint's path.
pub fn graphql_path() -> String {
    format!("/admin/api/{API_VERSION}/graphql.json")
}

/// A client for one shop's GraphQL Admin API.
///
/// The client carries transport only. It is a source of sales and payouts
/// with the default [`NormalizeOptions`]; a [`ShopifySource`](crate::ShopifySource)
/// is the same client with the host's bookkeeping options.
///
/// Cheap to clone; clones share the connection pool and the pacing.
/// `Debug` never shows the access token.
#[derive(Clone, Debug)]
pub struct ShopifyClient {
    pub(crate) http: HttpClient,
    shop: String,
    pub(crate) page_size: u32,
    pub(crate) per_query_cap: u64,
    /// What the deprecated builder setter chose (the defaults otherwise): the
    /// options of the client's own source-trait implementations.
    pub(crate) options: NormalizeOptions,
    pub(crate) bulk_mode: BulkMode,
    pub(crate) bulk_threshold: u64,
    pub(crate) bulk_polling: BulkPolling,
    pub(crate) bulk_max_file_bytes: u64,
}

/// Builds a [`ShopifyClient`]; see [`ShopifyClient::builder`]. `Debug` never
/// shows the token ([`SecretString`] redacts itself).
#[derive(Debug)]
pub struct ShopifyClientBuilder {
    shop: String,
    token: SecretString,
    transport: Transport,
    page_size: u32,
    per_query_cap: u64,
    options: NormalizeOptions,
    bulk_mode: BulkMode,
    bulk_threshold: u64,
    bulk_polling: BulkPolling,
    bulk_max_file_bytes: u64,
}

/// A successful GraphQL answer: its `data` and the query's cost.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQlResponse {
    /// `data`.
    pub data: Value,
    /// `extensions.cost`, when Shopify sent it.
    pub cost: Option<QueryCost>,
}

/// `extensions.cost` of a GraphQL answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCost {
    /// The cost Shopify reserved before running the query.
    pub requested_query_cost: Option<serde_json::Number>,
    /// What the query really cost.
    pub actual_query_cost: Option<serde_json::Number>,
    /// The bucket.
    pub throttle_status: Option<ThrottleStatus>,
}

/// The app's query-cost bucket at the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Bucket size.
    pub maximum_available: serde_json::Number,
    /// Points left.
    pub currently_available: serde_json::Number,
    /// Points restored per second.
    pub restore_rate: serde_json::Number,
}

impl ShopifyClient {
    /// Starts a client for `shop` (`kassabok-demo.myshopify.com` or the bare
    /// handle `kassabok-demo`) with an Admin API access token.
    ///
    /// Needs the `read_orders` scope (and `read_all_orders` for orders older
    /// than 60 days) and `read_shopify_payments_payouts` for payouts.
    ///
    /// Defaults: `https://{shop}.myshopify.com`, provider-http's retry
    /// policy (4 attempts; `THROTTLED` answers wait for the points Shopify's
    /// cost information says are missing, beyond those attempts), no steady
    /// rate (the client paces itself from `throttleStatus`), 30 s per attempt.
    ///
    /// ```
    /// use shopify_bookkeeping::ShopifyClient;
    ///
    /// let client = ShopifyClient::builder("kassabok-demo", "shpat_123")
    ///     .base_url("http://127.0.0.1:9") // the test hook
    ///     .build()?;
    /// assert_eq!(client.shop(), "kassabok-demo");
    /// # Ok::<(), shopify_bookkeeping::Error>(())
    /// ```
    pub fn builder(
        shop: impl Into<String>,
        access_token: impl Into<SecretString>,
    ) -> ShopifyClientBuilder {
        ShopifyClientBuilder {
            shop: shop.into(),
            token: access_token.into(),
            transport: Transport::default(),
            page_size: MAX_PAGE_SIZE,
            per_query_cap: PER_QUERY_CAP,
            options: NormalizeOptions::default(),
            bulk_mode: BulkMode::Auto,
            bulk_threshold: BULK_THRESHOLD,
            bulk_polling: BulkPolling::default(),
            bulk_max_file_bytes: BULK_MAX_FILE_BYTES,
        }
    }

    /// The shop handle (`kassabok-demo`).
    pub fn shop(&self) -> &str {
        &self.shop
    }

    /// The options the client's own source traits normalize with.
    #[deprecated(
        since = "0.1.0",
        note = "bookkeeping options live on the source: use `ShopifySource::options`"
    )]
    pub fn normalize_options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// The HTTP client underneath (for its rate limiter or base URL).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Sends a GraphQL query and returns its `data`.
    ///
    /// The request is retried on connection failures, 429, 5xx and
    /// `THROTTLED` answers (after the time the reported cost and restore rate
    /// imply). After every answer the client paces itself: when the bucket
    /// holds fewer points than the last query asked for, the next request
    /// waits until enough are restored.
    ///
    /// # Errors
    /// [`Error::Throttled`] when throttling outlasts the retries;
    /// [`Error::GraphQl`] when `errors` is not empty (whatever the HTTP
    /// status); [`Error::MissingData`] when `data` is null; [`Error::Http`]
    /// for everything the HTTP layer reports (401, 403, 5xx, bodies that are
    /// not JSON).
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<GraphQlResponse, Error> {
        let resp = self.graphql_send(query, variables).await?;
        self.graphql_answer(&resp)
    }

    /// Sends a GraphQL query; the answer is read by [`graphql_answer`](Self::graphql_answer)
    /// or, on a hot path, decoded straight into its models.
    pub(crate) async fn graphql_send(
        &self,
        query: &str,
        variables: Value,
    ) -> Result<HttpResponse, Error> {
        let path = graphql_path();
        let spec = RequestSpec::post(path.clone())
            .json(&json!({ "query": query, "variables": variables }))
            .idempotency(Idempotency::Idempotent);
        self.http
            .send(spec)
            .await
            .map_err(|e| throttled_or_http(&path, e))
    }

    /// The `data` of an answer, after pacing from its cost and checking its `errors`.
    pub(crate) fn graphql_answer(&self, resp: &HttpResponse) -> Result<GraphQlResponse, Error> {
        let path = graphql_path();
        let mut value: Value = self.http.decode(resp)?;
        self.pace(&value);
        let errors = graphql_errors(&value);
        if !errors.is_empty() {
            return Err(Error::GraphQl { path, errors });
        }
        let cost = value
            .pointer("/extensions/cost")
            .and_then(|c| serde_json::from_value::<QueryCost>(c.clone()).ok());
        match value.get_mut("data") {
            Some(data) if !data.is_null() => Ok(GraphQlResponse {
                data: data.take(),
                cost,
            }),
            _ => Err(Error::MissingData {
                path,
                pointer: "/data".to_owned(),
            }),
        }
    }

    /// [`pace`](Self::pace) from an answer's `extensions` alone.
    pub(crate) fn pace_extensions(&self, extensions: Option<Value>) {
        if let Some(extensions) = extensions {
            let mut answer = serde_json::Map::new();
            answer.insert("extensions".to_owned(), extensions);
            self.pace(&Value::Object(answer));
        }
    }

    /// Pauses the client when the bucket is nearly empty: at most as long as
    /// the client honours a provider's asked-for wait
    /// ([`RetryPolicy::honour_retry_after_up_to`](provider_http::RetryPolicy),
    /// 60 s by default). The numbers are the provider's: a `requestedQueryCost`
    /// of a million at a `restoreRate` of 1 asked for eleven days, and the
    /// pause held every request of the client and its clones.
    fn pace(&self, value: &Value) {
        let most = self.http.retry_policy().honour_retry_after_up_to;
        if let Some(wait) = shopify_throttle_wait(value)
            .filter(|w| !w.is_zero())
            .map(|w| w.min(most))
        {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "shopify: pacing from throttleStatus"
            );
            self.http.rate_limiter().throttle(wait);
        }
    }
}

/// A `THROTTLED` answer that outlasted the retries comes back from the HTTP
/// layer as an API error with a 2xx status: name it.
fn throttled_or_http(path: &str, err: HttpError) -> Error {
    if err.api().is_some() && err.status().is_some_and(|s| s.is_success()) {
        Error::Throttled {
            path: path.to_owned(),
            attempts: err.attempts(),
            retry_after: err.retry_after(),
        }
    } else {
        Error::Http(err)
    }
}

/// The top-level `errors` of a GraphQL answer.
fn graphql_errors(value: &Value) -> Vec<GraphQlError> {
    match value.get("errors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|e| GraphQlError {
                message: e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
                    .to_owned(),
                code: e
                    .pointer("/extensions/code")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                path: e.get("path").and_then(Value::as_array).map(|p| {
                    p.iter()
                        .map(|s| match s {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                }),
                extensions: e.get("extensions").cloned(),
            })
            .collect(),
        // REST-style `{"errors": "…"}` on a GraphQL endpoint.
        Some(other) => vec![GraphQlError {
            message: match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            },
            code: None,
            path: None,
            extensions: None,
        }],
    }
}

/// Checks a mutation payload's `userErrors` (`{ field: [String], message, code }`).
///
/// # Errors
/// [`Error::UserErrors`] naming `operation` when the list is not empty.
pub fn check_user_errors(operation: &str, payload: &Value) -> Result<(), Error> {
    let Some(list) = payload.get("userErrors").and_then(Value::as_array) else {
        return Ok(());
    };
    if list.is_empty() {
        return Ok(());
    }
    let errors = list
        .iter()
        .map(|e| UserError {
            field: e.get("field").and_then(Value::as_array).map(|f| {
                f.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(".")
            }),
            message: e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .to_owned(),
            code: e.get("code").and_then(Value::as_str).map(str::to_owned),
        })
        .collect();
    Err(Error::UserErrors {
        operation: operation.to_owned(),
        errors,
    })
}

impl ShopifyClientBuilder {
    provider_http::transport_setters!();

    provider_http::builder_setters! {
        /// Orders and payouts per page, 1 to [`MAX_PAGE_SIZE`] (default 250);
        /// another size makes [`build`](Self::build) fail, as in every client.
        /// When Shopify refuses a query as too costly (`MAX_COST_EXCEEDED`), the
        /// client shrinks the page to fit and goes on.
        page_size: u32,
        /// When a period's orders are fetched through a bulk operation (default
        /// [`BulkMode::Auto`]: above [`BULK_THRESHOLD`] orders).
        bulk_mode: BulkMode,
        /// Orders above which [`BulkMode::Auto`] uses a bulk operation (default
        /// [`BULK_THRESHOLD`]).
        bulk_threshold: u64,
        /// How a bulk operation is polled and how long it may take.
        bulk_polling: BulkPolling,
        /// The largest bulk result file the client downloads, in bytes
        /// (default [`BULK_MAX_FILE_BYTES`]); a larger one is an error that
        /// says so. The file is held in memory whole while it is read.
        bulk_max_file_bytes: u64,
    }

    /// How many objects one search query may page through before the client
    /// starts a new query from the last timestamp seen (default
    /// [`PER_QUERY_CAP`], Shopify's limit). Lowered in tests.
    #[must_use]
    pub fn per_query_cap(mut self, cap: u64) -> Self {
        self.per_query_cap = cap.max(1);
        self
    }

    /// How the client's own source traits normalize orders.
    #[deprecated(
        since = "0.1.0",
        note = "a bookkeeping option, not transport: use `ShopifySource::new(client).normalize_options(..)`"
    )]
    #[must_use]
    pub fn normalize_options(mut self, options: NormalizeOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidShop`] when the shop is not `{handle}.myshopify.com`
    /// or a handle (lowercase letters, digits and hyphens); [`Error::Config`]
    /// when the page size is outside 1–250; [`Error::Http`]
    /// when the base URL is not https (or loopback http) or the token is not
    /// a valid header value.
    pub fn build(self) -> Result<ShopifyClient, Error> {
        let shop = validate_shop(&self.shop)?;
        provider_http::check_page_size(self.page_size, MAX_PAGE_SIZE).map_err(Error::Config)?;
        let default_base = format!("https://{shop}.myshopify.com");
        let http = HttpClient::builder("shopify", &default_base)
            .auth(Auth::header(
                HeaderName::from_static("x-shopify-access-token"),
                self.token,
            ))
            .classifier(ShopifyClassifier)
            .user_agent_suffix(concat!("shopify-bookkeeping/", env!("CARGO_PKG_VERSION")));
        let http = self.transport.apply(http);
        Ok(ShopifyClient {
            http: http.build()?,
            shop,
            page_size: self.page_size,
            per_query_cap: self.per_query_cap,
            options: self.options,
            bulk_mode: self.bulk_mode,
            bulk_threshold: self.bulk_threshold,
            bulk_polling: self.bulk_polling,
            bulk_max_file_bytes: self.bulk_max_file_bytes,
        })
    }
}

/// Validates a shop name and returns its handle: `Kassabok-Demo.myshopify.com`
/// and `kassabok-demo` both give `kassabok-demo`. Anything that could point
/// requests elsewhere (dots, slashes, `@`, ports, schemes) is refused.
///
/// # Errors
/// [`Error::InvalidShop`] with the reason.
pub fn validate_shop(shop: &str) -> Result<String, Error> {
    let invalid = |reason| Error::InvalidShop {
        shop: shop.to_owned(),
        reason,
    };
    let lower = shop.trim().to_ascii_lowercase();
    let handle = lower.strip_suffix(".myshopify.com").unwrap_or(&lower);
    if handle.is_empty() {
        return Err(invalid("empty"));
    }
    if handle.len() > 60 {
        return Err(invalid("longer than 60 characters"));
    }
    if !handle
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid(
            "expected `{shop}.myshopify.com` or a handle of letters, digits and hyphens",
        ));
    }
    if handle.starts_with('-') || handle.ends_with('-') {
        return Err(invalid("a handle cannot start or end with a hyphen"));
    }
    Ok(handle.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_names() {
        assert_eq!(validate_shop("kassabok-demo").unwrap(), "kassabok-demo");
        assert_eq!(
            validate_shop("Kassabok-Demo.myshopify.com").unwrap(),
            "kassabok-demo"
        );
        for bad in [
            "",
            "evil.com/",
            "shop.myshopify.com.evil.com",
            "shop@evil.com",
            "https://shop.myshopify.com",
            "shop:443",
            "-shop",
            "sh op",
            ".myshopify.com",
        ] {
            assert!(validate_shop(bad).is_err(), "{bad}");
        }
    }

    /// Shopify leaves out what it has not got (no cost on some answers, no
    /// URL before a bulk operation completes): an absent optional field
    /// decodes as `None`, serde's own rule for `Option`.
    #[test]
    fn absent_optional_fields_decode_as_none() {
        let cost: QueryCost = serde_json::from_value(json!({})).unwrap();
        assert_eq!(
            cost,
            QueryCost {
                requested_query_cost: None,
                actual_query_cost: None,
                throttle_status: None,
            }
        );
        let running: crate::bulk::BulkOperation = serde_json::from_value(
            json!({ "id": "gid://shopify/BulkOperation/1", "status": "RUNNING" }),
        )
        .unwrap();
        assert_eq!((running.error_code, running.object_count), (None, None));
        assert_eq!((running.url, running.partial_data_url), (None, None));
    }

    /// The deprecated builder setter keeps working: it sets the options the
    /// client's own source traits normalize with.
    #[test]
    #[allow(deprecated)]
    fn deprecated_normalize_options_reach_the_clients_own_source() {
        let options = NormalizeOptions {
            eu_consumer_vat: crate::normalize::EuConsumerVat::SwedishVat,
            ..NormalizeOptions::default()
        };
        let client = ShopifyClient::builder("kassabok-demo", "shpat_123")
            .normalize_options(options.clone())
            .build()
            .unwrap();
        assert_eq!(client.normalize_options(), &options);
        let plain = ShopifyClient::builder("kassabok-demo", "shpat_123")
            .build()
            .unwrap();
        assert_eq!(plain.options, NormalizeOptions::default());
    }

    #[test]
    fn token_never_in_debug_or_errors() {
        let secret = "shpat_0123456789abcdef_SECRET";
        let builder = ShopifyClient::builder("kassabok-demo", secret);
        assert!(!format!("{builder:?}").contains(secret));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains(secret));
        let err = ShopifyClient::builder("kassabok-demo", secret)
            .base_url("http://example.com")
            .build()
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains(secret));
        let err = ShopifyClient::builder("bad/shop", secret)
            .build()
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains(secret));
    }

    #[test]
    fn a_page_size_out_of_range_is_refused_not_clamped() {
        for size in [0, MAX_PAGE_SIZE + 1] {
            let err = ShopifyClient::builder("kassabok-demo", "shpat_x")
                .page_size(size)
                .build()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("shopify: invalid configuration: page size {size} is outside 1..=250")
            );
        }
        let client = ShopifyClient::builder("kassabok-demo", "shpat_x")
            .page_size(MAX_PAGE_SIZE)
            .build()
            .unwrap();
        assert_eq!(client.page_size, MAX_PAGE_SIZE);
    }

    #[test]
    fn graphql_errors_are_read() {
        let v = json!({"errors": [{"message": "Access denied for orders field.",
            "extensions": {"code": "ACCESS_DENIED"}, "path": ["orders"]}]});
        let e = graphql_errors(&v);
        assert_eq!(e[0].code.as_deref(), Some("ACCESS_DENIED"));
        assert_eq!(e[0].path.as_deref(), Some("orders"));
        let err = Error::GraphQl {
            path: graphql_path(),
            errors: e,
        };
        assert_eq!(
            err.to_string(),
            "shopify: POST /admin/api/2026-01/graphql.json: graphql error ACCESS_DENIED: Access denied for orders field. (at orders)"
        );
    }

    #[test]
    fn user_errors_are_typed() {
        let payload =
            json!({"userErrors": [{"field": ["input", "id"], "message": "Order does not exist"}]});
        let err = check_user_errors("orderUpdate", &payload).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shopify: orderUpdate: user errors: input.id: Order does not exist"
        );
        assert!(check_user_errors("orderUpdate", &json!({"userErrors": []})).is_ok());
    }
}
