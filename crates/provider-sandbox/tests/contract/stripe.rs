//! Stripe: field names and JSON types of every object the sandbox serves (and of the
//! client crate's own month of fixtures) against Stripe's OpenAPI fixtures
//! (`fixtures3.json` from github.com/stripe/openapi, API `2026-07-29.dahlia`): one example
//! object per resource, keyed by its `object` name.

use provider_sandbox::Faults;
use provider_sandbox::stripe::StripeSandbox;
use serde_json::{Value, json};

use crate::{json_file, json_files_in, scenario};

const FIXTURES: &str = "crates/stripe-invoicing/tests/fixtures/stripe";

/// Fields Stripe leaves out of its examples because they come only when asked for
/// (`expand[]`): `invoice.payments`, "This field is not included by default"; a list of
/// `invoice_payment`s (Stripe's Invoice object reference, and stripe-go `invoice.go`
/// `Payments *InvoicePaymentList`; shared/reference/stripe-and-paypal.md).
const INCLUDABLE: [(&str, &str); 1] = [("invoice", "payments")];

/// Fields whose example value happens to be whole but whose type is `number` in Stripe's
/// OpenAPI (`spec3.json`, `tax_rate.percentage` and `effective_percentage`: "type":
/// "number"), so a fraction (`12.5`) is right there, while an integer field (every
/// amount) must stay an integer.
const NUMBERS: [(&str, &str); 2] = [
    ("tax_rate", "percentage"),
    ("tax_rate", "effective_percentage"),
];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `value` against Stripe's example `reference` of the same resource: every field
/// must exist in Stripe's example and have its JSON type. A `null` on either side is
/// accepted (Stripe's nullable fields), an object where Stripe's example has an id string
/// is an expanded field (`expand[]`) and is checked against its own resource, and
/// `metadata` takes any keys. Stripe's examples show every field of a resource but not
/// always every field of a nested hash (`refund.destination_details.card` shows only
/// `type`), so inside a nested hash only the fields the example shows are checked, for
/// type; the rest is unverified (docs/providers.md).
struct Shapes {
    resources: Value,
}

impl Shapes {
    fn new() -> Shapes {
        let fixtures = json_file(&format!("{FIXTURES}/fixtures3.json"));
        Shapes {
            resources: fixtures["resources"].clone(),
        }
    }

    fn resource(&self, object: &str) -> Option<&Value> {
        self.resources.get(object)
    }

    fn check(&self, value: &Value, path: &str, out: &mut Vec<String>) {
        let Some(object) = value.get("object").and_then(Value::as_str) else {
            out.push(format!("{path}: no `object` name"));
            return;
        };
        if object == "list" {
            let list = json!({"object": "list", "data": [], "has_more": false, "url": ""});
            self.check_fields(value, &list, path, out, true);
            for (i, item) in value["data"].as_array().into_iter().flatten().enumerate() {
                self.check(item, &format!("{path}.data[{i}]"), out);
            }
            return;
        }
        match self.resource(object) {
            Some(reference) => self.check_fields(value, reference, path, out, true),
            None => out.push(format!(
                "{path}: object {object:?} is not a Stripe resource"
            )),
        }
    }

