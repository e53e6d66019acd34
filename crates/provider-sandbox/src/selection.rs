//! Answers written as GraphQL writes them: each object's fields in the order
//! the query selects them.
//!
//! The GraphQL specification ("Serialized Map Ordering",
//! <https://spec.graphql.org/October2021/#sec-Serialized-Map-Ordering>):
//! "the serialized Map of results should preserve this order by writing the
//! map entries in the same order as those fields were requested as defined
//! by selection set execution", that is by `CollectFields`: each response key
//! once, where it is first selected, a fragment's fields where the fragment
//! is spread. Shopify's answers follow it. The simulated Shopify builds its
//! objects as `serde_json::Value`s, whose keys are sorted; without this it
//! wrote every object's fields in alphabetical order, which no GraphQL server
//! does, and a client reading an answer's keys in the query's order would be
//! measured and tested against an order Shopify never sends.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Selection as GqlSelection, SelectionSet};
use serde_json::Value;

use crate::shopify_cost::schema;

/// What a query selects of a value: its fields, in the order GraphQL writes
/// them, each with what it selects of its own value (nothing: a leaf).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Selected {
    fields: Vec<(String, Selected)>,
}

impl Selected {
    /// What the operation of `query` selects, if the query is valid against
    /// the 2026-01 schema (an invalid one is refused before it is answered).
    pub(crate) fn of_query(query: &str) -> Option<Selected> {
        let doc = ExecutableDocument::parse_and_validate(schema(), query, "query.graphql").ok()?;
        let operation = doc.operations.iter().next()?;
        Some(Selected::collect(&doc, &[&operation.selection_set]))
    }

    /// The fields of `sets` (one response key selected by several fields,
    /// or in several fragments, merged), as `CollectFields` orders them.
    fn collect(doc: &ExecutableDocument, sets: &[&SelectionSet]) -> Selected {
        let mut grouped: Vec<(String, Vec<&SelectionSet>)> = Vec::new();
        for set in sets {
            gather(doc, set, &mut grouped);
        }
        Selected {
            fields: grouped
                .into_iter()
                .map(|(key, sets)| (key, Selected::collect(doc, &sets)))
                .collect(),
        }
    }

    /// What is selected of field `key`'s value.
    pub(crate) fn get(&self, key: &str) -> Option<&Selected> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    /// What is selected at `path` (field by field).
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Selected> {
        path.iter().try_fold(self, |sel, key| sel.get(key))
    }

    /// The selected fields' keys, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_str())
    }

    /// Writes `value` as JSON with each object's selected fields in the
    /// selection's order; a field the value lacks is left out (the sandbox
    /// does not invent it), and a key the selection does not name (none
    /// should) follows the selected ones, so nothing the sandbox built is
    /// lost. A list is written element by element with the same selection;
    /// a leaf as it is.
    pub(crate) fn write(&self, value: &Value, out: &mut Vec<u8>) {
        match value {
            Value::Object(map) if !self.fields.is_empty() => {
                out.push(b'{');
                let mut first = true;
                let mut entry = |out: &mut Vec<u8>, key: &str| {
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    write_key(out, key);
                };
                let mut written = 0;
                for (key, sel) in &self.fields {
                    if let Some(v) = map.get(key) {
                        entry(out, key);
                        sel.write(v, out);
                        written += 1;
                    }
                }
                if written < map.len() {
                    for (key, v) in map.iter().filter(|(k, _)| self.get(k).is_none()) {
                        entry(out, key);
                        write_json(out, v);
                    }
                }
                out.push(b'}');
            }
            Value::Array(items) if !self.fields.is_empty() => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write(item, out);
                }
                out.push(b']');
            }
            leaf => write_json(out, leaf),
        }
    }

    /// [`write`](Self::write) into a string.
    pub(crate) fn to_text(&self, value: &Value) -> String {
        let mut out = Vec::new();
        self.write(value, &mut out);
        into_text(out)
    }
}

/// `CollectFields` over one selection set, into `grouped`.
fn gather<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    grouped: &mut Vec<(String, Vec<&'a SelectionSet>)>,
) {
    for selection in &set.selections {
        match selection {
            GqlSelection::Field(field) => {
                let key = field.response_key().as_str();
                match grouped.iter_mut().find(|(k, _)| k == key) {
                    Some((_, sets)) => sets.push(&field.selection_set),
                    None => grouped.push((key.to_owned(), vec![&field.selection_set])),
                }
            }
            GqlSelection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.fragment_name) {
                    gather(doc, &fragment.selection_set, grouped);
                }
            }
            GqlSelection::InlineFragment(inline) => gather(doc, &inline.selection_set, grouped),
        }
    }
}

/// A key and its colon; a GraphQL name (letters, digits, `_`) as it is,
/// any other key (none should come) as JSON writes a string.
pub(crate) fn write_key(out: &mut Vec<u8>, key: &str) {
    if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
    } else {
        write_json(out, &Value::from(key));
        out.push(b':');
    }
}

/// What [`write`](Selected::write) wrote, as text: it writes `Value`s by
/// serde_json and ASCII punctuation, so UTF-8.
pub(crate) fn into_text(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_default()
}

fn write_json(out: &mut Vec<u8>, value: &Value) {
    // Writing a `Value` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_written_in_the_order_selected() {
        let query = "fragment Money on MoneyV2 { amount currencyCode }
            query { orders(first: 1) { pageInfo { hasNextPage } nodes {
                name id totalPriceSet { shopMoney { ...Money } }
                purchasingEntity { __typename ... on PurchasingCompany { location { id } } }
                id
            } } }";
        let sel = Selected::of_query(query).unwrap();
        assert_eq!(sel.keys().collect::<Vec<_>>(), ["orders"]);
        let orders = sel.get("orders").unwrap();
        assert_eq!(orders.keys().collect::<Vec<_>>(), ["pageInfo", "nodes"]);
        let node = orders.get("nodes").unwrap();
        // `id`, selected twice, where first selected.
        assert_eq!(
            node.keys().collect::<Vec<_>>(),
            ["name", "id", "totalPriceSet", "purchasingEntity"]
        );
        let value = json!({ "orders": {
            "nodes": [{
                "id": "gid://shopify/Order/1",
                "name": "#1",
                "purchasingEntity": { "__typename": "Customer" },
                "totalPriceSet": { "shopMoney": { "currencyCode": "SEK", "amount": "1.0" } },
                "extra": 1
            }],
            "pageInfo": { "hasNextPage": false }
        }});
        assert_eq!(
            sel.to_text(&value),
            r##"{"orders":{"pageInfo":{"hasNextPage":false},"nodes":[{"name":"#1","id":"gid://shopify/Order/1","totalPriceSet":{"shopMoney":{"amount":"1.0","currencyCode":"SEK"}},"purchasingEntity":{"__typename":"Customer"},"extra":1}]}}"##
        );
        // The same value, whatever the order: only the writing differs.
        let back: Value = serde_json::from_str(&sel.to_text(&value)).unwrap();
        assert_eq!(back, value);
        assert_eq!(
            sel.at(&["orders", "nodes", "totalPriceSet"])
                .map(|s| s.keys().count()),
            Some(1)
        );
        assert!(Selected::of_query("query { nope }").is_none());
    }
}
