//! Item-by-item decoding: one malformed object never hides the others.

use bookkeeping_core::{Currency, Money, Provider, ReviewItem, ReviewReason, SourceRef};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One item of a list: decoded, or malformed with what was wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Listed<T> {
    /// The item decoded.
    Item(T),
    /// The item did not decode; the rest of the list still comes through.
    Malformed(Malformed),
}

impl<T> Listed<T> {
    /// The decoded item, if it decoded.
    pub fn item(&self) -> Option<&T> {
        match self {
            Listed::Item(t) => Some(t),
            Listed::Malformed(_) => None,
        }
    }

    /// The decoded item, if it decoded.
    pub fn into_item(self) -> Option<T> {
        match self {
            Listed::Item(t) => Some(t),
            Listed::Malformed(_) => None,
        }
    }
}

impl<T> From<T> for Listed<T> {
    fn from(item: T) -> Self {
        Listed::Item(item)
    }
}

/// An object that could not be decoded: which object, which field, why, and
/// the object as Klarna sent it (nothing is lost).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Malformed {
    /// The kind of object (`payout`, `transaction`, `report_row`).
    pub object: &'static str,
    /// The object's id, as far as it could be read.
    pub id: Option<String>,
    /// The path of the field that failed (`totals.sale_amount`, `amount`).
    pub field: String,
    /// What was wrong.
    pub message: String,
    /// The object as Klarna sent it.
    pub raw: Value,
}

impl Malformed {
    /// A review item naming the provider, the object, its id and the field.
    pub fn review(&self) -> ReviewItem {
        let mut item = ReviewItem::new(
            Provider::Klarna,
            ReviewReason::Malformed,
            format!("{} could not be read: {}", self.object, self.message),
        )
        .with_field(self.field.clone());
        if let Some(id) = &self.id {
            item = item.with_source(SourceRef::new(Provider::Klarna, self.object, id.clone()));
        }
        let amount = self.raw.get("amount").and_then(Value::as_i64);
        let currency = self
            .raw
            .get("currency_code")
            .and_then(Value::as_str)
            .and_then(|c| Currency::new(c).ok());
        if let (Some(amount), Some(currency)) = (amount, currency)
            && let Ok(money) = Money::from_minor_units(amount, currency)
        {
            item = item.with_amount(money);
        }
        item
    }
}

/// Decodes one list item, naming the failing field on error. `id_fields`
/// are tried in order to name the object.
pub(crate) fn decode_item<T: DeserializeOwned>(
    object: &'static str,
    id_fields: &[&str],
    raw: Value,
) -> Listed<T> {
    match serde_path_to_error::deserialize::<_, T>(&raw) {
        Ok(item) => Listed::Item(item),
        Err(err) => {
            let field = err.path().to_string();
            let message = err.into_inner().to_string();
            let id = id_fields.iter().find_map(|f| {
                raw.get(*f)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            });
            tracing::warn!(object, id = id.as_deref(), field = %field, "klarna: malformed object");
            Listed::Malformed(Malformed {
                object,
                id,
                field,
                message,
                raw,
            })
        }
    }
}