    /// `strict`: a field Stripe's example does not have fails (a resource's own fields);
    /// otherwise it is passed over (a nested hash).
    fn check_fields(
        &self,
        value: &Value,
        reference: &Value,
        path: &str,
        out: &mut Vec<String>,
        strict: bool,
    ) {
        let Some(fields) = value.as_object() else {
            return;
        };
        for (key, v) in fields {
            let here = format!("{path}.{key}");
            let includable = INCLUDABLE
                .iter()
                .any(|(o, f)| reference["object"] == *o && key == f);
            if includable && v.get("object").is_some() {
                self.check(v, &here, out);
                continue;
            }
            let Some(r) = reference.get(key) else {
                if strict {
                    out.push(format!(
                        "{here}: not a field of Stripe's {}",
                        reference["object"]
                    ));
                }
                continue;
            };
            if key == "metadata" || v.is_null() || r.is_null() {
                continue;
            }
            match (v, r) {
                (Value::Object(_), Value::String(_)) if v.get("object").is_some() => {
                    self.check(v, &here, out);
                }
                (Value::Object(_), Value::Object(_)) if v.get("object").is_some() => {
                    self.check(v, &here, out);
                }
                (Value::Object(_), Value::Object(_)) => self.check_fields(v, r, &here, out, false),
                (Value::Array(items), Value::Array(examples)) => {
                    if let Some(example) = examples.first() {
                        for (i, item) in items.iter().enumerate() {
                            let at = format!("{here}[{i}]");
                            if item.get("object").is_some() {
                                self.check(item, &at, out);
                            } else if kind(item) != kind(example) {
                                out.push(format!(
                                    "{at}: {} where Stripe has {}",
                                    kind(item),
                                    kind(example)
                                ));
                            } else if item.is_object() {
                                self.check_fields(item, example, &at, out, false);
                            }
                        }
                    }
                }
                (Value::Number(_), Value::Number(_))
                    if NUMBERS
                        .iter()
                        .any(|(o, f)| reference["object"] == *o && key == f) => {}
                _ if kind(v) != kind(r) => {
                    out.push(format!("{here}: {} where Stripe has {}", kind(v), kind(r)));
                }
                _ => {}
            }
        }
    }
}

fn assert_shapes(what: &str, shapes: &Shapes, value: &Value) {
    let mut out = Vec::new();
    shapes.check(value, "$", &mut out);
    assert!(
        out.is_empty(),
        "{what} breaks Stripe's shapes:\n  {}",
        out.join("\n  ")
    );
}

#[tokio::test]
async fn every_stripe_answer_has_stripes_fields_and_types() {
    let s = scenario();
    let shapes = Shapes::new();
    let sandbox = StripeSandbox::start(&s, Faults::none()).await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let url = format!("{}{path}", sandbox.uri());
        let request = client.get(&url).bearer_auth(sandbox.secret_key());
        async move {
            let resp = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(resp.status().as_u16(), 200, "{url}");
            (url, resp.json::<Value>().await.expect("json"))
        }
    };
    let (url, payouts) = get("/v1/payouts?limit=100".to_owned()).await;
    assert_shapes(&url, &shapes, &payouts);
    let ids: Vec<String> = payouts["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!ids.is_empty());
    for id in &ids {
        for expand in ["&expand[]=data.source", ""] {
            let (url, body) = get(format!(
                "/v1/balance_transactions?payout={id}&limit=100{expand}"
            ))
            .await;
            assert_shapes(&url, &shapes, &body);
        }
    }
    for path in [
        "/v1/invoices?limit=100",
        "/v1/invoices?limit=100&expand[]=data.payments",
        "/v1/invoice_payments?limit=100",
        "/v1/credit_notes?limit=100",
        "/v1/tax_rates?limit=100",
    ] {
        let (url, body) = get(path.to_owned()).await;
        assert_shapes(&url, &shapes, &body);
    }
}

/// The month of fixtures the client crate tests with.
#[test]
fn every_stripe_fixture_has_stripes_fields_and_types() {
    let shapes = Shapes::new();
    let files = json_files_in(&format!("{FIXTURES}/month_2026_03"));
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        assert_shapes(&file, &shapes, &json_file(&file));
    }
}

/// An invented field and a wrong type in a Stripe answer fail.
#[test]
fn an_invented_field_or_a_wrong_type_fails() {
    let shapes = Shapes::new();
    let mut payout = shapes.resource("payout").expect("payout").clone();
    payout["amount"] = json!("1100");
    payout["bank_reference"] = json!("SE45");
    let mut out = Vec::new();
    shapes.check(&payout, "$", &mut out);
    out.sort();
    assert_eq!(
        out,
        vec![
            "$.amount: string where Stripe has integer",
            "$.bank_reference: not a field of Stripe's \"payout\"",
        ]
    );
}
