//! Shopify: every answer the sandbox gives to the client's queries, checked against the
//! query and Shopify's 2026-01 Admin API schema (`admin-graphql-2026-01.schema.graphql`,
//! Shopify's introspection as published in nozzlegear/ShopifySharp): every key of `data`
//! is a field the query selected (by its response key), `null` only where the schema's
//! type is nullable, lists where it is a list, scalars of the right JSON type (`Int` an
//! integer, `Float` a number, `Boolean` a boolean, `ID`, `String`, `DateTime`, `Decimal`,
//! `URL`, `UnsignedInt64`… strings, as GraphQL's response rules serialize them) and enum
//! values that the schema's enum has.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::schema::{ExtendedType, Type};
use provider_sandbox::Faults;
use provider_sandbox::shopify::ShopifySandbox;
use provider_sandbox::shopify_cost::schema;
use serde_json::{Value, json};

use crate::{rfc3339, scenario};

struct Checker<'d> {
    doc: &'d ExecutableDocument,
    out: Vec<String>,
}

impl Checker<'_> {
    /// The fields `set` selects on an object of type `typename`, fragments included.
    fn selected<'s>(
        &self,
        set: &'s SelectionSet,
        typename: Option<&str>,
        fields: &mut Vec<&'s apollo_compiler::executable::Field>,
    ) where
        Self: 's,
    {
        for selection in &set.selections {
            match selection {
                Selection::Field(f) => fields.push(f),
                Selection::InlineFragment(i) => {
                    let applies = match (&i.type_condition, typename) {
                        (Some(cond), Some(t)) => cond.as_str() == t || !is_object(cond.as_str()),
                        _ => true,
                    };
                    if applies {
                        self.selected(&i.selection_set, typename, fields);
                    }
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = self.doc.fragments.get(&s.fragment_name) {
                        self.selected(&fragment.selection_set, typename, fields);
                    }
                }
            }
        }
    }

    fn object(&mut self, set: &SelectionSet, value: &Value, path: &str) {
        let Some(obj) = value.as_object() else {
            self.out
                .push(format!("{path}: {value} where an object is selected"));
            return;
        };
        let typename = obj.get("__typename").and_then(Value::as_str);
        let mut fields = Vec::new();
        self.selected(set, typename, &mut fields);
        for (key, v) in obj {
            let here = format!("{path}.{key}");
            match fields.iter().find(|f| f.response_key().as_str() == key) {
                Some(f) => self.typed(f.ty(), &f.selection_set, v, &here),
                None => self.out.push(format!("{here}: not selected by the query")),
            }
        }
        // Fields selected on this type (not under a fragment of another type) must be
        // there: GraphQL answers every selected field, `null` if need be.
        let mut direct = Vec::new();
        self.selected(set, Some(set.ty.as_str()), &mut direct);
        for f in direct {
            let key = f.response_key().as_str();
            if !obj.contains_key(key) && set.ty.as_str() == typename.unwrap_or(set.ty.as_str()) {
                self.out.push(format!("{path}.{key}: selected but missing"));
            }
        }
    }

    fn typed(&mut self, ty: &Type, set: &SelectionSet, value: &Value, path: &str) {
        if value.is_null() {
            if ty.is_non_null() {
                self.out
                    .push(format!("{path}: null where the schema says {ty}"));
            }
            return;
        }
        if ty.is_list() {
            match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.typed(ty.item_type(), set, item, &format!("{path}[{i}]"));
                    }
                }
                None => self
                    .out
                    .push(format!("{path}: {value} where the schema says {ty}")),
            }
            return;
        }
        let named = ty.inner_named_type().as_str();
        match schema().types.get(named) {
            Some(ExtendedType::Scalar(_)) => {
                let ok = match named {
                    "Int" => value.is_i64() || value.is_u64(),
                    "Float" => value.is_number(),
                    "Boolean" => value.is_boolean(),
                    "JSON" => true,
                    _ => value.is_string(),
                };
                if !ok {
                    self.out.push(format!("{path}: {value} is not a {named}"));
                }
            }
            Some(ExtendedType::Enum(e)) => {
                let known = value
                    .as_str()
                    .is_some_and(|v| e.values.keys().any(|k| k.as_str() == v));
                if !known {
                    self.out
                        .push(format!("{path}: {value} is not a value of {named}"));
                }
            }
            Some(_) => self.object(set, value, path),
            None => self
                .out
                .push(format!("{path}: type {named} is not in the schema")),
        }
    }
}

