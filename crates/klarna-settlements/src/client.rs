//! [`KlarnaClient`] and its builder.

use provider_http::http::header::AUTHORIZATION;
use provider_http::{Auth, ExposeSecret, HttpClient, RateLimit, SecretString, Transport};
use std::fmt;

use crate::Error;

/// The API version, written once: [`API_VERSION`] and every path use it.
macro_rules! api_version {
    () => {
        "v1"
    };
}
pub(crate) use api_version;

/// The Settlements API version this crate speaks; it is part of every path
/// (`/settlements/v1/…`).
pub const API_VERSION: &str = api_version!();

/// The path prefix of the Settlements API.
pub(crate) const SETTLEMENTS: &str = concat!("/settlements/", api_version!());

/// The largest page Klarna serves (`size`), and the default page size.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Klarna's API region. Credentials belong to one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// Europe: `api.klarna.com`.
    #[default]
    Eu,
    /// North America: `api-na.klarna.com`.
    Na,
    /// Oceania: `api-oc.klarna.com`.
    Oc,
}

/// Live or playground (test) environment. Credentials belong to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// Real money.
    #[default]
    Live,
    /// Klarna's test environment.
    Playground,
}

impl Region {
    /// The base URL of the region in an environment.
    pub fn base_url(self, environment: Environment) -> &'static str {
        match (self, environment) {
            (Region::Eu, Environment::Live) => "https://api.klarna.com",
            (Region::Na, Environment::Live) => "https://api-na.klarna.com",
            (Region::Oc, Environment::Live) => "https://api-oc.klarna.com",
            (Region::Eu, Environment::Playground) => "https://api.playground.klarna.com",
            (Region::Na, Environment::Playground) => "https://api-na.playground.klarna.com",
            (Region::Oc, Environment::Playground) => "https://api-oc.playground.klarna.com",
        }
    }
}

/// How the client authenticates (HTTP Basic). `Debug` never shows a secret.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// A username (the UUID next to an API key, or a legacy merchant id
    /// username) and a password (the API key, or the legacy shared secret),
    /// sent as `Basic base64(username:password)`.
    Basic {
        /// The username (not secret).
        username: String,
        /// The password.
        password: SecretString,
    },
    /// An API key (`klarna_live_api_…`) sent as `Authorization: Basic <key>`,
    /// as Klarna documents for keys without a username.
    ApiKey(SecretString),
}

impl Credentials {
    /// Username and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials::Basic {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// An API key on its own.
    pub fn api_key(key: impl Into<String>) -> Self {
        Credentials::ApiKey(SecretString::from(key.into()))
    }

    fn auth(&self) -> Auth {
        match self {
            Credentials::Basic { username, password } => {
                Auth::basic(username.clone(), password.clone())
            }
            Credentials::ApiKey(key) => Auth::header(
                AUTHORIZATION,
                SecretString::from(format!("Basic {}", key.expose_secret())),
            ),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"[redacted]")
                .finish(),
            Credentials::ApiKey(_) => f.write_str("ApiKey([redacted])"),
        }
    }
}

/// A client for one Klarna merchant account.
///
/// Cheap to clone; clones share the connection pool and the rate limiter,
/// so one client (and its clones) per merchant keeps to Klarna's per-merchant
/// rate limit. `Debug` never shows a secret.
#[derive(Clone, Debug)]
pub struct KlarnaClient {
    pub(crate) http: HttpClient,
    pub(crate) page_size: u32,
    region: Region,
    environment: Environment,
}

impl KlarnaClient {
    /// A builder with the required credentials; everything else has defaults:
    /// EU, live, 500 per page, Klarna's rate limit for the environment (200
    /// requests/s live, 50/s in the playground; Klarna counts them per
    /// merchant, so clients that share a merchant should share one
    /// `KlarnaClient`: clones share the limiter), provider-http's retry
    /// policy (4 attempts) and timeout (30 s per attempt).
    ///
    /// ```
    /// use klarna_settlements::{Credentials, KlarnaClient};
    ///
    /// let client = KlarnaClient::builder(Credentials::basic("user", "password"))
    ///     .playground()
    ///     .base_url("http://127.0.0.1:9") // the test hook
    ///     .build()?;
    /// assert_eq!(client.http().base_url().as_str(), "http://127.0.0.1:9/");
    /// # Ok::<(), klarna_settlements::Error>(())
    /// ```
    pub fn builder(credentials: Credentials) -> KlarnaClientBuilder {
        KlarnaClientBuilder {
            credentials,
            region: Region::Eu,
            environment: Environment::Live,
            transport: Transport::default(),
            page_size: MAX_PAGE_SIZE,
        }
    }

    /// The region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The HTTP layer, for requests this crate does not wrap.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }
}

/// Builds a [`KlarnaClient`]. See [`KlarnaClient::builder`].
///
/// `Debug` never shows a secret: [`Credentials`] redact themselves.
#[derive(Debug)]
pub struct KlarnaClientBuilder {
    credentials: Credentials,
    region: Region,
    environment: Environment,
    transport: Transport,
    page_size: u32,
}

impl KlarnaClientBuilder {
    provider_http::builder_setters! {
        /// The region (default EU).
        region: Region,
        /// The environment (default live).
        environment: Environment,
        /// Items per page (`size`), 1 to 500; default 500.
        page_size: u32,
    }

    /// Uses the playground (test) environment of the region.
    #[must_use]
    pub fn playground(self) -> Self {
        self.environment(Environment::Playground)
    }

    provider_http::transport_setters!();

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for a page size outside 1–500; [`Error::Http`] for a
    /// base URL that is not https (or loopback http) or credentials that are
    /// not valid header values.
    pub fn build(self) -> Result<KlarnaClient, Error> {
        provider_http::check_page_size(self.page_size, MAX_PAGE_SIZE).map_err(Error::Config)?;
        let default_url = self.region.base_url(self.environment);
        // Klarna counts limits per merchant id: 200 requests/s live and 50/s
        // in the playground for these operations.
        let limit = match self.environment {
            Environment::Live => RateLimit::per_second(200),
            Environment::Playground => RateLimit::per_second(50),
        };
        let http = HttpClient::builder("klarna", default_url)
            .auth(self.credentials.auth())
            .user_agent_suffix(concat!("klarna-settlements/", env!("CARGO_PKG_VERSION")))
            .rate_limit(limit);
        let http = self.transport.apply(http);
        Ok(KlarnaClient {
            http: http.build()?,
            page_size: self.page_size,
            region: self.region,
            environment: self.environment,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let secret = "klarna_live_api_T0pS3cr3t";
        for creds in [
            Credentials::basic("merchant-user", secret),
            Credentials::api_key(secret),
        ] {
            let builder = KlarnaClient::builder(creds.clone());
            let builder_text = format!("{builder:?}");
            let client = builder.build().expect("client");
            for text in [format!("{creds:?}"), builder_text, format!("{client:?}")] {
                assert!(!text.contains(secret), "{text}");
                assert!(!text.contains("T0pS3cr3t"), "{text}");
            }
        }
    }
}
