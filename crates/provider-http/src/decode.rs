//! The error-decoder hook: the provider's code, message and request id from an error answer.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::ErrorDetails;

/// Extracts the provider's error code, message and request id from an error response.
///
/// Called once per failed request (not per attempt), with the full body, which may be HTML
/// or empty. It must not fail: return what it finds. [`DefaultErrorDecoder`] knows the common
/// shapes; a provider crate can wrap it or write its own:
///
/// ```
/// use provider_http::{DefaultErrorDecoder, ErrorDecoder, ErrorDetails};
/// use provider_http::http::{StatusCode, header::HeaderMap};
///
/// #[derive(Debug)]
/// struct Klarna;
///
/// impl ErrorDecoder for Klarna {
///     fn decode(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ErrorDetails {
///         let mut details = DefaultErrorDecoder.decode(status, headers, body);
///         if details.request_id.is_none() {
///             details.request_id = headers
///                 .get("klarna-correlation-id")
///                 .and_then(|v| v.to_str().ok())
///                 .map(str::to_owned);
///         }
///         details
///     }
/// }
/// ```
pub trait ErrorDecoder: Send + Sync + fmt::Debug {
    /// Extracts what it can.
    fn decode(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ErrorDetails;
}

/// The decoder used when none is set. It reads:
///
/// - the request id from the `Request-Id` (Stripe), `X-Request-Id` (Shopify),
///   `Paypal-Debug-Id` (PayPal) or `Klarna-Correlation-Id` header, else from the body's
///   `debug_id` (PayPal) or `correlation_id` (Klarna);
/// - code and message from the body, in these shapes:
///   - Stripe: `{"error": {"type", "code", "message"}}` (code, else type);
///   - OAuth2: `{"error": "invalid_client", "error_description": "..."}`;
///   - PayPal: `{"name": "RATE_LIMIT_REACHED", "message": "...", "debug_id": "..."}`;
///   - Klarna: `{"error_code": "...", "error_messages": ["..."], "correlation_id": "..."}`;
///   - Shopify GraphQL: `{"errors": [{"message", "extensions": {"code"}}]}`;
///   - Shopify REST: `{"errors": "Not Found"}` or `{"errors": {"field": ["msg"]}}`.
///
/// Messages are cut at 500 characters.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultErrorDecoder;

const REQUEST_ID_HEADERS: [&str; 4] = [
    "request-id",
    "x-request-id",
    "paypal-debug-id",
    "klarna-correlation-id",
];

const MAX_MESSAGE_CHARS: usize = 500;

impl ErrorDecoder for DefaultErrorDecoder {
    fn decode(&self, _status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ErrorDetails {
        let mut details = ErrorDetails {
            request_id: REQUEST_ID_HEADERS.iter().find_map(|name| {
                headers
                    .get(*name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            }),
            ..ErrorDetails::default()
        };
        let body = strip_bom(body);
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return details;
        };
        let (code, message) = body_code_message(&json);
        details.code = code;
        details.message = message.map(|m| cut(&m));
        if details.request_id.is_none() {
            details.request_id = ["debug_id", "correlation_id"]
                .iter()
                .find_map(|k| json.get(*k).and_then(Value::as_str).map(str::to_owned));
        }
        details
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn body_code_message(json: &Value) -> (Option<String>, Option<String>) {
    match json.get("error") {
        // Stripe.
        Some(error @ Value::Object(_)) => {
            return (
                text(error.get("code")).or_else(|| text(error.get("type"))),
                text(error.get("message")),
            );
        }
        // OAuth2.
        Some(Value::String(code)) => {
            return (Some(code.clone()), text(json.get("error_description")));
        }
        _ => {}
    }
    // PayPal.
    if let Some(name) = json.get("name").and_then(Value::as_str) {
        return (Some(name.to_owned()), text(json.get("message")));
    }
    // Klarna.
    if let Some(code) = json.get("error_code").and_then(Value::as_str) {
        let message = json
            .get("error_messages")
            .and_then(Value::as_array)
            .map(|m| {
                m.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|m| !m.is_empty());
        return (Some(code.to_owned()), message);
    }
    // Shopify.
    match json.get("errors") {
        Some(Value::Array(errors)) => {
            let first = errors.first();
            (
                text(first.and_then(|e| e.pointer("/extensions/code"))),
                text(first.and_then(|e| e.get("message"))),
            )
        }
        Some(Value::String(message)) => (None, Some(message.clone())),
        Some(errors @ Value::Object(_)) => (None, Some(errors.to_string())),
        _ => (None, text(json.get("message"))),
    }
}

fn cut(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => format!("{}...", &message[..i]),
        None => message.to_owned(),
    }
}

/// `bytes` without a UTF-8 byte-order mark at the start, if it has one: what
/// a JSON reader is given (Klarna's examples start with one; serde_json
/// refuses it).
///
/// ```
/// assert_eq!(provider_http::strip_bom(b"\xEF\xBB\xBF{}"), b"{}");
/// assert_eq!(provider_http::strip_bom(b"{}"), b"{}");
/// ```
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn decode(body: &str) -> ErrorDetails {
        DefaultErrorDecoder.decode(StatusCode::BAD_REQUEST, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn provider_shapes() {
        let d = decode(
            r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payout"}}"#,
        );
        assert_eq!(d.code.as_deref(), Some("resource_missing"));
        assert_eq!(d.message.as_deref(), Some("No such payout"));

        let d = decode(
            r#"{"error":"invalid_client","error_description":"Client Authentication failed"}"#,
        );
        assert_eq!(d.code.as_deref(), Some("invalid_client"));

        let d = decode(
            r#"{"name":"RATE_LIMIT_REACHED","debug_id":"82314f17885c7","message":"Too many requests.","links":[]}"#,
        );
        assert_eq!(d.code.as_deref(), Some("RATE_LIMIT_REACHED"));
        assert_eq!(d.request_id.as_deref(), Some("82314f17885c7"));

        let d = decode(
            r#"{"error_code":"NOT_FOUND","error_messages":["a","b"],"correlation_id":"c-1"}"#,
        );
        assert_eq!(d.code.as_deref(), Some("NOT_FOUND"));
        assert_eq!(d.message.as_deref(), Some("a; b"));
        assert_eq!(d.request_id.as_deref(), Some("c-1"));

        let d = decode(r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}"#);
        assert_eq!(d.code.as_deref(), Some("THROTTLED"));
        assert_eq!(d.message.as_deref(), Some("Throttled"));

        let d = decode(r#"{"errors":"Not Found"}"#);
        assert_eq!(d.message.as_deref(), Some("Not Found"));

        let d = decode("<h1>504 Gateway Time-out</h1>");
        assert_eq!(d, ErrorDetails::default());
    }

    #[test]
    fn request_id_header() {
        let mut h = HeaderMap::new();
        h.insert("request-id", HeaderValue::from_static("req_123"));
        let d = DefaultErrorDecoder.decode(StatusCode::NOT_FOUND, &h, b"");
        assert_eq!(d.request_id.as_deref(), Some("req_123"));
    }
}