fn is_object(name: &str) -> bool {
    matches!(schema().types.get(name), Some(ExtendedType::Object(_)))
}

/// The violations of `answer` to `query`.
fn check(query: &str, answer: &Value) -> Vec<String> {
    let doc = ExecutableDocument::parse_and_validate(schema(), query, "query.graphql")
        .unwrap_or_else(|e| panic!("{}", e.errors));
    let op = doc.operations.get(None).expect("one operation");
    let mut checker = Checker {
        doc: &doc,
        out: Vec::new(),
    };
    checker.object(&op.selection_set, &answer["data"], "$.data");
    checker.out
}

async fn ask(sandbox: &ShopifySandbox, query: &str, variables: Value) -> Value {
    let url = format!("{}/admin/api/2026-01/graphql.json", sandbox.uri());
    let resp = reqwest::Client::new()
        .post(&url)
        .header("x-shopify-access-token", sandbox.access_token())
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("graphql");
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.expect("json");
    assert!(body.get("errors").is_none(), "{body}");
    body
}

fn ids<'v>(value: &'v Value, key: &str, out: &mut Vec<&'v str>) {
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                if k == key
                    && let Some(s) = v.as_str()
                {
                    out.push(s);
                }
                ids(v, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| ids(v, key, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_shopify_answer_fits_the_query_and_the_schema() {
    let s = scenario();
    let sandbox = ShopifySandbox::start(&s, Faults::none()).await;
    let period = s.config.period;
    let range = |field: &str| {
        format!(
            "{field}:>='{}' {field}:<'{}'",
            rfc3339(period.start_utc()),
            rfc3339(period.end_utc())
        )
    };
    let queries = shopify_bookkeeping::queries::ALL;
    let query = |name: &str| {
        queries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, q)| *q)
            .unwrap_or_else(|| panic!("no query {name}"))
    };
    let mut checked = Vec::new();
    let orders_q = query("orders");
    let orders = ask(
        &sandbox,
        orders_q,
        json!({"first": 250, "query": range("processed_at"), "sortKey": "PROCESSED_AT"}),
    )
    .await;
    assert_eq!(check(orders_q, &orders), Vec::<String>::new(), "orders");
    checked.push("orders");
    let payouts_q = query("payouts");
    let payouts = ask(
        &sandbox,
        payouts_q,
        json!({"first": 250, "query": range("issued_at")}),
    )
    .await;
    assert_eq!(check(payouts_q, &payouts), Vec::<String>::new(), "payouts");
    checked.push("payouts");
    let mut payout_ids = Vec::new();
    ids(&payouts["data"], "legacyResourceId", &mut payout_ids);
    assert!(!payout_ids.is_empty());
    let bt_q = query("balance_transactions");
    for id in payout_ids {
        let answer = ask(
            &sandbox,
            bt_q,
            json!({"first": 250, "query": format!("payments_transfer_id:{id}")}),
        )
        .await;
        assert_eq!(
            check(bt_q, &answer),
            Vec::<String>::new(),
            "balance transactions of {id}"
        );
    }
    checked.push("balance_transactions");
    let mut order_ids: Vec<&str> = orders["data"]["orders"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    order_ids.truncate(50);
    let refunds_q = query("refunds_of_orders");
    let refunds = ask(&sandbox, refunds_q, json!({"ids": order_ids})).await;
    assert_eq!(
        check(refunds_q, &refunds),
        Vec::<String>::new(),
        "refunds_of_orders"
    );
    checked.push("refunds_of_orders");
    // The follow-up pages of nested connections (`order_line_items`, …) are asked only
    // for orders with more than a page of lines; the generated month has none, so their
    // answers are not checked here (docs/providers.md).
    assert_eq!(checked.len(), 4);
}

/// The check is strict: a field the query did not select, or a wrong scalar type, fails.
#[test]
fn an_unselected_field_or_a_wrong_type_fails() {
    let q = "query { shop { name currencyCode } }";
    assert_eq!(
        check(
            q,
            &json!({"data": {"shop": {"name": "Kassabok", "currencyCode": "SEK"}}})
        ),
        Vec::<String>::new()
    );
    let mut found = check(
        q,
        &json!({"data": {"shop": {"name": 5, "currencyCode": "KRONOR", "email": "a@b.se"}}}),
    );
    found.sort();
    assert_eq!(
        found,
        vec![
            "$.data.shop.currencyCode: \"KRONOR\" is not a value of CurrencyCode",
            "$.data.shop.email: not selected by the query",
            "$.data.shop.name: 5 is not a String",
        ]
    );
}
