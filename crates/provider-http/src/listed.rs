//! [`Listed`] and [`Malformed`]: the one per-item failure type of every provider list.
//!
//! A list page is decoded object by object. An object that does not decode is not an error
//! of the list (the page was fine, the other objects still come through) and it is not
//! dropped either: it becomes a [`Malformed`] naming the provider, the kind of object, its
//! id, the JSON path of the failing field and serde's message, and keeps the object as the
//! provider sent it. [`Malformed::review`] turns it into the "needs review" item a close
//! shows.

use std::fmt;

use bookkeeping_core::{Money, Provider, ReviewItem, ReviewReason, SourceRef};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One item of a provider list: the decoded object, or the [`Malformed`] report of one that
/// could not be decoded.
///
/// Every provider client yields `Result<Listed<T>, Error>` from its list streams: `Err` ends
/// the list (a failure mid-list is never a short list), `Ok(Listed::Malformed(_))` does not.
///
/// ```
/// use bookkeeping_core::Provider;
/// use provider_http::Listed;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Payout {
///     id: String,
///     amount: i64,
/// }
///
/// let good: Listed<Payout> = Listed::decode(
///     Provider::Stripe,
///     "payout",
///     &["/id"],
///     serde_json::json!({"id": "po_1", "amount": 100}),
/// );
/// assert_eq!(good.item().map(|p| p.amount), Some(100));
///
/// let bad: Listed<Payout> = Listed::decode(
///     Provider::Stripe,
///     "payout",
///     &["/id"],
///     serde_json::json!({"id": "po_2", "amount": "1,00"}),
/// );
/// let malformed = bad.malformed().unwrap();
/// assert_eq!(malformed.id.as_deref(), Some("po_2"));
/// assert_eq!(malformed.field, "amount");
/// ```
///
/// Not `#[non_exhaustive]`: an object decodes or it does not, and hosts match on both.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed<T> {
    /// The object decoded.
    Item(T),
    /// The object did not decode; the rest of the list still comes through.
    Malformed(Malformed),
}

impl<T: DeserializeOwned> Listed<T> {
    /// Decodes one list object; see [`Malformed::decode`].
    pub fn decode(
        provider: Provider,
        object: &'static str,
        id_pointers: &[&str],
        raw: Value,
    ) -> Self {
        Malformed::decode(provider, object, id_pointers, raw).into()
    }
}

impl<T> Listed<T> {
    /// The decoded object, if it decoded.
    pub fn item(&self) -> Option<&T> {
        match self {
            Listed::Item(t) => Some(t),
            Listed::Malformed(_) => None,
        }
    }

    /// The decoded object, if it decoded.
    pub fn into_item(self) -> Option<T> {
        match self {
            Listed::Item(t) => Some(t),
            Listed::Malformed(_) => None,
        }
    }

    /// The report of an object that did not decode.
    pub fn malformed(&self) -> Option<&Malformed> {
        match self {
            Listed::Item(_) => None,
            Listed::Malformed(m) => Some(m),
        }
    }

    /// The decoded object, or the report of one that did not decode.
    ///
    /// # Errors
    ///
    /// The [`Malformed`] report of an object that did not decode.
    #[expect(
        clippy::result_large_err,
        reason = "a malformed object is rare, and it travels in a list item of the same size"
    )]
    pub fn into_result(self) -> Result<T, Malformed> {
        match self {
            Listed::Item(t) => Ok(t),
            Listed::Malformed(m) => Err(m),
        }
    }
}

impl<T> From<T> for Listed<T> {
    fn from(item: T) -> Self {
        Listed::Item(item)
    }
}

impl<T> From<Result<T, Malformed>> for Listed<T> {
    fn from(result: Result<T, Malformed>) -> Self {
        match result {
            Ok(t) => Listed::Item(t),
            Err(m) => Listed::Malformed(m),
        }
    }
}

/// An object that could not be decoded: which provider and kind of object, its id, which
/// field and why, and the object as the provider sent it (nothing is lost).
///
/// `Display` is one lowercase line:
/// `stripe: payout po_2: cannot decode field `amount`: invalid type: …`.
///
/// ```
/// use bookkeeping_core::{Provider, ReviewReason};
/// use provider_http::Malformed;
///
/// let err = Malformed::decode::<u32>(
///     Provider::Klarna,
///     "payout",
///     &["/payment_reference"],
///     serde_json::json!("x"),
/// )
/// .unwrap_err();
/// assert_eq!(err.id, None);
/// assert_eq!(err.review().reason, ReviewReason::Malformed);
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct Malformed {
    /// The provider that sent the object.
    pub provider: Provider,
    /// The kind of object (`payout`, `balance_transaction`, `order`, `report_row`).
    pub object: &'static str,
    /// The object's id, as far as it could be read.
    pub id: Option<String>,
    /// The path of the field that failed (`totals.sale_amount`, `orders.nodes[3].amount`).
    pub field: String,
    /// What was wrong (serde's message).
    pub message: String,
    /// The object's amount, when the provider crate could read it: the review item shows it.
    pub amount: Option<Money>,
    /// The object as the provider sent it.
    pub raw: Value,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} {}: cannot decode field `{}`: {}",
            self.provider,
            self.object,
            self.id.as_deref().unwrap_or("(no id)"),
            self.field,
            self.message
        )
    }
}

