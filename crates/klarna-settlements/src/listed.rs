//! Item-by-item decoding with provider-http's [`Listed`]: one malformed
//! object never hides the others.

use bookkeeping_core::{Currency, Money, Provider};
use provider_http::{Listed, Malformed};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes one list item, naming the failing field on error. `id_fields`
/// are tried in order to name the object; a malformed object's amount
/// (`amount` in minor units of `currency_code`) goes on its review item.
pub(crate) fn decode_item<T: DeserializeOwned>(
    object: &'static str,
    id_pointers: &[&str],
    raw: Value,
) -> Listed<T> {
    Malformed::decode(Provider::Klarna, object, id_pointers, raw)
        .map_err(|m| {
            let amount = minor_amount(&m.raw);
            m.with_amount(amount)
        })
        .into()
}

fn minor_amount(raw: &Value) -> Option<Money> {
    let amount = raw.get("amount").and_then(Value::as_i64)?;
    let currency = raw
        .get("currency_code")
        .and_then(Value::as_str)
        .and_then(|c| Currency::new(c).ok())?;
    Money::from_minor_units(amount, currency).ok()
}
