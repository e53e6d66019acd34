//! Errors of the Stripe client.

use std::fmt;

use bookkeeping_core::{
    Provider, ReviewItem, ReviewReason, SourceError, SourceErrorKind, SourceRef,
};
use provider_http::{HttpError, HttpErrorKind};

/// An error from the Stripe client. `Display` is one lowercase line naming
/// what failed, e.g. `stripe: GET /v1/payouts: 429 Too Many Requests: rate_limit: …`.
/// No error ever contains the secret key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StripeError {
    /// The HTTP layer failed: transport, an error answer from Stripe (with its
    /// status, code, message and request id), a response that is not a list,
    /// or a repeated pagination cursor.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// A list page could not be followed: `has_more` with no usable last id.
    #[error("stripe: GET {path}: cannot continue the list: {reason}")]
    Pagination {
        /// The list path.
        path: String,
        /// Why.
        reason: String,
    },
    /// One object could not be decoded (when a single object was asked for;
    /// in lists such an object becomes a [`Malformed`] item instead).
    #[error(transparent)]
    Malformed(#[from] Malformed),
}

impl StripeError {
    /// The HTTP error, if this is one.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            StripeError::Http(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (rate limits, 5xx, timeouts, and
    /// whatever `Stripe-Should-Retry` said).
    pub fn is_retryable(&self) -> bool {
        self.http().is_some_and(HttpError::is_retryable)
    }
}

impl From<StripeError> for SourceError {
    fn from(err: StripeError) -> Self {
        let kind = match &err {
            StripeError::Http(http) => match http.kind() {
                HttpErrorKind::Config { .. } => SourceErrorKind::Config,
                HttpErrorKind::Transport { .. } => SourceErrorKind::Network,
                HttpErrorKind::Decode { .. } => SourceErrorKind::Decode,
                HttpErrorKind::Api(api) => match api.status.as_u16() {
                    401 | 403 => SourceErrorKind::Auth,
                    429 => SourceErrorKind::RateLimited,
                    _ => SourceErrorKind::Api,
                },
                _ => SourceErrorKind::Other,
            },
            StripeError::Pagination { .. } => SourceErrorKind::Api,
            StripeError::Malformed(_) => SourceErrorKind::Decode,
        };
        SourceError::new(Provider::Stripe, kind, err.to_string()).with_source(err)
    }
}

/// One object in a Stripe answer that could not be decoded: which kind, its
/// id (when it has one), the JSON path of the failing field and why. In a
/// list, the other objects still come through; this one becomes a review item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Malformed {
    /// The object kind (`payout`, `balance_transaction`, `invoice`, …).
    pub object: &'static str,
    /// Its id, if it has a readable one.
    pub id: Option<String>,
    /// The JSON path of the failing field inside the object (`fee_details[0].amount`).
    pub path: String,
    /// serde's message.
    pub message: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stripe: {} {}: cannot decode field `{}`: {}",
            self.object,
            self.id.as_deref().unwrap_or("(no id)"),
            self.path,
            self.message
        )
    }
}

impl Malformed {
    /// Decodes one Stripe object of kind `object` from JSON, or says which
    /// field failed (with the object's id when it has one).
    ///
    /// # Errors
    /// The [`Malformed`] report when `value` is not a valid `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(
        object: &'static str,
        value: serde_json::Value,
    ) -> Result<T, Malformed> {
        // Without path tracking first (it allocates per key); an object that
        // fails is decoded again with the path, for the report.
        if let Ok(decoded) = T::deserialize(&value) {
            return Ok(decoded);
        }
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        serde_path_to_error::deserialize(value).map_err(|err| Malformed {
            object,
            id,
            path: err.path().to_string(),
            message: err.into_inner().to_string(),
        })
    }

    /// [`decode`](Self::decode) from the object's JSON text as it stood in
    /// the page (a list item kept as a `RawValue`): no `Value` tree in between.
    ///
    /// ```
    /// use stripe_invoicing::Malformed;
    /// use stripe_invoicing::models::Payout;
    /// use serde_json::value::RawValue;
    ///
    /// let raw = RawValue::from_string(r#"{"id": "po_1", "amount": "ten"}"#.to_owned()).unwrap();
    /// let err = Malformed::decode_raw::<Payout>("payout", &raw).unwrap_err();
    /// assert_eq!(err.id.as_deref(), Some("po_1"));
    /// assert_eq!(err.path, "amount");
    /// assert_eq!(err.message, r#"invalid type: string "ten", expected i64"#);
    /// ```
    ///
    /// # Errors
    /// The [`Malformed`] report when `raw` is not a valid `T`.
    pub fn decode_raw<T: serde::de::DeserializeOwned>(
        object: &'static str,
        raw: &serde_json::value::RawValue,
    ) -> Result<T, Malformed> {
        let json = raw.get();
        if let Ok(decoded) = serde_json::from_str(json) {
            return Ok(decoded);
        }
        #[derive(serde::Deserialize)]
        struct Id<'a> {
            #[serde(borrow, default)]
            id: Option<std::borrow::Cow<'a, str>>,
        }
        let id = serde_json::from_str::<Id<'_>>(json)
            .ok()
            .and_then(|i| i.id)
            .map(std::borrow::Cow::into_owned);
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de).map_err(|err| Malformed {
            object,
            id,
            path: err.path().to_string(),
            message: without_position(err.into_inner()),
        })
    }

    /// The review item for this object.
    pub fn review(&self) -> ReviewItem {
        let mut item = ReviewItem::new(
            Provider::Stripe,
            ReviewReason::Malformed,
            format!("{} could not be decoded: {}", self.object, self.message),
        )
        .with_field(self.path.clone());
        if let Some(id) = &self.id {
            item = item.with_source(SourceRef::new(Provider::Stripe, self.object, id.clone()));
        }
        item
    }
}

/// serde_json's message without the ` at line 1 column 57` it adds when it
/// reads text: the path says where, and a message reads the same whether the
/// object was decoded from text or from a `Value`.
fn without_position(err: serde_json::Error) -> String {
    let text = err.to_string();
    if err.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}