impl Malformed {
    /// Decodes one object of kind `object` from `raw`, or says which field failed. The id is
    /// the first non-empty string found at the JSON pointers `id_pointers` (`["/id"]`,
    /// `["/transaction_info/transaction_id"]`).
    ///
    /// # Errors
    ///
    /// The [`Malformed`] report when `raw` is not a valid `T`.
    #[expect(
        clippy::result_large_err,
        reason = "a malformed object is rare, and it travels in a list item of the same size"
    )]
    pub fn decode<T: DeserializeOwned>(
        provider: Provider,
        object: &'static str,
        id_pointers: &[&str],
        raw: Value,
    ) -> Result<T, Malformed> {
        // Without path tracking first (it allocates per key); an object that
        // fails is decoded again with the path, for the report.
        if let Ok(item) = T::deserialize(&raw) {
            return Ok(item);
        }
        let (field, message) = match serde_path_to_error::deserialize::<_, T>(&raw) {
            Ok(item) => return Ok(item),
            Err(err) => (err.path().to_string(), err.into_inner().to_string()),
        };
        let id = id_pointers.iter().find_map(|p| {
            raw.pointer(p)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        });
        tracing::warn!(
            provider = provider.as_str(),
            object,
            id = id.as_deref(),
            field = %field,
            "malformed object"
        );
        Err(Malformed {
            provider,
            object,
            id,
            field,
            message,
            amount: None,
            raw,
        })
    }

    /// Puts the field under the list it was read from: `amount` of the fourth node of
    /// `orders.nodes` becomes `orders.nodes[3].amount`.
    #[must_use]
    pub fn within(mut self, list_path: &str, index: usize) -> Self {
        self.field = format!("{list_path}[{index}].{}", self.field);
        self
    }

    /// With the object's amount, read by the provider crate from [`raw`](Malformed::raw).
    #[must_use]
    pub fn with_amount(mut self, amount: Option<Money>) -> Self {
        self.amount = amount;
        self
    }

    /// The review item: provider, object and id, field, message and amount.
    pub fn review(&self) -> ReviewItem {
        let mut item = ReviewItem::new(
            self.provider,
            ReviewReason::Malformed,
            format!("{} could not be decoded: {}", self.object, self.message),
        )
        .with_field(self.field.clone());
        if let Some(id) = &self.id {
            item = item.with_source(SourceRef::new(self.provider, self.object, id.clone()));
        }
        if let Some(amount) = self.amount {
            item = item.with_amount(amount);
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Thing {
        id: String,
        n: i64,
    }

    #[test]
    fn a_bad_object_names_provider_object_id_and_field() {
        let raw = serde_json::json!({"id": "t_1", "n": "seven"});
        let listed = Listed::<Thing>::decode(Provider::Klarna, "thing", &["/missing", "/id"], raw);
        let m = listed
            .malformed()
            .expect("malformed")
            .clone()
            .within("things", 2);
        assert_eq!(m.id.as_deref(), Some("t_1"));
        assert_eq!(m.field, "things[2].n");
        assert_eq!(m.raw["n"], "seven");
        assert_eq!(
            m.to_string(),
            "klarna: thing t_1: cannot decode field `things[2].n`: invalid type: string \"seven\", expected i64"
        );
        let review = m.review();
        assert_eq!(review.provider, Provider::Klarna);
        assert_eq!(review.field.as_deref(), Some("things[2].n"));
        assert_eq!(review.source.as_ref().map(|s| s.id.as_str()), Some("t_1"));
    }

    #[test]
    fn a_good_object_is_an_item() {
        let raw = serde_json::json!({"id": "t_1", "n": 7});
        let listed = Listed::<Thing>::decode(Provider::Stripe, "thing", &["/id"], raw);
        assert_eq!(
            listed.into_item(),
            Some(Thing {
                id: "t_1".into(),
                n: 7
            })
        );
    }
}
